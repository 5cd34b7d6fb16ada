import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { MessagePort } from 'node:worker_threads';
import { SpindleError, channelNames, taskRef } from '@spindle/core';
import { Interrupt, RingQueue, Step, Task, assertCloneable, describeBody, validateSpawn } from '@spindle/core/kit';
import type { SpawnOptions, Spawnable, TaskEvent, TaskReference } from '@spindle/core';
import type { TaskOwner } from '@spindle/core/kit';
import { EMPTY } from './deque.js';
import { capabilities } from './capabilities.js';
import { WorkerCrashedError } from './errors.js';
import { EventWriter } from './event-writer.js';
import { Wire } from './event-wire.js';
import type { ToWorker, WorkerInit } from './messages.js';
import { decodeError, encodeError, needsMessage, readPayload, readResult, writePayload, writeResult } from './payload.js';
import type { Payload } from './payload.js';
import { Control, Meta, SlotState, SharedState, Status, WorkerWord, mainOwner } from './shared-state.js';
import { SlotAllocator } from './slot-allocator.js';
import { ReportTo, WorkerTask } from './worker-task.js';

/** Local tasks between two looks at the inject queue, so that it is never starved. */
const injectEvery = 61;
/** Steps per synchronous run before the worker lets promise callbacks run. */
const stepsPerRun = 128;
/** How long a worker holds its event loop with work still to do. */
const turnEveryMs = 4;
/** Rounds of looking for work before a worker parks. */
const spinRounds = 32;
/**
 * How long a busy worker keeps forwarded events before it sends them. Outcomes the main
 * thread waits for go at once, and a worker sends what it holds whenever it runs out of
 * work, so only a worker that keeps stepping waits this long: it sends one message per
 * interval instead of one per run of steps, each of which costs both threads several µs.
 */
const forwardEveryMs = 1;
/** Numbers of forwarded events a busy worker sends at once, whatever the time (a message of 64 KiB). */
const forwardAtNumbers = 8192;

const cancelReason = new SpindleError('the task was cancelled by its owner');
const immediate = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * One worker of the pool: runs tasks with core's `Task` and `Coroutine`, owns one deque,
 * and is the `TaskOwner` of every task in this thread. Children spawned here go onto this
 * worker's deque (when they fit in a shared slot), from where this worker pops them LIFO
 * and idle workers steal them FIFO. A join parks the joining task; the worker runs other
 * work meanwhile, and a child finished elsewhere comes back through the mailbox.
 */
export class WorkerRuntime implements TaskOwner {
  readonly label: string;
  private readonly index: number;
  private readonly workers: number;
  private readonly minThreads: number;
  private readonly idleTimeout: number;
  private readonly idBase: number;
  private readonly shared: SharedState;
  private readonly control: Int32Array;
  private readonly meta: Int32Array;
  private readonly allocator: SlotAllocator;
  private readonly port: MessagePort;
  /** Started tasks with a step due (they cannot move to another thread). */
  private readonly ready = new RingQueue<WorkerTask>(64);
  /** Children that start here and nowhere else: payloads that hold shared memory or do not fit a slot. */
  private readonly fresh = new RingQueue<WorkerTask>(16);
  /** Tasks the main thread posted here (their payloads travel by message), not yet claimed. */
  private readonly posted = new RingQueue<{ readonly slot: number; readonly payload: Payload }>(16);
  /**
   * Set while a task waits for its module's first import in this thread. The worker takes
   * no new work from the deques until it settles: every task taken meanwhile would park on
   * the same import, out of reach of thieves, and one worker would end up with them all.
   */
  private loading: Promise<void> | undefined = undefined;
  /** Children spawned here that went into shared memory, by slot. */
  private readonly proxies = new Map<number, WorkerTask>();
  /** Tasks running here for another thread, by slot. */
  private readonly guests = new Map<number, WorkerTask>();
  private readonly guestIds = new Set<number>();
  private readonly scratch = new Int32Array(64);
  private readonly references = new Map<string, Map<string, TaskReference<never>>>();
  /** Events and reports for the main thread, sent at each flush. */
  private readonly out: EventWriter;
  private live = 0;
  private ticks = 0;
  private parkedAsync = false;
  private exiting = false;
  private forwarding = false;
  private readonly parkWord: number;
  private readonly steppingWord: number;
  private readonly stepsWord: number;
  private readonly settleListener = (message: unknown): void => {
    const event = message as TaskEvent;
    // A guest's settlement is reported by the thread holding its handle.
    if (event.kind === 'settle' && event.executor === this.label && !this.guestIds.has(event.taskId)) {
      this.out.settle(event.taskId, event.state, event.error, event.time);
    }
  };

