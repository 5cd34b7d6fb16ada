import {
  ExecutorClosedError,
  Interrupt,
  InvalidOptionsError,
  RingQueue,
  Step,
  assertCloneable,
  channels,
  currentThread,
  describeBody,
  describeValue,
  eventTime,
  isTaskReference,
  Task,
  validateSpawn,
} from '@spindle/core';
import type {
  CloseOptions,
  Coroutine,
  Executor,
  ExecutorCapabilities,
  SpawnArgs,
  SpawnOptions,
  SpawnResult,
  Spawnable,
  StepOutcome,
  TaskHandle,
  TaskOwner,
} from '@spindle/core';
import { resolveOptions } from './options.js';
import type { RoundRobinOptions } from './options.js';
import { RoundRobinTask } from './round-robin-task.js';

const capabilities: ExecutorCapabilities = Object.freeze({
  name: 'round-robin',
  parallel: false,
  closures: true,
  clonesArguments: false,
  timeSliced: true,
  ordering: 'round-robin',
});

/** Figures a round-robin executor keeps about itself. */
export interface RoundRobinStats {
  /** Tasks accepted and not yet settled. */
  readonly live: number;
  /** Tasks waiting in the ready queue. */
  readonly ready: number;
  /** Steps taken since the executor was made. */
  readonly steps: number;
  /** Times the executor handed the thread back to the event loop with work still ready. */
  readonly slicesExpired: number;
}

let executors = 0;
const runStep = (coroutine: Coroutine): StepOutcome => coroutine.step();

/**
 * One thread, a FIFO ready queue, one step per ready task per turn.
 *
 * Fairness: a task that becomes ready goes to the back of the queue, so with K ready
 * tasks none waits for more than K-1 steps of others. Time-sliced: after `sliceMs` of
 * steps in one turn of the event loop the executor continues in `setImmediate`, so timers
 * and I/O are never starved. A parked task costs nothing until what it waits for settles.
 */
export class RoundRobinExecutor implements Executor, TaskOwner {
  readonly capabilities: ExecutorCapabilities = capabilities;
  readonly label: string;
  private readonly sliceMs: number;
  private readonly ready = new RingQueue<RoundRobinTask>(64);
  private readonly roots = new Set<RoundRobinTask>();
  private live = 0;
  private steps = 0;
  private slicesExpired = 0;
  private scheduled = false;
  private draining = false;
  private handOver = false;
  private sliceOpen = false;
  private sliceStart = 0;
  private isClosed = false;
  private closing: Promise<void> | undefined = undefined;
  private resolveClosing: (() => void) | undefined = undefined;
  private readonly drainBound = (): void => {
    this.drain();
  };
  private readonly handOverBound = (): void => {
    queueMicrotask(this.drainBound);
  };
  private readonly closeSliceBound = (): void => {
    this.sliceOpen = false;
  };

