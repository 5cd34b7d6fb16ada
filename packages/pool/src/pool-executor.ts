import { channel } from 'node:diagnostics_channel';
import { Worker } from 'node:worker_threads';
import { ExecutorClosedError, InvalidOptionsError } from '@spindle/core';
import { RingQueue, describeValue, validateSpawn } from '@spindle/core/kit';
import { TaskEventLog, batchChannel, channels, publishSpawn } from '@spindle/core/events';
import type {
  CloseOptions,
  Executor,
  ExecutorCapabilities,
  SpawnArgs,
  SpawnOptions,
  SpawnResult,
  Spawnable,
  TaskHandle,
  TaskReference,
} from '@spindle/core';
import type { Task, TaskOwner } from '@spindle/core/kit';
import { capabilities } from './capabilities.js';
import { QueueFullError, WorkerCrashedError } from './errors.js';
import { EventRelay } from './event-relay.js';
import type { ReportHandler } from './event-relay.js';
import { CHUNK_HEADER } from './event-wire.js';
import type { WorkerReport } from './event-wire.js';
import type { ToWorker, WorkerInit } from './messages.js';
import { decodeError, encodeError, needsMessage, readResult, writePayload } from './payload.js';
import type { Payload } from './payload.js';
import { resolvePoolOptions } from './options.js';
import type { PoolOptions, ResolvedPoolOptions } from './options.js';
import { PoolTask } from './pool-task.js';
import { Control, Meta, SlotState, SharedState, Status, WorkerWord, mainOwner, metaWords } from './shared-state.js';
import { SlotAllocator } from './slot-allocator.js';

/** Figures a pool keeps about itself; cheap enough to poll. */
export interface PoolStats {
  /** Workers running. */
  readonly threads: number;
  /** Tasks accepted from this thread and not yet settled. */
  readonly live: number;
  /** Tasks waiting to start: on the main thread plus in the inject queue. */
  readonly queued: number;
  /** Tasks started by workers (children included). */
  readonly executed: number;
  /** Successful steals (each takes a batch). */
  readonly steals: number;
  /** Workers replaced after a crash. */
  readonly crashes: number;
  /** Workers terminated (and replaced) to stop a cancelled task stuck in one step (see `cancelTimeout`). */
  readonly terminated: number;
  /** Share of workers that are not sleeping right now, 0..1. */
  readonly utilisation: number;
  /** Per-worker counters (by worker index, running workers only), for tuning and diagnosis. */
  readonly workers: readonly PoolWorkerStats[];
}

/** Counters of one worker since it started (see {@link PoolStats.workers}). */
export interface PoolWorkerStats {
  /** The worker's index in the pool. */
  readonly index: number;
  /** Tasks it started. */
  readonly executed: number;
  /** Successful steals from other workers' deques. */
  readonly steals: number;
  /** Times it went to sleep. */
  readonly parks: number;
  /** Batches it took from the inject queue. */
  readonly injectTakes: number;
  /** Microseconds it spent parked (a wrapping 32-bit counter: compare two readings). */
  readonly parkedMicros: number;
}

/** Names of the pool's own `node:diagnostics_channel` channels. */
export const poolChannelNames = {
  /** A worker was added: {@link PoolGrowEvent}. */
  grow: 'spindle:pool:grow',
  /** A worker retired: {@link PoolRetireEvent}. */
  retire: 'spindle:pool:retire',
} as const;

/**
 * Published on `spindle:pool:grow` when the pool adds a worker between `minThreads` and
 * `maxThreads`. Growth under `starvation` can hide a sync-over-async deadlock (tasks
 * blocking their thread on work that needs another thread) rather than cure it: a steady
 * stream of these events is worth a look.
 */
export interface PoolGrowEvent {
  readonly pool: string;
  /** Index of the new worker. */
  readonly worker: number;
  /** Workers running after the growth. */
  readonly threads: number;
  /**
   * `starvation`: work waited at least `growAfter` ms while every worker was busy and none
   * started a task; `no-worker`: work arrived after every worker had retired (`minThreads: 0`).
   */
  readonly cause: 'starvation' | 'no-worker';
  /** Tasks waiting to start when the pool grew. */
  readonly queued: number;
  /** Milliseconds without progress that triggered it (0 for `no-worker`). */
  readonly waitedMs: number;
  /** `performance.now()` on the main thread. */
  readonly time: number;
}

/** Published on `spindle:pool:retire` when an idle worker above `minThreads` leaves. */
export interface PoolRetireEvent {
  readonly pool: string;
  /** Index of the worker that left. */
  readonly worker: number;
  /** Workers running after it left. */
  readonly threads: number;
  /** Always `idle-timeout`: it waited `idleTimeout` ms with nothing to do. */
  readonly cause: 'idle-timeout';
  readonly idleTimeout: number;
  /** `performance.now()` on the main thread. */
  readonly time: number;
}

