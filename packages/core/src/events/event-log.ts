import { CODE_SPAN, TaskEventCode, batchChannel } from './event-batch.js';
import type { TaskEventBatch, TaskEventCodeValue, WholeStepCode } from './event-batch.js';
import { closeEventClockWindow, eventTime, openEventClockWindow, readEventTime } from './event-clock.js';
import type { EventClockCells } from './event-clock.js';
import { currentThread } from './channels.js';
import type { TaskEvent } from '../contract/lifecycle-events.js';
import type { SettledState } from '../contract/task-state.js';
import { processState } from '../shared/process-state.js';

/** Numbers per batch; a full log publishes what it has and starts again. */
const CAPACITY = 1024;
/** The largest a batch grows to during a step (then it is published, and the step's beginning comes after what it recorded). */
const MOST_GROWN = 64 * CAPACITY;
/** The most numbers one call writes (a time, the record, a `WaitingOn` record; a step's end may add its beginning). */
const MOST_PER_CALL = 4;

/** The strings of a batch that has none. */
const noStrings: readonly (string | undefined)[] = Object.freeze([]);

/** What a log's tick count reads outside a coarse window: never a tick, so every step takes the general path. */
const noTicks = Int32Array.of(-2);

/**
 * Where a deferred flush is queued: a reaction to a settled promise runs in the same
 * microtask checkpoint as `queueMicrotask`, without the `AsyncResource` and bound function
 * Node makes for every `queueMicrotask` callback (a flush is queued once per batch made
 * outside a window: once per drain for an executor whose tasks are woken between drains).
 */
const settled = Promise.resolve();

/**
 * Logs holding records not yet published, so that {@link flushTaskEvents} can reach them: a
 * log is added when its batch gets its first record and is not taken out when it publishes
 * (it is only marked), so a batch costs an array push rather than two operations on a set.
 * Entries of logs published since are dropped when the list grows long.
 */
const unpublished = processState.unpublished as TaskEventLog[];

/**
 * Publishes, now, every batch still being gathered on this thread. Batch subscribers call
 * it before they read what they have (a recorder's `stop()`), since an executor publishes
 * its batch at the end of its drain or in the next microtask.
 */
export function flushTaskEvents(): void {
  for (const log of [...unpublished]) log.flush();
}

/** The message object a log publishes: its array, its current length. */
interface MutableBatch extends TaskEventBatch {
  length: number;
  count: number;
  records: Float64Array;
  events: TaskEvent[];
  strings: readonly (string | undefined)[];
}

/**
 * One executor's lifecycle events on the way to the batch channel: packed records in a
 * reused `Float64Array` (see {@link TaskEventBatch}), published as one batch per window (an
 * executor opens one around each drain of its ready queue), per 1024 numbers, or in the
 * next microtask for records made outside a window. Call its methods only while
 * `batchChannel.hasSubscribers`.
 *
 * Clock reads are shared. With the precise clock, a record made with
 * {@link TaskEventLog.later} (a step ending, a wake) takes its time from the log's next
 * clock read — normally the start of the next step — so that a run of steps costs one read
 * per step: `performance.now()` costs tens of nanoseconds, as much as a whole step of a
 * small task. With the coarse clock ({@link holdEventClock}), reads are nearly free, a time
 * is written only when it has changed, and a step whose end has the time of its start is
 * one record.
 *
 * Executors record a step in a coarse window with one call when it ends:
 * {@link TaskEventLog.stepped} (or {@link TaskEventLog.finish} for a body that ended). While
 * the clock thread's tick count has not moved and nothing else was recorded since the last
 * step ended, it writes one whole-step number, and it is small enough for V8 to inline into
 * the executor's loop. Anything else takes the general path: the step's beginning is then
 * inserted where the last step ended, before whatever was recorded during the step, at the
 * time in effect there. A step during which the tick moved may so begin up to one tick
 * early; every time stays a time the clock showed, and times never go back.
 *
 * The hot methods are written out, free of calls that take or return a fractional number:
 * V8 allocates a box for such a number whenever it crosses a call it does not inline, and
 * on this path that would be garbage on every step.
 */
