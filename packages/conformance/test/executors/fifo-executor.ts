import { AsyncResource } from 'node:async_hooks';
import { ExecutorClosedError, isTaskReference } from '@spindle/core';
import { Coroutine, Interrupt, RingQueue, Step, Task, assertCloneable, describeBody, validateSpawn } from '@spindle/core/kit';
import { channels, currentThread, eventTime } from '@spindle/core/events';
import type { CloseOptions, Executor, ExecutorCapabilities, SpawnArgs, SpawnOptions, SpawnResult, Spawnable, TaskHandle } from '@spindle/core';
import type { StepOutcome, TaskOwner } from '@spindle/core/kit';

/** A task plus what the FIFO executor keeps for it. */
export class FifoTask extends Task {
  readonly coroutine: Coroutine;
  /** The async context of the spawn; every step runs in it. */
  readonly scope = new AsyncResource('spindle.fifo-task', { requireManualDestroy: true });
  readonly reference: boolean;
  queued = false;
  parked = false;
  interruptAfterStep = false;
  turns: { onTurn: () => void; onCancel: (error: unknown) => void }[] | undefined = undefined;

  constructor(owner: TaskOwner, parent: Task | undefined, body: Spawnable, args: readonly unknown[], options: SpawnOptions | undefined) {
    super(owner, parent, options);
    this.coroutine = new Coroutine(body, args, this.context);
    this.reference = isTaskReference(body);
  }
}

/** Options of the test executor. */
export interface FifoOptions {
  readonly label?: string;
  /** Override what it declares (the suite must follow). */
  readonly capabilities?: Partial<ExecutorCapabilities>;
}

const sliceMs = 5;
let made = 0;
const runStep = (coroutine: Coroutine): StepOutcome => coroutine.step();

/**
 * A minimal, correct executor for testing the conformance suite itself: one thread, a
 * FIFO ready queue, one step per turn, time slices handed back with setImmediate. Built
 * only on core's Task and Coroutine. Subclasses in broken-executors.ts break it on
 * purpose through the protected hooks.
 */
export class FifoExecutor implements Executor, TaskOwner {
  readonly capabilities: ExecutorCapabilities;
  readonly label: string;
  protected readonly ready = new RingQueue<FifoTask>();
  protected readonly live = new Set<FifoTask>();
  /** Steps a ready task takes per turn before it goes to the back of the queue: 1, to be fair. */
  protected readonly stepsPerTurn: number = 1;
  private isClosed = false;
  private scheduled = false;
  private running = false;
  private sliceStart = -Infinity;
  private closing: Promise<void> | undefined = undefined;
  private resolveClosing: (() => void) | undefined = undefined;
  private readonly runBound = (): void => {
    this.run();
  };
  private readonly startSliceBound = (): void => {
    this.sliceStart = performance.now();
    this.run();
  };

  constructor(options: FifoOptions = {}) {
    this.label = options.label ?? `fifo#${++made}`;
    this.capabilities = Object.freeze({
      name: 'fifo-test',
      parallel: false,
      closures: true,
      clonesArguments: false,
      timeSliced: true,
      ordering: 'round-robin' as const,
      ...options.capabilities,
    });
  }

  get closed(): boolean {
    return this.isClosed;
  }

  spawn<B extends Spawnable>(body: B, args?: SpawnArgs<B>, options?: SpawnOptions): TaskHandle<SpawnResult<B>> {
    if (this.isClosed) throw new ExecutorClosedError(this.label);
    const list = validateSpawn(body, args, options, this.capabilities);
    return this.accept(undefined, body, list, options) as unknown as TaskHandle<SpawnResult<B>>;
  }

  spawnChild(parent: Task, body: Spawnable, args: readonly unknown[], options: SpawnOptions | undefined): Task {
    const list = validateSpawn(body, args, options, this.capabilities);
    return this.accept(parent, body, list, options);
  }