const growChannel = channel(poolChannelNames.grow);
const retireChannel = channel(poolChannelNames.retire);

let pools = 0;
const here = import.meta.url;

function workerUrl(): URL {
  // Tests import the sources; workers always run the built JavaScript.
  if (here.endsWith('.ts')) return new URL('../dist/worker.js', here);
  return new URL(here.endsWith('.cjs') ? './worker.cjs' : './worker.js', here);
}

/** A chunk of a worker's report that arrived before chunks numbered lower (see event-wire.ts). */
interface HeldChunk {
  readonly records: Float64Array;
  readonly from: number;
  readonly to: number;
  readonly extras: readonly unknown[];
  readonly thread: number;
}

interface Slot {
  worker: Worker | undefined;
  alive: boolean;
  cause: unknown;
  /** Terminated by the pool to stop a stuck cancelled task (not a crash). */
  terminated: boolean;
  /** What the cancel watchdog saw last: the stepping word, the step count, and since when. */
  watchedStepping: number;
  watchedSteps: number;
  watchedSince: number;
}

/**
 * A `worker_threads` pool with one work-stealing deque per worker, a global inject queue,
 * and parking on `Atomics.wait`. It runs task references (module URL + export name) with
 * structured-cloneable arguments; tasks a worker spawns go onto its own deque and move
 * between workers by stealing, without passing through the main thread.
 */
export class PoolExecutor implements Executor, TaskOwner {
  readonly capabilities: ExecutorCapabilities = capabilities;
  readonly label: string;
  /**
   * Where lifecycle events this thread publishes (spawns, and settlements of the tasks it
   * holds) gather for core's batch channel; workers' events go out between its batches.
   */
  readonly eventLog: TaskEventLog;
  private readonly options: ResolvedPoolOptions;
  private readonly poolNumber: number;
  private shared: SharedState | undefined = undefined;
  private allocator: SlotAllocator | undefined = undefined;
  private readonly workers: Slot[] = [];
  private readonly pending = new RingQueue<PoolTask>(64);
  private readonly bySlot = new Map<number, PoolTask>();
  private readonly roots = new Set<PoolTask>();
  private readonly reorder = new Map<number, HeldChunk>();
  private readonly relay: EventRelay;
  private readonly reports: ReportHandler = {
    done: (slot, taskId) => {
      this.completeFromSlot(slot, taskId);
    },
    doneWithValue: (slot, status, value) => {
      this.complete(slot, status, value);
    },
    relay: (owner, slot, status, value) => {
      this.relayResult(owner, slot, status, value);
    },
  };
  private nextSeq = 0;
  private live = 0;
  private crashes = 0;
  private nextPinned = 0;
  private flushScheduled = false;
  private waitingForRoom = false;
  private watchingSpace = false;
  private referenced = false;
  private isClosed = false;
  private closing: Promise<void> | undefined = undefined;
  private resolveClosing: (() => void) | undefined = undefined;
  private spaceWaiters: (() => void)[] = [];
  private started = 0;
  /** Workers started with the pool (the rest come by growth). */
  private initialThreads = 0;
  private readyWaiters: (() => void)[] = [];
  private monitor: ReturnType<typeof setInterval> | undefined = undefined;
  private watchdog: ReturnType<typeof setInterval> | undefined = undefined;
  private terminated = 0;
  private lastExecuted = -1;
  private lastProgress = 0;
  private readonly flushBound = (): void => {
    this.flush();
  };

