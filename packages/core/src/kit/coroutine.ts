import type { StateMachine, Spawnable, TaskFunction } from '../contract/body.js';
import { YieldPoint } from '../contract/context.js';
import type { TaskContext } from '../contract/context.js';
import { InvalidTaskError, describeValue } from '../contract/errors.js';
import { isTaskReference } from '../contract/task-reference.js';
import { loadTaskReference, loadedTaskReference } from './reference-loader.js';
import type { TaskReference } from '../contract/task-reference.js';

/** What one step of a {@link Coroutine} ended with; read `coroutine.value` after it. */
export const Step = {
  /** Finished; `value` is the result. */
  Done: 0,
  /** Not finished and ready again: put it at the back of the ready queue. */
  Yield: 1,
  /** Not finished; `value` is a promise-like to park on. Resume with `resolve`/`reject`. */
  Wait: 2,
  /** The body threw; `value` is the error, untouched. */
  Failed: 3,
} as const;
/** One of the {@link Step} codes. */
export type StepOutcome = (typeof Step)[keyof typeof Step];

/** How a coroutine can be stopped on cancellation; see {@link Coroutine.interrupt}. */
export const Interrupt = {
  /** Nothing to clean up: the body never ran, or cannot run cleanup. Settle it now. */
  Now: 0,
  /** Cleanup runs in the next step (`return()`): make it ready, ignore what it waited for. */
  Step: 1,
  /** Cannot be interrupted (an `async` body): its signal is aborted; wait for it to settle. */
  Await: 2,
} as const;
/** One of the {@link Interrupt} codes. */
export type InterruptMode = (typeof Interrupt)[keyof typeof Interrupt];

const enum Mode {
  Start,
  Reference,
  Loading,
  Machine,
  Generator,
  Settling,
  Ended,
}

const enum Resume {
  Next,
  Throw,
  Return,
}

/**
 * Extends what a generator body may yield, for executors that give yields a meaning of
 * their own (the trampoline's operations). Called, during a step, with every yielded value
 * other than `undefined`, a {@link YieldPoint} and a native promise, before the coroutine
 * looks at it.
 *
 * - Return `false` to leave the value to the coroutine: a promise-like is waited on,
 *   anything else is an invalid yield.
 * - Return `true` once the value is handled: the handler called
 *   {@link Coroutine.call} (run a generator as a callee of the running one), or
 *   {@link Coroutine.resolve} / {@link Coroutine.reject} (answer the yield at once). The
 *   coroutine then goes on stepping within the same step, on the heap.
 *
 * A handler that throws has its error thrown in at the yield.
 */
export type InstructionHandler = (yielded: unknown, coroutine: Coroutine, ctx: TaskContext) => boolean;

/**
 * Generator resumptions one step may chain (calls entered, callees returned, instructions
 * answered at once) before it ends with `Step.Yield`, so that the executor can look at its
 * clock. Only bodies with an {@link InstructionHandler} chain at all.
 */
const CHAIN_BUDGET = 4096;

/** The body of a {@link Coroutine.settled} coroutine: never called (its mode is past the start). */
function endedBody(): undefined {
  return undefined;
}

const noArguments: readonly unknown[] = [];

/**
 * The context of a {@link Coroutine.settled} coroutine, a placeholder: its body has ended,
 * so nothing reads it, and no task is kept alive through it.
 */
const endedContext = Object.freeze({}) as TaskContext;

/**
 * Steps any task body one yield point at a time, the one mechanism every executor shares.
 * A body is stepped on the heap: no step nests inside another, so a task of a million
 * steps uses constant stack and keeps no memory of the steps it has taken.
 *
 * With an {@link InstructionHandler}, a generator body may also call other generators
 * through it ({@link Coroutine.call}): the callers wait in a stack of frames kept on the
 * heap, not in native nesting, so a chain of calls of any depth runs in constant stack.
 */
