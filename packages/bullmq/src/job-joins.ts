import type { Redis } from 'ioredis';
import { packOutcome, unpackOutcome } from './child-outcomes.js';
import type { OutcomeMessage } from './messages.js';

/**
 * Jobs with an id of the user's (`jobId`) that more than one spawn may share.
 *
 * BullMQ adds no job whose id is in Redis already (waiting, running, or finished and kept),
 * and says nothing of it: both adds return the id. So every spawn of such a job, the first
 * included, puts its inbox and task id in the job's set of joiners before its add, and the
 * worker that finishes the job, in one script, records the outcome (in the job's hash, where
 * it lives as long as the job, and under a key of its own for a minute, for a job removed on
 * completion) and reads the joiners, then sends the outcome to each. A joiner that registers
 * after that script finds the outcome in Redis; one that registers before is sent it. The
 * key of its own answers only while no job has the id: once the job is gone, the id is free,
 * and a later spawn's add makes a new job, which runs.
 *
 * A spawn that finds the job gone without an outcome (removed while it waited: cancelled, or
 * by hand) adds it again. Cancelling one spawn's handle leaves the job to the others; the
 * last one's cancels the job.
 */

/** The field of a job's hash that holds the outcome of a joinable job (BullMQ reads only its own fields). */
const outcomeField = 'spindleOutcome';
/** How long the outcome of a job removed on completion stays for spawns that joined it late. */
const outcomeTtlMs = 60_000;
/** A set of joiners nobody finishes (its job was removed by hand) goes a day after its last joiner. */
const joinersTtlMs = 24 * 60 * 60 * 1000;

/** Redis keys of one joinable job. */
export interface JoinKeys {
  /** The job's hash, `<prefix>:<queue>:<id>`. */
  readonly job: string;
  readonly outcome: string;
  readonly joiners: string;
}

export function joinKeys(prefix: string, queueName: string, jobId: string): JoinKeys {
  const job = `${prefix}:${queueName}:${jobId}`;
  return { job, outcome: `${job}:spindle:outcome`, joiners: `${job}:spindle:joiners` };
}

/** A joiner as its set keeps it: `<inbox> <task id>`. */
export function joiner(inbox: string, taskId: number): string {
  return `${inbox} ${String(taskId)}`;
}

function parseJoiner(member: string): readonly [inbox: string, taskId: number] | undefined {
  const space = member.lastIndexOf(' ');
  const taskId = Number(member.slice(space + 1));
  return space > 0 && Number.isSafeInteger(taskId) ? [member.slice(0, space), taskId] : undefined;
}

// Records the outcome and reads the joiners, in one step (see above).
const announceScript = `
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], '${outcomeField}', ARGV[1]) end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
return redis.call('SMEMBERS', KEYS[3])`;

// Leaves the joiners unless the caller is the last: then it stays, and cancels the job.
const leaveScript = `
if redis.call('SCARD', KEYS[1]) <= 1 then return 1 end
redis.call('SREM', KEYS[1], ARGV[1])
return 0`;

/**
 * Worker side: records a joinable job's final outcome and says who waits for it.
 * @param first the job's spawner (`JobData.r`, `.i`), told whether or not it is in the set
 * @returns every `[inbox, task id]` to send the outcome to, once each
 */
export async function announceOutcome(redis: Redis, keys: JoinKeys, message: OutcomeMessage, first: readonly [string, number]): Promise<(readonly [string, number])[]> {
  const members = (await redis.eval(announceScript, 3, keys.job, keys.outcome, keys.joiners, packOutcome(message), outcomeTtlMs)) as string[];
  const targets = new Map<string, readonly [string, number]>([[joiner(...first), first]]);
  for (const member of members) {
    const parsed = parseJoiner(member);
    if (parsed !== undefined) targets.set(member, parsed);
  }
  return [...targets.values()];
}

/** What a spawn finds of its joinable job. */
export type JoinState = { readonly kind: 'settled'; readonly outcome: OutcomeMessage } | { readonly kind: 'waiting' } | { readonly kind: 'gone' };

/** Executor side: registers spawns as joiners of their jobs (before their adds). */
export async function register(redis: Redis, entries: readonly { readonly keys: JoinKeys; readonly member: string }[]): Promise<void> {
  const pipeline = redis.pipeline();
  for (const { keys, member } of entries) pipeline.sadd(keys.joiners, member).pexpire(keys.joiners, joinersTtlMs);
  const replies = (await pipeline.exec()) ?? [];
  for (const [error] of replies) if (error !== null) throw error;
}

/** Executor side: what became of these joinable jobs, in one round trip. */
export async function lookUp(redis: Redis, keys: readonly JoinKeys[]): Promise<JoinState[]> {
  const pipeline = redis.pipeline();
  for (const k of keys) pipeline.hget(k.job, outcomeField).get(k.outcome).exists(k.job);
  const replies = (await pipeline.exec()) ?? [];
  return keys.map((_, i) => {
    const [fieldError, field] = replies[3 * i] ?? [null, null];
    const [keyError, key] = replies[3 * i + 1] ?? [null, null];
    const [existsError, exists] = replies[3 * i + 2] ?? [null, 1];
    if (fieldError !== null || keyError !== null || existsError !== null) return { kind: 'waiting' };
    // The key outlives its job, and the id may be a new job's by now: it answers only for a job gone.
    const outcome = unpackOutcome(field) ?? (exists === 0 ? unpackOutcome(key) : undefined);
    if (outcome !== undefined) return { kind: 'settled', outcome };
    return exists === 0 ? { kind: 'gone' } : { kind: 'waiting' };
  });
}

/**
 * Executor side: a spawn whose handle was cancelled leaves its job's joiners.
 * @returns true when it was the last: the job is to be cancelled
 */
export async function leave(redis: Redis, keys: JoinKeys, member: string): Promise<boolean> {
  return (await redis.eval(leaveScript, 1, keys.joiners, member)) === 1;
}
