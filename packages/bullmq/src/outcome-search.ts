import type { Redis } from 'ioredis';
import { findOutcomes } from './child-outcomes.js';
import { settleWith } from './outcome.js';
import type { Outbound, Spawner } from './spawner.js';

/** Children looked up per look: one round trip, a bounded request however many are out. */
const perLook = 1_000;

/**
 * Looks in Redis for the outcomes of some of a spawner's outstanding children (those `which`
 * picks, once added), whose message was lost or went to the inbox of an earlier run (see
 * child-outcomes.ts), and settles those it finds. A look reads at most a thousand of them,
 * the next thousand the next time round, so that a parent of a hundred thousand children
 * does not read them all on every look.
 */
export class OutcomeSearch {
  private readonly redis: Redis;
  private readonly spawner: Spawner;
  private readonly which: (outbound: Outbound) => boolean;
  private readonly onError: (error: unknown) => void;
  /** Where the next look starts among the picked children. */
  private next = 0;

  constructor(redis: Redis, spawner: Spawner, which: (outbound: Outbound) => boolean, onError: (error: unknown) => void) {
    this.redis = redis;
    this.spawner = spawner;
    this.which = which;
    this.onError = onError;
  }

  /** One look. @returns how many children `which` picks are still outstanding */
  async look(): Promise<number> {
    const added: Outbound[] = [];
    let outstanding = 0;
    for (const outbound of this.spawner.waiting()) {
      if (!this.which(outbound)) continue;
      outstanding++;
      if (outbound.state === 'added') added.push(outbound);
    }
    if (added.length === 0) return outstanding;
    const start = this.next >= added.length ? 0 : this.next;
    const picked = added.slice(start, start + perLook);
    this.next = start + picked.length;
    let found;
    try {
      found = await findOutcomes(this.redis, picked.map((outbound) => this.spawner.childRef(outbound)));
    } catch (error) {
      this.onError(error);
      return outstanding;
    }
    for (const [index, message] of found) {
      const outbound = picked[index];
      const taken = outbound === undefined ? undefined : this.spawner.take(outbound.task.id);
      if (taken !== undefined) settleWith(taken.task, message[2], message[3]);
    }
    return outstanding - found.size;
  }
}
