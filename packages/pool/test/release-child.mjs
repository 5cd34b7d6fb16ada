// Run by release.test.ts in a fresh `node --expose-gc`: makes pools whose last task's
// outcome comes back one way or another, closes them, drops them, collects garbage, and
// prints on its last line how many of them were collected, per way, as JSON.
import { taskRef } from '@spindle/core';
import { PoolExecutor } from '@spindle/pool';

const text = taskRef(new URL('./release-fixtures.mjs', import.meta.url), 'text');
const pools = 4;
const collected = { mailbox: 0, message: 0 };
const registry = new FinalizationRegistry((way) => {
  collected[way]++;
});

/** One pool: a task whose result has `length` characters, then close; only a weak reference is kept. */
async function onePool(way, length) {
  const pool = new PoolExecutor({ threads: 1 });
  const result = await pool.spawn(text, [length]);
  if (result.length !== length) throw new Error(`a result of ${result.length} characters, not ${length}`);
  await pool.close();
  registry.register(pool, way);
}

for (let i = 0; i < pools; i++) {
  // Fits the slot (512 bytes by default): the outcome comes through the results mailbox.
  await onePool('mailbox', 16);
  // Does not fit: it comes by message, and the wait on the mailbox is still pending then.
  await onePool('message', 4096);
}
for (let round = 0; round < 20 && collected.mailbox + collected.message < 2 * pools; round++) {
  globalThis.gc();
  await new Promise((resolve) => setTimeout(resolve, 10));
}
console.log(JSON.stringify({ pools, collected }));
