// The files a pack-check consumer project is made of. Every published package gets the
// same generic checks (import, require, types resolve); executors found at run time get a
// real task run; core and conformance get checks of their own. Nothing here names a
// package other than core and conformance, so a new executor is covered without edits.

/** Task bodies, loaded by task reference (a worker pool loads them in its workers too). */
export const tasksModule = `// Task bodies for the pack check, spawned by task reference.
import { taskRef } from '@spindle/core';

export function add(ctx, a, b) {
  return a + b;
}
export const addRef = taskRef(import.meta.url, 'add');

// Fork-join through the in-task context: one child by reference, joined by yielding it.
export function* forkJoin(ctx, n) {
  const child = yield ctx.spawn(addRef, [n, 1]);
  return child * 2;
}

export function boom() {
  throw new RangeError('boom from a task');
}

// Counts its steps on shared memory so that the caller knows it is running, then yields forever.
export function* spin(ctx, counter) {
  for (;;) {
    Atomics.add(counter, 0, 1);
    Atomics.notify(counter, 0);
    yield ctx.yield();
  }
}
`;

/**
 * The checks, shared by the ESM and the CJS entry: it is handed the package's namespace and
 * core's, loaded by the module system under test, and never loads a package itself.
 */
export const checksModule = `'use strict';
const assert = require('node:assert/strict');

function executorClasses(ns) {
  return Object.entries(ns)
    .filter(([, value]) => typeof value === 'function' && value.prototype != null)
    .filter(([, value]) => typeof value.prototype.spawn === 'function' && typeof value.prototype.close === 'function')
    .map(([name, value]) => ({ name, Executor: value }));
}

async function waitForSteps(counter) {
  for (;;) {
    if (Atomics.load(counter, 0) > 0) return;
    const waited = Atomics.waitAsync(counter, 0, 0);
    if (waited.async) await waited.value;
  }
}

async function checkExecutor(name, Executor, core, tasksUrl) {
  const done = [];
  const executor = new Executor();
  const caps = executor.capabilities;
  assert.equal(typeof caps, 'object', name + ': capabilities');
  assert.equal(typeof caps.parallel, 'boolean', name + ': capabilities.parallel');
  assert.equal(typeof caps.closures, 'boolean', name + ': capabilities.closures');

  const ref = (exportName) => core.taskRef(tasksUrl, exportName);
  assert.equal(await executor.spawn(ref('add'), [40, 2], { name: 'add' }), 42);
  done.push('reference task');
  assert.equal(await executor.spawn(ref('forkJoin'), [20]), 42);
  done.push('fork-join');
  if (caps.closures) {
    const closure = function* (ctx, a) {
      yield ctx.yield();
      return a + 1;
    };
    assert.equal(await executor.spawn(closure, [41]), 42);
    done.push('closure task');
  }
  await assert.rejects(executor.spawn(ref('boom')), { name: 'RangeError', message: 'boom from a task' });
  done.push('error reaches the caller');

  const counter = new Int32Array(new SharedArrayBuffer(4));
  const spinning = executor.spawn(ref('spin'), [counter]);
  await waitForSteps(counter);
  spinning.cancel('enough');
  await assert.rejects(spinning, (error) => {
    // The consumer's core and the executor's core must be one module instance.
    assert.ok(error instanceof core.TaskCancelledError, 'cancellation rejects with core.TaskCancelledError: ' + error);
    assert.ok(error instanceof core.SpindleError);
    assert.equal(error.cause, 'enough');
    return true;
  });
  done.push('cancel');

  await executor.close();
  assert.throws(() => executor.spawn(ref('add'), [1, 2]), core.ExecutorClosedError);
  done.push('close');
  return name + ' (' + done.join(', ') + ')';
}

async function checkCore(core, kit, tasksUrl) {
  const ref = core.taskRef(tasksUrl, 'add');
  assert.deepEqual(ref, { $spindle: 'task-reference', module: tasksUrl, export: 'add' });
  assert.equal(core.isTaskReference(ref), true);
  assert.equal(core.isTaskReference({ module: tasksUrl }), false);
  const add = await kit.loadTaskReference(ref);
  assert.equal(add(undefined, 40, 2), 42);
  await assert.rejects(kit.loadTaskReference(core.taskRef(tasksUrl, 'missing')), (error) => {
    assert.ok(error instanceof core.InvalidTaskError);
    assert.equal(error.code, 'unknown-reference');
    return true;
  });
  assert.throws(() => core.taskRef('./tasks.mjs', 'add'), (error) => {
    assert.ok(error instanceof core.InvalidTaskError);
    assert.ok(error instanceof core.SpindleError);
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'InvalidTaskError');
    return true;
  });
  const cancelled = new core.TaskCancelledError(7, 'seven', 'why');
  assert.ok(cancelled instanceof core.SpindleError);
  assert.equal(cancelled.name, 'TaskCancelledError');
  assert.equal(cancelled.cause, 'why');
  assert.equal(cancelled.taskId, 7);
  assert.equal(new core.ExecutorClosedError('x#1').executor, 'x#1');
  return ['task reference made and loaded', 'error classes'];
}

/** @returns {Promise<{ exports: string[], ran: string[] }>} */
module.exports = async function check(packageName, ns, core, kit, tasksUrl) {
  const exportNames = Object.keys(ns).filter((key) => key !== 'default' && key !== 'module.exports');
  assert.ok(exportNames.length > 0, packageName + ' exports nothing');
  const ran = [];
  if (packageName === '@spindle/core') ran.push(...(await checkCore(core, kit, tasksUrl)));
  if (packageName === '@spindle/conformance') {
    assert.equal(typeof ns.describeExecutorConformance, 'function');
    ran.push('describeExecutorConformance is a function (the suite runs in the README example)');
  }
  for (const { name, Executor } of executorClasses(ns)) ran.push(await checkExecutor(name, Executor, core, tasksUrl));
  return { exports: exportNames, executors: executorClasses(ns).map((e) => e.name), ran };
};
`;

