import { Redis } from 'ioredis';
import type { RedisConnection } from './option-checks.js';

/**
 * A new ioredis connection. `maxRetriesPerRequest: null` is what BullMQ requires of the
 * connections its workers block on, and what keeps a command waiting through a reconnect
 * instead of failing a task.
 */
export function connect(connection: RedisConnection, name: string): Redis {
  const options = { maxRetriesPerRequest: null, connectionName: name };
  return typeof connection === 'string' ? new Redis(connection, options) : new Redis({ ...connection, ...options });
}

/**
 * Closes a connection: politely (QUIT, after the replies it waits for) when Redis is there,
 * at once when it is not, since a QUIT queued for a server that is gone would wait forever.
 */
export async function close(redis: Redis): Promise<void> {
  if (redis.status === 'ready') {
    await redis.quit().catch(() => undefined);
    return;
  }
  redis.disconnect();
}

/**
 * Lets a connection keep the process alive, or not. An idle executor must not hold the
 * process open (the contract), yet keeps its connections for the next burst of work.
 */
export function setReferenced(redis: Redis, on: boolean): void {
  const stream = (redis as { stream?: { ref?: () => void; unref?: () => void } }).stream;
  if (on) stream?.ref?.();
  else stream?.unref?.();
}
