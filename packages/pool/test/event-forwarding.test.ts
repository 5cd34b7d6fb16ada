import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { describe, expect, it } from 'vitest';
import { channelNames, taskRef } from '@spindle/core';
import { currentThread, forEachTaskEvent, subscribeTaskEventStream } from '@spindle/core/events';
import { taskEventProblems } from '@spindle/conformance';
import type { TaskEvent, TaskEventKind, TaskHandle } from '@spindle/core';
import { PoolExecutor } from '../dist/index.js';

const fixtures = new URL('./stress-fixtures.mjs', import.meta.url);
const tree = taskRef(fixtures, 'tree');
const inc = taskRef(fixtures, 'inc');

interface FixtureModule {
  readonly childCount: (id: number, depth: number) => number;
}

const perRoot = 1 << 14;
const roots = 24;
const depth = 6;
/** A root whose tree has 34 nodes over 6 levels (ids below perRoot). */
const rootId = 3;
const tinyTasks = 2_000;

/**
 * What is wrong with a pool's events, in the order they arrived (empty when nothing): the
 * conformance suite's lifecycle grammar, and no task settled after its parent.
 */
function problems(events: readonly TaskEvent[]): string[] {
  const found = taskEventProblems(events);
  const parents = new Map<number, number>();
  const settled = new Set<number>();
  for (const event of events) {
    if (event.kind === 'spawn' && event.parentId !== undefined) parents.set(event.taskId, event.parentId);
    if (event.kind !== 'settle') continue;
    const parent = parents.get(event.taskId);
    if (parent !== undefined && settled.has(parent)) found.push(`task ${event.taskId} settled after its parent ${parent}`);
    settled.add(event.taskId);
  }
  return found;
}

/** Each task's events, as `kind` strings, by task id. */
function histories(events: readonly TaskEvent[]): Map<number, string[]> {
  const byTask = new Map<number, string[]>();
  for (const event of events) {
    const history = byTask.get(event.taskId) ?? [];
    history.push(event.kind === 'suspend' ? `suspend(${event.reason})` : event.kind);
    byTask.set(event.taskId, history);
  }
  return byTask;
}

function nodes(module: FixtureModule, id: number, levels: number): number {
  let count = 1;
  for (let k = 0; k < module.childCount(id, levels); k++) count += nodes(module, id * 4 + 1 + k, levels - 1);
  return count;
}

describe('events forwarded from workers', () => {
  for (const perKind of [false, true]) {
    it(`arrive complete and in order from 8 workers, in batches for the event stream${perKind ? ', and as objects for per-kind subscribers' : ''}`, async () => {
      const module = (await import(fixtures.href)) as FixtureModule;
      const label = `forwarding-${perKind ? 'both' : 'stream'}`;
      // Oversubscribed on purpose (2 cores here): small deques spill into the inject queue.
      const pool = new PoolExecutor({ threads: 8, dequeCapacity: 8, label });
      const streamed: TaskEvent[] = [];
      let workerBatches = 0;
      let workerObjectsOnStream = 0;
      const stopStream = subscribeTaskEventStream({
        onBatch: (batch) => {
          if (batch.executor !== label) return;
          if (batch.thread !== currentThread) workerBatches++;
          forEachTaskEvent(batch, (event) => streamed.push(event));
        },
        onEvent: (event) => {
          if (event.executor !== label) return;
          if (event.thread !== currentThread) workerObjectsOnStream++;
          streamed.push(event);
        },
      });
      const objects: TaskEvent[] = [];
      const listener = (message: unknown): void => {
        const event = message as TaskEvent;
        if (event.executor === label) objects.push(event);
      };
      const kinds = Object.keys(channelNames) as TaskEventKind[];
      if (perKind) for (const kind of kinds) subscribe(channelNames[kind], listener);
      const runs = new Int32Array(new SharedArrayBuffer(roots * perRoot * 4));
      const handles: TaskHandle<unknown>[] = [];
      try {
        for (let r = 0; r < roots; r++) {
          handles.push(pool.spawn(tree, [runs, r * perRoot, rootId, depth] as never));
          for (let i = 0; i < tinyTasks / roots; i++) handles.push(pool.spawn(inc, [i] as never));
        }
        await Promise.all(handles);
        await pool.close();
      } finally {
        stopStream();
        if (perKind) for (const kind of kinds) unsubscribe(channelNames[kind], listener);
      }

      let expected = handles.length - roots;
      for (let r = 0; r < roots; r++) expected += nodes(module, rootId, depth);
      const spawns = streamed.filter((event) => event.kind === 'spawn');
      expect(spawns.length).toBe(expected);
      expect(spawns.filter((event) => event.thread !== currentThread).length, 'children spawned in workers').toBeGreaterThan(0);
      expect(new Set(streamed.map((event) => event.thread)).size, 'events from the main thread and from workers').toBeGreaterThan(2);
      expect(problems(streamed)).toEqual([]);
      // The stream takes workers' events in batches, never one object per event.
      expect(workerBatches).toBeGreaterThan(0);
      expect(workerObjectsOnStream).toBe(0);
      for (const event of streamed) {
        if (event.kind !== 'settle') continue;
        expect(event.state).toBe('fulfilled');
        expect(event.error).toBeUndefined();
      }
      if (!perKind) return;
      expect(problems(objects)).toEqual([]);
      // The same events, each task's in the same order, whichever way they travelled.
      expect(histories(objects)).toEqual(histories(streamed));
      expect(objects.length).toBe(streamed.length);
    });
  }
});