/** ESM entry: import the package and core, run the checks, print one JSON line. */
export function esmSmoke(packageName) {
  return `import check from './checks.cjs';
import * as ns from ${JSON.stringify(packageName)};
import * as core from '@spindle/core';
import * as kit from '@spindle/core/kit';

const result = await check(${JSON.stringify(packageName)}, ns, core, kit, new URL('./tasks.mjs', import.meta.url).href);
console.log(JSON.stringify(result));
`;
}

/**
 * CJS entry. With `requireFails` the package is expected to refuse `require` with that
 * message (conformance: Vitest is ESM-only); its package.json must still be requirable.
 */
export function cjsSmoke(packageName, requireFails) {
  if (requireFails !== undefined) {
    return `'use strict';
const assert = require('node:assert/strict');
assert.equal(require(${JSON.stringify(`${packageName}/package.json`)}).name, ${JSON.stringify(packageName)});
assert.throws(() => require(${JSON.stringify(packageName)}), (error) => {
  assert.match(String(error && error.message), ${requireFails});
  return true;
});
console.log(JSON.stringify({ exports: [], executors: [], ran: ['require fails as documented: ' + ${JSON.stringify(String(requireFails))}] }));
`;
  }
  return `'use strict';
const { pathToFileURL } = require('node:url');
const path = require('node:path');
const check = require('./checks.cjs');
const ns = require(${JSON.stringify(packageName)});
const core = require('@spindle/core');
const kit = require('@spindle/core/kit');

check(${JSON.stringify(packageName)}, ns, core, kit, pathToFileURL(path.join(__dirname, 'tasks.mjs')).href).then(
  (result) => console.log(JSON.stringify(result)),
  (error) => {
    console.error(error);
    process.exitCode = 1;
  },
);
`;
}

function identifier(packageName) {
  return packageName.replace(/^@/, '').replace(/[^A-Za-z0-9]+(.)?/g, (_, c) => (c ? c.toUpperCase() : ''));
}

/**
 * A TypeScript consumer. `executors` are the executor classes the ESM check found. The
 * `@ts-expect-error` lines make the check fail if the types decay to `any`.
 */
export function typescriptConsumer(packageName, executors) {
  const lines = [
    `import * as ${identifier(packageName)} from ${JSON.stringify(packageName)};`,
    `import { taskRef, TaskCancelledError, SpindleError, type Executor, type TaskContext, type TaskReference } from '@spindle/core';`,
  ];
  if (packageName === '@spindle/conformance') {
    lines.push(`import { describeExecutorConformance, type ConformanceOptions } from '@spindle/conformance';`);
  }
  if (executors.length > 0) {
    lines.push(`import { ${executors.join(', ')} } from ${JSON.stringify(packageName)};`);
  }
  lines.push(
    '',
    `export const exportNames: string[] = Object.keys(${identifier(packageName)});`,
    '',
    'export function add(_ctx: TaskContext, a: number, b: number): number {',
    '  return a + b;',
    '}',
    `export const addRef = taskRef<typeof add>('file:///tmp/tasks.mjs', 'add');`,
    'export const typedRef: TaskReference<[number, number], number> = addRef;',
    '// @ts-expect-error: the reference takes two numbers',
    'export const wrongRef: TaskReference<[string], number> = addRef;',
    `export const cancelled: SpindleError = new TaskCancelledError(1, 'one', 'why');`,
    '',
  );
  if (packageName === '@spindle/conformance') {
    lines.push(
      'export const options: ConformanceOptions = { scale: { tasks: 1000, steps: 10_000 }, testTimeout: 5000 };',
      '// @ts-expect-error: scale.tasks is a number',
      `export const badOptions: ConformanceOptions = { scale: { tasks: 'many' } };`,
      'export function declareSuite(factory: () => Executor): void {',
      `  describeExecutorConformance('mine', factory, options);`,
      '}',
      '',
    );
  }
  for (const name of executors) {
    lines.push(
      `export async function run${name}(): Promise<number> {`,
      `  const executor = new ${name}();`,
      '  const asExecutor: Executor = executor;',
      '  void asExecutor;',
      '  const sum: number = await executor.spawn(addRef, [40, 2]);',
      '  // @ts-expect-error: the reference takes numbers',
      `  void executor.spawn(addRef, ['40', 2]);`,
      '  // @ts-expect-error: the result is a number',
      '  const wrong: string = await executor.spawn(addRef, [40, 2]);',
      '  void wrong;',
      `  const closure: number = await executor.spawn((_ctx: TaskContext, x: number) => x + 1, [41]);`,
      '  await executor.close();',
      '  return sum + closure;',
      '}',
      '',
    );
  }
  return lines.join('\n');
}

/** tsconfig for one module resolution mode; `files` are the consumers it checks. */
export function tsconfig(mode, files) {
  const compilerOptions =
    mode === 'node16'
      ? { module: 'node16', moduleResolution: 'node16' }
      : { module: 'esnext', moduleResolution: 'bundler' };
  return `${JSON.stringify(
    {
      compilerOptions: {
        ...compilerOptions,
        target: 'es2022',
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        types: ['node'],
      },
      files,
    },
    null,
    2,
  )}\n`;
}
