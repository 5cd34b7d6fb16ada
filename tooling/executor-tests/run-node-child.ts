// Runs one of the child scripts here in a fresh `node` process, so that what it checks (memory
// after GC, whether the process exits on its own) is not disturbed by Vitest's own process.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export interface ChildRun {
  /** The exit code; null when the process was killed (or never started). */
  readonly code: number | null;
  /** The signal that killed the process: SIGKILL when it outlived its timeout. */
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The path of a child script of this package. */
export function childScript(name: 'soak-child.mjs' | 'shutdown-child.mjs'): string {
  return fileURLToPath(new URL(`./${name}`, import.meta.url));
}

/**
 * Runs `node [...nodeFlags] script ...args` and resolves with how it ended, whatever that was;
 * the caller judges it. A child still running after `timeoutMs` is killed with SIGKILL (a hung
 * child must fail its test, not hold the run).
 */
export function runNodeChild(nodeFlags: readonly string[], script: string, args: readonly string[], timeoutMs: number): Promise<ChildRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...nodeFlags, script, ...args], { timeout: timeoutMs, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ code, signal: error?.signal ?? null, stdout, stderr });
    });
  });
}

/**
 * Checks that the child exited on its own with code 0 and returns the JSON object on the last
 * line of its output (the scripts print their summary last), for the caller to check field by
 * field.
 */
export function summaryOf(run: ChildRun): unknown {
  expect(run.signal, `killed: the child did not end on its own within its timeout\n${run.stderr}`).toBeNull();
  expect(run.code, `the child failed\n${run.stderr}${run.stdout}`).toBe(0);
  return JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as unknown;
}
