import { Worker } from 'node:worker_threads';
import type { WorkerReport } from '../shared/event-wire.js';
import type { ToWorker, WorkerInit } from '../shared/messages.js';
import { Control, WorkerWord } from '../shared/shared-state.js';
import type { SharedState } from '../shared/shared-state.js';
import type { ResolvedPoolOptions } from './options.js';
import { publishGrow, publishRetire } from './pool-channels.js';
import type { PoolGrowEvent } from './pool-channels.js';
import type { PoolStats, PoolWorkerStats } from './pool-stats.js';
import { SAMPLE_EVERY_MS, WorkerCounters } from './worker-counters.js';

/**
 * The worker entry, built next to this module. Always the ES module build, also under the
 * CommonJS build of the package: workers load task modules with `import()`, which only the
 * ES module build of core keeps as it is.
 */
const workerUrl = new URL('./worker.js', import.meta.url);

/** One worker thread, as the main thread keeps it. */
interface WorkerThread {
  worker: Worker | undefined;
  alive: boolean;
  /** What it died of, when known. */
  cause: unknown;
  /** Terminated by the pool to stop a stuck cancelled task (not a crash). */
  terminated: boolean;
}

/** What the worker threads need from the pool they belong to. */
export interface WorkersHost {
  /** A worker's report arrived from `thread`. */
  report(report: WorkerReport, thread: number): void;
  /** Worker `index` died: recover its work, then {@link Workers.restart} it. */
  died(index: number, cause: unknown): void;
  /** Tasks accepted and not yet settled. */
  readonly live: number;
  /** Tasks waiting to start. */
  readonly queued: number;
  /** True once the pool is closed: it grows no more. */
  readonly closed: boolean;
}

/**
 * The pool's worker threads: starting them (the initial ones, then by growth up to
 * `maxThreads` under the starvation rule), their retirement, their exits, and which of
 * them a message goes to.
 */
export class Workers {
  private readonly threads: WorkerThread[] = [];
  /** Workers started with the pool (the rest come by growth). */
  private readonly initialThreads: number;
  private started = 0;
  private readyWaiters: (() => void)[] = [];
  private monitor: ReturnType<typeof setInterval> | undefined = undefined;
  private readonly counters: WorkerCounters;
  /** Reads the counters now and then, so that their 32-bit words never wrap unseen. */
  private sampler: ReturnType<typeof setInterval> | undefined;
  private lastExecuted = -1;
  private lastProgress = 0;
  private referenced = false;
  private nextPinned = 0;
  private crashes = 0;
  private terminations = 0;

  constructor(
    private readonly shared: SharedState,
    private readonly options: ResolvedPoolOptions,
    private readonly label: string,
    private readonly poolNumber: number,
    private readonly host: WorkersHost,
  ) {
    for (let i = 0; i < options.maxThreads; i++) this.threads.push({ worker: undefined, alive: false, cause: undefined, terminated: false });
    // Shared memory is sized for maxThreads from the start; only minThreads (at least one,
    // so that work can start) run until the starvation rule adds more.
    this.initialThreads = Math.max(1, options.minThreads);
    this.counters = new WorkerCounters(shared, options.maxThreads);
    this.sampler = setInterval(() => {
      this.counters.sample();
    }, SAMPLE_EVERY_MS);
    this.sampler.unref();
    for (let i = 0; i < this.initialThreads; i++) this.add(i);
    if (options.minThreads < options.maxThreads) {
      this.lastProgress = performance.now();
      this.monitor = setInterval(() => {
        this.checkStarvation();
      }, Math.max(1, Math.min(100, options.growAfter >> 2)));
      this.monitor.unref();
    }
  }

  /** Workers running. */
  get alive(): number {
    let n = 0;
    for (const thread of this.threads) if (thread.alive) n++;
    return n;
  }

