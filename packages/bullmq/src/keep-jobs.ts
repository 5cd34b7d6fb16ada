import type { KeepJobs } from 'bullmq';
import { InvalidOptionsError } from '@spindle/core';
import { assertKnownOptions, describeValue } from '@spindle/core/kit';
import { integer } from './option-checks.js';

/**
 * Which finished jobs of one kind stay in Redis: `true` all of them, `false` none, a number
 * the latest that many, or BullMQ's `{ age, count }` (age in seconds, best effort: BullMQ
 * looks when another job of the kind finishes). The inverse of BullMQ's `removeOnComplete` /
 * `removeOnFail` for the booleans, the same for the rest.
 */
export type KeepSetting = boolean | number | KeepJobs;

/** Which finished jobs stay in Redis, by kind. */
export interface KeepJobsOptions {
  /** Jobs whose task fulfilled. Default `false`: removed at once. */
  readonly completed?: KeepSetting;
  /** Jobs whose task failed for good (or was cancelled while running). Default `{ age: 86400 }`: a day. */
  readonly failed?: KeepSetting;
}

/** BullMQ's `removeOnComplete` / `removeOnFail` value. */
export type RemoveSetting = boolean | number | KeepJobs;

/** `keepJobs` as BullMQ's job options say it. */
export interface ResolvedKeepJobs {
  readonly removeOnComplete: RemoveSetting;
  readonly removeOnFail: RemoveSetting;
}

const defaults: ResolvedKeepJobs = { removeOnComplete: true, removeOnFail: { age: 24 * 60 * 60 } };

/**
 * A completed child job stays at least this long (and at least this many of them): a parent
 * run again that adds a child again then joins it, even if the child completed between the
 * parent's look for its outcome and the add.
 */
const childFloor = { age: 60, count: 1_000 } as const;

function removeSetting(value: unknown, option: string, fallback: RemoveSetting): RemoveSetting {
  if (value === undefined) return fallback;
  if (typeof value === 'boolean') return !value;
  if (typeof value === 'number') return integer(value, option, 0, Number.MAX_SAFE_INTEGER, 0);
  if (typeof value !== 'object' || value === null) {
    throw new InvalidOptionsError(option, `${option} must be a boolean, a count or { age, count }, got ${describeValue(value)}`);
  }
  assertKnownOptions(`bullmq ${option}`, value, ['age', 'count', 'limit']);
  const o = value as Record<string, unknown>;
  const age = o.age === undefined ? undefined : integer(o.age, `${option}.age`, 0, Number.MAX_SAFE_INTEGER, 0);
  const count = o.count === undefined ? undefined : integer(o.count, `${option}.count`, 0, Number.MAX_SAFE_INTEGER, 0);
  const limit = o.limit === undefined ? undefined : integer(o.limit, `${option}.limit`, 1, Number.MAX_SAFE_INTEGER, 1);
  if (age !== undefined) return { age, ...(count === undefined ? {} : { count }), ...(limit === undefined ? {} : { limit }) };
  if (count !== undefined) return { count };
  throw new InvalidOptionsError(option, `${option} needs an age or a count, got ${describeValue(value)}`);
}

/**
 * Checks `keepJobs` and says it as BullMQ's job options do.
 * @throws InvalidOptionsError naming the option at fault
 */
export function keepSettings(value: unknown): ResolvedKeepJobs {
  if (value === undefined) return defaults;
  if (typeof value === 'boolean') return { removeOnComplete: !value, removeOnFail: !value };
  if (typeof value !== 'object' || value === null) {
    throw new InvalidOptionsError('keepJobs', `keepJobs must be a boolean or { completed, failed }, got ${describeValue(value)}`);
  }
  assertKnownOptions('bullmq keepJobs', value, ['completed', 'failed']);
  const o = value as Record<string, unknown>;
  return {
    removeOnComplete: removeSetting(o.completed, 'keepJobs.completed', defaults.removeOnComplete),
    removeOnFail: removeSetting(o.failed, 'keepJobs.failed', defaults.removeOnFail),
  };
}

/** A completed child job is kept as its root's setting says, and at least {@link childFloor}. */
export function childRemoveOnComplete(root: RemoveSetting | undefined): RemoveSetting {
  if (root === false) return false;
  if (root === undefined || root === true) return childFloor;
  if (typeof root === 'number') return { count: Math.max(root, childFloor.count) };
  if (!('age' in root)) return { count: Math.max(root.count, childFloor.count) };
  const count = root.count === undefined ? {} : { count: Math.max(root.count, childFloor.count) };
  return { age: Math.max(root.age, childFloor.age), ...count };
}