  constructor(init: WorkerInit, port: MessagePort) {
    this.label = init.label;
    this.index = init.index;
    this.workers = init.workers;
    this.minThreads = init.minThreads;
    this.idleTimeout = init.idleTimeout;
    this.idBase = init.idBase;
    this.shared = new SharedState(init.buffers);
    this.control = this.shared.control;
    this.meta = this.shared.meta;
    this.out = new EventWriter(this.control);
    this.allocator = new SlotAllocator(this.shared.freeSlots);
    this.port = port;
    this.parkWord = this.shared.word(this.index, WorkerWord.park);
    this.steppingWord = this.shared.word(this.index, WorkerWord.stepping);
    this.stepsWord = this.shared.word(this.index, WorkerWord.steps);
    port.on('message', (message: ToWorker) => {
      Atomics.sub(this.control, this.shared.word(this.index, WorkerWord.inbound), 1);
      this.out.boundary();
      this.receive(message);
    });
  }

  /** The thread is exiting (a task called `process.exit`): start no more work. */
  dying(): void {
    this.exiting = true;
    this.flush();
  }

  /** The worker's loop; resolves when the pool shuts down. */
  async run(): Promise<void> {
    let lastTurn = performance.now();
    let lastSent = lastTurn;
    while (Atomics.load(this.control, Control.shutdown) === 0 && !this.exiting) {
      if (this.loading !== undefined) {
        this.flush();
        await this.loading;
      }
      const worked = this.runSome();
      if (worked) {
        const now = performance.now();
        const out = this.out;
        if (out.owed || out.size >= forwardAtNumbers || now - lastSent >= forwardEveryMs) {
          this.flush();
          lastSent = now;
        }
        if (now - lastTurn > turnEveryMs) {
          await immediate();
          lastTurn = performance.now();
        } else {
          // Let promise callbacks (wakes of joined tasks) run.
          await Promise.resolve();
        }
        continue;
      }
      // Nothing runnable: callbacks and the event loop may make some.
      this.flush();
      await immediate();
      lastTurn = performance.now();
      if (this.hasWork()) continue;
      let found = false;
      for (let i = 0; i < spinRounds && !found; i++) found = this.hasWork() || this.stealInto();
      if (found) continue;
      // Retired after its idle timeout: leaving the loop ends the thread (see worker.ts).
      if (await this.sleep()) return;
    }
  }

  // ------------------------------------------------------------------ TaskOwner

  spawnChild(parent: Task, body: Spawnable, args: readonly unknown[], options: SpawnOptions | undefined): Task {
    const list = validateSpawn(body, args, options, capabilities);
    const id = this.idBase + Atomics.add(this.control, Control.childIds, 1);
    const task = new WorkerTask(this, parent, id, options);
    this.live++;
    if (this.eventsOn()) this.out.spawn(id, parent.id, task.name, describeBody(body));
    if (task.cancelledAtSpawn) {
      task.finish(false, undefined);
      return task;
    }
    const ref = body as TaskReference<never>;
    if (!needsMessage(list) && this.share(task, parent, [ref.module, ref.export, list, options?.name])) return task;
    // Stays here: it holds shared memory or does not fit a slot.
    task.begin(body, list);
    this.fresh.push(task);
    return task;
  }

