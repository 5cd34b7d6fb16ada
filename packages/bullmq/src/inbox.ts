import { setTimeout as delay } from 'node:timers/promises';
import { deserialize, serialize } from 'node:v8';
import type { Redis } from 'ioredis';
import { failedOutcomesKey, packOutcome } from './child-outcomes.js';
import type { ChildRef } from './child-outcomes.js';
import type { InboxMessage } from './messages.js';

/** Messages taken from an inbox per round trip once one has arrived. */
const batch = 1_000;
/** An inbox nobody reads (its owner died) disappears a day after its last message. */
const inboxTtlMs = 24 * 60 * 60 * 1000;

/**
 * Where the outcomes of a spawner's tasks and the lifecycle events of its executor arrive:
 * a Redis list, read in order with a blocking pop on a connection of its own. A list (not
 * pub/sub) keeps what arrives while nobody reads, so nothing sent is lost.
 */
export class Inbox {
  readonly key: string;
  private readonly redis: Redis;
  private readonly onMessage: (message: InboxMessage) => void;
  private readonly onError: (error: unknown) => void;
  private running = false;

  /** @param redis a connection for this inbox alone (it blocks) */
  constructor(redis: Redis, key: string, onMessage: (message: InboxMessage) => void, onError: (error: unknown) => void) {
    this.redis = redis;
    this.key = key;
    this.onMessage = onMessage;
    this.onError = onError;
  }

  /** Starts reading, once. */
  start(): void {
    if (this.running) return;
    this.running = true;
    void this.loop();
  }

  /** Stops reading and closes the connection. */
  stop(): void {
    this.running = false;
    this.redis.disconnect();
  }

  /** Read through a method: `stop()` may have run during an await, which narrowing cannot see. */
  private isRunning(): boolean {
    return this.running;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      let messages: Buffer[];
      try {
        const first = await this.redis.blpopBuffer(this.key, 0);
        if (first === null) continue;
        // Whatever else is there already comes in one more round trip.
        const rest = await this.redis.lpopBuffer(this.key, batch);
        messages = rest === null ? [first[1]] : [first[1], ...rest];
      } catch (error) {
        if (!this.isRunning()) return;
        this.onError(error);
        // Redis is unreachable for longer than ioredis retries a command: try again shortly.
        await delay(250);
        continue;
      }
      for (const bytes of messages) this.onMessage(deserialize(bytes) as InboxMessage);
    }
  }
}

/**
 * Appends a message to an inbox (and pushes its expiry on). Sent in order on `redis`.
 * @param child a child job whose outcome this is: recorded for its parent first (see child-outcomes.ts)
 */
export function post(redis: Redis, key: string, message: InboxMessage, child?: ChildRef): Promise<unknown> {
  const pipeline = redis.pipeline();
  if (child !== undefined && message[0] === 1) {
    const failed = failedOutcomesKey(child.parentKey);
    pipeline.hset(failed, child.childKey, packOutcome(message)).pexpire(failed, inboxTtlMs);
  }
  return pipeline.rpush(key, serialize(message)).pexpire(key, inboxTtlMs).exec();
}
