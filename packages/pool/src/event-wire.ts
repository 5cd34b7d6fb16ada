import { CODE_SPAN, TaskEventCode } from '@spindle/core/events';

/**
 * What a worker sends the main thread, in one message per flush: its lifecycle events and
 * the outcomes of main-thread tasks, packed as numbers in `records` (transferred, not
 * cloned), and the few values numbers cannot hold (strings, results too large for a slot)
 * in `extras`, which records point into by index.
 *
 * `records` is a sequence of chunks, each `[seq, n, ...n numbers]`. A chunk's `seq` comes
 * from the pool-wide sequence counter (-1: unsequenced, handled on arrival); the main
 * thread handles chunks in `seq` order across workers. A worker ends its chunk whenever
 * something reaches it from another thread (a steal, the inject queue, its mailbox, a
 * message) and at every flush, and takes the next chunk's number only when it next records
 * something. So if an event on one thread happened before an event on another (the first
 * thread published work or a result that the second then took), the first event's chunk
 * took its number before the second's did: handling chunks in order keeps every such
 * "before", such as a child's events before its parent's settlement, for one atomic
 * operation per chunk rather than one per event.
 *
 * Inside a chunk, numbers are core's packed batch records (see `TaskEventBatch`), so step
 * events pass to the batch channel as they are: a negative number is a time (negated) for
 * the records after it; any other is `id * 32 + code`, followed by a code's operands:
 *
 * | code | id | operands |
 * | --- | --- | --- |
 * | Start, Resume, SuspendYield, Wake | task | none |
 * | SuspendWait | task | none; a `WaitingOn` record (the task waited on) may follow |
 * | Spawn | task | parent id, name (extras index or -1), body (extras index) |
 * | Steal | task | from, to |
 * | Settle | task | state ({@link settleStates} index), error name (extras index or -1) |
 * | Done | slot | task id: a main-thread task finished, its outcome is in the slot |
 * | DoneWithValue | slot | status, value (extras index): the outcome did not fit the slot |
 * | Relay | slot | owner worker, status, value (extras index): for another worker's task, through the main thread |
 *
 * Every chunk that holds an event begins with a time.
 */
export type WorkerReport = readonly [records: Float64Array, extras: readonly unknown[]];

/** Codes of the records inside a chunk: core's for step events, the pool's own for the rest. */
export const Wire = {
  Start: TaskEventCode.Start,
  Resume: TaskEventCode.Resume,
  SuspendYield: TaskEventCode.SuspendYield,
  SuspendWait: TaskEventCode.SuspendWait,
  Wake: TaskEventCode.Wake,
  WaitingOn: TaskEventCode.WaitingOn,
  // Codes core's step events leave free (core's Event and whole-step codes never travel here).
  Spawn: 11,
  Steal: 12,
  Settle: 13,
  Done: 14,
  DoneWithValue: 15,
  Relay: 0,
} as const;

/** Core's record layout: `id * SPAN + code`. */
export const SPAN = CODE_SPAN;

/** Numbers before a chunk's records: its sequence number and its length. */
export const CHUNK_HEADER = 2;

/** Settle states by their index on the wire. */
export const settleStates = ['fulfilled', 'rejected', 'cancelled'] as const;

/** The message a worker sends when it has started (and nothing else to say). */
export function emptyReport(): WorkerReport {
  return [new Float64Array(0), []];
}
