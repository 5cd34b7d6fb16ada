import { describe, expect, it } from 'vitest';
import { InvalidTaskError } from '../src/errors.js';
import { isTaskReference, loadTaskReference, loadedTaskReference, taskRef } from '../src/task-reference.js';

const moduleSource = 'export function double(ctx, n) { return n * 2; } export const notAFunction = 1;';
const dataUrl = `data:text/javascript,${encodeURIComponent(moduleSource)}`;

describe('task references', () => {
  it('are plain, cloneable objects that survive structuredClone', () => {
    const ref = taskRef(dataUrl, 'double');
    expect(isTaskReference(ref)).toBe(true);
    expect(isTaskReference(structuredClone(ref))).toBe(true);
    expect(isTaskReference({ module: dataUrl })).toBe(false);
  });

  it('accept a URL object and refuse relative paths and empty export names', () => {
    expect(taskRef(new URL('file:///tmp/x.js'), 'x').module).toBe('file:///tmp/x.js');
    expect(() => taskRef('./relative.js', 'x')).toThrow(InvalidTaskError);
    expect(() => taskRef(dataUrl, '')).toThrow(/non-empty/);
  });

  it('load once per thread and are then available synchronously', async () => {
    const ref = taskRef(dataUrl, 'double');
    const body = await loadTaskReference(ref);
    expect(loadedTaskReference(ref)).toBe(body);
    expect(await loadTaskReference(ref)).toBe(body);
  });

  it('reject with unknown-reference naming the missing module or export', async () => {
    await expect(loadTaskReference(taskRef('file:///no/such/module.js', 'x'))).rejects.toMatchObject({
      name: 'InvalidTaskError',
      code: 'unknown-reference',
      message: expect.stringContaining('/no/such/module.js') as unknown,
    });
    await expect(loadTaskReference(taskRef(dataUrl, 'missing'))).rejects.toThrow(/no export named "missing"/);
    await expect(loadTaskReference(taskRef(dataUrl, 'notAFunction'))).rejects.toThrow(/not a function/);
  });
});
