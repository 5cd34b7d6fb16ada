import { deserialize, serialize } from 'node:v8';
import type { Redis } from 'ioredis';
import { readJobResult } from './job-values.js';
import { Status } from './messages.js';
import type { OutcomeMessage } from './messages.js';

/**
 * Where the outcome of a child job stays in Redis, so that its parent finds it even when the
 * message to its inbox is lost (the parent's process died, or the child's before sending it):
 * - a child that completed leaves its value as its return value (see job-values.ts), which
 *   BullMQ keeps, as JSON, in its parent's `processed` hash, in the same step as the
 *   completion (see finishJob);
 * - a child that failed for good (or was cancelled) records its outcome in a hash of ours
 *   beside the parent's keys, before its job fails.
 * Both are keyed by the child's job key, `<prefix>:<queue>:<job id>`, as BullMQ keys them.
 */

/** The outcome of a completed child, from its return value as its parent's `processed` hash keeps it (JSON). */
function completedOutcome(value: unknown): OutcomeMessage | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    // Only a completed (so fulfilled) child is in the hash; its task id is not needed here.
    return [1, 0, Status.fulfilled, readJobResult(JSON.parse(value))];
  } catch {
    return undefined;
  }
}

/** An outcome as a failed child leaves it in Redis: base64 V8 bytes of its outcome message. */
export function packOutcome(message: OutcomeMessage): string {
  return serialize(message).toString('base64');
}

/** The outcome a child left (see {@link packOutcome}), if `value` is one. */
export function unpackOutcome(value: unknown): OutcomeMessage | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const message = deserialize(Buffer.from(value, 'base64')) as unknown;
    return Array.isArray(message) && message[0] === 1 ? (message as unknown as OutcomeMessage) : undefined;
  } catch {
    return undefined;
  }
}

/** Our hash of the failed children of the job `parentKey` (`<prefix>:<queue>:<id>`). */
export function failedOutcomesKey(parentKey: string): string {
  return `${parentKey}:spindle:failed`;
}

/** A child job, as its parent's outcome hashes key it. */
export interface ChildRef {
  /** The parent's job key, `<prefix>:<queue>:<id>`. */
  readonly parentKey: string;
  /** The child's job key. */
  readonly childKey: string;
}

/**
 * Looks up the outcomes the given children left in Redis: one round trip, two reads per parent.
 * @returns the outcome of each child that has one, by its index in `children`
 */
export async function findOutcomes(redis: Redis, children: readonly ChildRef[]): Promise<Map<number, OutcomeMessage>> {
  const byParent = new Map<string, number[]>();
  children.forEach((child, index) => {
    const list = byParent.get(child.parentKey);
    if (list === undefined) byParent.set(child.parentKey, [index]);
    else list.push(index);
  });
  const pipeline = redis.pipeline();
  const parents = [...byParent];
  for (const [parentKey, indices] of parents) {
    const fields = indices.map((index) => children[index]?.childKey ?? '');
    pipeline.hmget(`${parentKey}:processed`, ...fields).hmget(failedOutcomesKey(parentKey), ...fields);
  }
  const replies = (await pipeline.exec()) ?? [];
  const found = new Map<number, OutcomeMessage>();
  parents.forEach(([, indices], p) => {
    const completed = replies[2 * p];
    const failed = replies[2 * p + 1];
    indices.forEach((index, i) => {
      const message = completedOutcome(valueAt(completed, i)) ?? unpackOutcome(valueAt(failed, i));
      if (message !== undefined) found.set(index, message);
    });
  });
  return found;
}

/** The `i`th value of an HMGET reply in a pipeline's results, if it succeeded. */
function valueAt(reply: [error: Error | null, result: unknown] | undefined, i: number): unknown {
  if (reply?.[0] !== null || !Array.isArray(reply[1])) return undefined;
  return (reply[1] as unknown[])[i];
}