  interrupt(task: Task): void {
    const wt = this.own(task);
    if (wt.coroutine === undefined) {
      this.cancelShared(wt);
      return;
    }
    if (wt.state === 'running') {
      wt.interruptAfterStep = true;
      return;
    }
    const turns = wt.turns;
    if (turns !== undefined) {
      wt.turns = undefined;
      for (const turn of turns) turn.onCancel(wt.cancellationError());
    }
    switch (wt.coroutine.interrupt()) {
      case Interrupt.Now:
        if (wt.parked) {
          wt.parked = false;
          wt.token++;
        }
        wt.finish(false, undefined);
        return;
      case Interrupt.Step:
        if (wt.parked) {
          wt.parked = false;
          wt.token++;
          this.enqueue(wt);
        }
        return;
      case Interrupt.Await:
        return;
    }
  }

  turn(task: Task, onTurn: () => void, onCancel: (error: unknown) => void): void {
    const wt = this.own(task);
    if (wt.stopping) {
      onCancel(wt.cancellationError());
      return;
    }
    (wt.turns ??= []).push({ onTurn, onCancel });
    this.enqueue(wt);
  }

  settled(task: Task): void {
    this.live--;
    const wt = this.own(task);
    if (wt.reportTo === ReportTo.here) {
      // A child that ran here from its slot: the slot is done with.
      if (wt.slot >= 0 && wt.coroutine !== undefined) this.freeSlot(wt.slot);
      return;
    }
    this.guestIds.delete(wt.id);
    // Reported now, not in a microtask: a task that calls process.exit() may end this thread
    // before the next microtask, and the outcome must be in shared memory by then.
    const outcome = wt.observeOutcome();
    if (wt.state === 'fulfilled') this.report(wt, Status.Fulfilled, outcome);
    else this.report(wt, wt.state === 'cancelled' ? Status.Cancelled : Status.Rejected, encodeError(outcome));
  }

  private own(task: Task): WorkerTask {
    if (task instanceof WorkerTask && task.owner === this) return task;
    throw new TypeError(`task ${task.describe()} does not belong to ${this.label}`);
  }

  // ------------------------------------------------------------------ shared queues

  /** Puts a child into shared memory and onto this worker's deque; false if it does not fit. */
  private share(task: WorkerTask, parent: Task, payload: Payload): boolean {
    const slot = this.allocator.alloc();
    if (slot < 0) return false;
    const shared = this.shared;
    const meta = this.meta;
    Atomics.store(meta, shared.metaIndex(slot, Meta.owner), this.index);
    Atomics.store(meta, shared.metaIndex(slot, Meta.cancel), 0);
    Atomics.store(meta, shared.metaIndex(slot, Meta.runner), -1);
    Atomics.store(meta, shared.metaIndex(slot, Meta.pinned), 0);
    shared.ids[slot * 2] = task.id;
    shared.ids[slot * 2 + 1] = parent.id;
    if (!writePayload(shared, slot, payload)) {
      this.allocator.free(slot);
      return false;
    }
    Atomics.store(meta, shared.metaIndex(slot, Meta.state), SlotState.Queued);
    const deque = shared.deques[this.index];
    if (deque === undefined) throw new Error('no deque');
    if (!deque.push(slot)) {
      // Full: move the older half to the inject queue in one batch, where any worker finds it.
      const n = deque.stealHalf(this.scratch, 0, this.scratch.length);
      const moved = shared.inject.pushBatch(this.scratch, 0, n);
      for (let i = moved; i < n; i++) deque.push(this.scratch[i] ?? 0);
      if (!deque.push(slot)) {
        Atomics.store(meta, shared.metaIndex(slot, Meta.state), SlotState.Free);
        this.allocator.free(slot);
        return false;
      }
    }
    task.slot = slot;
    this.proxies.set(slot, task);
    if (Atomics.load(this.control, Control.sleepers) > 0 && Atomics.load(this.control, Control.searching) === 0) {
      shared.wake(1, this.index + 1, this.workers);
    }
    return true;
  }

