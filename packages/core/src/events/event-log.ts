import { CODE_SPAN, TaskEventCode } from './event-batch.js';
import type { TaskEventCodeValue, WholeStepCode } from './event-batch.js';
import { readEventTime } from './event-clock.js';
import { BatchLog, MOST_PER_CALL } from './batch-log.js';

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
export class TaskEventLog extends BatchLog {
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
}
