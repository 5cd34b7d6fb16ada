import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterEach, describe, expect, it } from 'vitest';
import { channelNames, taskRef } from '@spindle/core';
import type { SpawnEvent } from '@spindle/core';
import { FifoExecutor } from './executors/fifo-executor.js';

const dist = new URL('../dist/', import.meta.url);
const executors: FifoExecutor[] = [];

afterEach(async () => {
  await Promise.all(executors.splice(0).map((executor) => executor.close()));
});

/** Runs fib(n) by reference to `module` and returns the result and the bodies of every spawn. */
async function fibByReference(module: string, n: number): Promise<{ result: unknown; bodies: string[] }> {
  const executor = new FifoExecutor();
  executors.push(executor);
  const bodies: string[] = [];
  const listener = (message: unknown): void => {
    const event = message as SpawnEvent;
    if (event.executor === executor.label) bodies.push(event.body);
  };
  subscribe(channelNames.spawn, listener);
  try {
    const result = await executor.spawn(taskRef(module, 'fib'), [n, true] as never);
    return { result, bodies };
  } finally {
    unsubscribe(channelNames.spawn, listener);
  }
}

describe('the fixtures module, built', () => {
  for (const file of ['fixtures.js', 'fixtures.cjs']) {
    it(`${file} runs by reference, and the references its bodies make point at ${file} itself`, async () => {
      const module = new URL(file, dist).href;
      const { result, bodies } = await fibByReference(module, 10);
      expect(result).toBe(55);
      // fib(10) spawns 176 children; each is a reference to the module's own export.
      expect(bodies.length).toBe(177);
      expect(new Set(bodies)).toEqual(new Set([`ref ${module}#fib`]));
    });
  }

  it('the CommonJS entry point looks for the CommonJS fixtures beside it', async () => {
    const { readFile } = await import('node:fs/promises');
    const cjs = await readFile(new URL('index.cjs', dist), 'utf8');
    // tsup shims import.meta.url in CommonJS with the file's own URL; the suite derives
    // the fixtures module from it, keeping the format.
    expect(cjs).toMatch(/here\.endsWith\("\.cjs"\)/);
    expect(cjs).toContain('`./fixtures${extension}`');
  });
});
