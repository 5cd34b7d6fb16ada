import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { examplesOf } from './code-blocks.js';
import type { Example } from './code-blocks.js';
import { DOCUMENTS, RUN_ELSEWHERE, readDocument } from './documents.js';
import { startBullmqWorker, startRedis } from './redis-and-worker.js';
import type { Started } from './redis-and-worker.js';
import { UserProject, runNode, runUntilPrinted } from './user-project.js';

interface Checked {
  readonly document: string;
  readonly example: Example;
  /** The example's folder in the project, set when the project is made. */
  dir: string;
}

// The diagnostics README has its own test (packages/diagnostics/test/readme.test.ts).
const checked: Checked[] = DOCUMENTS.filter((document) => !RUN_ELSEWHERE.includes(document)).flatMap((document) =>
  examplesOf(readDocument(document)).map((example) => ({ document, example, dir: '' })),
);
const where = ({ document, example }: Checked): string => `${document}:${String(example.blocks.at(-1)?.line)}`;
const imports = (example: Example, name: string): boolean => example.blocks.some((block) => block.source.includes(`from '${name}'`));

describe('the documentation examples', () => {
  let project: UserProject;

  beforeAll(() => {
    project = new UserProject();
    for (const entry of checked) {
      // Named by the program's line: examples that share a module begin with the same block.
      const folder = `${entry.document.replace(/\.md$/, '').replace(/[/.]/g, '-')}/${String(entry.example.blocks.at(-1)?.line)}`;
      entry.dir = project.addExample(folder, entry.document, entry.example.blocks);
    }
  });
  afterAll(() => {
    project.remove();
  });

  it('the front page shows each executor and diagnostics in a complete example', () => {
    const front = checked.filter((entry) => entry.document === 'README.md').map((entry) => entry.example);
    for (const name of ['@spindle/round-robin', '@spindle/trampoline', '@spindle/pool', '@spindle/bullmq', '@spindle/diagnostics']) {
      expect(front.some((example) => imports(example, name)), name).toBe(true);
    }
  });

  it('are complete modules that type-check under the strict settings', async () => {
    expect(checked.length).toBeGreaterThan(10);
    expect(await project.typecheck()).toBe('');
  });

  it.each(checked.map((entry) => [where(entry), entry] as const))('%s runs in a fresh node process and prints what it says', async (_name, entry) => {
    const { example } = entry;
    const program = path.join(entry.dir, (example.blocks.at(-1)?.file ?? 'main.ts').replace(/\.ts$/, '.js'));
    let redis: (Started & { url: string }) | undefined;
    let worker: Started | undefined;
    const env = { ...process.env };
    try {
      if (imports(example, '@spindle/bullmq')) {
        // As the reader does: a Redis, then a worker process started beside the program. A
        // Redis of its own, since an example may leave settings in it (a rate limit, kept jobs).
        redis = await startRedis();
        env.SPINDLE_REDIS_URL = redis.url;
        worker = await startBullmqWorker(project.dir, redis.url);
      }
      const result = example.untilSigterm ? await runUntilPrinted(program, entry.dir, env, example.prints.length) : await runNode(program, entry.dir, env);
      expect(result.stderr, worker?.output()).toBe('');
      expect(result.code).toBe(0);
      if (example.prints.length > 0) expect(result.stdout.trimEnd().split('\n')).toEqual(example.prints);
    } finally {
      await worker?.stop();
      await redis?.stop();
    }
  });
});