export class Coroutine {
  /**
   * After `step()`: the result (Done), the promise-like (Wait) or the error (Failed); take
   * it (and clear it) before resuming. After `resolve`/`reject`, until the next step: what
   * the body resumes with. One field for both, as no coroutine needs both at once.
   */
  value: unknown = undefined;
  private mode: Mode;
  private target: unknown;
  private readonly ctx: TaskContext;
  private resumeWith: Resume = Resume.Next;
  private readonly instructions: InstructionHandler | undefined;
  /**
   * Until the body starts: its arguments. While a generator body runs: the callers of the
   * running generator, outermost first (see {@link Coroutine.call}), once it called one.
   * One field for both, as no coroutine needs both at once: every task would carry the other.
   */
  private held: readonly unknown[] | Generator[] | undefined;
  /**
   * While cancelling: frames below this depth were on the stack when `interrupt()` came and
   * get `return()` when their callee finishes. -1 when not cancelling.
   */
  private unwindBelow = -1;

  /**
   * @param instructions optional: gives generator yields beyond the standard ones a meaning
   *   (see {@link InstructionHandler}); without it the coroutine behaves exactly as before.
   */
  constructor(body: Spawnable, args: readonly unknown[], ctx: TaskContext, instructions?: InstructionHandler) {
    this.target = body;
    this.held = args;
    this.ctx = ctx;
    this.instructions = instructions;
    this.mode = typeof body === 'function' ? Mode.Start : isTaskReference(body) ? Mode.Reference : Mode.Machine;
  }

  /**
   * A coroutine for an `async` body that has ended in a promise which settled (`failed`:
   * rejected, with `value` the error): its one step ends with that outcome. A task parked
   * on its body's promise holds {@link awaitingBody} meanwhile, and gets one of these when
   * the promise settles.
   */
  static settled(failed: boolean, value: unknown): Coroutine {
    const coroutine = new Coroutine(endedBody, noArguments, endedContext);
    coroutine.mode = Mode.Settling;
    coroutine.resumeWith = failed ? Resume.Throw : Resume.Next;
    coroutine.value = value;
    return coroutine;
  }

  /**
   * From an {@link InstructionHandler}: runs `generator` as a callee of the running
   * generator. The caller waits on the heap; when the callee returns, the caller resumes
   * with its result, and when it throws, the error is thrown in at the caller's yield.
   * On cancellation every frame gets `return()`, innermost first, so each `finally` runs.
   */
  call(generator: Iterator<unknown>): void {
    if (this.mode !== Mode.Generator) {
      throw new InvalidTaskError('invalid-yield', 'Coroutine.call() is for instruction handlers of generator bodies');
    }
    let frames = this.frames;
    if (frames === undefined) this.held = frames = [];
    frames.push(this.target as Generator);
    this.target = generator;
    this.resumeWith = Resume.Next;
    this.value = undefined;
  }

  /**
   * Callers of the running generator body (see `held`). Read only while a generator body
   * runs (`call`, `interrupt`'s generator case, `returnToCaller`): `start` has cleared the
   * arguments by then, so no mode check is needed on each return.
   */
  private get frames(): Generator[] | undefined {
    return this.held as Generator[] | undefined;
  }

  /** True once the body has started running user code (or is a state machine). */
  get started(): boolean {
    return this.mode !== Mode.Start && this.mode !== Mode.Reference && this.mode !== Mode.Loading;
  }

  /** True while a task reference's module is being imported (the Wait value is that import). */
  get loading(): boolean {
    return this.mode === Mode.Loading;
  }

  /** True for an `async` body (or a plain one that returned a promise) waiting on its promise. */
  get settling(): boolean {
    return this.mode === Mode.Settling;
  }

  /** Resume after a Wait with the settled value. */
  resolve(value: unknown): void {
    this.resumeWith = Resume.Next;
    this.value = value;
  }

  /** Resume after a Wait with the rejection, thrown in at the yield point. */
  reject(error: unknown): void {
    this.resumeWith = Resume.Throw;
    this.value = error;
  }

  /** Asks the body to stop; says how the executor should proceed. */
  interrupt(): InterruptMode {
    switch (this.mode) {
      case Mode.Generator:
        this.resumeWith = Resume.Return;
        this.value = undefined;
        this.unwindBelow = this.frames?.length ?? 0;
        return Interrupt.Step;
      case Mode.Machine:
        if (typeof (this.target as StateMachine).return === 'function') {
          this.resumeWith = Resume.Return;
          return Interrupt.Step;
        }
        this.end();
        return Interrupt.Now;
      case Mode.Settling:
        return Interrupt.Await;
      default:
        this.end();
        return Interrupt.Now;
    }
  }

