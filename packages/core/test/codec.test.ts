import { describe, expect, it } from 'vitest';
import { InvalidTaskError, SpindleError, TaskCancelledError } from '../src/contract/errors.js';
import { decodeError, encodeError, isEncodedError } from '../src/kit/codec.js';
import { brandErrorClass } from '../src/shared/error-brand.js';

/** What crosses a thread: the encoded error after a structured clone, as `postMessage` makes it. */
function across(error: unknown): unknown {
  return decodeError(structuredClone(encodeError(error)));
}

class DbError extends Error {
  code = 'E_DB';
  retryable = true;
}

describe('the boundary codec', () => {
  it('keeps a custom error class by name, with its own fields, message, stack and cause', () => {
    const cause = new RangeError('pool exhausted');
    const original = new DbError('insert failed', { cause });
    const arrived = across(original);
    expect(arrived).toBeInstanceOf(Error);
    expect(arrived).not.toBeInstanceOf(DbError);
    const error = arrived as DbError;
    expect(error.constructor.name).toBe('DbError');
    expect(error.name).toBe('Error');
    expect(error.message).toBe('insert failed');
    expect(error.stack).toBe(original.stack);
    expect(error.code).toBe('E_DB');
    expect(error.retryable).toBe(true);
    expect(error.cause).toBeInstanceOf(RangeError);
    expect((error.cause as Error).message).toBe('pool exhausted');
    // The same class stands in for every error of that name.
    expect((across(new DbError('again')) as object).constructor).toBe(error.constructor);
  });

  it('keeps a standard base class and a name set on the instance', () => {
    class HttpError extends TypeError {
      constructor(readonly status: number) {
        super(`status ${String(status)}`);
        this.name = 'HttpError';
      }
    }
    const error = across(new HttpError(503)) as HttpError;
    expect(error).toBeInstanceOf(TypeError);
    expect(error.name).toBe('HttpError');
    expect(error.status).toBe(503);
    expect(error.constructor.name).toBe('HttpError');
  });

  it("brings Spindle's own errors back as their own classes", () => {
    const cancelled = across(new TaskCancelledError(7, 'fetch', new Error('stop'))) as TaskCancelledError;
    expect(cancelled).toBeInstanceOf(TaskCancelledError);
    expect(cancelled).toBeInstanceOf(SpindleError);
    expect(cancelled.name).toBe('TaskCancelledError');
    expect(cancelled.taskId).toBe(7);
    expect(cancelled.taskName).toBe('fetch');
    expect(cancelled.message).toBe('task #7 "fetch" was cancelled: stop');
    expect((cancelled.cause as Error).message).toBe('stop');

    const invalid = across(new InvalidTaskError('not-cloneable', 'argument 1 cannot be cloned', { argumentIndex: 1 })) as InvalidTaskError;
    expect(invalid).toBeInstanceOf(InvalidTaskError);
    expect(invalid.code).toBe('not-cloneable');
    expect(invalid.argumentIndex).toBe(1);
  });

  it('revives a class branded by another package by its brand', () => {
    class QuotaError extends SpindleError {
      constructor(readonly limit: number) {
        super(`over the quota of ${String(limit)}`);
      }
    }
    brandErrorClass(QuotaError, '@spindle/core-test:QuotaError');
    const error = across(new QuotaError(3)) as QuotaError;
    expect(error).toBeInstanceOf(QuotaError);
    expect(error.name).toBe('QuotaError');
    expect(error.limit).toBe(3);
  });

  it("keeps an aggregate's errors, and leaves out fields that cannot be cloned", () => {
    const withFunction = Object.assign(new Error('has a callback'), { retry: () => 1, attempt: 2 });
    const aggregate = new AggregateError([new DbError('a'), withFunction], 'both failed');
    const error = across(aggregate) as AggregateError;
    expect(error).toBeInstanceOf(AggregateError);
    expect(error.errors).toHaveLength(2);
    expect((error.errors[0] as DbError).code).toBe('E_DB');
    const second = error.errors[1] as Error & { retry?: unknown; attempt?: unknown };
    expect(second.attempt).toBe(2);
    expect('retry' in second).toBe(false);
  });

  it('passes values that are not errors through unchanged, and carries a long or circular chain of causes', () => {
    expect(encodeError('plain')).toBe('plain');
    expect(decodeError({ some: 'object' })).toEqual({ some: 'object' });
    expect(isEncodedError(encodeError(new Error('x')))).toBe(true);
    let chain: Error = new DbError('root');
    for (let i = 0; i < 20; i++) chain = new Error(`level ${String(i)}`, { cause: chain });
    const messages: string[] = [];
    for (let e: unknown = across(chain); e instanceof Error; e = e.cause) messages.push(e.message);
    expect(messages).toHaveLength(21);
    expect(messages[0]).toBe('level 19');
    expect(messages[20]).toBe('root');
    const circular = new Error('loops');
    circular.cause = circular;
    const arrived = across(circular) as Error;
    expect(arrived.message).toBe('loops');
    expect((arrived.cause as Error).message).toBe('loops');
  });
});
