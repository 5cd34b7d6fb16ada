import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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

  it('reject with module-failed, with the error of the module as cause, when the module throws while it is imported', async () => {
    const throwing = `data:text/javascript,${encodeURIComponent("class SetupError extends Error {} throw new SetupError('no config'); export function f() {}")}`;
    const error = await loadTaskReference(taskRef(throwing, 'f')).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InvalidTaskError);
    expect((error as InvalidTaskError).code).toBe('module-failed');
    expect((error as InvalidTaskError).message).toContain('threw while it was imported: no config');
    const cause = (error as InvalidTaskError).cause as Error;
    expect(cause.constructor.name).toBe('SetupError');
    expect(cause.stack).toContain('no config');
  });

  it('say how to load a TypeScript task module that Node cannot load by itself', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'spindle-ts-ref-'));
    writeFileSync(path.join(dir, 'tasks.ts'), 'export function f(): number { return 1; }\n');
    // In a fresh process: Vitest itself would load the TypeScript.
    writeFileSync(
      path.join(dir, 'main.mjs'),
      `import { taskRef } from ${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)};\n` +
        `import { loadTaskReference } from ${JSON.stringify(new URL('../dist/kit.js', import.meta.url).href)};\n` +
        'try { await loadTaskReference(taskRef(new URL("./tasks.ts", import.meta.url), "f")); } catch (error) { console.log(error.code, error.message); }\n',
    );
    const result = spawnSync(process.execPath, [path.join(dir, 'main.mjs')], { encoding: 'utf8' });
    expect(result.stdout).toMatch(/^unknown-reference .*tasks\.ts: Node 20 does not load TypeScript by itself/);
  });
});

describe('a task module that waits for itself at its top level', () => {
  it('ends the process with a message naming the module and the rule, not silently', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'spindle-self-ref-'));
    const core = new URL('../dist/kit.js', import.meta.url).href;
    const root = new URL('../dist/index.js', import.meta.url).href;
    // The mistake: the module that defines a task also loads it at its top level and waits.
    writeFileSync(
      path.join(dir, 'tasks.mjs'),
      `import { taskRef } from ${JSON.stringify(root)};\n` +
        `import { loadTaskReference } from ${JSON.stringify(core)};\n` +
        'export function work() { return 1; }\n' +
        'await loadTaskReference(taskRef(import.meta.url, "work"));\n',
    );
    const result = spawnSync(process.execPath, [path.join(dir, 'tasks.mjs')], { encoding: 'utf8' });
    expect(result.status).toBe(13);
    expect(result.stderr).toContain('tasks.mjs was still being imported');
    expect(result.stderr).toContain('must have no top-level side effects');
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

describe('a reference object', () => {
  it('is frozen, and the same object and a clone of it find the same body', async () => {
    const source = 'export function one() { return 1; }';
    const ref = taskRef(`data:text/javascript,${encodeURIComponent(source)}`, 'one');
    expect(Object.isFrozen(ref)).toBe(true);
    expect(() => {
      (ref as { export: string }).export = 'other';
    }).toThrow(TypeError);
    const body = await loadTaskReference(ref);
    expect(loadedTaskReference(ref)).toBe(body);
    expect(loadedTaskReference(ref)).toBe(body);
    // A clone (a reference that crossed a thread) is not frozen and is found by name.
    const clone = structuredClone(ref);
    expect(Object.isFrozen(clone)).toBe(false);
    expect(loadedTaskReference(clone)).toBe(body);
    expect(loadedTaskReference({ ...clone, export: 'two' })).toBeUndefined();
  });
});