export class TaskEventLog {
  /** Label of the executor whose events this log gathers. */
  readonly executor: string;
  /** The batch being gathered: `records` up to `length`, and `events`. */
  private records = new Float64Array(CAPACITY);
  private length = 0;
  private events: TaskEvent[] = [];
  /**
   * The strings of packed spawns and settlements, in record order (see
   * {@link TaskEventBatch.strings}): the first `stringCount` entries. The array is reused
   * from batch to batch and cut to the batch's strings only as it is published: emptied
   * after each batch, it would give up its storage and grow again, copying, for every batch.
   */
  private readonly strings: (string | undefined)[] = [];
  private stringCount = 0;
  /**
   * Records of the batch that stand for one event each, and records that stand for none
   * (times, `WaitingOn`); the rest are whole steps, two events each. Counted where the
   * general paths write, so that the fast path counts nothing.
   */
  private singles = 0;
  private blanks = 0;
  /** Records of the batch that stand for three events each (woken whole steps). */
  private triples = 0;
  /** The message object published (one per log, reused). */
  private readonly batch: MutableBatch;
  /** `[0]`: the time in effect for the next record (NaN: none yet in this batch). */
  private readonly clock = new Float64Array(1).fill(Number.NaN);
  /** `[0]`: the clock just read (see `readEventTime`). */
  private readonly now = new Float64Array(1);
  /** `[0]`: the time the current window started at (see `openEventClockWindow`). */
  private readonly floor = new Float64Array(1);
  /** While a window is open with the coarse clock: the clock thread's shared memory. */
  private cells: EventClockCells | undefined = undefined;
  /** The clock thread's tick count while a coarse window is open, else {@link noTicks}. */
  private ticks: Int32Array = noTicks;
  /** The tick whose time the batch's latest time record holds (-1: none, or not known). */
  private mark = -1;
  /**
   * In a coarse window: where the beginning of the step now running goes, the end of what
   * was recorded before it began (-1: not known, outside a window, or with the precise clock).
   */
  private quiet = -1;
  /** Where the batch stood before {@link TaskEventLog.enterSteps} stamped its time, so that a window that recorded nothing publishes nothing. */
  private enteredFrom = -1;
  /** Where the batch stood after {@link TaskEventLog.enterSteps} stamped its time (-1: not since). */
  private enteredAt = -1;
  /** Index of a time still to be read (records after it wait for it), or -1. */
  private pendingTime = -1;
  /** Index of the last step record, while it may still become a whole step, or -1. */
  private stepAt = -1;
  private windows = 0;
  /** The executor has scheduled a drain: its window will publish what is gathered until then. */
  private expecting = false;
  private flushQueued = false;
  /** In {@link unpublished}: holds records not yet published. */
  private listed = false;
  /** A batch is being published: a subscriber's own events wait for the next one. */
  private publishing = false;
  private readonly flushQueuedBound = (): void => {
    this.flushQueued = false;
    if (this.windows > 0) return;
    if (!this.expecting) {
      this.flush();
      return;
    }
    // The batch waits for the drain, but the records waiting for a time (wakes) happened
    // before now: a drain delayed (a spent time slice) must not make them look later.
    if (this.pendingTime >= 0) this.resolvePending(eventTime());
  };

  /** @param executor the executor's label, stamped on every batch */
  constructor(executor: string) {
    this.executor = executor;
    this.batch = { executor, thread: currentThread, length: 0, count: 0, records: this.records, events: this.events, strings: this.strings };
  }

  /** A window is open and reads the coarse clock: steps may be recorded with {@link TaskEventLog.stepped}. */
  get coarse(): boolean {
    return this.cells !== undefined;
  }

  /**
   * Readies a coarse window for steps recorded with {@link TaskEventLog.stepped}: the batch
   * takes the clock's time now, the time the window's first step begins at. Records waiting
   * for a time (wakes) take it too. Does nothing outside a coarse window.
   */
  enterSteps(): void {
    if (this.cells === undefined) return;
    const from = this.length;
    let n = from;
    if (n === 0 || n + MOST_PER_CALL > this.records.length) n = this.room();
    this.length = this.stampTick(n);
    this.quiet = this.length;
    this.enteredFrom = from;
    this.enteredAt = this.length;
  }

