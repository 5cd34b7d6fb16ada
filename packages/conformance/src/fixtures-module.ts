import type { SpawnArgs, SpawnResult, TaskFunction } from '@spindle/core';
import type * as FixturesNamespace from './fixtures.js';

/** The fixtures module's exports. */
export type Fixtures = typeof FixturesNamespace;

/** Names of the fixtures that are task bodies. */
export type FixtureName = {
  [K in keyof Fixtures]: Fixtures[K] extends TaskFunction ? K : never;
}[keyof Fixtures];

/** The spawn arguments of a fixture body. */
export type FixtureArgs<K extends FixtureName> = SpawnArgs<Fixtures[K]>;

/** What a fixture body's task fulfils with. */
export type FixtureResult<K extends FixtureName> = SpawnResult<Fixtures[K]>;

/**
 * Where the fixtures module this package ships sits: next to the entry point that is
 * running, in the same format (`fixtures.js` beside `index.js`, `fixtures.cjs` beside
 * `index.cjs`, whose `import.meta.url` tsup shims).
 */
export function defaultFixturesModule(): string {
  const here = import.meta.url;
  const extension = here.endsWith('.cjs') ? '.cjs' : here.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./fixtures${extension}`, here).href;
}

/** Loads the fixtures module (for closure-mode tests, which pass its functions directly). */
export async function loadFixtures(url: string): Promise<Fixtures> {
  return (await import(url)) as Fixtures;
}