  /** Cancels a child of this worker that is in shared memory (queued, or running elsewhere). */
  private cancelShared(task: WorkerTask): void {
    const slot = task.slot;
    if (slot < 0) {
      task.finish(false, undefined);
      return;
    }
    const shared = this.shared;
    Atomics.store(this.meta, shared.metaIndex(slot, Meta.cancel), 1);
    const previous = Atomics.compareExchange(this.meta, shared.metaIndex(slot, Meta.state), SlotState.Queued, SlotState.Cancelled);
    if (previous === SlotState.Queued) {
      // Whoever takes the slot from a queue frees it without running it.
      this.proxies.delete(slot);
      task.slot = -1;
      task.finish(false, undefined);
    } else if (previous === SlotState.Running) {
      this.askToCancel(slot);
    }
    // Done: its completion is in the mailbox already.
  }

  private askToCancel(slot: number): void {
    const runner = Atomics.load(this.meta, this.shared.metaIndex(slot, Meta.runner));
    if (runner === this.index) {
      this.onCancelRequest(slot);
      return;
    }
    this.shared.mailboxes[runner]?.post(slot * 2 + 1);
    this.shared.wakeWorker(runner);
  }

  private freeSlot(slot: number): void {
    Atomics.store(this.meta, this.shared.metaIndex(slot, Meta.state), SlotState.Free);
    this.allocator.free(slot);
    if (Atomics.load(this.control, Control.roomWanted) === 1) {
      this.allocator.flush();
      Atomics.store(this.control, Control.roomWanted, 0);
      Atomics.notify(this.control, Control.roomWanted);
    }
  }

  /** Claims a slot taken from a queue and starts its task; false if it was cancelled meanwhile. */
  private startSlot(slot: number, from: number): boolean {
    const shared = this.shared;
    const meta = this.meta;
    Atomics.store(meta, shared.metaIndex(slot, Meta.runner), this.index);
    if (Atomics.compareExchange(meta, shared.metaIndex(slot, Meta.state), SlotState.Queued, SlotState.Running) !== SlotState.Queued) {
      this.freeSlot(slot);
      return false;
    }
    const owner = Atomics.load(meta, shared.metaIndex(slot, Meta.owner));
    const [module, exportName, args, name] = readPayload(shared, slot);
    let task: WorkerTask | undefined;
    if (owner === this.index) task = this.proxies.get(slot);
    if (task === undefined) {
      task = this.guest(slot, owner, shared.ids[slot * 2] ?? -1, name);
      if (from >= 0 && this.eventsOn()) this.out.steal(task.id, from, this.index);
    } else {
      this.proxies.delete(slot);
    }
    task.begin(this.reference(module, exportName), args);
    this.step(task);
    return true;
  }

  /** One reference per module and export: `taskRef` parses the URL, which costs more than a tiny task. */
  private reference(module: string, exportName: string): TaskReference<never> {
    let exports = this.references.get(module);
    if (exports === undefined) this.references.set(module, (exports = new Map<string, TaskReference<never>>()));
    let ref = exports.get(exportName);
    if (ref === undefined) exports.set(exportName, (ref = taskRef(module, exportName) as TaskReference<never>));
    return ref;
  }

  private guest(slot: number, owner: number, id: number, name: string | undefined): WorkerTask {
    const task = new WorkerTask(this, undefined, id, name === undefined ? undefined : { name });
    task.slot = slot;
    task.reportTo = owner;
    this.live++;
    this.guests.set(slot, task);
    this.guestIds.add(id);
    if (Atomics.load(this.meta, this.shared.metaIndex(slot, Meta.cancel)) === 1) task.cancel(cancelReason);
    return task;
  }