  /**
   * A step of `taskId` ended in a suspension, in a coarse window ({@link TaskEventLog.coarse}):
   * `whole` says how it began and why it suspends (`StartYield`, `StartWait`, `ResumeYield`
   * or `ResumeWait`). Its beginning is where the last step ended (or the window was readied
   * with {@link TaskEventLog.enterSteps}, or {@link TaskEventLog.between} was called). For a
   * wait on a task, {@link TaskEventLog.steppedOn}. Outside a coarse window, the step's
   * beginning and end both take the time now: record such steps with
   * {@link TaskEventLog.step} and {@link TaskEventLog.later} instead.
   */
  stepped(whole: WholeStepCode, taskId: number): void {
    const n = this.length;
    // The fast path: nothing recorded since the last step ended, no tick since the batch's
    // latest time, and room. Kept this small so that V8 inlines it into the executor's step.
    if (n === this.quiet && this.ticks[0] === this.mark && n < this.records.length) {
      this.records[n] = taskId * CODE_SPAN + whole;
      this.length = this.quiet = n + 1;
      return;
    }
    this.steppedSlowly(whole, taskId, -1);
  }

  /**
   * {@link TaskEventLog.stepped} for a step that waits.
   * @param waitingOn the id of the task waited on; -1 for anything else
   */
  steppedOn(whole: WholeStepCode, taskId: number, waitingOn: number): void {
    if (waitingOn < 0) this.stepped(whole, taskId);
    else this.steppedSlowly(whole, taskId, waitingOn);
  }

  /**
   * `taskId` was woken (outside a step): a record at the time of the log's next clock read,
   * as {@link TaskEventLog.later} makes it, with fast paths for the common cases: a wake
   * after others between two drains, and a wake in a coarse window within the tick its
   * latest time is from.
   */
  wake(taskId: number): void {
    const n = this.length;
    // Between drains, after other wakes (their time is still to be read); or in a coarse
    // window whose time in effect is the clock's current tick (`mark`), so that reading
    // the clock again would give that time: either way the wake needs no clock read.
    const untimed = this.cells === undefined ? this.pendingTime >= 0 : this.pendingTime < 0 && this.ticks[0] === this.mark;
    if (untimed && n > 0 && n + MOST_PER_CALL <= this.records.length) {
      this.records[n] = taskId * CODE_SPAN + TaskEventCode.Wake;
      this.length = n + 1;
      this.singles++;
      this.stepAt = -1;
      return;
    }
    this.later(TaskEventCode.Wake, taskId, Number.NaN);
  }

  /**
   * A step of `taskId` that ran in its wake callback (its wake not recorded yet) ended in a
   * suspension, in a coarse window: records the wake, the step's beginning and its end.
   * On the fast path of `stepped` (nothing recorded during the step, no tick since the
   * batch's latest time) that is one record, `WokeResumeYield` or `WokeResumeWait`; otherwise
   * the wake and the beginning go where the step began, at the time in effect there, as a
   * beginning does (see {@link TaskEventLog.stepped}). Call {@link TaskEventLog.between}
   * before such a step when anything may have been recorded since the last step ended.
   * @param waitingOn the id of the task waited on; -1 for anything else
   */
  wokenStepped(whole: typeof TaskEventCode.ResumeYield | typeof TaskEventCode.ResumeWait, taskId: number, waitingOn: number): void {
    const n = this.length;
    if (n === this.quiet && this.ticks[0] === this.mark && n < this.records.length && waitingOn < 0) {
      // The wait codes follow the yield codes, in both pairs.
      this.records[n] = taskId * CODE_SPAN + TaskEventCode.WokeResumeYield + (whole - TaskEventCode.ResumeYield);
      this.length = this.quiet = n + 1;
      this.triples++;
      return;
    }
    this.placeWake(taskId);
    this.steppedSlowly(whole, taskId, waitingOn);
  }

