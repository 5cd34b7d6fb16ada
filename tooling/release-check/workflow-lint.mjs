#!/usr/bin/env node
// Lints the CI services' workflows in .github/workflows: each file must validate against
// GitHub's workflow schema (@action-validator/core), and what the workflows run must exist
// here: every `pnpm <script>` is a script of the root package.json, a pinned pnpm is the
// one `packageManager` names, and a `bash <file>` is a file of the repository.
// Usage: node tooling/release-check/workflow-lint.mjs
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { validateWorkflow } from '@action-validator/core';
import { repoRoot } from './shared.mjs';

const dir = path.join(repoRoot, '.github', 'workflows');
const files = existsSync(dir) ? readdirSync(dir).filter((name) => /\.ya?ml$/.test(name)) : [];
const rootManifest = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
const scripts = new Set(Object.keys(rootManifest.scripts ?? {}));
const pinnedPnpm = /^pnpm@(.+)$/.exec(rootManifest.packageManager ?? '')?.[1];
const pnpmBuiltins = new Set(['install', 'exec', 'dlx', 'run', 'publish', 'pack']);

const problems = [];
if (files.length === 0) problems.push('.github/workflows holds no workflow');
for (const name of files) {
  const where = `.github/workflows/${name}`;
  const text = readFileSync(path.join(dir, name), 'utf8');
  const result = validateWorkflow(text);
  for (const error of result.errors) {
    // A `one_of` error holds, per alternative, why it did not match: the details say what is wrong.
    const details = [...new Set((error.states ?? []).flatMap((state) => state.errors.map((inner) => inner.detail ?? inner.title)))];
    const why = error.detail ?? (details.length > 0 ? details.join('; or ') : '');
    problems.push(`${where}: ${error.path ?? ''} ${error.title ?? error.code}${why ? `: ${why}` : ''}`);
  }
  for (const match of text.matchAll(/\bpnpm ([a-z][\w:-]*)/g)) {
    const command = match[1];
    if (!pnpmBuiltins.has(command) && !scripts.has(command)) problems.push(`${where}: runs \`pnpm ${command}\`, which is not a script of package.json`);
  }
  for (const match of text.matchAll(/^\s*version: ['"]?(\d+\.\d+\.\d+)/gm)) {
    if (text.includes('pnpm/action-setup') && match[1] !== pinnedPnpm) {
      problems.push(`${where}: sets up pnpm ${match[1]}, but package.json's packageManager is pnpm@${String(pinnedPnpm)}`);
    }
  }
  for (const match of text.matchAll(/\bbash ([\w./-]+)/g)) {
    if (!existsSync(path.join(repoRoot, match[1]))) problems.push(`${where}: runs \`bash ${match[1]}\`, which does not exist`);
  }
}

if (problems.length > 0) {
  console.error(`workflow-lint: ${String(problems.length)} problem(s)`);
  for (const problem of problems) console.error(`  ${problem}`);
  process.exit(1);
}
console.log(`workflow-lint: ${files.map((name) => `.github/workflows/${name}`).join(', ')} valid`);
