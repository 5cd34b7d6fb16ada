import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { MessagePort } from 'node:worker_threads';
import { channelNames } from '@spindle/core';
import { Harness, Listening, PriorityLanes, RingQueue, Step, Task, describeBody, validateSpawn } from '@spindle/core/kit';
import type { SpawnOptions, Spawnable, TaskEvent, TaskReference } from '@spindle/core';
import type { Coroutine, StepOutcome } from '@spindle/core/kit';
import { capabilities } from '../capabilities.js';
import { Wire } from '../shared/event-wire.js';
import type { Mailbox } from '../shared/mailbox.js';
import { childTaskId } from '../shared/messages.js';
import type { ToWorker, WorkerInit } from '../shared/messages.js';
import type { PoolSpawnOptions } from '../shared/spawn-options.js';
import { needsMessage } from '../shared/payload.js';
import { importingModules } from '../shared/importing.js';
import { checkMovingArguments, moveArguments } from '../shared/transfer.js';
import { Control, SharedState, WorkerWord } from '../shared/shared-state.js';
import { EventWriter } from './event-writer.js';
import { WorkFinder } from './find-work.js';
import type { WorkRunner } from './find-work.js';
import { LocalStarts } from './local-starts.js';
import { Parking } from './parking.js';
import type { ParkingWorker } from './parking.js';
import { SlotTasks } from './slot-tasks.js';
import { UnsharedChildren } from './unshared-children.js';
import type { KeepingWorker } from './unshared-children.js';
import { WorkerTask } from './worker-task.js';

/** Local tasks between two looks at the inject queue, so that it is never starved. */
const injectEvery = 61;
/** Children a worker's deque holds for thieves before it keeps further ones to itself (see `UnsharedChildren`). */
const shareDepth = 4;
/**
 * Steps nested at most (a join runs a kept child within the joining step, see
 * `UnsharedChildren.runJoined`); deeper, a join parks as any other.
 */
const deepestSteps = 48;
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

const immediate = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * One worker of the pool: steps its tasks through the kit's harness, owns one deque, and
 * is the owner of every task in this thread. Its policy is the order it looks for work
 * in: its mailbox, its ready tasks (highest priority first), now and then the inject
 * queue, tasks only it can start (children that stay here, tasks posted to it), its own
 * deque (newest first), the inject queue, other workers' deques (stealing), then the
 * priority queue; a task about to start gives way to a more urgent one waiting in the
 * inject or priority queue (see `WorkFinder`). Children spawned here go onto this
 * worker's deque when they fit in a shared slot; idle workers steal them. A join parks the
 * joining task, the worker runs other work meanwhile, and a child finished elsewhere comes
 * back through the mailbox.
 */
export class WorkerRuntime extends Harness<WorkerTask> implements WorkRunner, ParkingWorker, KeepingWorker {
  private readonly index: number;
  private readonly idBase: number;
  private readonly shared: SharedState;
  private readonly control: Int32Array;
  private readonly mailbox: Mailbox;
  private readonly port: MessagePort;
  /** Events and reports for the main thread, sent at each flush. */
  private readonly out: EventWriter;
  private readonly finder: WorkFinder;
  private readonly parking: Parking;
  private readonly tasks: SlotTasks;
  /** Started tasks with a step due (they cannot move to another thread), highest priority first. */
  private readonly ready = new PriorityLanes<WorkerTask>(() => new RingQueue<WorkerTask>(64));
  /** Tasks that start here and nowhere else, not yet started (see `LocalStarts`). */
  private readonly local = new LocalStarts();
  /** Children kept here unserialised, not yet started (see `UnsharedChildren`). */
  private readonly unshared: UnsharedChildren;
  /** The task whose step runs now, and how many steps nest (see `deepestSteps`). */
  private current: WorkerTask | undefined = undefined;
  private depth = 0;
  /**
   * Set while a task waits for its module's first import in this thread. The worker takes
   * no new work from the deques until it settles: every task taken meanwhile would park on
   * the same import, out of reach of thieves, and one worker would end up with them all.
   */
  private loading: Promise<void> | undefined = undefined;
  private live = 0;
  private ticks = 0;
  private exiting = false;
  /** Set when the loop must let the event loop run before it starts anything (messages are on their way). */
  private turnNow = false;
  /** Messages posted to this worker and not yet received (see `WorkerWord.inbound`). */
  private readonly inboundWord: number;
  /** Words the cancel watchdog on the main thread reads (see `WorkerWord.stepping`). */
  private readonly steppingWord: number;
  private readonly stepsWord: number;
  private readonly executedWord: number;
  private readonly loaded = (): void => {
    this.loading = undefined;
  };
  private readonly settleListener = (message: unknown): void => {
    const event = message as TaskEvent;
    // A guest's settlement is reported by the thread holding its handle.
    if (event.kind === 'settle' && event.executor === this.label && !this.tasks.isGuest(event.taskId)) {
      this.out.settle(event.taskId, event.state, event.error, event.time);
    }
  };