  /**
   * {@link TaskEventLog.finish} for a step that ran in its wake callback, its wake not
   * recorded before it (see {@link TaskEventLog.wokenStepped}): records the wake, then the
   * beginning, where the step began.
   */
  wokenFinish(taskId: number): void {
    if (this.cells === undefined) return;
    this.placeWake(taskId);
    this.placeBeginning(TaskEventCode.Resume, taskId);
    this.quiet = this.length;
  }

  /**
   * In a coarse window, a step of `taskId` ended without suspending (its body returned or
   * threw): records its beginning, before whatever was recorded during it. Call it before
   * the task settles, and {@link TaskEventLog.between} once it has.
   */
  finish(code: typeof TaskEventCode.Start | typeof TaskEventCode.Resume, taskId: number): void {
    if (this.cells === undefined) return;
    this.placeBeginning(code, taskId);
    this.quiet = this.length;
  }

  /**
   * In a coarse window, says that what was recorded so far happened before the next step
   * began: an executor calls it after recording anything between two steps (a task that
   * settled after its step, a cancellation).
   */
  between(): void {
    if (this.cells !== undefined) this.quiet = this.length;
  }

  /** {@link TaskEventLog.stepped} when something was recorded during the step, the tick moved, the batch is full, or outside a coarse window. */
  private steppedSlowly(whole: WholeStepCode, taskId: number, waitingOn: number): void {
    const suspend = whole === TaskEventCode.StartYield || whole === TaskEventCode.ResumeYield ? TaskEventCode.SuspendYield : TaskEventCode.SuspendWait;
    const begin = whole <= TaskEventCode.StartWait ? TaskEventCode.Start : TaskEventCode.Resume;
    if (this.cells === undefined) {
      this.step(begin, taskId);
      this.later(suspend, taskId, waitingOn < 0 ? Number.NaN : waitingOn);
      return;
    }
    let n = this.length;
    if (n + MOST_PER_CALL > this.records.length) n = this.roomAtStepEnd(n);
    if (n === this.quiet && this.ticks[0] === this.mark) {
      // A whole step after all (with the task it waits on).
      this.records[n++] = taskId * CODE_SPAN + whole;
      if (waitingOn >= 0) {
        this.records[n++] = waitingOn * CODE_SPAN + TaskEventCode.WaitingOn;
        this.blanks++;
      }
      this.length = this.quiet = n;
      return;
    }
    this.placeBeginning(begin, taskId);
    n = this.length;
    if (n + MOST_PER_CALL > this.records.length) n = this.room();
    n = this.stampTick(n);
    this.records[n++] = taskId * CODE_SPAN + suspend;
    this.singles++;
    if (waitingOn >= 0) {
      this.records[n++] = waitingOn * CODE_SPAN + TaskEventCode.WaitingOn;
      this.blanks++;
    }
    this.length = this.quiet = n;
  }

  /**
   * Makes room at the end of a step in a full batch: publishes it. If nothing was recorded
   * during the step, the next batch starts at the time the step began, so that the step can
   * still be one record. Returns where the next record goes.
   */
  private roomAtStepEnd(n: number): number {
    const quietStep = n === this.quiet && this.mark >= 0;
    const time = this.clock[0] ?? Number.NaN;
    const tick = this.mark;
    const next = this.room();
    if (!quietStep || next !== 0) return next;
    this.records[0] = -time;
    this.blanks++;
    this.clock[0] = time;
    this.mark = tick;
    this.length = this.quiet = 1;
    return 1;
  }