  /** Runs the body to its next yield point. */
  step(): StepOutcome {
    switch (this.mode) {
      case Mode.Generator:
        return this.stepGenerator();
      case Mode.Machine:
        return this.stepMachine();
      case Mode.Start:
        return this.start(this.target as TaskFunction<unknown[]>);
      case Mode.Reference:
        return this.startReference();
      case Mode.Loading:
        if (this.resumeWith === Resume.Throw) return this.fail(this.take());
        return this.start(this.take() as TaskFunction<unknown[]>);
      case Mode.Settling:
        // Stepped, the shared coroutine would end for every task that holds it.
        if (this === awaitingBody) throw new TypeError('a task was stepped while it waited for its async body to settle');
        if (this.resumeWith === Resume.Throw) return this.fail(this.take());
        return this.done(this.take());
      case Mode.Ended:
        return this.fail(new InvalidTaskError('not-a-body', 'a finished task was stepped again'));
    }
  }

  /**
   * {@link Coroutine.step} for a body just resumed with {@link Coroutine.resolve} (after a
   * wait): a generator that waits on a native promise again, the common outcome of a
   * woken step, takes a path of its own; everything else goes the general way, from the
   * generator's answer on.
   */
  stepResumed(): StepOutcome {
    if (this.mode !== Mode.Generator || this.resumeWith !== Resume.Next) return this.step();
    const input = this.value;
    this.value = undefined;
    let result: IteratorResult<unknown>;
    try {
      result = (this.target as Generator).next(input);
    } catch (error) {
      if (!this.returnToCaller(Resume.Throw, error)) return this.fail(error);
      return this.stepGenerator();
    }
    if (result.done !== true && result.value instanceof Promise) {
      this.value = result.value;
      return Step.Wait;
    }
    return this.stepGenerator(result);
  }

  private take(): unknown {
    const input = this.value;
    this.value = undefined;
    this.resumeWith = Resume.Next;
    return input;
  }

  private end(): void {
    this.mode = Mode.Ended;
    this.target = undefined;
    this.held = undefined;
  }

  private done(value: unknown): StepOutcome {
    this.end();
    this.value = value;
    return Step.Done;
  }

  private fail(error: unknown): StepOutcome {
    this.end();
    this.value = error;
    return Step.Failed;
  }

  private start(fn: TaskFunction<unknown[]>): StepOutcome {
    let result: unknown;
    try {
      result = fn(this.ctx, ...(this.held as readonly unknown[]));
    } catch (error) {
      return this.fail(error);
    }
    this.held = undefined;
    if (isGenerator(result)) {
      this.mode = Mode.Generator;
      this.target = result;
      return this.stepGenerator();
    }
    if (isThenable(result)) {
      this.mode = Mode.Settling;
      this.target = undefined;
      this.value = result;
      return Step.Wait;
    }
    return this.done(result);
  }

  private startReference(): StepOutcome {
    const ref = this.target as TaskReference<never>;
    const fn = loadedTaskReference(ref);
    if (fn !== undefined) return this.start(fn);
    this.mode = Mode.Loading;
    this.value = loadTaskReference(ref);
    return Step.Wait;
  }