  constructor(init: WorkerInit, port: MessagePort) {
    // Bodies are task references spawned on other threads: there is no async context to keep.
    super(init.label, { asyncContext: false, instructions: joinWithin });
    this.index = init.index;
    this.idBase = init.idBase;
    const shared = (this.shared = new SharedState(init.buffers));
    this.control = shared.control;
    const mailbox = shared.mailboxes[init.index];
    if (mailbox === undefined) throw new RangeError(`no mailbox for worker ${init.index}`);
    this.mailbox = mailbox;
    this.port = port;
    this.out = new EventWriter(this.control);
    this.finder = new WorkFinder(shared, init.index, init.workers, this.out, this);
    this.parking = new Parking(shared, init.index, init.minThreads, init.idleTimeout, this);
    this.tasks = new SlotTasks(this, shared, init.index, this.finder, this.out);
    this.unshared = new UnsharedChildren(this, this.finder, this.tasks);
    this.steppingWord = shared.word(init.index, WorkerWord.stepping);
    this.stepsWord = shared.word(init.index, WorkerWord.steps);
    this.executedWord = shared.word(init.index, WorkerWord.executed);
    const inbound = (this.inboundWord = shared.word(init.index, WorkerWord.inbound));
    port.on('message', (message: ToWorker) => {
      Atomics.sub(this.control, inbound, 1);
      this.out.boundary();
      // A posted task is claimed when it starts, not now: until then it stays Queued, so
      // that the main thread posts it again elsewhere if this thread dies first.
      if (message.t === 'task') this.local.push({ slot: message.slot, payload: message.payload, priority: shared.slots.priority(message.slot) });
      else this.tasks.completeProxy(message.slot, message.status, message.value);
      this.parking.kick();
    });
  }

  /** Whether lifecycle events are forwarded to the main thread (someone subscribes there). */
  get forwarding(): boolean {
    return this.listening !== Listening.Nobody;
  }

  get liveTasks(): number {
    return this.live;
  }

  /** The thread is exiting (a task called `process.exit`): start no more work. */
  dying(): void {
    this.exiting = true;
    this.flush();
  }

  /** The worker's loop; resolves when the pool shuts down, or when this worker retires. */
  async run(): Promise<void> {
    let lastTurn = performance.now();
    let lastSent = lastTurn;
    while (Atomics.load(this.control, Control.shutdown) === 0 && !this.exiting) {
      if (this.loading !== undefined) {
        this.flush();
        await this.loading;
      }
      if (this.runSome()) {
        const now = performance.now();
        const out = this.out;
        if (out.owed || out.size >= forwardAtNumbers || now - lastSent >= forwardEveryMs) {
          this.flush();
          lastSent = now;
        }
        if (this.turnNow || now - lastTurn > turnEveryMs) {
          this.turnNow = false;
          await immediate();
          lastTurn = performance.now();
        } else {
          // Let promise callbacks (wakes of joined tasks) run.
          await Promise.resolve();
        }
        continue;
      }
      this.flush();
      // Nothing runnable: callbacks and the event loop may make some, if a task of this
      // thread is alive. With none, nothing here waits on the event loop (Parking.sleep
      // blocks the thread outright then), and a turn of it only delays the park.
      if (this.live > 0) {
        await immediate();
        lastTurn = performance.now();
        if (this.hasWork()) continue;
      }
      if (this.othersAwake()) {
        // Another worker runs and may spawn work onto its deque: look for it a while before
        // parking, rather than be woken for it. With every other worker parked, new work
        // can only come from the main thread, which wakes a sleeper: spinning then only
        // takes a core from the threads that run (the main thread, on a small machine).
        let found = false;
        for (let i = 0; i < spinRounds && !found; i++) found = this.hasWork() || this.finder.steal();
        if (found) continue;
      }
      // Retired after its idle timeout: leaving the loop ends the thread (see entry.ts).
      if (await this.parking.sleep()) return;
    }
  }

  /** Whether any other worker of the pool is awake (running, not parked nor about to park). */
  private othersAwake(): boolean {
    return Atomics.load(this.control, Control.running) - Atomics.load(this.control, Control.sleepers) > 1;
  }

  /** Whether anything is there to run: this worker's own queues, or any shared one. */
  hasWork(): boolean {
    return this.ready.size > 0 || this.local.size > 0 || this.unshared.size > 0 || this.finder.visible();
  }

  /** Sends what is written for the main thread. */
  flush(): void {
    const message = this.out.take();
    if (message === undefined) return;
    this.port.postMessage(message.report, message.transfer);
  }

