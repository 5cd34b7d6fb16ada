// One thread of the deque model check (plain JavaScript: Vitest does not transform worker
// entries). The owner pushes, pops and, when a push finds the deque full, spills the older
// half as the pool's workers do (stealHalf from its own deque, then the push again); thieves
// steal one or steal half. Every call is recorded with a logical clock read just before and
// just after it (one shared Atomics counter, so the readings of all threads form a single
// total order), in rounds separated by barriers, so that the checker gets many short
// histories instead of one huge one.
//
// Record layout, one array per call: [kind, invoke, response, a, b, ...items]
//   1 push        a = item, b = 1 if accepted
//   2 pop         b = result
//   3 steal       b = result (stealHalf's inner steals are recorded one by one too)
//   4 steal-half  a = max, b = count, items = what it put in `out`
//   5 overflow    the owner's stealHalf of its own full deque; layout as 4
import { parentPort, workerData } from 'node:worker_threads';
import { EMPTY, WorkStealingDeque } from '@spindle/pool';
import { xorshift } from './xorshift.mjs';

const { role, parties, rounds, seed, chaos, deque: dequeBuffer, clock: clockBuffer, barrier: barrierBuffer } = workerData;

// Kept before the perturbation below wraps Atomics: the clock and the barrier must be exact.
const { add, load, store, wait, notify, compareExchange } = Atomics;

const random = xorshift(seed);
const below = (n) => Math.floor(random() * n);

const idle = new Int32Array(new SharedArrayBuffer(4));
let sink = 0;
/** A short random delay: mostly a spin, sometimes a timed wait that gives the core away. */
function jitter(spinMax) {
  if (random() < 0.03) {
    wait(idle, 0, 0, 0.01 + random() * 0.05);
    return;
  }
  for (let i = below(spinMax); i > 0; i--) sink = (sink + i) | 0;
}

// Perturbation inside the deque's own calls: a random delay before some of its Atomics
// operations on the deque's buffer, so that a thief can stall between reading `top` and its
// compare-and-swap while the owner pops, and so on — the interleavings that two busy cores
// alone would rarely produce at these capacities.
if (chaos) {
  for (const [name, original] of [
    ['load', load],
    ['store', store],
    ['compareExchange', compareExchange],
  ]) {
    Atomics[name] = (array, index, ...rest) => {
      if (array.buffer === dequeBuffer && random() < 0.25) jitter(64);
      return original(array, index, ...rest);
    };
  }
}

const deque = WorkStealingDeque.attach(dequeBuffer);
const clock = new Int32Array(clockBuffer);
const gate = new Int32Array(barrierBuffer); // [arrived, generation]
const tick = () => add(clock, 0, 1);

/**
 * Every thread waits here until all have arrived. Waiters spin a while before they sleep:
 * a round is over in microseconds, and threads woken one by one from Atomics.wait would
 * seldom run their calls at the same time.
 */
function barrier() {
  const generation = load(gate, 1);
  if (add(gate, 0, 1) === parties - 1) {
    store(gate, 0, 0);
    add(gate, 1, 1);
    notify(gate, 1);
    return;
  }
  for (let i = 0; i < 5_000 && load(gate, 1) === generation; i++);
  while (load(gate, 1) === generation) wait(gate, 1, generation);
}

let records = [];
const history = [];

// stealHalf is a run of single steals: record each one, with its own times, through the
// instance so that stealHalf's `this.steal()` comes here too.
let steal = WorkStealingDeque.prototype.steal;
if (workerData.broken) {
  // A deliberately broken steal for the negative test: it moves `top` with a plain store
  // instead of a compare-and-swap, so two threads can take the same item. (Word layout as in
  // src/deque.ts: top at 0, bottom at 16, items from 32.)
  const words = new Int32Array(dequeBuffer);
  steal = () => {
    const t = Atomics.load(words, 0);
    const b = Atomics.load(words, 16);
    if (((b - t) | 0) <= 0) return EMPTY;
    const item = Atomics.load(words, 32 + (t & (deque.capacity - 1)));
    Atomics.store(words, 0, (t + 1) | 0);
    return item;
  };
}
deque.steal = () => {
  const invoke = tick();
  const got = steal.call(deque);
  records.push([3, invoke, tick(), 0, got]);
  return got;
};

function push(item) {
  const invoke = tick();
  const ok = deque.push(item);
  records.push([1, invoke, tick(), item, ok ? 1 : 0]);
  return ok;
}

function pop() {
  const invoke = tick();
  const got = deque.pop();
  records.push([2, invoke, tick(), 0, got]);
  return got;
}

function stealHalf(kind, max) {
  const out = new Int32Array(max);
  const invoke = tick();
  const n = deque.stealHalf(out, 0, max);
  records.push([kind, invoke, tick(), max, n, ...out.subarray(0, n)]);
  return n;
}

const sizes = [];
let next = 0; // only the owner pushes: a counter keeps items distinct
for (let round = 0; round < rounds; round++) {
  records = [];
  history.push(records);
  barrier();
  const last = round === rounds - 1;
  if (role === 'owner') {
    // Each round leans towards pushing or popping, so that full and empty both come up.
    const pushShare = 0.3 + random() * 0.5;
    const calls = last ? 0 : 6 + below(19);
    for (let i = 0; i < calls; i++) {
      jitter(4_000);
      if (random() < pushShare) {
        if (!push(next++) && random() < 0.5) {
          // Full: spill the older half to the (global) queue and try again, as a worker does.
          stealHalf(5, deque.capacity);
          push(next++);
        }
      } else {
        pop();
      }
    }
    // The last round drains what is left, while the thieves still steal.
    if (last) while (pop() !== EMPTY) jitter(50);
  } else {
    const calls = 3 + below(10);
    for (let i = 0; i < calls; i++) {
      jitter(4_000);
      if (random() < 0.5) deque.steal();
      else stealHalf(4, 1 + below(3));
    }
  }
  barrier();
  // Between this barrier and the next round's, nobody touches the deque: its size is exact.
  if (role === 'owner') sizes.push(deque.size);
}
parentPort.postMessage({ history, sizes });