  /** The figures the workers keep in shared memory, and the crashes and terminations seen. */
  stats(): Omit<PoolStats, 'live' | 'queued' | 'waitTime' | 'runTime'> {
    const shared = this.shared;
    const read = (i: number, which: number): number => Atomics.load(shared.control, shared.word(i, which));
    const counters = this.counters;
    let executed = 0;
    let steals = 0;
    let awake = 0;
    const workers: PoolWorkerStats[] = [];
    this.threads.forEach((thread, i) => {
      if (!thread.alive) return;
      const figures: PoolWorkerStats = {
        index: i,
        executed: counters.read(i, WorkerWord.executed),
        steals: counters.read(i, WorkerWord.steals),
        parks: counters.read(i, WorkerWord.parks),
        injectTakes: counters.read(i, WorkerWord.injectTakes),
        parkedMicros: counters.read(i, WorkerWord.parkedMicros),
      };
      workers.push(figures);
      executed += figures.executed;
      steals += figures.steals;
      if (read(i, WorkerWord.park) === 0) awake++;
    });
    const threads = workers.length;
    const utilisation = threads === 0 ? 0 : awake / threads;
    return { threads, executed, steals, crashes: this.crashes, terminated: this.terminations, utilisation, workers };
  }

  /** Resolves once every initial worker runs. */
  ready(): Promise<void> {
    if (this.started >= this.initialThreads) return Promise.resolve();
    return new Promise<void>((resolve) => this.readyWaiters.push(resolve));
  }

  /** Whether worker `index` runs (and has not been asked to stop). */
  running(index: number): boolean {
    const thread = this.threads[index];
    return thread?.alive === true && thread.worker !== undefined && !thread.terminated;
  }

  /** An idle pool must not keep the process alive; a busy one must. */
  setReferenced(on: boolean): void {
    if (this.referenced === on) return;
    this.referenced = on;
    for (const thread of this.threads) {
      if (on) thread.worker?.ref();
      else thread.worker?.unref();
    }
  }

  /** Posts a task (its payload travels by message) to the next worker that takes messages; its index, or -1 if none does. */
  postTask(message: ToWorker, transfer?: readonly ArrayBuffer[]): number {
    this.ensureOne();
    const n = this.threads.length;
    for (let i = 0; i < n; i++) {
      const index = (this.nextPinned + i) % n;
      if (this.post(index, message, transfer)) {
        this.nextPinned = index + 1;
        return index;
      }
    }
    return -1;
  }

  /**
   * Posts `message` to worker `index` and wakes it; false if that worker is gone or
   * retired. Counted before posting: the worker must not block its event loop while a
   * message is in flight, and a worker that retired (-1) is skipped. The buffers in
   * `transfer` move with the message.
   */
  post(index: number, message: ToWorker, transfer?: readonly ArrayBuffer[]): boolean {
    const thread = this.threads[index];
    if (thread?.alive !== true || thread.worker === undefined || !this.claimInbound(index)) return false;
    thread.worker.postMessage(message, transfer);
    this.shared.wakeWorker(index);
    return true;
  }

  /** With `minThreads: 0` every worker may have retired: queued work then needs one. */
  ensureOne(): void {
    if (this.host.closed || this.host.live === 0) return;
    if (Atomics.load(this.shared.control, Control.running) === 0) this.grow('no-worker', 0);
  }

  /** Starts a new worker in the place of worker `index`, which died (same index, deque and mailbox). */
  restart(index: number): void {
    const control = this.shared.control;
    Atomics.store(control, this.shared.word(index, WorkerWord.inbound), 0);
    Atomics.store(control, this.shared.word(index, WorkerWord.park), 0);
    this.start(index);
  }

  /** Terminates worker `index` to stop a task stuck in one step; it is then restarted like a crashed one. */
  terminate(index: number, cause: Error): void {
    const thread = this.threads[index];
    if (thread?.worker === undefined) return;
    thread.terminated = true;
    thread.cause = cause;
    void thread.worker.terminate();
  }

  /** Stops every worker; resolves when all have exited. */
  async stop(): Promise<void> {
    if (this.monitor !== undefined) clearInterval(this.monitor);
    this.monitor = undefined;
    if (this.sampler !== undefined) clearInterval(this.sampler);
    this.sampler = undefined;
    const exits = this.threads.map((thread) => {
      const worker = thread.worker;
      thread.alive = false;
      return worker === undefined ? Promise.resolve(0) : worker.terminate();
    });
    await Promise.allSettled(exits);
  }

  /** Adds one to a worker's inbound count unless it retired (-1); false if it did. */
  private claimInbound(index: number): boolean {
    const control = this.shared.control;
    const word = this.shared.word(index, WorkerWord.inbound);
    for (;;) {
      const n = Atomics.load(control, word);
      if (n < 0) return false;
      if (Atomics.compareExchange(control, word, n, n + 1) === n) return true;
    }
  }

