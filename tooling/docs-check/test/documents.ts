// The documents the checks read, as paths from the repository's root.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

/** The user documentation: the front page, every page of docs/, and the package READMEs this check owns. */
export const DOCUMENTS: readonly string[] = [
  'README.md',
  ...readdirSync(path.join(repoRoot, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`),
  'packages/core/README.md',
  'packages/round-robin/README.md',
  'packages/trampoline/README.md',
  'packages/conformance/README.md',
  'packages/pool/README.md',
  'packages/bullmq/README.md',
];

/**
 * Documents whose examples are run elsewhere: the guide for executor authors is a whole
 * project that tooling/pack-check builds and runs against the packed packages.
 */
export const RUN_ELSEWHERE: readonly string[] = ['docs/writing-an-executor.md'];

export function readDocument(document: string): string {
  return readFileSync(path.join(repoRoot, document), 'utf8');
}
