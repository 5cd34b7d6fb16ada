// Issue #21 item 2 on the pool: a script that spawns, at its top level, a task of its own
// module ends at once with a message naming the module and the rule (it used to nest a
// pool per import, or end silently with exit code 13).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('./self-spawning-script.mjs', import.meta.url));

describe('a task module that spawns one of its own tasks at its top level', () => {
  it('ends the process with an error naming the module and the rule, not silently and not by nesting pools', () => {
    const result = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL' });
    expect(result.signal).toBeNull();
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('self-spawning-script.mjs');
    expect(result.stderr).toContain('a task module must have no top-level side effects');
    expect(result.stderr).toContain('Move the code that spawns into another module');
  });
});