  /** A guest settled: hand its outcome to the thread holding its handle. */
  private report(task: WorkerTask, status: number, value: unknown): void {
    const slot = task.slot;
    this.guests.delete(slot);
    const shared = this.shared;
    let fits = true;
    try {
      fits = writeResult(shared, slot, value);
    } catch (error) {
      status = Status.Rejected;
      fits = writeResult(shared, slot, encodeError(error));
    }
    if (task.reportTo === mainOwner) {
      const sequenced = this.eventsOn();
      if (fits) {
        // The result is in shared memory before the main thread hears of it: if this thread
        // dies before its next flush, the main thread still finds it there (see replace()).
        Atomics.store(this.meta, shared.metaIndex(slot, Meta.status), status);
        Atomics.store(this.meta, shared.metaIndex(slot, Meta.state), SlotState.Done);
        this.out.done(slot, task.id, sequenced);
      } else {
        // Too large for the slot: it travels by message, posted now so that a crash of this
        // thread cannot take it (a dead worker's port is drained before its exit event).
        this.relayed(slot);
        this.out.doneWithValue(slot, status, value, sequenced);
        this.flush();
      }
      return;
    }
    if (!fits) {
      // Too large for the slot: the result takes the long way, through the main thread.
      this.relayed(slot);
      this.out.relay(task.reportTo, slot, status, value);
      this.flush();
      return;
    }
    Atomics.store(this.meta, shared.metaIndex(slot, Meta.status), status);
    Atomics.store(this.meta, shared.metaIndex(slot, Meta.state), SlotState.Done);
    shared.mailboxes[task.reportTo]?.post(slot * 2);
    shared.wakeWorker(task.reportTo);
  }

  /** Marks a slot whose result left by message, so that a crash of this thread does not fail it too. */
  private relayed(slot: number): void {
    Atomics.store(this.meta, this.shared.metaIndex(slot, Meta.status), Status.Relayed);
    Atomics.store(this.meta, this.shared.metaIndex(slot, Meta.state), SlotState.Done);
  }

  private receive(message: ToWorker): void {
    if (message.t === 'task') {
      // Claimed when it starts, not now: until then it stays Queued, so that the main thread
      // posts it again elsewhere if this thread dies first.
      this.posted.push(message);
    } else {
      this.completeProxy(message.slot, message.status, message.value);
    }
    this.kick();
  }

  private onMail(item: number): void {
    const slot = item >> 1;
    if ((item & 1) === 1) {
      this.onCancelRequest(slot);
      return;
    }
    const shared = this.shared;
    const status = Atomics.load(this.meta, shared.metaIndex(slot, Meta.status));
    const value = status === Status.Crashed ? undefined : readResult(shared, slot);
    this.completeProxy(slot, status, value);
  }

  private onCancelRequest(slot: number): void {
    const task = this.guests.get(slot) ?? this.proxies.get(slot);
    if (task === undefined) return;
    if (Atomics.load(this.meta, this.shared.metaIndex(slot, Meta.cancel)) === 1) task.cancel(cancelReason);
  }

  private completeProxy(slot: number, status: number, value: unknown): void {
    const task = this.proxies.get(slot);
    const runner = Atomics.load(this.meta, this.shared.metaIndex(slot, Meta.runner));
    this.freeSlot(slot);
    // No proxy: a completion for a worker that died and was replaced; the slot is freed.
    if (task === undefined) return;
    this.proxies.delete(slot);
    task.slot = -1;
    task.state = 'suspended';
    switch (status) {
      case Status.Fulfilled:
        task.finish(false, value);
        return;
      case Status.Cancelled:
        if (task.stopping) task.finish(false, undefined);
        else task.finish(true, decodeError(value));
        return;
      case Status.Crashed:
        // A cancelled child whose worker was terminated to stop it settles as cancelled.
        if (task.stopping) task.finish(false, undefined);
        else task.finish(true, new WorkerCrashedError(runner, 'the worker running it died'));
        return;
      default:
        task.finish(true, decodeError(value));
    }
  }

  // ------------------------------------------------------------------ running

