import type { InstructionHandler } from './coroutine.js';

/** How a `Harness` steps its tasks; every field is optional. */
export interface HarnessOptions {
  /**
   * Keep each task's async context (the `AsyncLocalStorage` stores at its spawn) and run
   * every step inside it. Default `true`; executors whose bodies are task references only,
   * spawned from another thread, may turn it off.
   */
  readonly asyncContext?: boolean;
  /** Gives generator yields beyond the standard ones a meaning (see `InstructionHandler`). */
  readonly instructions?: InstructionHandler;
  /**
   * Answer a wait on a promise the task has already seen settle within the step, without a
   * microtask. Default `false`: each such wait is then a step of its own, which an executor
   * with a per-step fairness promise needs.
   */
  readonly answerSettledWaits?: boolean;
}