  /** Starts a worker at a free index, counting it as running before it exists. */
  private add(index: number): void {
    Atomics.add(this.shared.control, Control.running, 1);
    // A retired worker left -1 in its inbound word; its deque and mailbox are empty.
    this.restart(index);
  }

  /** Adds a worker if below `maxThreads`, and says why on `spindle:pool:grow`. */
  private grow(cause: PoolGrowEvent['cause'], waitedMs: number): void {
    const index = this.threads.findIndex((thread) => !thread.alive && thread.worker === undefined);
    if (index < 0 || this.host.closed) return;
    this.add(index);
    publishGrow(() => ({ pool: this.label, worker: index, threads: this.alive, cause, queued: this.host.queued, waitedMs, time: performance.now() }));
  }

  /**
   * The starvation rule, polled a few times per `growAfter`: if work is queued, no worker is
   * parked (each is running or blocked in a task) and no worker has started a task since the
   * last progress, for `growAfter` ms, add a worker. A parked worker with queued work is a
   * wake-up matter, not starvation, so it never triggers growth.
   */
  private checkStarvation(): void {
    if (this.host.closed) return;
    const shared = this.shared;
    const now = performance.now();
    let executed = 0;
    let anyParked = false;
    let alive = 0;
    for (let i = 0; i < this.threads.length; i++) {
      if (this.threads[i]?.alive !== true) continue;
      alive++;
      executed += Atomics.load(shared.control, shared.word(i, WorkerWord.executed));
      if (Atomics.load(shared.control, shared.word(i, WorkerWord.park)) === 1) anyParked = true;
    }
    if (executed !== this.lastExecuted || anyParked || this.host.queued === 0 || alive >= this.options.maxThreads) {
      this.lastExecuted = executed;
      this.lastProgress = now;
      return;
    }
    const waited = now - this.lastProgress;
    if (waited < this.options.growAfter) return;
    this.lastProgress = now;
    this.grow('starvation', waited);
  }

  private start(index: number): void {
    const o = this.options;
    const init: WorkerInit = {
      buffers: this.shared.buffers,
      index,
      workers: o.maxThreads,
      minThreads: o.minThreads,
      idleTimeout: o.idleTimeout,
      label: this.label,
      idBase: this.poolNumber * 2 ** 32,
    };
    const worker = new Worker(workerUrl, {
      workerData: init,
      execArgv: [...o.execArgv],
      ...(o.env === undefined ? {} : { env: { ...o.env } }),
      ...(o.resourceLimits === undefined ? {} : { resourceLimits: o.resourceLimits }),
      stdout: false,
      stderr: false,
    });
    const thread = this.threads[index];
    if (thread === undefined) return;
    thread.worker = worker;
    thread.alive = true;
    thread.cause = undefined;
    thread.terminated = false;
    let announced = false;
    const threadId = worker.threadId;
    worker.on('message', (report: WorkerReport) => {
      if (!announced) {
        announced = true;
        this.announced();
      }
      this.host.report(report, threadId);
    });
    worker.on('error', (error) => {
      thread.cause = error;
    });
    worker.on('exit', (code) => {
      if (thread.worker !== worker) return;
      thread.alive = false;
      thread.worker = undefined;
      const control = this.shared.control;
      if (Atomics.load(control, Control.shutdown) === 1) return;
      if (Atomics.load(control, this.shared.word(index, WorkerWord.inbound)) === -1) {
        this.retired(index);
        return;
      }
      if (thread.terminated) this.terminations++;
      else this.crashes++;
      this.host.died(index, thread.cause ?? code);
    });
    if (!this.referenced) worker.unref();
  }

  /** A worker left after its idle timeout (it claimed its inbound word, so nothing is lost). */
  private retired(index: number): void {
    const idleTimeout = this.options.idleTimeout;
    publishRetire(() => ({ pool: this.label, worker: index, threads: this.alive, cause: 'idle-timeout', idleTimeout, time: performance.now() }));
    this.ensureOne();
  }

  /** A worker sent its first message: it runs. */
  private announced(): void {
    this.started++;
    if (this.started < this.initialThreads) return;
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