  constructor(options?: PoolOptions) {
    this.options = resolvePoolOptions(options);
    this.poolNumber = ++pools;
    this.label = this.options.label ?? `pool#${this.poolNumber}`;
    this.eventLog = new TaskEventLog(this.label);
    this.relay = new EventRelay(this.label, this.eventLog);
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Current figures. */
  get stats(): PoolStats {
    const shared = this.shared;
    let executed = 0;
    let steals = 0;
    let awake = 0;
    let threads = 0;
    const workers: PoolWorkerStats[] = [];
    if (shared !== undefined) {
      const read = (i: number, which: number): number => Atomics.load(shared.control, shared.word(i, which));
      this.workers.forEach((slot, i) => {
        if (!slot.alive) return;
        threads++;
        const figures: PoolWorkerStats = {
          index: i,
          executed: read(i, WorkerWord.executed),
          steals: read(i, WorkerWord.steals),
          parks: read(i, WorkerWord.parks),
          injectTakes: read(i, WorkerWord.injectTakes),
          parkedMicros: read(i, WorkerWord.parkedMicros),
        };
        workers.push(figures);
        executed += figures.executed;
        steals += figures.steals;
        if (read(i, WorkerWord.park) === 0) awake++;
      });
    }
    return {
      threads,
      live: this.live,
      queued: this.pending.size + (shared?.inject.size ?? 0),
      executed,
      steals,
      crashes: this.crashes,
      terminated: this.terminated,
      utilisation: threads === 0 ? 0 : awake / threads,
      workers,
    };
  }

  spawn<B extends Spawnable>(body: B, args?: SpawnArgs<B>, options?: SpawnOptions): TaskHandle<SpawnResult<B>> {
    if (this.isClosed) throw new ExecutorClosedError(this.label);
    const list = validateSpawn(body, args, options, capabilities);
    if (this.options.onFull === 'reject' && this.queued() >= this.options.maxQueue) throw new QueueFullError(this.label, this.options.maxQueue);
    const ref = body as TaskReference<never>;
    const payload: Payload = [ref.module, ref.export, list, options?.name];
    const task = new PoolTask(this, options, payload, needsMessage(list));
    this.live++;
    this.roots.add(task);
    publishSpawn(this.label, this.eventLog, task.id, task.name, undefined, body);
    if (task.cancelledAtSpawn) {
      task.finish(false, undefined);
      return task as unknown as TaskHandle<SpawnResult<B>>;
    }
    this.start();
    this.pending.push(task);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      // One hand-over per burst of spawns: the inject queue's lock is taken once for all.
      queueMicrotask(this.flushBound);
    }
    return task as unknown as TaskHandle<SpawnResult<B>>;
  }

  /**
   * Starts the initial workers (`minThreads`, at least one; they otherwise start on the
   * first `spawn`) and resolves once every one of them runs, so that a benchmark or a
   * latency-sensitive caller does not pay for thread start-up in its first tasks. Workers
   * added later by growth are not waited for.
   */
  ready(): Promise<void> {
    if (this.isClosed) return Promise.reject(new ExecutorClosedError(this.label));
    this.start();
    if (this.started >= this.initialThreads) {
      if (this.live === 0) this.setReferenced(false);
      return Promise.resolve();
    }
    // Referenced while someone waits for start-up, so that the wait keeps the process alive.
    return new Promise<void>((resolve) =>
      this.readyWaiters.push(() => {
        if (this.live === 0) this.setReferenced(false);
        resolve();
      }),
    );
  }

  /** Resolves when fewer than `maxQueue` tasks wait to start (backpressure with `onFull: 'wait'`). */
  whenQueueBelowMax(): Promise<void> {
    if (this.queued() < this.options.maxQueue) return Promise.resolve();
    const space = new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
    this.watchForSpace();
    return space;
  }

  /** @internal Tasks on the main thread have no body here, so they spawn no children. */
  spawnChild(): Task {
    throw new TypeError('pool tasks spawn children inside their worker');
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
    const pt = this.own(task);
    const shared = this.shared;
    if (pt.slot < 0 || shared === undefined) {
      // Still on the main thread: it never reaches a worker.
      pt.payload = undefined;
      pt.finish(false, undefined);
      return;
    }
    const slot = pt.slot;
    Atomics.store(shared.meta, shared.metaIndex(slot, Meta.cancel), 1);
    const previous = Atomics.compareExchange(shared.meta, shared.metaIndex(slot, Meta.state), SlotState.Queued, SlotState.Cancelled);
    if (previous === SlotState.Queued) {
      // Removed from the queue: the worker that takes the slot frees it without running it.
      this.bySlot.delete(slot);
      pt.slot = -1;
      pt.finish(false, undefined);
    } else if (previous === SlotState.Running) {
      const runner = Atomics.load(shared.meta, shared.metaIndex(slot, Meta.runner));
      shared.mailboxes[runner]?.post(slot * 2 + 1);
      shared.wakeWorker(runner);
    }
  }

  /** @internal */
  turn(_task: Task, _onTurn: () => void, onCancel: (error: unknown) => void): void {
    onCancel(new TypeError('pool tasks take their turns inside their worker'));
  }

  /** @internal */
  settled(task: Task): void {
    this.live--;
    this.roots.delete(this.own(task));
    if (this.live === 0) this.setReferenced(false);
    if (this.isClosed) this.checkClosed();
  }

  private own(task: Task): PoolTask {
    if (task instanceof PoolTask && task.owner === this) return task;
    throw new TypeError(`task ${task.describe()} does not belong to ${this.label}`);
  }