  constructor(options?: RoundRobinOptions) {
    const resolved = resolveOptions(options);
    this.sliceMs = resolved.sliceMs;
    this.label = resolved.label ?? `round-robin#${++executors}`;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Current figures; cheap enough to poll. */
  get stats(): RoundRobinStats {
    return { live: this.live, ready: this.ready.size, steps: this.steps, slicesExpired: this.slicesExpired };
  }

  spawn<B extends Spawnable>(body: B, args?: SpawnArgs<B>, options?: SpawnOptions): TaskHandle<SpawnResult<B>> {
    if (this.isClosed) throw new ExecutorClosedError(this.label);
    const list = validateSpawn(body, args, options, capabilities);
    return this.create(undefined, body, list, options) as unknown as TaskHandle<SpawnResult<B>>;
  }

  /** @internal Children of live tasks are accepted while the executor drains. */
  spawnChild(parent: Task, body: Spawnable, args: readonly unknown[], options: SpawnOptions | undefined): Task {
    const list = validateSpawn(body, args, options, capabilities);
    return this.create(parent, body, list, options);
  }

  close(options?: CloseOptions): Promise<void> {
    const mode: unknown = options?.mode ?? 'drain';
    if (mode !== 'drain' && mode !== 'cancel') {
      throw new InvalidOptionsError('mode', `close mode must be 'drain' or 'cancel', got ${describeValue(mode)}`);
    }
    this.isClosed = true;
    this.closing ??= new Promise<void>((resolve) => {
      this.resolveClosing = resolve;
    });
    if (mode === 'cancel') {
      const reason = options?.reason ?? new ExecutorClosedError(this.label);
      for (const task of [...this.roots]) task.cancel(reason);
    }
    this.checkClosed();
    return this.closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close({ mode: 'drain' });
  }

  /** @internal */
  interrupt(task: Task): void {
    const rr = this.own(task);
    if (rr.state === 'running') {
      rr.interruptAfterStep = true;
      return;
    }
    const turns = rr.turns;
    if (turns !== undefined) {
      rr.turns = undefined;
      for (const turn of turns) turn.onCancel(rr.cancellationError());
    }
    switch (rr.coroutine.interrupt()) {
      case Interrupt.Now:
        if (rr.parked) {
          rr.parked = false;
          rr.token++;
        }
        // If it is still queued, the drain loop skips it: its body has finished.
        rr.finish(false, undefined);
        return;
      case Interrupt.Step:
        if (rr.parked) {
          rr.parked = false;
          rr.token++;
          this.enqueue(rr);
        }
        return;
      case Interrupt.Await:
        // An async body cannot be stopped from outside; its signal has been aborted and
        // its turns rejected. It settles as cancelled when its promise settles.
        return;
    }
  }

  /** @internal */
  turn(task: Task, onTurn: () => void, onCancel: (error: unknown) => void): void {
    const rr = this.own(task);
    if (rr.stopping) {
      onCancel(rr.cancellationError());
      return;
    }
    (rr.turns ??= []).push({ onTurn, onCancel });
    rr.queued = true;
    this.ready.push(rr);
    this.schedule();
  }

  /** @internal */
  settled(task: Task): void {
    this.live--;
    if (task.parent === undefined) this.roots.delete(this.own(task));
    if (this.isClosed) this.checkClosed();
  }

  private own(task: Task): RoundRobinTask {
    if (task instanceof RoundRobinTask && task.owner === this) return task;
    throw new TypeError(`task ${task.describe()} does not belong to ${this.label}`);
  }

  private create(parent: Task | undefined, body: Spawnable, args: readonly unknown[], options: SpawnOptions | undefined): RoundRobinTask {
    const task = new RoundRobinTask(this, parent, body, args, options, isTaskReference(body));
    this.live++;
    if (parent === undefined) this.roots.add(task);
    if (channels.spawn.hasSubscribers) {
      channels.spawn.publish({
        kind: 'spawn',
        taskId: task.id,
        executor: this.label,
        thread: currentThread,
        time: eventTime(),
        name: task.name,
        parentId: parent?.id,
        body: describeBody(body),
      });
    }
    if (task.cancelledAtSpawn) {
      // An already aborted signal: accepted and settled as cancelled, the body never runs.
      task.coroutine.interrupt();
      task.finish(false, undefined);
      return task;
    }
    this.enqueue(task);
    return task;
  }

  private enqueue(task: RoundRobinTask): void {
    task.queued = true;
    this.ready.push(task);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.draining) return;
    this.scheduled = true;
    if (!this.sliceOpen) {
      this.openSlice();
      queueMicrotask(this.drainBound);
    } else if (performance.now() - this.sliceStart < this.sliceMs) {
      queueMicrotask(this.drainBound);
    } else {
      setImmediate(this.drainBound);
    }
  }

  private openSlice(): void {
    this.sliceOpen = true;
    this.sliceStart = performance.now();
    // Marks the end of this turn of the event loop; it must not keep the process alive.
    setImmediate(this.closeSliceBound).unref();
  }

