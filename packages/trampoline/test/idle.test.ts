import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));

/**
 * Runs `body` in a fresh `node` process that imports the built package as `t`, and
 * reports whether it exited on its own (the timeout only catches a hang).
 */
function runAlone(body: string): { status: number | null; stdout: string; stderr: string; timedOut: boolean } {
  const script = `import * as t from '@spindle/trampoline';\n${body}`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: packageRoot,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    timedOut: result.error !== undefined,
  };
}

describe('an idle executor keeps nothing alive', () => {
  it('exits after tasks that slept, timed out, raced and were cancelled, without close()', () => {
    const result = runAlone(`
      const ex = new t.TrampolineExecutor();
      const slow = ex.run(t.sleep(3_600_000));
      const raced = ex.run(t.race([t.sleep(3_600_000), t.sleep(1)]));
      const timedOut = ex.run(t.timeout(1, t.sleep(3_600_000))).catch((e) => e.name);
      const hanging = ex.run(t.suspend());
      console.log(await raced, await timedOut);
      slow.cancel();
      hanging.cancel();
      await Promise.allSettled([slow, hanging]);
      console.log('idle', ex.stats.live);
    `);
    expect(result.timedOut, result.stderr).toBe(false);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual(['undefined TimeoutError', 'idle 0']);
  });
});
