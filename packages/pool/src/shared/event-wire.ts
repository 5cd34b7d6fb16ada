import { CODE_SPAN, EXECUTOR_CODES, TaskEventCode } from '@spindle/core/events';

/**
 * What a worker sends the main thread, in one message per flush: its lifecycle events and
 * the outcomes of main-thread tasks, packed as numbers in `records` (transferred, not
 * cloned), and the few values numbers cannot hold (strings, results too large for a slot
 * or given with `moved()`, whose buffers are transferred with the message) in `extras`,
 * which records point into by index.
 *
 * `records` is a sequence of chunks, each a header record `(seq + 1) * 32 + Chunk`, the
 * number `n` of what follows, then `n` numbers. A chunk's `seq` comes from the pool-wide
 * sequence counter (-1: unsequenced, handled on arrival); the main thread handles chunks
 * in `seq` order across workers. A worker ends its chunk whenever
 * something reaches it from another thread (a steal, the inject queue, its mailbox, a
 * message) and at every flush, and takes the next chunk's number only when it next records
 * something. So if an event on one thread happened before an event on another (the first
 * thread published work or a result that the second then took), the first event's chunk
 * took its number before the second's did: handling chunks in order keeps every such
 * "before", such as a child's events before its parent's settlement, for one atomic
 * operation per chunk rather than one per event.
 *
 * Inside a chunk, numbers are packed as core's batch records are (see `TaskEventBatch`): a
 * negative number is a time (negated) for the records after it; any other is
 * `id * 32 + code`, followed by a code's operands. Core's step events travel as core's
 * own records, with core's codes ({@link CoreCode}), and pass to the batch channel as they
 * are; the pool's own records use codes of core's range for executors
 * (`EXECUTOR_CODES`, {@link PoolCode}), so that no code means two things:
 *
 * | code | id | operands |
 * | --- | --- | --- |
 * | Start, Resume, SuspendYield, Wake | task | none |
 * | SuspendWait | task | none; a `WaitingOn` record (the task waited on) may follow |
 * | Chunk | seq + 1 | the chunk's length (only as a chunk's header) |
 * | Spawn | task | parent id, name (extras index or -1), body (extras index) |
 * | Steal | task | from, to |
 * | Settle | task | state ({@link settleStates} index), error name (extras index or -1) |
 * | Done | slot | task id: a main-thread task finished, its outcome is in the slot |
 * | DoneWithValue | slot | status, value (extras index): the outcome did not fit the slot, or its buffers move |
 * | Relay | slot | owner worker, status, value (extras index), buffers to move on (extras index or -1): for another worker's task, through the main thread |
 *
 * Every chunk that holds an event begins with a time.
 */
export type WorkerReport = readonly [records: Float64Array, extras: readonly unknown[]];

/** The events of core that workers forward, with core's codes. */
export const CoreCode = {
  Start: TaskEventCode.Start,
  Resume: TaskEventCode.Resume,
  SuspendYield: TaskEventCode.SuspendYield,
  SuspendWait: TaskEventCode.SuspendWait,
  Wake: TaskEventCode.Wake,
  WaitingOn: TaskEventCode.WaitingOn,
} as const;

/** The pool's own records, with codes from core's range for executors (`EXECUTOR_CODES`). */
export const PoolCode = {
  Chunk: EXECUTOR_CODES.first,
  Spawn: EXECUTOR_CODES.first + 1,
  Steal: EXECUTOR_CODES.first + 2,
  Settle: EXECUTOR_CODES.first + 3,
  Done: EXECUTOR_CODES.first + 4,
  DoneWithValue: EXECUTOR_CODES.first + 5,
  Relay: EXECUTOR_CODES.first + 6,
} as const;

/** Every code of the wire format. */
export const Wire = { ...CoreCode, ...PoolCode } as const;

/** Core's record layout: `id * SPAN + code`. */
export const SPAN = CODE_SPAN;

/** Numbers before a chunk's records: its header record and its length. */
export const CHUNK_HEADER = 2;

/** The header record of a chunk numbered `seq` (-1: unsequenced). */
export function chunkHeader(seq: number): number {
  return (seq + 1) * SPAN + PoolCode.Chunk;
}

/** The sequence number in a chunk's header record; throws if `record` is not one. */
export function chunkSequence(record: number): number {
  const id = Math.floor(record / SPAN);
  if (record - id * SPAN !== PoolCode.Chunk) throw new Error(`corrupt worker report: ${record} is not a chunk header`);
  return id - 1;
}

/** Settle states by their index on the wire. */
export const settleStates = ['fulfilled', 'rejected', 'cancelled'] as const;

/** The message a worker sends when it has started (and nothing else to say). */
export function emptyReport(): WorkerReport {
  return [new Float64Array(0), []];
}