  private queued(): number {
    return this.pending.size + (this.shared?.inject.size ?? 0);
  }

  /** Makes the shared memory and starts the workers, once. */
  private start(): void {
    if (this.shared === undefined) {
      const o = this.options;
      this.shared = SharedState.create(o.maxThreads, o.slots, o.slotBytes, o.dequeCapacity);
      this.allocator = new SlotAllocator(this.shared.freeSlots);
      for (let i = 0; i < o.maxThreads; i++) this.workers.push({ worker: undefined, alive: false, cause: undefined, terminated: false, watchedStepping: 0, watchedSteps: 0, watchedSince: 0 });
      // Shared memory is sized for maxThreads from the start; only minThreads (at least one,
      // so that work can start) run until the starvation rule adds more.
      this.initialThreads = Math.max(1, o.minThreads);
      for (let i = 0; i < this.initialThreads; i++) this.addWorker(i);
      if (o.minThreads < o.maxThreads) {
        this.lastProgress = performance.now();
        this.monitor = setInterval(() => {
          this.checkStarvation();
        }, Math.max(1, Math.min(100, o.growAfter >> 2)));
        this.monitor.unref();
      }
      if (o.cancelTimeout !== Infinity) {
        this.watchdog = setInterval(() => {
          this.watchCancelled();
        }, Math.max(5, Math.min(250, o.cancelTimeout >> 2)));
        this.watchdog.unref();
      }
    }
    this.setReferenced(true);
    const shared = this.shared;
    const wanted = batchChannel.hasSubscribers || channels.spawn.hasSubscribers || channels.settle.hasSubscribers || channels.start.hasSubscribers;
    Atomics.store(shared.control, Control.events, wanted ? 1 : 0);
  }

  /** Starts a worker at a free index, counting it as running before it exists. */
  private addWorker(index: number): void {
    const shared = this.shared;
    if (shared === undefined) return;
    Atomics.add(shared.control, Control.running, 1);
    // A retired worker left -1 here (see WorkerWord.inbound); its deque and mailbox are empty.
    Atomics.store(shared.control, shared.word(index, WorkerWord.inbound), 0);
    Atomics.store(shared.control, shared.word(index, WorkerWord.park), 0);
    this.startWorker(index);
  }

  /** Adds a worker if below `maxThreads`, and says why on `spindle:pool:grow`. */
  private grow(cause: PoolGrowEvent['cause'], waitedMs: number): void {
    const index = this.workers.findIndex((slot) => !slot.alive && slot.worker === undefined);
    if (index < 0 || this.isClosed) return;
    this.addWorker(index);
    if (growChannel.hasSubscribers) {
      growChannel.publish({
        pool: this.label,
        worker: index,
        threads: this.aliveThreads(),
        cause,
        queued: this.queued(),
        waitedMs,
        time: performance.now(),
      } satisfies PoolGrowEvent);
    }
  }

  private aliveThreads(): number {
    let n = 0;
    for (const slot of this.workers) if (slot.alive) n++;
    return n;
  }

  /**
   * The starvation rule, polled a few times per `growAfter`: if work is queued, no worker is
   * parked (each is running or blocked in a task) and no worker has started a task since the
   * last progress, for `growAfter` ms, add a worker. A parked worker with queued work is a
   * wake-up matter, not starvation, so it never triggers growth.
   */
  private checkStarvation(): void {
    const shared = this.shared;
    if (shared === undefined || this.isClosed) return;
    const now = performance.now();
    let executed = 0;
    let anyParked = false;
    let alive = 0;
    for (let i = 0; i < this.workers.length; i++) {
      if (this.workers[i]?.alive !== true) continue;
      alive++;
      executed += Atomics.load(shared.control, shared.word(i, WorkerWord.executed));
      if (Atomics.load(shared.control, shared.word(i, WorkerWord.park)) === 1) anyParked = true;
    }
    if (executed !== this.lastExecuted || anyParked || this.queued() === 0 || alive >= this.options.maxThreads) {
      this.lastExecuted = executed;
      this.lastProgress = now;
      return;
    }
    const waited = now - this.lastProgress;
    if (waited < this.options.growAfter) return;
    this.lastProgress = now;
    this.grow('starvation', waited);
  }

