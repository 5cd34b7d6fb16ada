// close() in drain and cancel modes while tasks are mid-flight, in a fresh node process
// that imports the built package: every task settles as the mode says, a closed executor
// refuses work, and the process then exits on its own (no handle left open).
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

interface Summary {
  readonly mode: string;
  readonly tasks: number;
  readonly fulfilled: number;
  readonly cancelled: number;
  readonly lost: number;
  readonly problems: readonly string[];
}

// The child script is shared by every executor (@spindle/executor-tests); it builds this one
// from the factory module beside this test.
const script = createRequire(import.meta.url).resolve('@spindle/executor-tests/shutdown-child.mjs');
const factory = new URL('./factory.mjs', import.meta.url).href;

function runChild(mode: 'drain' | 'cancel'): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // Generous: a healthy child ends in well under a second; a hung one is killed and fails.
    execFile(process.execPath, [script, factory, mode], { timeout: 60_000, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ code, signal: error?.signal ?? null, stdout, stderr });
    });
  });
}

describe('shutdown in a child process', () => {
  for (const mode of ['drain', 'cancel'] as const) {
    it(`close({ mode: '${mode}' }) mid-flight: every task settles, nothing is lost, and the process exits on its own`, async () => {
      const { code, signal, stdout, stderr } = await runChild(mode);
      expect(signal, `killed: the process did not exit on its own\n${stderr}`).toBeNull();
      expect(code, stderr + stdout).toBe(0);
      const summary = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Summary;
      expect(summary.problems).toEqual([]);
      expect(summary.lost).toBe(0);
      expect(summary.tasks).toBeGreaterThanOrEqual(50);
      if (mode === 'drain') expect(summary.fulfilled).toBe(summary.tasks);
      else expect(summary.cancelled).toBeGreaterThan(0);
    });
  }
});
