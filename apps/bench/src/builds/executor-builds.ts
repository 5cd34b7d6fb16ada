import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as RoundRobin from '@spindle/round-robin';
import type { RoundRobinExecutor } from '@spindle/round-robin';
import type * as Trampoline from '@spindle/trampoline';
import { coreBuilds } from './core-builds.js';
import { EXECUTOR_COPIES } from './executor-copies.js';
import type { CopiedExecutor } from './executor-copies.js';

const loaded = new Map<string, Promise<unknown>>();

/**
 * `packageName`'s copy beside core built with events or without (see {@link coreBuilds}),
 * imported once per choice. Both choices are loaded the same way, from the same kind of
 * folder, so that they differ only by core's event code.
 */
function loadCopy(packageName: CopiedExecutor, events: boolean): Promise<unknown> {
  const key = `${packageName}:${String(events)}`;
  let module = loaded.get(key);
  if (module === undefined) {
    module = coreBuilds().then(async (builds) => {
      const dir = events ? builds.withEvents : builds.withoutEvents;
      return (await import(pathToFileURL(path.join(dir, EXECUTOR_COPIES[packageName])).href)) as unknown;
    });
    loaded.set(key, module);
  }
  return module;
}

/** `RoundRobinExecutor` from its build, on core built with its event code (`events`) or with none. */
export async function roundRobinBuild(events: boolean): Promise<typeof RoundRobinExecutor> {
  return ((await loadCopy('@spindle/round-robin', events)) as typeof RoundRobin).RoundRobinExecutor;
}

/**
 * `@spindle/trampoline` from its build, on core built with its event code (`events`) or
 * with none: its executor and its operations, which only that executor knows.
 */
export async function trampolineBuild(events: boolean): Promise<typeof Trampoline> {
  return (await loadCopy('@spindle/trampoline', events)) as typeof Trampoline;
}
