// A closed pool lets go of its memory: nothing it armed on the main thread (the wait for
// outcomes in its results mailbox) keeps it reachable, whichever way its last outcome came.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const child = fileURLToPath(new URL('./release-child.mjs', import.meta.url));

function run(): Promise<{ error: Error | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--expose-gc', child], { timeout: 60_000, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      resolve({ error, stdout, stderr });
    });
  });
}

it('a closed and dropped pool is collected, its last outcome through the results mailbox or by message', async () => {
  const { error, stdout, stderr } = await run();
  expect(error, stderr).toBeNull();
  const summary = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { pools: number; collected: Record<string, number> };
  expect(summary.collected).toEqual({ mailbox: summary.pools, message: summary.pools });
});
