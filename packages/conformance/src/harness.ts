import { afterEach, beforeAll, it } from 'vitest';
import { taskRef } from '@spindle/core';
import type { Executor, ExecutorCapabilities, SpawnOptions, Spawnable, TaskHandle, TaskReference } from '@spindle/core';
import { Slot, createBoard, raise } from './board.js';
import type { Board } from './board.js';
import { loadFixtures } from './fixtures-module.js';
import type { FixtureArgs, FixtureName, FixtureResult, Fixtures } from './fixtures-module.js';
import type { ResolvedOptions } from './options.js';

/**
 * How a test hands a fixture body to the executor: the function itself (`closure`, only
 * on executors that accept closures) or a task reference to its export (`reference`,
 * which every executor accepts).
 */
export type BodyMode = 'closure' | 'reference';

/** How long teardown waits at most for an executor to close before it moves on. */
const teardownWaitMs = 2_000;

/** Resolves true when `promise` settles within `ms`, false otherwise; never rejects. */
function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => {
      resolve(false);
    }, ms);
    timer.unref();
    const done = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    promise.then(done, done);
  });
}

/**
 * What every section of the suite shares: the executor factory, the resolved options,
 * the fixtures, and per-test bookkeeping so that each test gets fresh executors and
 * boards and nothing it started outlives it.
 */
export class Suite {
  readonly name: string;
  readonly options: ResolvedOptions;
  readonly capabilities: ExecutorCapabilities;
  /** The modes body tests run in: references always, closures where accepted. */
  readonly modes: readonly BodyMode[];
  /** The mode tests use when one is enough: closures where accepted, else references. */
  readonly preferred: BodyMode;
  private readonly factory: () => Executor;
  private loaded: Fixtures | undefined = undefined;
  private executors: Executor[] = [];
  private boards: Board[] = [];

  constructor(name: string, factory: () => Executor, options: ResolvedOptions) {
    this.name = name;
    this.factory = factory;
    this.options = options;
    this.capabilities = options.capabilities;
    this.modes = options.capabilities.closures ? ['closure', 'reference'] : ['reference'];
    this.preferred = options.capabilities.closures ? 'closure' : 'reference';
  }

  /** Registers the hooks; call once, inside the suite's top-level `describe`. */
  install(): void {
    beforeAll(async () => {
      this.loaded = await loadFixtures(this.options.fixturesModule);
    });
    afterEach(async () => {
      await this.cleanup();
    });
  }

  /** A fresh executor from the factory, closed (cancel mode) after the test. */
  executor(): Executor {
    const executor = this.factory();
    this.executors.push(executor);
    return executor;
  }

  /** A fresh board, released and stopped after the test. */
  board(): Board {
    const board = createBoard();
    this.boards.push(board);
    return board;
  }

  /** A shared step log with room for `entries` entries (slot 0 counts them). */
  stepLog(entries: number): Int32Array {
    return new Int32Array(new SharedArrayBuffer((entries + 1) * Int32Array.BYTES_PER_ELEMENT));
  }

  /** The loaded fixtures module (the same module task references point at). */
  get fixtures(): Fixtures {
    if (this.loaded === undefined) throw new Error('the conformance fixtures are loaded in beforeAll; use them inside a test');
    return this.loaded;
  }

  /**
   * A task reference to a fixture. Untyped (`TaskReference<never[]>`): a typed reference
   * is not assignable to core's `Spawnable` (see the conformance report on `__types`).
   */
  ref(name: FixtureName): TaskReference<never[]> {
    return taskRef(this.options.fixturesModule, name);
  }

  /** The fixture as the executor should be given it in `mode`. */
  body(mode: BodyMode, name: FixtureName): Spawnable {
    return mode === 'closure' ? this.fixtures[name] : this.ref(name);
  }

  /** Spawns a fixture body in `mode`. */
  spawn<K extends FixtureName>(
    executor: Executor,
    mode: BodyMode,
    name: K,
    args: FixtureArgs<K>,
    options?: SpawnOptions,
  ): TaskHandle<FixtureResult<K>> {
    return executor.spawn(this.body(mode, name), args as never, options) as TaskHandle<FixtureResult<K>>;
  }

  /** Spawns a fixture body in `mode` with arguments the compiler cannot check (test tables). */
  spawnUnchecked(executor: Executor, mode: BodyMode, name: FixtureName, args: readonly unknown[], options?: SpawnOptions): TaskHandle<unknown> {
    return executor.spawn(this.body(mode, name), args as never, options);
  }

  /** Declares an ordinary test with the suite's timeout. */
  test(name: string, fn: () => Promise<void>): void {
    it(name, fn, this.options.testTimeout);
  }

  /** Declares a test in which a worker dies, with the suite's crash timeout. */
  crashTest(name: string, fn: () => Promise<void>): void {
    it(name, fn, this.options.crashTimeout);
  }

  /** Declares a scale test with the suite's scale timeout. */
  scaleTest(name: string, fn: () => Promise<void>): void {
    it(name, fn, this.options.scaleTimeout);
  }

  private async cleanup(): Promise<void> {
    const boards = this.boards;
    const executors = this.executors;
    this.boards = [];
    this.executors = [];
    // Let anything still parked or spinning on a board finish, so that even an executor
    // that ignores cancellation winds down.
    for (const board of boards) {
      raise(board, Slot.release);
      raise(board, Slot.stop);
    }
    const closing = executors.map((executor) => {
      try {
        return executor.close({ mode: 'cancel', reason: new Error('conformance test teardown') });
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
    // A broken executor may never finish closing; the tests report that, teardown does not wait for it.
    await settlesWithin(Promise.allSettled(closing), Math.min(teardownWaitMs, this.options.testTimeout / 2));
  }
}
