import { describe } from 'vitest';
import type { Executor } from '@spindle/core';
import { defaultFixturesModule } from './fixtures-module.js';
import { Suite } from './harness.js';
import { resolveOptions } from './options.js';
import type { ConformanceOptions } from './options.js';
import { describeAsyncContext } from './suites/async-context.js';
import { describeBadInput } from './suites/bad-input.js';
import { describeBodyResults } from './suites/body-results.js';
import { describeCancellation } from './suites/cancellation.js';
import { describeClosing } from './suites/closing.js';
import { describeEvents } from './suites/events.js';
import { describeForkJoin } from './suites/fork-join.js';
import { describeHandleSemantics } from './suites/handle-semantics.js';
import { describeIdle } from './suites/idle.js';
import { describeOrdering } from './suites/ordering.js';
import { describePriorities } from './suites/priorities.js';
import { describeScale } from './suites/scale.js';
import { describeWorkerLoss } from './suites/worker-loss.js';

function probeCapabilities(factory: () => Executor): Executor['capabilities'] {
  const probe = factory();
  const capabilities = probe.capabilities;
  // The probe never ran anything; close it so it holds nothing.
  probe.close().catch(() => undefined);
  return capabilities;
}

/**
 * Declares the Spindle conformance suite for an executor: the contract of DESIGN.md as
 * Vitest tests. Call it at the top level of a test file (or inside a `describe`).
 *
 * Every test makes its own executors with `factory` and closes them afterwards. What the
 * executor declares in `capabilities` decides which tests apply: bodies are handed over as
 * closures where it accepts them and always also as task references (to the fixtures
 * module this package ships); the ordering tests follow `capabilities.ordering`; the
 * "body never ran" checks that race with other threads are left out for parallel
 * executors; argument cloning is required for references, and for closures too where the
 * executor clones arguments; executors that declare `priorities` get tests of the order
 * priorities impose; executors that declare `losesWorkers` get tests in which a worker
 * dies while tasks are queued.
 *
 * @example
 * ```ts
 * // packages/my-executor/test/conformance.test.ts
 * import { describeExecutorConformance } from '@spindle/conformance';
 * import { MyExecutor } from '../src/index.js';
 *
 * describeExecutorConformance('my-executor', () => new MyExecutor(), {
 *   // A plain ES module: `export default () => new MyExecutor()`, importing the built package.
 *   factoryModule: new URL('./factory.mjs', import.meta.url),
 * });
 * ```
 *
 * @param name - shown as the suite's title: `<name> keeps the Spindle executor contract`
 * @param factory - returns a new, unused executor each time it is called
 * @param options - the factory module for the idle-process test, scale and timeouts
 */
export function describeExecutorConformance(name: string, factory: () => Executor, options?: ConformanceOptions): void {
  const resolved = resolveOptions(options, {
    fixturesModule: defaultFixturesModule(),
    capabilities: () => probeCapabilities(factory),
  });
  const suite = new Suite(name, factory, resolved);
  const c = resolved.capabilities;
  const declared = `${c.name}: ${c.parallel ? 'parallel' : 'one thread'}, ${c.closures ? 'closures and references' : 'references only'}, ordering ${c.ordering}`;
  describe(`${name} keeps the Spindle executor contract (${declared})`, () => {
    suite.install();
    describeBodyResults(suite);
    describeHandleSemantics(suite);
    describeOrdering(suite);
    describeCancellation(suite);
    describeClosing(suite);
    describeBadInput(suite);
    describeEvents(suite);
    describeAsyncContext(suite);
    describeForkJoin(suite);
    describeScale(suite);
    describeIdle(suite);
    if (c.priorities === true) describePriorities(suite);
    // Declared only for executors that can lose a worker: nothing to crash elsewhere.
    if (c.losesWorkers === true) describeWorkerLoss(suite);
  });
}
