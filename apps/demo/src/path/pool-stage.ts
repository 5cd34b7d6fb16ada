import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { channelNames } from '@spindle/core';
import type { TaskEvent } from '@spindle/core';
import { PoolExecutor } from '@spindle/pool';
import { spreadRef } from './pool-tasks.mjs';
import type { Stage } from './stage.js';

const label = 'pool';

/** Stage 7: CPU-heavy, imbalanced tasks on the work-stealing pool. */
export const poolStage: Stage = {
  index: 7,
  name: 'pool',
  title: 'Work-stealing pool',
  summary:
    'CPU-heavy tasks of uneven size (every fourth is 8× the rest), all spawned inside one worker: the other workers get work only by stealing it from that worker\'s deque.',
  run: async (sizes, progress) => {
    const pool = new PoolExecutor({ threads: sizes.threads, label });
    // Progress from the settle events the pool forwards: the main thread never sees the
    // children otherwise (they are spawned and joined inside the workers).
    let settled = 0;
    const onSettle = (message: unknown): void => {
      const event = message as TaskEvent;
      if (event.executor !== label) return;
      settled++;
      progress(Math.min(settled, sizes.tasks), sizes.tasks);
    };
    subscribe(channelNames.settle, onSettle);
    try {
      await pool.ready();
      const checksum = await pool.spawn(spreadRef, [sizes.tasks, sizes.unit], { name: 'spread' });
      const stats = pool.stats;
      await pool.close();
      return {
        result: checksum,
        notes: [
          `${String(sizes.tasks)} tasks on ${String(stats.threads)} workers: ${String(stats.executed)} executed (pool.stats, the spawning task included)`,
          `${String(stats.steals)} steal operation(s) (pool.stats.steals: each takes a batch, up to half of the victim's deque at once)`,
          'CPU includes the worker threads: CPU / wall ≈ how many cores were busy',
        ],
      };
    } finally {
      unsubscribe(channelNames.settle, onSettle);
      await pool.close({ mode: 'cancel' });
    }
  },
};
