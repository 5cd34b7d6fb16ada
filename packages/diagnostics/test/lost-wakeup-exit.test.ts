import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const fixture = fileURLToPath(new URL('./fixtures/lost-wakeup.mjs', import.meta.url));

/** Runs the fixture in its own process (the fault shows only when the event loop runs empty). */
async function lines(mode: 'faulty' | 'good'): Promise<unknown[]> {
  const { stdout } = await run(process.execPath, [fixture, mode], { cwd: fileURLToPath(new URL('.', import.meta.url)) });
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as unknown);
}

describe('LostWakeupDetector (the event loop ran empty)', () => {
  it('reports a task parked on a promise nobody resolves when the program is about to exit', async () => {
    const output = await lines('faulty');
    expect(output).toHaveLength(1);
    expect(output[0]).toMatchObject({ kind: 'lost-wake-up', reason: 'event-loop-empty', name: 'forgotten', body: 'generator forgotten', executor: 'exit-test' });
    expect((output[0] as { message: string }).message).toMatch(/lost wake-up: task #\d+ "forgotten" .* nothing left that could settle what it waits for/);
  });

  it('stays silent when the task is woken and settles', async () => {
    expect(await lines('good')).toEqual([{ settled: 'done' }]);
  });
});
