import { describe, expect, expectTypeOf, it } from 'vitest';
import type { SpawnArgs, SpawnResult, Spawnable } from '../src/contract/body.js';
import type { TaskContext } from '../src/contract/context.js';
import { InvalidTaskError } from '../src/contract/errors.js';
import { isTaskReference, taskRef } from '../src/contract/task-reference.js';
import { loadTaskReference, loadedTaskReference } from '../src/kit/reference-loader.js';

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

describe('typed task references', () => {
  it('carry argument and result types into spawn', () => {
    type Double = (ctx: TaskContext, n: number) => number;
    const ref = taskRef<Double>(dataUrl, 'double');
    // The shape of every executor's spawn, reduced to its types.
    const spawn = <B extends Spawnable>(body: B, args: SpawnArgs<B>): SpawnResult<B> =>
      [body, args].length as SpawnResult<B>;
    expectTypeOf(spawn(ref, [1])).toEqualTypeOf<number>();
    // @ts-expect-error a string is not the number the body takes
    spawn(ref, ['one']);
  });
});

describe('task references of a module already imported', () => {
  it('load synchronously, any export of it', async () => {
    const source = 'export function first() { return 1; } export function second() { return 2; }';
    const url = `data:text/javascript,${encodeURIComponent(source)}`;
    await loadTaskReference(taskRef(url, 'first'));
    // No import() is waited on for another export of the same module.
    const second = loadedTaskReference(taskRef(url, 'second'));
    expect(typeof second).toBe('function');
    expect(loadedTaskReference(taskRef(url, 'missing'))).toBeUndefined();
  });
});
