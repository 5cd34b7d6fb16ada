import { describe, expect, inject, it } from 'vitest';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Redis } from 'ioredis';
import { channelNames, taskRef } from '@spindle/core';
import type { SettleEvent, TaskContext, TaskHandle } from '@spindle/core';
import { BullmqExecutor } from '../dist/index.js';
import { startWorkers } from './workers.js';

const url = inject('redisUrl');
const tasks = new URL('./kill-tasks.mjs', import.meta.url).href;
const cpu = taskRef<(ctx: TaskContext, id: number, ms: number) => number>(tasks, 'cpu');
interface ParentResult {
  readonly p: number;
  readonly sum: number;
  readonly tokens: readonly string[];
}
const parent = taskRef<(ctx: TaskContext, url: string, key: string, p: number, ms: number) => Promise<ParentResult>>(tasks, 'parent');

/**
 * Tasks in the run: a tenth are parents spawning four children each, the rest CPU tasks.
 * 2,000 by default, as in issue 22; SPINDLE_KILL_TASKS sets another number.
 */
const total = Number(process.env.SPINDLE_KILL_TASKS ?? 2_000);
const cpuMs = 2;
const childMs = 2;
/**
 * The running tasks' lock in this test: shorter than the 30 s default so that the task the
 * dead worker was running comes back sooner; the waiting parents' lock and the stalled-job
 * check keep their defaults (5 s each), and it is their recovery that is measured.
 */
const lockDuration = 15_000;
/** A child's run that ended on the dead worker this long before the kill had completed its job. */
const completionMarginMs = 500;

/** One record of a run (see kill-tasks.mjs): `s` start or `e` end, of task `id`, run `token`, at `time`. */
interface RunRecord {
  readonly kind: 's' | 'e';
  readonly id: string;
  readonly token: string;
  readonly pid: number;
  readonly time: number;
}

function parseRecord(entry: string): RunRecord {
  const [kind, id, token, time] = entry.split('|');
  return { kind: kind === 'e' ? 'e' : 's', id: id ?? '', token: token ?? '', pid: Number((token ?? '').split(':')[0]), time: Number(time) };
}

describe('a worker process killed while it holds parents waiting for their children', () => {
  it(`${total} tasks (a tenth of them parents of four) on two workers, one SIGKILLed mid-run: every handle settles once with its value, no finished child runs again, waiting parents resume within their short lock`, async () => {
    const queueName = `killed-flows-${process.pid}`;
    const key = `killed-flows:${process.pid}:runs`;
    const redis = new Redis(url);
    await redis.del(key);
    const workers = await startWorkers(2, { url, queueName, lockDuration });
    const settles = new Map<number, number>();
    const onSettle = (message: unknown): void => {
      const event = message as SettleEvent;
      if (event.executor === ex.label) settles.set(event.taskId, (settles.get(event.taskId) ?? 0) + 1);
    };
    const ex = new BullmqExecutor({ connection: url, queueName });
    subscribe(channelNames.settle, onSettle);
    try {
      const handles: TaskHandle<unknown>[] = [];
      const parents = new Map<number, number>();
      for (let i = 0; i < total; i++) {
        if (i % 10 === 9) {
          const p = (i - 9) / 10;
          parents.set(i, p);
          handles.push(ex.spawn(parent, [url, key, p, childMs]));
        } else {
          handles.push(ex.spawn(cpu, [i, cpuMs]));
        }
      }
      // Kill one worker once 40% of the handles have settled: mid-run, holding parents that wait.
      let settled = 0;
      const killPoint = new Promise<void>((resolve) => {
        for (const handle of handles) {
          void handle.then(() => {
            if (++settled === Math.floor(total * 0.4)) resolve();
          }, () => undefined);
        }
      });
      await killPoint;
      const victim = workers.threads[0] ?? -1;
      const killedAt = Date.now();
      await workers.kill(0);
      const values = await Promise.all(handles);
      const allSettledAt = Date.now();

      // Every handle settled once, with its value.
      for (const handle of handles) expect(settles.get(handle.id), `task ${handle.id}'s settle events`).toBe(1);
      const finishingToken = new Map<string, string>();
      values.forEach((value, i) => {
        const p = parents.get(i);
        if (p === undefined) {
          expect(value).toBe(i);
          return;
        }
        const result = value as ParentResult;
        expect(result.p).toBe(p);
        expect(result.sum, `parent ${p}`).toBe(16 * p + 6);
        result.tokens.forEach((token, c) => finishingToken.set(`${p}.${c}`, token));
      });

      // No child started again after a run of it had finished. A run finished if it ended
      // on the survivor, or on the victim well before the kill (a run that ended just before
      // the kill may have died before its job completed: running it again is right).
      const records = (await redis.lrange(key, 0, -1)).map(parseRecord);
      const finished = new Set<string>();
      const ended = new Set<string>();
      const rerunAfterFinish: string[] = [];
      const startsOf = new Map<string, RunRecord[]>();
      for (const record of records) {
        if (record.kind === 'e') {
          ended.add(`${record.id} ${record.token}`);
          if (record.pid !== victim || record.time < killedAt - completionMarginMs) finished.add(record.id);
          continue;
        }
        if (finished.has(record.id)) rerunAfterFinish.push(`${record.id} (${record.token})`);
        startsOf.set(record.id, [...(startsOf.get(record.id) ?? []), record]);
      }
      const children = [...finishingToken.keys()];
      expect(children.length).toBe(4 * parents.size);
      for (const [id, token] of finishingToken) expect(ended.has(`${id} ${token}`), `child ${id}: the run whose outcome its parent took ended`).toBe(true);

      // Parents the dead worker held ran again on the survivor: how long after the kill.
      const recoveries: number[] = [];
      for (let p = 0; p < parents.size; p++) {
        const starts = startsOf.get(`P${p}`) ?? [];
        const onVictim = starts.some((start) => start.pid === victim && start.time <= killedAt);
        const again = starts.find((start) => start.pid !== victim && start.time > killedAt);
        if (onVictim && again !== undefined) recoveries.push(again.time - killedAt);
      }
      const childrenRunTwice = children.filter((id) => (startsOf.get(id)?.length ?? 0) > 1).length;
      recoveries.sort((a, b) => a - b);
      const report = {
        tasks: total,
        parentsRunAgain: recoveries.length,
        recoveryMs: recoveries.length === 0 ? null : { min: recoveries[0], median: recoveries[Math.floor(recoveries.length / 2)], max: recoveries.at(-1) },
        killToAllSettledMs: allSettledAt - killedAt,
        childrenStartedTwice: childrenRunTwice,
        finishedChildrenRunAgain: rerunAfterFinish.length,
      };
      // The figures the issue asks for, in the test's output.
      console.log(`kill test: ${JSON.stringify(report)}`);
      expect(rerunAfterFinish, 'finished children that ran again').toEqual([]);
      expect(recoveries.length, 'the dead worker held parents that waited').toBeGreaterThan(0);
      // Behaviour, not speed: parents waiting for their children came back on their short
      // lock, not on the running tasks' long one. (A parent that was running at the kill —
      // a few milliseconds of each parent's life — holds the long lock, rightly.)
      const median = recoveries[Math.floor(recoveries.length / 2)] ?? Number.POSITIVE_INFINITY;
      expect(median).toBeLessThan(lockDuration);
    } finally {
      unsubscribe(channelNames.settle, onSettle);
      await ex.close();
      await workers.stop();
      await redis.del(key);
      redis.disconnect();
    }
  }, 300_000);
});
