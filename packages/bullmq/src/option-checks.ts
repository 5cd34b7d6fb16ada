import { InvalidOptionsError } from '@spindle/core';
import { describeValue } from '@spindle/core/kit';
import type { RedisOptions } from 'ioredis';

/**
 * Where Redis is: a URL (`redis://user:pass@host:6379/0`, `rediss://` for TLS) or ioredis
 * options. With the queue name, the one setting an executor and its worker processes must
 * agree on.
 */
export type RedisConnection = string | RedisOptions;

/** How BullMQ waits between attempts of a failed task. */
export interface BackoffOptions {
  readonly type: 'fixed' | 'exponential';
  /** Milliseconds: the wait (`fixed`) or the first wait, doubled each time (`exponential`). */
  readonly delay: number;
}

/** The largest millisecond figure the options take (about 24.8 days, as `setTimeout`). */
export const maxMs = 2 ** 31 - 1;

/** `options` as a record of fields, or InvalidOptionsError. */
export function record(options: unknown, what: string): Record<string, unknown> {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionsError('options', `${what} options must be an object, got ${describeValue(options)}`);
  }
  return options as Record<string, unknown>;
}

/** An integer in [min, max], `fallback` when absent, else InvalidOptionsError naming `option`. */
export function integer(value: unknown, option: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidOptionsError(option, `${option} must be an integer in [${String(min)}, ${String(max)}], got ${describeValue(value)}`);
  }
  return value;
}

/** A Redis key part: a non-empty string without ':'. */
export function name(value: unknown, option: string, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value === '' || value.includes(':')) {
    throw new InvalidOptionsError(option, `${option} must be a non-empty string without ':', got ${describeValue(value)}`);
  }
  return value;
}

export function optionalString(value: unknown, option: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new InvalidOptionsError(option, `${option} must be a string, got ${describeValue(value)}`);
  return value;
}

export function optionalBoolean(value: unknown, option: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw new InvalidOptionsError(option, `${option} must be a boolean, got ${describeValue(value)}`);
  return value;
}

export function connection(value: unknown): RedisConnection {
  if (typeof value === 'string') {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new InvalidOptionsError('connection', `connection must be a redis:// or rediss:// URL or ioredis options, got ${describeValue(value)}`);
    }
    if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
      throw new InvalidOptionsError('connection', `connection URL must start with redis:// or rediss://, got ${url.protocol}//`);
    }
    return value;
  }
  if (typeof value === 'object' && value !== null) return value;
  throw new InvalidOptionsError('connection', `connection (a redis:// URL or ioredis options) is required, got ${describeValue(value)}`);
}

/** BullMQ's `backoff`: milliseconds, or `{ type, delay }`. */
export function backoff(value: unknown, option = 'backoff'): number | BackoffOptions | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return integer(value, option, 0, maxMs, 0);
  const o = record(value, option);
  if (o.type !== 'fixed' && o.type !== 'exponential') {
    throw new InvalidOptionsError(option, `${option}.type must be 'fixed' or 'exponential', got ${describeValue(o.type)}`);
  }
  return { type: o.type, delay: integer(o.delay, `${option}.delay`, 0, maxMs, 0) };
}
