// Runs in a worker thread (plain JavaScript: Vitest does not transform worker entries).
// Roles: the owner pushes and pops, thieves steal (single or half batches). Every item a
// thread takes is counted in `taken`, so the test can check each was taken exactly once.
import { workerData, parentPort } from 'node:worker_threads';
import { WorkStealingDeque, EMPTY } from '@spindle/pool';
import { xorshift } from './xorshift.mjs';

const { role, deque: dequeBuffer, taken: takenBuffer, control: controlBuffer, items, seed } = workerData;
const deque = WorkStealingDeque.attach(dequeBuffer);
const taken = new Int32Array(takenBuffer);
const control = new Int32Array(controlBuffer); // [ownerDone, thievesReady]
const random = xorshift(seed);
const take = (item) => Atomics.add(taken, item, 1);

let count = 0;
if (role === 'owner') {
  // Wait until every thief runs, so the races really happen.
  while (Atomics.load(control, 1) < workerData.thieves) Atomics.wait(control, 1, Atomics.load(control, 1), 5);
  for (let i = 0; i < items; i++) {
    while (!deque.push(i)) {
      const item = deque.pop();
      if (item !== EMPTY) { take(item); count++; }
    }
    if (random() < 0.3) {
      const item = deque.pop();
      if (item !== EMPTY) { take(item); count++; }
    }
  }
  for (let item = deque.pop(); item !== EMPTY; item = deque.pop()) { take(item); count++; }
  Atomics.store(control, 0, 1);
} else {
  Atomics.add(control, 1, 1);
  const batch = new Int32Array(64);
  for (;;) {
    const done = Atomics.load(control, 0) === 1;
    if (role === 'half-thief') {
      const n = deque.stealHalf(batch, 0, batch.length);
      for (let i = 0; i < n; i++) { take(batch[i]); count++; }
      if (n === 0 && done && deque.size === 0) break;
    } else {
      const item = deque.steal();
      if (item >= 0) { take(item); count++; }
      else if (item === EMPTY && done && deque.size === 0) break;
    }
  }
}
parentPort.postMessage(count);