  startSlot(slot: number, from: number): void {
    this.tasks.start(slot, from);
  }

  /** A task of this thread: a child spawned here, or a guest run for another thread. */
  newTask(parent: Task | undefined, id: number, options: SpawnOptions | undefined): WorkerTask {
    this.live++;
    const task = new WorkerTask(this, parent, id, options);
    if (parent instanceof WorkerTask) task.watchSlot = parent.slot >= 0 ? parent.slot : parent.watchSlot;
    return task;
  }

  /**
   * Every step goes through here: it says on shared words which task's step this worker
   * is in (for the cancel watchdog) and holds new work back while a module loads.
   */
  override step(task: WorkerTask, enter?: boolean): StepOutcome {
    const control = this.control;
    if (task.state === 'pending') Atomics.add(control, this.executedWord, 1);
    const outer = this.current;
    this.current = task;
    this.depth++;
    Atomics.store(control, this.steppingWord, watched(task));
    Atomics.add(control, this.stepsWord, 1);
    const outcome = super.step(task, enter);
    this.depth--;
    this.current = outer;
    // A step nested in another's (a kept child run where it was joined) gives the watch back.
    Atomics.store(control, this.steppingWord, outer === undefined ? 0 : watched(outer));
    if (outcome === Step.Wait && task.coroutine?.loading === true) this.importing(task);
    return outcome;
  }

  /**
   * A child of a task of this thread: into shared memory and onto this worker's deque when
   * it fits a slot, else it starts here. With a `transfer` list (the pool's spawn option,
   * given to `ctx.spawn`), its buffers move into the child's arguments and it starts here.
   */
  spawnChild(parent: Task, body: Spawnable, args: readonly unknown[], options: PoolSpawnOptions | undefined): Task {
    const { list, transfer } =
      options?.transfer === undefined
        ? { list: validateSpawn(body, args, options, capabilities), transfer: undefined }
        : moveArguments(checkMovingArguments(body, args, options, options.transfer, capabilities));
    const task = this.newTask(parent, childTaskId(this.idBase, Atomics.add(this.control, Control.childIds, 1)), options);
    if (task.priority !== 0) this.shared.prioritize();
    if (this.forwarding) this.out.spawn(task.id, parent.id, task.name, describeBody(body));
    if (task.cancelledAtSpawn) {
      task.finish(false, undefined);
      return task;
    }
    const ref = body as TaskReference<never>;
    task.module = ref.module;
    if (transfer === undefined && this.keepsHere(list)) {
      this.unshared.keep({ task, parent, body: ref, args: list, name: options?.name });
      this.parking.kick();
      return task;
    }
    if (transfer === undefined && !needsMessage(list) && this.tasks.share(task, parent, [ref.module, ref.export, list, options?.name])) return task;
    // Stays here: it holds shared memory, moved buffers, or does not fit a slot.
    this.begin(task, body, list);
    this.local.push(task);
    // Spawned from an async body's continuation, the loop may be parked.
    this.parking.kick();
    return task;
  }

  settled(task: Task): void {
    this.live--;
    const own = this.own(task);
    this.tasks.settled(own);
    this.drop(own);
  }

  protected schedule(task: WorkerTask): void {
    this.ready.push(task);
    this.parking.kick();
  }

  protected isOwn(task: Task): task is WorkerTask {
    return task instanceof WorkerTask;
  }

  /** A child with no body here: it waits in shared memory or runs on another worker. */
  protected override interruptUnstarted(task: WorkerTask): void {
    this.tasks.cancel(task);
  }

  protected override publishStep(task: WorkerTask, first: boolean): void {
    this.out.event(first ? Wire.Start : Wire.Resume, task.id);
  }

  protected override publishSuspend(task: WorkerTask, reason: 'yield' | 'wait', waited?: unknown): void {
    if (reason === 'yield') this.out.event(Wire.SuspendYield, task.id);
    // Pool task ids are unique across the pool, so the wait-cycle detector can follow them.
    else this.out.suspendWait(task.id, waited instanceof Task ? waited.id : -1);
  }

  protected override publishWake(task: WorkerTask): void {
    if (this.listening !== Listening.Nobody) this.out.event(Wire.Wake, task.id);
  }