  /** @param resumed what the generator answered to a resumption made by the caller ({@link Coroutine.stepResumed}), if any */
  private stepGenerator(resumed?: IteratorResult<unknown>): StepOutcome {
    let budget = CHAIN_BUDGET;
    let result = resumed;
    for (;;) {
      if (result === undefined) {
        const gen = this.target as Generator;
        try {
          const input = this.value;
          this.value = undefined;
          switch (this.resumeWith) {
            case Resume.Next:
              result = gen.next(input);
              break;
            case Resume.Throw:
              this.resumeWith = Resume.Next;
              result = gen.throw(input);
              break;
            case Resume.Return:
              this.resumeWith = Resume.Next;
              result = gen.return(undefined);
              break;
          }
        } catch (error) {
          if (!this.returnToCaller(Resume.Throw, error)) return this.fail(error);
          if (--budget === 0) return Step.Yield;
          continue;
        }
      }
      const done = result.done;
      const yielded: unknown = result.value;
      result = undefined;
      if (done === true) {
        if (!this.returnToCaller(Resume.Next, yielded)) return this.done(yielded);
        if (--budget === 0) return Step.Yield;
        continue;
      }
      if (yielded instanceof Promise) {
        // The common wait, checked first: no handler call, no `then` lookup.
        this.value = yielded;
        return Step.Wait;
      }
      if (yielded === undefined || yielded instanceof YieldPoint) return Step.Yield;
      if (this.instructions !== undefined) {
        let handled: boolean;
        try {
          handled = this.instructions(yielded, this, this.ctx);
        } catch (error) {
          this.reject(error);
          handled = true;
        }
        if (handled) {
          if (--budget === 0) return Step.Yield;
          continue;
        }
      }
      if (isThenable(yielded)) {
        this.value = yielded;
        return Step.Wait;
      }
      // Bad input is thrown in at the yield that produced it, so the body can see where.
      this.resumeWith = Resume.Throw;
      this.value = new InvalidTaskError(
        'invalid-yield',
        `a generator body yielded ${describeValue(yielded)}: yield a promise, a task handle, ctx.yield() or nothing`,
      );
      return Step.Yield;
    }
  }

  /**
   * The running generator finished (`Next`: returned `value`) or threw (`Throw`: `value` is
   * the error). Resumes its caller with that, or with `return()` if the caller is being
   * cancelled. False when there is no caller: the body itself finished.
   */
  private returnToCaller(resume: Resume, value: unknown): boolean {
    const frames = this.frames;
    if (frames === undefined || frames.length === 0) return false;
    this.target = frames.pop();
    const depth = frames.length;
    if (depth < this.unwindBelow) {
      // The caller was on the stack when cancellation came: it returns too (or receives the
      // error its callee's cleanup threw), and whatever it calls from now on runs normally.
      this.unwindBelow = depth;
      if (resume === Resume.Next) {
        this.resumeWith = Resume.Return;
        this.value = undefined;
        return true;
      }
    }
    this.resumeWith = resume;
    this.value = value;
    return true;
  }

  private stepMachine(): StepOutcome {
    const machine = this.target as StateMachine;
    try {
      if (this.resumeWith === Resume.Return) {
        this.resumeWith = Resume.Next;
        machine.return?.();
        return this.done(undefined);
      }
      if (this.resumeWith === Resume.Throw) {
        const error = this.take();
        if (typeof machine.throw !== 'function') return this.fail(error);
        machine.throw(error);
      }
      const outcome = machine.next(this.ctx);
      if (outcome === true) return this.done(machine.result);
      if (outcome === false || outcome instanceof YieldPoint) return Step.Yield;
      if (isThenable(outcome)) {
        this.value = outcome;
        return Step.Wait;
      }
      return this.fail(
        new InvalidTaskError(
          'invalid-yield',
          `a state machine's next() returned ${describeValue(outcome)}: return true, false, ctx.yield() or a promise-like`,
        ),
      );
    } catch (error) {
      return this.fail(error);
    }
  }
}

/**
 * True for anything with a callable `then`. A `then` getter that throws counts as a
 * thenable too: `Promise.resolve` then rejects with the getter's error, which reaches the
 * body at its yield point instead of escaping into the executor.
 */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
  try {
    return typeof (value as { then?: unknown }).then === 'function';
  } catch {
    return true;
  }
}

/**
 * The coroutine every task parked on its `async` body's promise shares: it says `settling`
 * (and `started`), and `interrupt()` answers `Interrupt.Await` without changing it. It
 * holds nothing of any task, so the task's own coroutine and context object can go while
 * it waits. It must never be stepped or resumed.
 */
export const awaitingBody: Coroutine = Coroutine.settled(false, undefined);

const GeneratorPrototype: unknown = Object.getPrototypeOf(function* () {
  /* only its prototype is used */
}.prototype);

function isGenerator(value: unknown): value is Generator {
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.getPrototypeOf(Object.getPrototypeOf(value)) === GeneratorPrototype
  );
}
