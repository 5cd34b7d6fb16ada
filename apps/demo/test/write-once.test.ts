import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const example = fileURLToPath(new URL('../src/write-once-main.ts', import.meta.url));

describe('the write-once example', () => {
  it('runs the same fork–join task by reference on round-robin and the trampoline', async () => {
    // A child process under tsx: executors load the task reference with a native
    // import(), which only tsx's loader (not Vitest's transform) can give a .ts module.
    const { stdout } = await run(process.execPath, ['--import', 'tsx', example, '20'], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
    });
    expect(JSON.parse(stdout)).toEqual({ 'round-robin': 6765, trampoline: 6765 });
  });
});