  private runSome(): boolean {
    this.checkEvents();
    const shared = this.shared;
    const deque = shared.deques[this.index];
    if (deque === undefined) return false;
    const mailbox = shared.mailboxes[this.index];
    let worked = false;
    const started = performance.now();
    // Each run starts a chunk of its own: promise callbacks since the last one may have
    // acted on news from another thread that did not come through the pool (a task body's
    // own channel), and one atomic add per run costs next to nothing.
    this.out.boundary();
    for (let i = 0; i < stepsPerRun && !this.exiting; i++) {
      if (mailbox?.pending === true) {
        this.out.boundary();
        mailbox.drain((item) => {
          this.onMail(item);
        });
        worked = true;
      }
      const task = this.ready.shift();
      if (task !== undefined) {
        worked = true;
        task.queued = false;
        if (!task.bodyFinished) this.runTurn(task);
      }
      if (this.loading !== undefined) {
        if (task === undefined) break;
        continue;
      }
      if (++this.ticks % injectEvery === 0 && this.takeInject()) {
        worked = true;
        continue;
      }
      const local = this.fresh.shift();
      if (local !== undefined) {
        worked = true;
        this.startLocal(local);
        continue;
      }
      const posted = this.posted.shift();
      if (posted !== undefined) {
        worked = true;
        this.startPosted(posted.slot, posted.payload);
        continue;
      }
      const slot = deque.pop();
      if (slot !== EMPTY) {
        worked = true;
        this.startSlot(slot, -1);
        continue;
      }
      if (this.takeInject() || this.stealInto()) {
        worked = true;
        continue;
      }
      if (task === undefined) break;
      if ((i & 15) === 15 && performance.now() - started > turnEveryMs) break;
    }
    return worked;
  }

  /** Claims and starts a task the main thread posted here; nothing if it was cancelled meanwhile. */
  private startPosted(slot: number, payload: Payload): void {
    const meta = this.meta;
    Atomics.store(meta, this.shared.metaIndex(slot, Meta.runner), this.index);
    if (Atomics.compareExchange(meta, this.shared.metaIndex(slot, Meta.state), SlotState.Queued, SlotState.Running) !== SlotState.Queued) {
      this.freeSlot(slot);
      return;
    }
    const [module, exportName, args, name] = payload;
    const task = this.guest(slot, mainOwner, this.shared.ids[slot * 2] ?? -1, name);
    task.begin(this.reference(module, exportName), args);
    this.step(task);
  }

  private startLocal(task: WorkerTask): void {
    if (task.bodyFinished) return;
    if (task.reportTo === ReportTo.here && task.stopping) {
      task.finish(false, undefined);
      return;
    }
    this.step(task);
  }

  /** Takes a batch from the inject queue: runs the first, keeps the rest on this deque. */
  private takeInject(): boolean {
    const shared = this.shared;
    const size = shared.inject.size;
    if (size <= 0) return false;
    const want = Math.max(1, Math.min(this.scratch.length, Math.ceil(size / this.workers)));
    const n = shared.inject.takeBatch(this.scratch, 0, want);
    if (n === 0) return false;
    this.out.boundary();
    Atomics.add(this.control, shared.word(this.index, WorkerWord.injectTakes), 1);
    if (Atomics.load(this.control, Control.roomWanted) === 1) {
      Atomics.store(this.control, Control.roomWanted, 0);
      Atomics.notify(this.control, Control.roomWanted);
    }
    this.keep(1, n);
    if (n > 1 && Atomics.load(this.control, Control.sleepers) > 0) shared.wake(1, this.index + 1, this.workers);
    this.startSlot(this.scratch[0] ?? 0, -1);
    return true;
  }

  /** Pushes `scratch[from..n)` onto this worker's deque (spilling to inject if it is full). */
  private keep(from: number, n: number): void {
    const deque = this.shared.deques[this.index];
    if (deque === undefined) return;
    // Pushed newest-last so that the owner pops them in the order they were queued.
    for (let i = n - 1; i >= from; i--) {
      const slot = this.scratch[i] ?? 0;
      if (!deque.push(slot)) this.shared.inject.pushBatch([slot], 0, 1);
    }
  }