  private drain(): void {
    this.scheduled = false;
    if (!this.sliceOpen) this.openSlice();
    this.draining = true;
    let sinceCheck = 0;
    let checkEvery = 64;
    let lastCheck = this.sliceStart;
    try {
      for (let task = this.ready.shift(); task !== undefined; task = this.ready.shift()) {
        task.queued = false;
        if (task.bodyFinished) continue;
        const turns = task.turns;
        if (turns !== undefined && turns.length > 0) {
          const turn = turns.shift();
          if (turns.length === 0) task.turns = undefined;
          turn?.onTurn();
          this.handOver = true;
        } else {
          this.step(task);
        }
        if (this.handOver) {
          // An async body runs on in microtasks (its continuation, or its next
          // `await ctx.yield()` registering). Let them run now, in the body's turn, rather
          // than after every other ready task has stepped.
          this.handOver = false;
          if (this.ready.size > 0) {
            // Two hops: `await ctx.yield()` calls `then` on the yield point in a job of its
            // own, one microtask after the body continues; the turn must be asked for
            // before the drain goes on.
            this.scheduled = true;
            queueMicrotask(this.handOverBound);
            return;
          }
        }
        if (++sinceCheck >= checkEvery) {
          const now = performance.now();
          // Long steps get the clock read after each one, short ones in batches of 64.
          checkEvery = now - lastCheck > this.sliceMs / 8 ? 1 : 64;
          lastCheck = now;
          sinceCheck = 0;
          if (now - this.sliceStart >= this.sliceMs && this.ready.size > 0) {
            this.slicesExpired++;
            this.scheduled = true;
            setImmediate(this.drainBound);
            return;
          }
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private step(task: RoundRobinTask): void {
    const coroutine = task.coroutine;
    const first = task.state === 'pending';
    task.state = 'running';
    this.steps++;
    if (first ? channels.start.hasSubscribers : channels.resume.hasSubscribers) {
      (first ? channels.start : channels.resume).publish({
        kind: first ? 'start' : 'resume',
        taskId: task.id,
        executor: this.label,
        thread: currentThread,
        time: eventTime(),
      });
    }
    const outcome = task.scope.runInAsyncScope(runStep, undefined, coroutine);
    switch (outcome) {
      case Step.Yield:
        task.state = 'suspended';
        this.publishSuspend(task, 'yield');
        this.enqueue(task);
        break;
      case Step.Wait:
        task.state = 'suspended';
        this.publishSuspend(task, 'wait');
        this.park(task, coroutine.value);
        if (coroutine.settling) this.handOver = true;
        break;
      case Step.Done: {
        const value = coroutine.value;
        coroutine.value = undefined;
        this.complete(task, value);
        break;
      }
      case Step.Failed: {
        const error = coroutine.value;
        coroutine.value = undefined;
        task.state = 'suspended';
        task.finish(true, error);
        break;
      }
    }
    if (task.interruptAfterStep) {
      task.interruptAfterStep = false;
      if (!task.bodyFinished) this.interrupt(task);
    }
  }

  private complete(task: RoundRobinTask, value: unknown): void {
    task.state = 'suspended';
    if (task.reference) {
      try {
        assertCloneable([value], 'result');
      } catch (error) {
        task.finish(true, error);
        return;
      }
    }
    task.finish(false, value);
  }

  private park(task: RoundRobinTask, awaited: unknown): void {
    task.parked = true;
    const token = ++task.token;
    const onFulfilled = (value: unknown): void => {
      this.wake(task, token, false, value);
    };
    const onRejected = (error: unknown): void => {
      this.wake(task, token, true, error);
    };
    if (awaited instanceof Task) awaited.subscribe(onFulfilled, onRejected);
    else void Promise.resolve(awaited).then(onFulfilled, onRejected);
  }

  private wake(task: RoundRobinTask, token: number, failed: boolean, value: unknown): void {
    if (task.token !== token || !task.parked) return;
    task.parked = false;
    if (failed) task.coroutine.reject(value);
    else task.coroutine.resolve(value);
    if (channels.wake.hasSubscribers) {
      channels.wake.publish({ kind: 'wake', taskId: task.id, executor: this.label, thread: currentThread, time: eventTime() });
    }
    this.enqueue(task);
  }

  private publishSuspend(task: RoundRobinTask, reason: 'yield' | 'wait'): void {
    if (channels.suspend.hasSubscribers) {
      channels.suspend.publish({
        kind: 'suspend',
        taskId: task.id,
        executor: this.label,
        thread: currentThread,
        time: eventTime(),
        reason,
      });
    }
  }

  private checkClosed(): void {
    if (this.live === 0 && this.resolveClosing !== undefined) {
      const resolve = this.resolveClosing;
      this.resolveClosing = undefined;
      resolve();
    }
  }
}