  close(options?: CloseOptions): Promise<void> {
    this.isClosed = true;
    this.closing ??= new Promise<void>((resolve) => {
      this.resolveClosing = resolve;
    });
    if (options?.mode === 'cancel') this.cancelAll(options.reason ?? new ExecutorClosedError(this.label));
    this.checkClosed();
    return this.closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  interrupt(task: Task): void {
    const own = this.own(task);
    if (own.state === 'running') {
      own.interruptAfterStep = true;
      return;
    }
    const turns = own.turns;
    own.turns = undefined;
    if (turns !== undefined) for (const turn of turns) turn.onCancel(own.cancellationError());
    switch (own.coroutine.interrupt()) {
      case Interrupt.Now:
        own.parked = false;
        own.token++;
        own.finish(false, undefined);
        return;
      case Interrupt.Step:
        if (own.parked) {
          own.parked = false;
          own.token++;
          this.enqueue(own);
        }
        return;
      case Interrupt.Await:
        return;
    }
  }

  turn(task: Task, onTurn: () => void, onCancel: (error: unknown) => void): void {
    const own = this.own(task);
    if (own.stopping) {
      onCancel(own.cancellationError());
      return;
    }
    (own.turns ??= []).push({ onTurn, onCancel });
    own.queued = true;
    this.ready.push(own);
    this.schedule();
  }

  settled(task: Task): void {
    const own = this.own(task);
    this.live.delete(own);
    own.scope.emitDestroy();
    this.checkClosed();
  }

  private own(task: Task): FifoTask {
    if (task instanceof FifoTask && task.owner === this) return task;
    throw new TypeError(`task ${task.describe()} does not belong to ${this.label}`);
  }

  /** Accepts a task: counts it live and queues it (or settles it if it is cancelled already). */
  protected accept(parent: Task | undefined, body: Spawnable, args: readonly unknown[], options: SpawnOptions | undefined): FifoTask {
    const task = new FifoTask(this, parent, body, args, options);
    this.live.add(task);
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
    if (task.cancelledAtSpawn) this.settleCancelledAtSpawn(task);
    else this.enqueue(task);
    return task;
  }

  /** A task spawned with an aborted signal: settle it as cancelled without running it. */
  protected settleCancelledAtSpawn(task: FifoTask): void {
    task.coroutine.interrupt();
    task.finish(false, undefined);
  }

  /** Cancels every live task (close in cancel mode). */
  protected cancelAll(reason: unknown): void {
    for (const task of [...this.live]) if (task.parent === undefined) task.cancel(reason);
  }

  /** What a step that threw does to its task. */
  protected failed(task: FifoTask, error: unknown): void {
    task.finish(true, error);
  }

  protected checkClosed(): void {
    if (this.live.size === 0 && this.resolveClosing !== undefined) {
      const resolve = this.resolveClosing;
      this.resolveClosing = undefined;
      resolve();
    }
  }

  protected enqueue(task: FifoTask): void {
    // Queued twice only when one entry is a turn for an async body (see turn()).
    if (task.queued && task.turns === undefined) return;
    task.queued = true;
    this.ready.push(task);
    this.schedule();
  }

  private schedule(): void {
    // While the loop runs it picks up whatever is enqueued; no second run is needed.
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    // Within a slice, go on in a microtask; once it has run out, let the event loop in.
    if (performance.now() - this.sliceStart < sliceMs) queueMicrotask(this.runBound);
    else setImmediate(this.startSliceBound);
  }

  /**
   * An async body runs on in microtasks: its continuation, then (one microtask later, as
   * `await` calls `then` on a thenable in a job of its own) its next `ctx.yield()` request.
   * Let both happen before stepping anything else, so it keeps its place in the queue.
   */
  private handOver(): void {
    this.scheduled = true;
    queueMicrotask(() => {
      queueMicrotask(() => {
        this.scheduled = false;
        this.schedule();
      });
    });
  }

  private run(): void {
    this.scheduled = false;
    this.running = true;
    try {
      this.loop();
    } finally {
      this.running = false;
    }
  }

  private loop(): void {
    let sinceCheck = 0;
    for (let task = this.ready.shift(); task !== undefined; task = this.ready.shift()) {
      task.queued = false;
      if (task.bodyFinished) continue;
      const turn = task.turns?.shift();
      let async: boolean;
      if (turn !== undefined) {
        if (task.turns?.length === 0) task.turns = undefined;
        turn.onTurn();
        async = true;
      } else {
        async = this.step(task);
      }
      if (async && this.ready.size > 0) {
        this.handOver();
        return;
      }
      if (++sinceCheck >= 32) {
        sinceCheck = 0;
        if (performance.now() - this.sliceStart >= sliceMs && this.ready.size > 0) {
          this.scheduled = true;
          setImmediate(this.startSliceBound);
          return;
        }
      }
    }
  }

  /** Takes one step; returns true if an async body is now running on in microtasks. */
  private step(task: FifoTask): boolean {
    let again = true;
    let async = false;
    let taken = 0;
    while (again) {
      again = false;
      const coroutine = task.coroutine;
      const first = task.state === 'pending';
      task.state = 'running';
      const channel = first ? channels.start : channels.resume;
      if (channel.hasSubscribers) {
        channel.publish({ kind: first ? 'start' : 'resume', taskId: task.id, executor: this.label, thread: currentThread, time: eventTime() });
      }
      const outcome = task.scope.runInAsyncScope(runStep, undefined, coroutine);
      const value = coroutine.value;
      coroutine.value = undefined;
      task.state = 'suspended';
      switch (outcome) {
        case Step.Done:
          if (task.reference) {
            try {
              assertCloneable([value], 'result');
            } catch (error) {
              task.finish(true, error);
              break;
            }
          }
          task.finish(false, value);
          break;
        case Step.Failed:
          this.failed(task, value);
          break;
        case Step.Yield:
          this.publishSuspend(task, 'yield');
          if (!task.interruptAfterStep && ++taken < this.stepsPerTurn) again = true;
          else this.enqueue(task);
          break;
        case Step.Wait:
          this.publishSuspend(task, 'wait');
          this.park(task, value);
          async = coroutine.settling;
          break;
      }
      if (task.interruptAfterStep) {
        task.interruptAfterStep = false;
        if (!task.bodyFinished) this.interrupt(task);
      }
    }
    return async;
  }

  private park(task: FifoTask, awaited: unknown): void {
    task.parked = true;
    const token = ++task.token;
    const onFulfilled = (value: unknown): void => {
      this.wake(task, token, false, value);
    };
    const onRejected = (error: unknown): void => {
      this.wake(task, token, true, error);
    };
    if (awaited instanceof Task) awaited.subscribe(onFulfilled, onRejected);
    else Promise.resolve(awaited).then(onFulfilled, onRejected);
  }

  private wake(task: FifoTask, token: number, failed: boolean, value: unknown): void {
    if (task.token !== token || !task.parked) return;
    task.parked = false;
    if (failed) task.coroutine.reject(value);
    else task.coroutine.resolve(value);
    if (channels.wake.hasSubscribers) {
      channels.wake.publish({ kind: 'wake', taskId: task.id, executor: this.label, thread: currentThread, time: eventTime() });
    }
    this.enqueue(task);
  }

  private publishSuspend(task: FifoTask, reason: 'yield' | 'wait'): void {
    if (channels.suspend.hasSubscribers) {
      channels.suspend.publish({ kind: 'suspend', taskId: task.id, executor: this.label, thread: currentThread, time: eventTime(), reason });
    }
  }
}