  private runSome(): boolean {
    this.checkEvents();
    const mailbox = this.mailbox;
    const finder = this.finder;
    let worked = false;
    const started = performance.now();
    // Each run starts a chunk of its own: promise callbacks since the last one may have
    // acted on news from another thread that did not come through the pool (a task body's
    // own channel), and one atomic add per run costs next to nothing.
    this.out.boundary();
    for (let i = 0; i < stepsPerRun && !this.exiting; i++) {
      if (mailbox.pending) {
        this.out.boundary();
        mailbox.drain(this.tasks.onMail);
        worked = true;
      }
      const task = this.ready.shift();
      if (task !== undefined) {
        worked = true;
        if (!task.bodyFinished) this.runTurn(task);
      }
      if (this.loading !== undefined) {
        if (task === undefined) break;
        continue;
      }
      if (++this.ticks % injectEvery === 0 && finder.takeInject()) {
        worked = true;
        continue;
      }
      if (this.messagesDue()) {
        // A task posted here may outrank what this worker would start: receive it first.
        this.turnNow = true;
        break;
      }
      if ((this.local.size > 0 && this.startLocal()) || (this.unshared.size > 0 && this.unshared.startNewest()) || finder.startNext()) {
        worked = true;
        continue;
      }
      if (task === undefined) break;
      if ((i & 15) === 15 && performance.now() - started > turnEveryMs) break;
    }
    return worked;
  }

  /**
   * With priorities in use, whether messages are on their way here: they arrive only when
   * the event loop runs, which a busy worker lets happen every few ms; a task they carry
   * (posted by message) may be more urgent than anything this worker holds.
   */
  private messagesDue(): boolean {
    return this.shared.prioritized && Atomics.load(this.control, this.inboundWord) > 0;
  }

  /**
   * Whether a child with these arguments stays in this thread unserialised: with no
   * priorities in the pool (they order starts across workers), primitive arguments, and
   * either no other worker to steal it or this worker's deque holding enough for thieves
   * (a child spawned while it holds fewer goes there at once: an idle worker may take it
   * while its parent goes on).
   */
  private keepsHere(args: readonly unknown[]): boolean {
    if (this.shared.prioritized || !UnsharedChildren.holds(args)) return false;
    return this.finder.alone || this.finder.queued >= shareDepth;
  }

  /** A join within a step of this thread's (see `joinWithin`). */
  joinWithin(child: WorkerTask, coroutine: Coroutine): boolean {
    return this.listening === Listening.Nobody && child.owner === this && this.unshared.runJoined(child, coroutine);
  }

  startHere(task: WorkerTask, body: TaskReference<never>, args: readonly unknown[]): void {
    this.begin(task, body, args);
    this.step(task);
  }

  mayRunWithin(): boolean {
    if (this.depth >= deepestSteps) return false;
    // Cancellations come through the mailbox: a joining task that was asked to stop parks
    // instead (and is stopped when its step ends), as it would have without this join.
    if (this.mailbox.pending) {
      this.out.boundary();
      this.mailbox.drain(this.tasks.onMail);
    }
    return this.current?.stopping === false;
  }

  /** Starts the first task only this worker can start, unless a more urgent one waits in a shared queue: then that one. */
  private startLocal(): boolean {
    const finder = this.finder;
    if (!this.local.goesBefore(finder.urgency()) && finder.startUrgent()) return true;
    const next = this.local.shift();
    if (next === undefined) return false;
    if (next instanceof WorkerTask) {
      if (!next.bodyFinished) this.step(next);
    } else {
      this.tasks.startPosted(next.slot, next.payload);
    }
    return true;
  }

  /**
   * `task` waits for its module's first import in this thread (the harness parked it on the
   * import, a native promise): new work waits too (see `loading`), and the module is noted
   * as being imported, so that a pool asked from that module's top level to spawn one of
   * its tasks refuses (see `assertNotImporting`).
   */
  private importing(task: WorkerTask): void {
    const awaited = task.waiting?.awaited;
    const module = task.module;
    if (!(awaited instanceof Promise)) return;
    if (module !== undefined) {
      const modules = importingModules();
      modules.add(module);
      const imported = (): void => {
        modules.delete(module);
      };
      void awaited.then(imported, imported);
    }
    this.loading ??= awaited.then(this.loaded, this.loaded);
  }

  /** Forwards events while the main thread has subscribers (it says so in a control word). */
  private checkEvents(): void {
    const on = Atomics.load(this.control, Control.events) === 1;
    if (on === this.forwarding) return;
    this.listening = on ? Listening.Objects : Listening.Nobody;
    if (on) subscribe(channelNames.settle, this.settleListener);
    else unsubscribe(channelNames.settle, this.settleListener);
  }
}

/** The slot the cancel watchdog watches while `task` steps, + 1: its own, or its nearest slotted ancestor's. */
function watched(task: WorkerTask): number {
  return (task.slot >= 0 ? task.slot : task.watchSlot) + 1;
}

/**
 * The harness's instruction handler (`HarnessOptions.instructions`), called with what a
 * generator body yields other than a promise or a turn: a join of a child of this thread
 * may be answered within the step (see `UnsharedChildren.runJoined`).
 */
function joinWithin(yielded: unknown, coroutine: Coroutine): boolean {
  return yielded instanceof WorkerTask && yielded.owner instanceof WorkerRuntime && yielded.owner.joinWithin(yielded, coroutine);
}