  /**
   * Writes the beginning of the step now ending where it began (at {@link quiet}): before
   * whatever was recorded during the step (a spawn, a settle), at the time then in effect.
   * If the batch was published during the step, the beginning goes at the end, now.
   */
  private placeBeginning(code: typeof TaskEventCode.Start | typeof TaskEventCode.Resume, taskId: number): void {
    let at = this.quiet;
    this.quiet = -1;
    let n = this.length;
    // A batch begins with a time (the first record made during the step stamped it): the
    // beginning goes after it, and takes that time.
    if (at === 0 && n > 0) at = 1;
    if (at <= 0 || at > n) {
      if (n === 0 || n + MOST_PER_CALL > this.records.length) n = this.room();
      n = this.stampTick(n);
      this.records[n] = taskId * CODE_SPAN + code;
      this.length = n + 1;
      this.singles++;
      return;
    }
    if (n + MOST_PER_CALL > this.records.length) this.grow();
    if (at < n) {
      this.records.copyWithin(at + 1, at, n);
      if (this.pendingTime >= at) this.pendingTime++;
    }
    this.records[at] = taskId * CODE_SPAN + code;
    this.stepAt = -1;
    this.length = n + 1;
    this.singles++;
  }

  /**
   * Writes the wake of a task stepped in its wake callback where its step began, as
   * {@link placeBeginning} writes a beginning, so that the beginning goes right after it.
   * Outside a coarse window, the wake is recorded now, as {@link TaskEventLog.wake} does.
   */
  private placeWake(taskId: number): void {
    if (this.cells === undefined) {
      this.wake(taskId);
      return;
    }
    let at = this.quiet;
    let n = this.length;
    if (at === n && n + MOST_PER_CALL > this.records.length) {
      // Nothing recorded during the step and the batch full: it is published, as at the end
      // of any step (see `roomAtStepEnd`), rather than grown, and the step begins the next.
      n = this.roomAtStepEnd(n);
      at = this.quiet;
    }
    // As for a beginning: after the time a batch begins with.
    if (at === 0 && n > 0) at = 1;
    if (at <= 0 || at > n) {
      // The batch was published during the step (or just now): the wake goes at the end,
      // now, and the beginning after it (no `quiet`).
      if (n === 0 || n + MOST_PER_CALL > this.records.length) n = this.room();
      n = this.stampTick(n);
      this.records[n] = taskId * CODE_SPAN + TaskEventCode.Wake;
      this.length = n + 1;
      this.singles++;
      this.quiet = -1;
      return;
    }
    if (n + MOST_PER_CALL > this.records.length) this.grow();
    if (at < n) {
      this.records.copyWithin(at + 1, at, n);
      if (this.pendingTime >= at) this.pendingTime++;
    }
    this.records[at] = taskId * CODE_SPAN + TaskEventCode.Wake;
    this.stepAt = -1;
    this.length = n + 1;
    this.singles++;
    this.quiet = at + 1;
  }

  /**
   * With the coarse clock: makes the batch's latest time that of the clock thread's current
   * tick (never below the window's start), writing a time record at `n` if it changed.
   * Returns where the next record goes.
   */
  private stampTick(n: number): number {
    return this.cells === undefined ? n : this.stampTime(n);
  }

  /**
   * Reads the clock (the coarse one's tick inside a window) and makes it the time of the
   * records waiting for one and of the next record: fills the pending time, or writes a
   * time record at `n` if the time changed. Returns where the next record goes.
   */
  private stampTime(n: number): number {
    // The tick before the time: if the clock ticks in between, the mark is already behind
    // and the next record reads the clock again, rather than take an old time as current.
    const cells = this.cells;
    const tick = cells === undefined ? -1 : (cells.ticks[0] ?? -1);
    readEventTime(this.now);
    const time = this.now[0] ?? Number.NaN;
    // In a coarse window, the time of that tick (or the system clock's, if the clock thread
    // had to be woken); outside one, no tick.
    this.mark = tick;
    if (this.pendingTime >= 0) {
      // The records since the pending time happened before now: they take this time.
      this.records[this.pendingTime] = -time;
      this.pendingTime = -1;
      this.clock[0] = time;
    } else if (time !== this.clock[0]) {
      this.records[n++] = -time;
      this.blanks++;
      this.clock[0] = time;
    }
    return n;
  }

  /** A step begins (`Start` or `Resume` of `taskId`): reads the clock once. */
  step(code: typeof TaskEventCode.Start | typeof TaskEventCode.Resume, taskId: number): void {
    let n = this.length;
    if (n === 0 || n + MOST_PER_CALL > this.records.length) n = this.room();
    n = this.stampTime(n);
    const records = this.records;
    records[n] = taskId * CODE_SPAN + code;
    this.singles++;
    this.stepAt = n;
    this.length = n + 1;
  }