  private startWorker(index: number): void {
    const shared = this.shared;
    if (shared === undefined) return;
    const o = this.options;
    const init: WorkerInit = {
      buffers: shared.buffers,
      index,
      workers: o.maxThreads,
      minThreads: o.minThreads,
      idleTimeout: o.idleTimeout,
      label: this.label,
      idBase: this.poolNumber * 2 ** 32,
    };
    const worker = new Worker(workerUrl(), {
      workerData: init,
      execArgv: [...o.execArgv],
      ...(o.env === undefined ? {} : { env: { ...o.env } }),
      ...(o.resourceLimits === undefined ? {} : { resourceLimits: o.resourceLimits }),
      stdout: false,
      stderr: false,
    });
    const slot = this.workers[index];
    if (slot === undefined) return;
    slot.worker = worker;
    slot.alive = true;
    slot.cause = undefined;
    slot.terminated = false;
    slot.watchedStepping = 0;
    let announced = false;
    const thread = worker.threadId;
    worker.on('message', (report: WorkerReport) => {
      if (!announced) {
        announced = true;
        this.workerStarted();
      }
      this.receive(report, thread);
    });
    worker.on('error', (error) => {
      slot.cause = error;
    });
    worker.on('exit', (code) => {
      if (slot.worker !== worker) return;
      slot.alive = false;
      slot.worker = undefined;
      const shared = this.shared;
      if (shared === undefined || Atomics.load(shared.control, Control.shutdown) === 1) return;
      if (Atomics.load(shared.control, shared.word(index, WorkerWord.inbound)) === -1) {
        this.retired(index);
        return;
      }
      this.replace(index, slot.cause ?? code, slot.terminated);
    });
    if (!this.referenced) worker.unref();
  }

  /** A worker left after its idle timeout (it claimed its inbound word, so nothing is lost). */
  private retired(index: number): void {
    if (retireChannel.hasSubscribers) {
      retireChannel.publish({
        pool: this.label,
        worker: index,
        threads: this.aliveThreads(),
        cause: 'idle-timeout',
        idleTimeout: this.options.idleTimeout,
        time: performance.now(),
      } satisfies PoolRetireEvent);
    }
    this.ensureWorker();
  }

  /** With `minThreads: 0` every worker may have retired: queued work then needs one. */
  private ensureWorker(): void {
    const shared = this.shared;
    if (shared === undefined || this.isClosed || this.live === 0) return;
    if (Atomics.load(shared.control, Control.running) === 0) this.grow('no-worker', 0);
  }