  /**
   * Looks for work in other workers' deques (at most about half the workers search at
   * once, so that idle workers do not all hammer the same victims). Steals about half of
   * the first victim with work; runs one, keeps the rest.
   */
  private stealInto(): boolean {
    const control = this.control;
    const limit = Math.max(1, this.workers >> 1);
    for (;;) {
      const searching = Atomics.load(control, Control.searching);
      if (searching >= limit) return false;
      if (Atomics.compareExchange(control, Control.searching, searching, searching + 1) === searching) break;
    }
    let taken = 0;
    let victim = -1;
    const start = (Math.random() * this.workers) | 0;
    for (let i = 0; i < this.workers && taken === 0; i++) {
      victim = (start + i) % this.workers;
      if (victim === this.index) continue;
      const deque = this.shared.deques[victim];
      if (deque === undefined || deque.size === 0) continue;
      taken = deque.stealHalf(this.scratch, 0, this.scratch.length >> 1);
    }
    const last = Atomics.sub(control, Control.searching, 1) === 1;
    if (taken === 0) return false;
    this.out.boundary();
    Atomics.add(control, this.shared.word(this.index, WorkerWord.steals), 1);
    // The last searcher found work: there may be more, so get another worker looking.
    if (last && Atomics.load(control, Control.sleepers) > 0) this.shared.wake(1, this.index + 1, this.workers);
    const first = this.scratch[0] ?? 0;
    if (this.eventsOn()) {
      for (let i = 1; i < taken; i++) this.emitSteal(this.scratch[i] ?? 0, victim);
    }
    this.keep(1, taken);
    this.startSlot(first, victim);
    return true;
  }

  private emitSteal(slot: number, from: number): void {
    this.out.steal(this.shared.ids[slot * 2] ?? -1, from, this.index);
  }

  private runTurn(task: WorkerTask): void {
    const turns = task.turns;
    if (turns !== undefined && turns.length > 0) {
      const turn = turns.shift();
      if (turns.length === 0) task.turns = undefined;
      turn?.onTurn();
      return;
    }
    this.step(task);
  }