  /**
   * A record at the time of the log's next clock read (with the precise clock: the end of
   * a step is the start of the next), or at the coarse clock's time now. The end of the
   * step just begun, at the time of its start, turns that step's record into a whole step.
   * @param waitingOn for a suspend: the id of the task waited on, or NaN
   */
  later(code: TaskEventCodeValue, taskId: number, waitingOn: number): void {
    let n = this.length;
    if (n === 0 || n + MOST_PER_CALL > this.records.length) n = this.room();
    const records = this.records;
    const at = this.stepAt;
    this.stepAt = -1;
    const cells = this.cells;
    if (cells === undefined) {
      // The precise clock (or outside a window): the time is read later, once.
      if (this.pendingTime < 0) {
        this.pendingTime = n;
        records[n++] = Number.NaN;
        this.blanks++;
        // Outside a window, the next microtask gives it a time if nothing else has.
        if (this.windows === 0) this.queueFlush();
      }
    } else {
      // As `stampTime`: the time read is that of the tick read first, and a wake recorded in
      // the same tick needs no read of its own (see `wake`).
      const tick = cells.ticks[0] ?? -1;
      readEventTime(this.now);
      const time = this.now[0] ?? 0;
      this.mark = tick;
      if (this.pendingTime >= 0) {
        records[this.pendingTime] = -time;
        this.pendingTime = -1;
        this.clock[0] = time;
      } else if (time !== this.clock[0]) {
        records[n++] = -time;
        this.blanks++;
        this.clock[0] = time;
      } else if (at === n - 1 && (code === TaskEventCode.SuspendYield || code === TaskEventCode.SuspendWait)) {
        // Nothing recorded since the step began, and no time passed on the clock: a whole step.
        const begun = records[at] ?? 0;
        if (begun === taskId * CODE_SPAN + TaskEventCode.Resume || begun === taskId * CODE_SPAN + TaskEventCode.Start) {
          const whole = begun === taskId * CODE_SPAN + TaskEventCode.Resume ? TaskEventCode.ResumeYield : TaskEventCode.StartYield;
          // The wait codes follow the yield codes.
          records[at] = taskId * CODE_SPAN + whole + (code === TaskEventCode.SuspendWait ? 1 : 0);
          // The beginning, one event, is now a whole step.
          this.singles--;
          if (waitingOn === waitingOn) {
            records[n++] = waitingOn * CODE_SPAN + TaskEventCode.WaitingOn;
            this.blanks++;
          }
          this.length = n;
          // A step's end: the next step recorded with `stepped` begins after it.
          this.quiet = n;
          return;
        }
      }
    }
    records[n++] = taskId * CODE_SPAN + code;
    this.singles++;
    // `x === x` is false only for NaN (no call on this path).
    if (waitingOn === waitingOn) {
      records[n++] = waitingOn * CODE_SPAN + TaskEventCode.WaitingOn;
      this.blanks++;
    }
    this.length = n;
    if (cells !== undefined && (code === TaskEventCode.SuspendYield || code === TaskEventCode.SuspendWait)) this.quiet = n;
  }

  /**
   * `taskId` was spawned: a packed record at the time now (no event object).
   * @param parentId the parent's id; -1 for a task spawned from outside any task
   */
  spawned(taskId: number, parentId: number, name: string | undefined, body: string): void {
    let n = this.length;
    if (n === 0 || n + MOST_PER_CALL > this.records.length) n = this.room();
    // In a coarse window within the tick of the batch's latest time, reading the clock
    // would give that time again (as for `wake`).
    if (this.pendingTime >= 0 || this.ticks[0] !== this.mark) n = this.stampTime(n);
    this.records[n++] = taskId * CODE_SPAN + TaskEventCode.Spawn;
    this.singles++;
    if (parentId >= 0) {
      this.records[n++] = parentId * CODE_SPAN + TaskEventCode.ParentIs;
      this.blanks++;
    }
    this.length = n;
    this.stepAt = -1;
    const s = this.stringCount;
    this.strings[s] = name;
    this.strings[s + 1] = body;
    this.stringCount = s + 2;
  }