  private workerStarted(): void {
    this.started++;
    if (this.started < this.initialThreads) return;
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private setReferenced(on: boolean): void {
    if (this.referenced === on) return;
    this.referenced = on;
    // An idle pool must not keep the process alive; a busy one must.
    for (const slot of this.workers) {
      if (on) slot.worker?.ref();
      else slot.worker?.unref();
    }
  }

  /** Moves tasks accepted on this thread into shared memory and the inject queue, in one batch. */
  private flush(): void {
    this.flushScheduled = false;
    const shared = this.shared;
    const allocator = this.allocator;
    if (shared === undefined || allocator === undefined) return;
    const batch: number[] = [];
    while (this.pending.size > 0) {
      const task = this.pending.peek();
      if (task === undefined) break;
      if (task.bodyFinished || task.payload === undefined) {
        this.pending.shift();
        continue;
      }
      const slot = allocator.alloc();
      if (slot < 0) {
        this.waitForRoom();
        break;
      }
      this.pending.shift();
      const meta = shared.meta;
      Atomics.store(meta, shared.metaIndex(slot, Meta.owner), mainOwner);
      Atomics.store(meta, shared.metaIndex(slot, Meta.cancel), 0);
      Atomics.store(meta, shared.metaIndex(slot, Meta.runner), -1);
      shared.ids[slot * 2] = task.id;
      shared.ids[slot * 2 + 1] = -1;
      task.slot = slot;
      this.bySlot.set(slot, task);
      const payload = task.payload;
      if (!task.byMessage && writePayload(shared, slot, payload)) {
        Atomics.store(meta, shared.metaIndex(slot, Meta.pinned), 0);
        Atomics.store(meta, shared.metaIndex(slot, Meta.state), SlotState.Queued);
        task.payload = undefined;
        batch.push(slot);
      } else {
        Atomics.store(meta, shared.metaIndex(slot, Meta.pinned), 1);
        Atomics.store(meta, shared.metaIndex(slot, Meta.state), SlotState.Queued);
        this.post(task, slot, payload);
      }
    }
    if (batch.length > 0) {
      // The inject queue holds as many items as there are slots, so it cannot be full here.
      shared.inject.pushBatch(batch, 0, batch.length);
      shared.wake(batch.length, 0, this.options.maxThreads);
      // Read after the push: a worker that retires later sees the work before it leaves.
      this.ensureWorker();
    }
    this.notifySpace();
  }

  private post(task: PoolTask, slot: number, payload: Payload): void {
    const shared = this.shared;
    if (shared === undefined) return;
    this.ensureWorker();
    const n = this.workers.length;
    for (let i = 0; i < n; i++) {
      const index = (this.nextPinned + i) % n;
      const worker = this.workers[index];
      if (worker?.alive !== true || worker.worker === undefined) continue;
      // Counted before posting: the worker must not block its event loop while this is in
      // flight. A worker that retired set -1: skip it.
      if (!this.claimInbound(shared, index)) continue;
      this.nextPinned = index + 1;
      task.worker = index;
      worker.worker.postMessage({ t: 'task', slot, payload } satisfies ToWorker);
      shared.wakeWorker(index);
      return;
    }
  }

  /** Adds one to a worker's inbound count unless it retired (-1); false if it did. */
  private claimInbound(shared: SharedState, index: number): boolean {
    const word = shared.word(index, WorkerWord.inbound);
    for (;;) {
      const n = Atomics.load(shared.control, word);
      if (n < 0) return false;
      if (Atomics.compareExchange(shared.control, word, n, n + 1) === n) return true;
    }
  }

  private waitForRoom(): void {
    const shared = this.shared;
    if (shared === undefined || this.waitingForRoom) return;
    this.waitingForRoom = true;
    Atomics.store(shared.control, Control.roomWanted, 1);
    const waiting = Atomics.waitAsync(shared.control, Control.roomWanted, 1, 20);
    const retry = (): void => {
      this.waitingForRoom = false;
      this.flush();
    };
    if (waiting.async) void waiting.value.then(retry);
    else queueMicrotask(retry);
  }

  /**
   * The queue also shrinks without a word to this thread: a worker that takes tasks from the
   * inject queue (cancelled ones it frees, or ones that park) sends nothing until some task
   * finishes. While anyone waits for space, ask the workers to notify `roomWanted` when they
   * take from it, and look again each time (or after a short timeout, so that a pending
   * wait never keeps the process alive on its own).
   */
  private watchForSpace(): void {
    const shared = this.shared;
    if (shared === undefined || this.watchingSpace || this.spaceWaiters.length === 0) return;
    this.watchingSpace = true;
    Atomics.store(shared.control, Control.roomWanted, 1);
    const waiting = Atomics.waitAsync(shared.control, Control.roomWanted, 1, 50);
    const again = (): void => {
      this.watchingSpace = false;
      this.notifySpace();
      this.watchForSpace();
    };
    if (waiting.async) void waiting.value.then(again);
    else queueMicrotask(again);
  }

  private notifySpace(): void {
    if (this.spaceWaiters.length === 0 || this.queued() >= this.options.maxQueue) return;
    const waiters = this.spaceWaiters;
    this.spaceWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /**
   * A worker's report: its chunks are handled strictly in sequence order across workers (so
   * that a child's events come before its parent's settlement whatever thread sent them);
   * unsequenced chunks, and late ones (numbers below `nextSeq` were skipped after a crash),
   * at once.
   */
  private receive(report: WorkerReport, thread: number): void {
    const [records, extras] = report;
    for (let at = 0; at < records.length; ) {
      const seq = records[at] ?? -1;
      const from = at + CHUNK_HEADER;
      const to = from + (records[at + 1] ?? 0);
      at = to;
      if (seq < this.nextSeq) {
        this.relay.chunk(records, from, to, extras, thread, this.reports);
      } else if (seq === this.nextSeq) {
        this.nextSeq++;
        this.relay.chunk(records, from, to, extras, thread, this.reports);
        this.handleHeld();
      } else {
        this.reorder.set(seq, { records, from, to, extras, thread });
      }
    }
    if (this.pending.size > 0) this.flush();
    else this.notifySpace();
  }

  /** Handles the chunks held back that are next in sequence. */
  private handleHeld(): void {
    if (this.reorder.size === 0) return;
    for (let next = this.reorder.get(this.nextSeq); next !== undefined; next = this.reorder.get(this.nextSeq)) {
      this.reorder.delete(this.nextSeq);
      this.nextSeq++;
      this.relay.chunk(next.records, next.from, next.to, next.extras, next.thread, this.reports);
    }
  }

  /** Passes a result too large for its slot on to the worker that holds its task. */
  private relayResult(owner: number, slot: number, status: number, value: unknown): void {
    const target = this.workers[owner];
    const shared = this.shared;
    if (target?.worker === undefined || shared === undefined) return;
    // An owner that retired has no task waiting for this result.
    if (!this.claimInbound(shared, owner)) return;
    target.worker.postMessage({ t: 'result', slot, status, value } satisfies ToWorker);
    shared.wakeWorker(owner);
  }

  /** A task whose outcome its worker wrote into its slot; `taskId` guards against a slot reused since. */
  private completeFromSlot(slot: number, taskId: number): void {
    const shared = this.shared;
    const task = this.bySlot.get(slot);
    if (shared === undefined || task?.id !== taskId) return;
    const status = Atomics.load(shared.meta, shared.metaIndex(slot, Meta.status));
    let value: unknown;
    try {
      value = readResult(shared, slot);
    } catch (error) {
      this.complete(slot, Status.Rejected, encodeError(error));
      return;
    }
    this.complete(slot, status, value);
  }

  private complete(slot: number, status: number, value: unknown): void {
    const task = this.bySlot.get(slot);
    this.bySlot.delete(slot);
    this.freeSlot(slot);
    if (task === undefined) return;
    task.slot = -1;
    task.payload = undefined;
    switch (status) {
      case Status.Fulfilled:
        task.finish(false, value);
        return;
      case Status.Cancelled:
        if (task.stopping) task.finish(false, undefined);
        else task.finish(true, decodeError(value));
        return;
      default:
        task.finish(true, decodeError(value));
    }
  }

  private freeSlot(slot: number): void {
    const shared = this.shared;
    if (shared === undefined) return;
    Atomics.store(shared.meta, shared.metaIndex(slot, Meta.state), SlotState.Free);
    this.allocator?.free(slot);
  }

  /**
   * A worker died. Tasks it was running fail with `WorkerCrashedError`; tasks in its deque
   * move to the inject queue; by-message tasks it had not started are posted again;
   * children whose parent died with it are cancelled. Then a new worker takes its place
   * (same index, same deque and mailbox).
   */
  private replace(index: number, cause: unknown, terminated: boolean): void {
    const shared = this.shared;
    if (shared === undefined) return;
    if (terminated) this.terminated++;
    else this.crashes++;
    this.skipLostSequence(shared);
    const meta = shared.meta;
    const slots = meta.length / metaWords;
    const crashed = new WorkerCrashedError(index, cause);
    const repost: PoolTask[] = [];
    for (let slot = 0; slot < slots; slot++) {
      const state = Atomics.load(meta, shared.metaIndex(slot, Meta.state));
      const owner = Atomics.load(meta, shared.metaIndex(slot, Meta.owner));
      const runner = Atomics.load(meta, shared.metaIndex(slot, Meta.runner));
      if (state === SlotState.Done && runner === index && owner === mainOwner) {
        // Finished, but the notice was still in the dead thread's buffer: the result is here.
        if (Atomics.load(meta, shared.metaIndex(slot, Meta.status)) !== Status.Relayed) this.completeFromSlot(slot, shared.ids[slot * 2] ?? -1);
      } else if (state === SlotState.Running && runner === index) {
        const cancelled = Atomics.load(meta, shared.metaIndex(slot, Meta.cancel)) === 1;
        if (owner === mainOwner) {
          const task = this.bySlot.get(slot);
          this.bySlot.delete(slot);
          this.freeSlot(slot);
          if (task !== undefined) {
            task.slot = -1;
            // Cancelled and stopped by terminating its worker: it settles as cancelled.
            if (cancelled && task.stopping) task.finish(false, undefined);
            else task.finish(true, crashed);
          }
        } else if (owner === index) {
          this.freeSlot(slot);
        } else {
          Atomics.store(meta, shared.metaIndex(slot, Meta.status), Status.Crashed);
          Atomics.store(meta, shared.metaIndex(slot, Meta.state), SlotState.Done);
          shared.mailboxes[owner]?.post(slot * 2);
          shared.wakeWorker(owner);
        }
      } else if (owner === index && (state === SlotState.Queued || state === SlotState.Running)) {
        // Its parent died with the worker: nobody is left to receive its result.
        Atomics.store(meta, shared.metaIndex(slot, Meta.cancel), 1);
        if (Atomics.compareExchange(meta, shared.metaIndex(slot, Meta.state), SlotState.Queued, SlotState.Cancelled) !== SlotState.Queued) {
          const other = Atomics.load(meta, shared.metaIndex(slot, Meta.runner));
          shared.mailboxes[other]?.post(slot * 2 + 1);
          shared.wakeWorker(other);
        }
      } else if (state === SlotState.Queued && owner === mainOwner && Atomics.load(meta, shared.metaIndex(slot, Meta.pinned)) === 1) {
        const task = this.bySlot.get(slot);
        if (task?.worker === index) repost.push(task);
      }
    }
    // Whatever is still in its deque runs elsewhere.
    const deque = shared.deques[index];
    if (deque !== undefined) {
      const moved: number[] = [];
      for (let item = deque.steal(); item !== -1; item = deque.steal()) if (item >= 0) moved.push(item);
      shared.inject.pushBatch(moved, 0, moved.length);
    }
    Atomics.store(shared.control, shared.word(index, WorkerWord.inbound), 0);
    Atomics.store(shared.control, shared.word(index, WorkerWord.park), 0);
    this.startWorker(index);
    for (const task of repost) if (task.payload !== undefined) this.post(task, task.slot, task.payload);
    shared.wake(this.options.maxThreads, 0, this.options.maxThreads);
  }

  /**
   * Cancellation reaches a running task at its next yield; a task stuck in one synchronous
   * step never gets there, and its worker cannot even read a cancel request for another
   * task. Polled a few times per `cancelTimeout`: a worker that has been in one step that
   * long, of a task that was cancelled or whose ancestor was, is terminated, and replace()
   * settles the task as cancelled. A long step of a task nobody cancelled is left alone.
   */
  private watchCancelled(): void {
    const shared = this.shared;
    if (shared === undefined || this.live === 0) return;
    const now = performance.now();
    for (let i = 0; i < this.workers.length; i++) {
      const slot = this.workers[i];
      if (slot?.alive !== true || slot.worker === undefined || slot.terminated) continue;
      const stepping = Atomics.load(shared.control, shared.word(i, WorkerWord.stepping));
      const steps = Atomics.load(shared.control, shared.word(i, WorkerWord.steps));
      if (slot.watchedStepping !== stepping || slot.watchedSteps !== steps) {
        slot.watchedStepping = stepping;
        slot.watchedSteps = steps;
        slot.watchedSince = now;
        continue;
      }
      const stuck = now - slot.watchedSince;
      if (stepping === 0 || stuck < this.options.cancelTimeout || !this.cancelRequested(shared, stepping - 1)) continue;
      slot.terminated = true;
      slot.cause = new Error(`terminated by the pool: task ${String(shared.ids[(stepping - 1) * 2])} or its parent was cancelled and it stayed ${Math.round(stuck)} ms inside one step`);
      void slot.worker.terminate();
    }
  }

  /** Whether the task in `slot`, or any ancestor that went through shared memory, was asked to stop. */
  private cancelRequested(shared: SharedState, slot: number): boolean {
    const meta = shared.meta;
    if (Atomics.load(meta, shared.metaIndex(slot, Meta.cancel)) === 1) return true;
    // Rare (a worker stuck past cancelTimeout): a scan of the slots finds the ancestors.
    const slots = meta.length / metaWords;
    const byId = new Map<number, number>();
    for (let s = 0; s < slots; s++) {
      const state = Atomics.load(meta, shared.metaIndex(s, Meta.state));
      if (state === SlotState.Queued || state === SlotState.Running) byId.set(shared.ids[s * 2] ?? -1, s);
    }
    const seen = new Set<number>();
    for (let parent = shared.ids[slot * 2 + 1] ?? -1; parent !== -1 && !seen.has(parent); ) {
      seen.add(parent);
      const at = byId.get(parent);
      if (at === undefined) return false;
      if (Atomics.load(meta, shared.metaIndex(at, Meta.cancel)) === 1) return true;
      parent = shared.ids[at * 2 + 1] ?? -1;
    }
    return false;
  }

  /**
   * A dead worker's unsent chunks took sequence numbers that will never arrive. Hands over
   * what waits behind them, in order, and lets every number taken so far pass unordered.
   */
  private skipLostSequence(shared: SharedState): void {
    const held = [...this.reorder.keys()].sort((a, b) => a - b);
    this.nextSeq = Math.max(this.nextSeq, Atomics.load(shared.control, Control.sequence));
    for (const seq of held) {
      const chunk = this.reorder.get(seq);
      this.reorder.delete(seq);
      if (chunk !== undefined) this.relay.chunk(chunk.records, chunk.from, chunk.to, chunk.extras, chunk.thread, this.reports);
    }
  }

  private checkClosed(): void {
    if (this.live !== 0 || this.resolveClosing === undefined) return;
    const resolve = this.resolveClosing;
    this.resolveClosing = undefined;
    const shared = this.shared;
    if (shared === undefined) {
      resolve();
      return;
    }
    Atomics.store(shared.control, Control.shutdown, 1);
    if (this.monitor !== undefined) clearInterval(this.monitor);
    this.monitor = undefined;
    if (this.watchdog !== undefined) clearInterval(this.watchdog);
    this.watchdog = undefined;
    const exits = this.workers.map((slot) => {
      const worker = slot.worker;
      slot.alive = false;
      return worker === undefined ? Promise.resolve(0) : worker.terminate();
    });
    void Promise.allSettled(exits).then(() => {
      resolve();
    });
  }
}

