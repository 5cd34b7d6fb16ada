// Soak (short version for CI): many small tasks in batches in a child node process with
// --expose-gc, resident memory sampled after GC; nothing is lost and memory levels off.
// The long version (10,000,000 tasks) is `pnpm soak` at the repository root.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

interface Figures {
  readonly tasks: number;
  readonly settled: number;
  readonly wrong: number;
  readonly lost: number;
  readonly gc: boolean;
  readonly rssEarlyMB: number;
  readonly rssLateMB: number;
  readonly heapEarlyMB: number;
  readonly heapLateMB: number;
  readonly samples: number;
}

const TASKS = 1_000_000;
// The child script is shared by every executor (@spindle/executor-tests); it builds this one
// from the factory module beside this test.
const script = createRequire(import.meta.url).resolve('@spindle/executor-tests/soak-child.mjs');
const factory = new URL('./factory.mjs', import.meta.url).href;

function soak(tasks: number): Promise<Figures> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--expose-gc', script, factory, String(tasks)], { timeout: 120_000, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      if (error !== null) {
        reject(new Error(`soak child failed: ${error.message}\n${stderr}`));
        return;
      }
      resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Figures);
    });
  });
}

describe('soak', () => {
  it(`${TASKS.toLocaleString('en')} small tasks in batches: every one settles once with its value, and memory levels off`, async () => {
    const figures = await soak(TASKS);
    expect(figures.gc).toBe(true);
    expect(figures.settled).toBe(TASKS);
    expect(figures.wrong).toBe(0);
    expect(figures.lost).toBe(0);
    expect(figures.samples).toBeGreaterThanOrEqual(8);
    // Generous bounds that still catch a leak growing with the count: at a million tasks even
    // 100 bytes a task would add ~100 MB of heap.
    expect(figures.heapLateMB).toBeLessThan(figures.heapEarlyMB * 2 + 16);
    expect(figures.rssLateMB).toBeLessThan(figures.rssEarlyMB * 1.5 + 64);
  });
});