  /**
   * `taskId` settled: a packed record at the time now (no event object).
   * @param error the error's name, for a task that was rejected or cancelled
   */
  settled(taskId: number, state: SettledState, error: string | undefined): void {
    let n = this.length;
    if (n === 0 || n + MOST_PER_CALL > this.records.length) n = this.room();
    if (this.pendingTime >= 0 || this.ticks[0] !== this.mark) n = this.stampTime(n);
    const code = state === 'fulfilled' ? TaskEventCode.Fulfilled : state === 'rejected' ? TaskEventCode.Rejected : TaskEventCode.Cancelled;
    this.records[n++] = taskId * CODE_SPAN + code;
    this.singles++;
    this.length = n;
    this.stepAt = -1;
    if (code !== TaskEventCode.Fulfilled) this.strings[this.stringCount++] = error;
  }

  /** An event that travels as its object (spawn, settle, steal); its time is that of records waiting for one. */
  event(event: TaskEvent): void {
    // Before any publishing below: records waiting for a time take the event's, not a later one.
    if (this.pendingTime >= 0) this.resolvePending(event.time);
    let n = this.length === 0 || this.length + MOST_PER_CALL > this.records.length ? this.room() : this.length;
    // The event's time becomes the time in effect (never going back): a batch begins with a
    // time, and a step's beginning placed after this event must not look earlier than it.
    const time = event.time;
    if (!(time <= (this.clock[0] ?? Number.NaN))) {
      this.records[n++] = -time;
      this.blanks++;
      this.clock[0] = time;
      this.mark = -1;
    }
    this.stepAt = -1;
    this.records[n] = event.taskId * CODE_SPAN + TaskEventCode.Event;
    this.length = n + 1;
    this.singles++;
    this.events.push(event);
  }

  /**
   * A step that ran outside a window has ended: the records still waiting for a time get
   * the clock's time now, rather than that of whatever this log records next (which could
   * be after unrelated work, and would make the step look longer than it was).
   */
  stampNow(): void {
    if (this.pendingTime >= 0) this.resolvePending(eventTime());
  }

  /**
   * Says that a window will open soon (the executor has scheduled a drain), so that what is
   * recorded until then goes out with the drain's batch rather than in a batch of its own
   * in the next microtask. Call it only when the drain is sure to run.
   */
  expectWindow(): void {
    this.expecting = true;
  }

  /** Begins a window: records gather until the matching {@link TaskEventLog.close}. */
  open(): void {
    this.windows++;
    this.expecting = false;
    const cells = openEventClockWindow(this.floor);
    this.cells = cells;
    this.ticks = cells === undefined ? noTicks : cells.ticks;
    // The batch's latest time may be from before the window (a wake): the first step stamps its own.
    this.mark = -1;
    // Steps in the window begin after what was recorded before it.
    this.quiet = cells === undefined ? -1 : this.length;
    this.enteredAt = -1;
  }

  /**
   * Ends a window; the outermost one publishes what was gathered, now or (`deferred`) in
   * the next microtask, with whatever else is recorded until then: for a window around
   * one step, where a batch each would cost more than the step.
   */
  close(deferred = false): void {
    closeEventClockWindow();
    if (--this.windows > 0) return;
    this.cells = undefined;
    this.ticks = noTicks;
    this.mark = -1;
    this.quiet = -1;
    // A window readied for steps that recorded none publishes nothing (not even its time).
    if (this.enteredFrom === 0 && this.length === this.enteredAt) {
      this.length = 0;
      this.blanks = 0;
      this.clock[0] = Number.NaN;
    }
    this.enteredAt = -1;
    if (this.length === 0) return;
    if (deferred) this.queueFlush();
    else this.flush();
  }