  private step(task: WorkerTask): void {
    const coroutine = task.coroutine;
    if (coroutine === undefined) return;
    const first = task.state === 'pending';
    task.state = 'running';
    Atomics.add(this.control, this.shared.word(this.index, WorkerWord.executed), first ? 1 : 0);
    if (this.eventsOn()) this.out.event(first ? Wire.Start : Wire.Resume, task.id);
    const control = this.control;
    Atomics.store(control, this.steppingWord, task.slot + 1);
    Atomics.add(control, this.stepsWord, 1);
    const outcome = coroutine.step();
    Atomics.store(control, this.steppingWord, 0);
    switch (outcome) {
      case Step.Yield:
        task.state = 'suspended';
        this.emitSuspend(task, 'yield');
        this.enqueue(task);
        break;
      case Step.Wait:
        task.state = 'suspended';
        this.emitSuspend(task, 'wait', coroutine.value);
        this.park(task, coroutine.value);
        if (coroutine.loading && this.loading === undefined) {
          const settled = (): void => {
            this.loading = undefined;
          };
          this.loading = Promise.resolve(coroutine.value).then(settled, settled);
        }
        break;
      case Step.Done: {
        const value = coroutine.value;
        coroutine.value = undefined;
        task.state = 'suspended';
        try {
          assertCloneable([value], 'result');
        } catch (error) {
          task.finish(true, error);
          break;
        }
        task.finish(false, value);
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

  private enqueue(task: WorkerTask): void {
    task.queued = true;
    this.ready.push(task);
    this.kick();
  }

  private park(task: WorkerTask, awaited: unknown): void {
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

  private wake(task: WorkerTask, token: number, failed: boolean, value: unknown): void {
    if (task.token !== token || !task.parked) return;
    task.parked = false;
    const coroutine = task.coroutine;
    if (coroutine === undefined) return;
    if (failed) coroutine.reject(value);
    else coroutine.resolve(value);
    if (this.eventsOn()) this.out.event(Wire.Wake, task.id);
    this.enqueue(task);
  }

  private emitSuspend(task: WorkerTask, reason: 'yield' | 'wait', waited?: unknown): void {
    if (!this.eventsOn()) return;
    if (reason === 'yield') this.out.event(Wire.SuspendYield, task.id);
    // Pool task ids are unique across the pool, so the wait-cycle detector can follow them.
    else this.out.suspendWait(task.id, waited instanceof Task ? waited.id : -1);
  }

  // ------------------------------------------------------------------ sleeping

  private hasWork(): boolean {
    const shared = this.shared;
    if (this.ready.size > 0 || this.fresh.size > 0 || this.posted.size > 0) return true;
    if (shared.mailboxes[this.index]?.pending === true) return true;
    if (shared.inject.size > 0) return true;
    for (const deque of shared.deques) if (deque.size > 0) return true;
    return false;
  }

  /**
   * Parks until woken. The worker first says it is going to sleep (its park word and the
   * sleeper count), then looks at every queue once more: a producer publishes work before
   * it checks for sleepers, so either it sees this worker asleep and wakes it, or this
   * worker sees the work. No wake-up is lost. Resolves true if the worker retired instead
   * of waking (see {@link retire}).
   */
  private async sleep(): Promise<boolean> {
    const control = this.control;
    Atomics.store(control, this.parkWord, 1);
    Atomics.add(control, Control.sleepers, 1);
    this.flush();
    if (!this.hasWork() && Atomics.load(control, Control.shutdown) === 0) {
      Atomics.add(control, this.shared.word(this.index, WorkerWord.parks), 1);
      const parkedAt = performance.now();
      const inbound = Atomics.load(control, this.shared.word(this.index, WorkerWord.inbound));
      if (this.live === 0 && inbound === 0) {
        // Nothing here waits on this thread's event loop: block the thread outright. Above
        // the floor the wait is bounded by the idle timeout, after which the worker may retire.
        const mayRetire = Atomics.load(control, Control.running) > this.minThreads;
        const outcome = mayRetire ? Atomics.wait(control, this.parkWord, 1, this.idleTimeout) : Atomics.wait(control, this.parkWord, 1);
        if (outcome === 'timed-out' && this.retire()) {
          Atomics.store(control, this.parkWord, 0);
          Atomics.sub(control, Control.sleepers, 1);
          return true;
        }
      } else {
        this.parkedAsync = true;
        const waiting = Atomics.waitAsync(control, this.parkWord, 1);
        if (waiting.async) await waiting.value;
        this.parkedAsync = false;
      }
      Atomics.add(control, this.shared.word(this.index, WorkerWord.parkedMicros), Math.round((performance.now() - parkedAt) * 1000));
    }
    Atomics.store(control, this.parkWord, 0);
    Atomics.sub(control, Control.sleepers, 1);
    return false;
  }

  /**
   * Decides whether this worker, idle for its timeout, leaves the pool; true if it does.
   * Three claims, each undone if a later one fails:
   * 1. its own park word (1 to 0), so that no producer counts it as woken from here on and
   *    a wake-up cannot go to a worker that is leaving (if the CAS fails, someone did wake it);
   * 2. one off the running count, only while that stays at or above `minThreads`;
   * 3. its inbound word (0 to -1), so that the main thread posts it nothing more.
   * Between 2 and 3 it looks at every queue once more: work published before the count
   * dropped is seen here, and work the main thread publishes later finds the count lower
   * (it starts a worker if none is left).
   */
  private retire(): boolean {
    const control = this.control;
    if (Atomics.compareExchange(control, this.parkWord, 1, 0) !== 1) return false;
    for (;;) {
      const running = Atomics.load(control, Control.running);
      if (running <= this.minThreads) return false;
      if (Atomics.compareExchange(control, Control.running, running, running - 1) === running) break;
    }
    const inbound = this.shared.word(this.index, WorkerWord.inbound);
    if (this.live > 0 || this.hasWork() || Atomics.compareExchange(control, inbound, 0, -1) !== 0) {
      Atomics.add(control, Control.running, 1);
      return false;
    }
    this.flush();
    return true;
  }

  /** Something in this thread made work (a wake, a message) while the loop may be parked. */
  private kick(): void {
    if (this.parkedAsync) this.shared.wakeWorker(this.index);
  }

  // ------------------------------------------------------------------ events and results

  private eventsOn(): boolean {
    return Atomics.load(this.control, Control.events) === 1;
  }

  private checkEvents(): void {
    const on = this.eventsOn();
    if (on === this.forwarding) return;
    this.forwarding = on;
    if (on) subscribe(channelNames.settle, this.settleListener);
    else unsubscribe(channelNames.settle, this.settleListener);
  }

  private flush(): void {
    const message = this.out.take();
    if (message === undefined) return;
    this.port.postMessage(message.report, [message.transfer]);
  }
}
