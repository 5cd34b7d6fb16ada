// Task bodies for the kill test (worker-killed-flows.test.ts), loaded by reference in worker
// processes. Each run of a parent or child writes a record to a Redis list: one order across
// every process, and durable once the body goes on, so the test can tell which runs started
// after which had ended. No top-level side effects: a connection is made per record.
import { Redis } from 'ioredis';
import { taskRef } from '@spindle/core';

let runs = 0;

/** `<pid>:<n>`: names one run of one task body in one process. */
function runToken() {
  return `${process.pid}:${++runs}`;
}

async function record(url, key, entry) {
  const redis = new Redis(url);
  try {
    await redis.rpush(key, entry);
  } finally {
    redis.disconnect();
  }
}

function spin(ms) {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

/** A CPU task: about `ms` of CPU, then its id. */
export function cpu(_ctx, id, ms) {
  spin(ms);
  return id;
}

/**
 * Records `s|P<p>|<token>|<time>` and spawns four children, joins them in order and returns
 * the sum of their values with the run token of each (the run whose outcome it took).
 */
export async function parent(ctx, url, key, p, ms) {
  await record(url, key, `s|P${p}|${runToken()}|${Date.now()}`);
  const handles = [0, 1, 2, 3].map((i) => ctx.spawn(childRef, [url, key, `${p}.${i}`, 4 * p + i, ms]));
  const results = [];
  for (const handle of handles) results.push(await handle);
  return { p, sum: results.reduce((sum, result) => sum + result.value, 0), tokens: results.map((result) => result.token) };
}

/** Records `s|<id>|<token>|<time>`, computes for `ms`, records `e|…`, returns its value and run token. */
export async function child(_ctx, url, key, id, value, ms) {
  const token = runToken();
  await record(url, key, `s|${id}|${token}|${Date.now()}`);
  spin(ms);
  await record(url, key, `e|${id}|${token}|${Date.now()}`);
  return { value, token };
}
const childRef = taskRef(import.meta.url, 'child');