  /** Publishes the records gathered so far as one batch, giving records that wait for a time the clock's time now. */
  flush(): void {
    if (this.publishing) return;
    this.listed = false;
    if (this.length === 0) return;
    if (this.pendingTime >= 0) this.resolvePending(eventTime());
    const count = this.length;
    const objects = this.events.length;
    const strings = this.stringCount;
    // Setting a length is a call into the runtime, even to the length the array has; and
    // a batch of steps alone leaves the array's storage for the next batch with strings.
    if (strings > 0 && this.strings.length !== strings) this.strings.length = strings;
    const batch = this.batch;
    batch.length = count;
    // Whole steps are two events, woken ones three, singles one, blanks none.
    batch.count = 2 * (count - this.singles - this.blanks) + this.singles + this.triples;
    batch.records = this.records;
    batch.events = this.events;
    batch.strings = strings > 0 ? this.strings : noStrings;
    this.publishing = true;
    // Published at a step's boundary (the next step has recorded nothing yet): the next
    // batch begins where that step's beginning goes.
    const boundary = this.cells !== undefined && this.quiet === count;
    // Records a subscriber makes while it is called start their own times and counts.
    this.clock[0] = Number.NaN;
    this.mark = -1;
    this.singles = 0;
    this.blanks = 0;
    this.triples = 0;
    this.stepAt = -1;
    this.quiet = -1;
    this.enteredAt = -1;
    try {
      // Subscribers may have left since the records were made; then nobody is owed them.
      if (batchChannel.hasSubscribers) batchChannel.publish(batch);
    } finally {
      this.publishing = false;
      this.dropPublished(count, objects, strings);
      if (boundary) this.quiet = this.length;
    }
  }

  /**
   * Makes room for one call's records (publishing a full batch, or growing it while it is
   * being published) and returns where they go. A batch begins with a time.
   */
  private room(): number {
    if (this.length + MOST_PER_CALL > this.records.length) {
      // Full: publish and start again. While publishing (a subscriber making events of its
      // own) that cannot be, and during a step in a coarse window it would publish what the
      // step recorded before its beginning is written: the array grows instead (up to a bound).
      if (this.publishing || (this.cells !== undefined && this.quiet >= 0 && this.quiet < this.length && this.records.length < MOST_GROWN)) this.grow();
      else this.flush();
    }
    if (this.length === 0) {
      this.clock[0] = Number.NaN;
      this.mark = -1;
      this.stepAt = -1;
      this.enteredAt = -1;
      this.list();
      if (this.windows === 0) this.queueFlush();
    }
    return this.length;
  }

  private grow(): void {
    const records = new Float64Array(this.records.length * 2);
    records.set(this.records);
    this.records = records;
  }

  private resolvePending(time: number): void {
    this.records[this.pendingTime] = -time;
    this.pendingTime = -1;
    this.clock[0] = time;
    this.mark = -1;
  }

  /** Adds this log to {@link unpublished}, if it is not there (marked) already. */
  private list(): void {
    if (this.listed) return;
    if (unpublished.length >= 64) {
      // Keep each log that still holds records, once.
      const listed = new Set(unpublished.filter((log) => log.listed));
      unpublished.length = 0;
      unpublished.push(...listed);
    }
    this.listed = true;
    unpublished.push(this);
  }

  private queueFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    void settled.then(this.flushQueuedBound);
  }

  /**
   * Forgets the first `count` numbers (and `objects` objects, `strings` strings) once published. A subscriber
   * that made events while it was called (it spawned a task, say) added records after
   * them: those move to the front and wait for the next batch.
   */
  private dropPublished(count: number, objects: number, strings: number): void {
    const extra = this.length - count;
    if (extra > 0) {
      this.records.copyWithin(0, count, this.length);
      this.events.splice(0, objects);
      this.strings.splice(0, strings);
      this.stringCount -= strings;
      if (this.pendingTime >= 0) this.pendingTime -= count;
      this.stepAt = -1;
      this.quiet = -1;
      this.list();
      if (this.windows === 0) this.queueFlush();
    } else {
      // Setting a length is a call into the runtime, even to the length the array has.
      if (this.events.length !== 0) this.events.length = 0;
      // The strings stay where they are until the next batch writes over them.
      this.stringCount = 0;
    }
    this.length = extra;
  }
}
