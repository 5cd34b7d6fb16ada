// Standalone measurement of stealing: the imbalanced case and nested fork–join at 1 and 2
// threads, on the built package (run `pnpm build` first). Usage:
//   node scripts/steal-bench.mjs [runs]
import { PoolExecutor } from '../dist/index.js';
import { taskRef } from '@spindle/core';

const tasks = new URL('./steal-tasks.mjs', import.meta.url).href;
const spinRef = taskRef(tasks, 'spin');
const fibRef = taskRef(tasks, 'fib');
const runs = Number(process.argv[2] ?? 5);

function spin(iterations, seed) {
  let x = seed | 0;
  for (let i = 0; i < iterations; i++) x = (Math.imul(x, 1103515245) + 12345) | 0;
  return x >>> 16;
}
function fib(n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}
function timeIt(work) {
  const s = performance.now();
  work();
  return performance.now() - s;
}
/** CPU ms per thread of this process (Linux /proc; 10 ms resolution), by thread id. */
async function threadCpu() {
  const { readdir, readFile } = await import('node:fs/promises');
  const out = new Map();
  try {
    for (const tid of await readdir('/proc/self/task')) {
      const stat = await readFile(`/proc/self/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(tid, (Number(fields[11]) + Number(fields[12])) * 10);
    }
  } catch {
    // Not Linux: no per-thread figures.
  }
  return out;
}
function busiest(before, after) {
  const deltas = [...after].map(([tid, ms]) => ms - (before.get(tid) ?? 0)).sort((a, b) => b - a);
  return deltas.slice(0, 4);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

for (let i = 0; i < 20; i++) spin(100_000, i);
const perIter = median(Array.from({ length: 5 }, (_, i) => timeIt(() => spin(1_000_000, i)))) / 1e6; // ms
const light = Math.round(0.1 / perIter); // ~100 µs
const n = 2000;
const iters = (i) => (i % 50 === 0 ? light * 100 : light);
const work = median(Array.from({ length: 3 }, () => timeIt(() => { for (let i = 0; i < n; i++) spin(iters(i), i); })));
const fibInline = median(Array.from({ length: 3 }, () => timeIt(() => fib(30))));
console.log(`inline: imbalanced ${work.toFixed(0)} ms, fib(30) ${fibInline.toFixed(0)} ms`);

function perWorker(before, after) {
  return after.workers.map((w, i) => {
    const b = before.workers[i] ?? {};
    return Object.fromEntries(Object.entries(w).map(([k, v]) => [k, v - (b[k] ?? 0)]));
  });
}

for (const threads of [1, 2]) {
  const pool = new PoolExecutor({ threads });
  await pool.ready();
  const ideal = Math.max(work / threads, (work * 0.5) / 58 /* heaviest ≈ 100/(1960+4000) of work */);
  const imb = [];
  const fj = [];
  let detail = '';
  const load = (await import('node:os')).loadavg()[0].toFixed(1);
  for (let r = 0; r < runs; r++) {
    let cpu = process.cpuUsage();
    const threadsBefore = await threadCpu();
    let s = performance.now();
    const all = [];
    for (let i = 0; i < n; i++) all.push(pool.spawn(spinRef, [iters(i), i]));
    // Read the counters once the workers have woken, so that parked time is the run's own.
    await new Promise((resolve) => setTimeout(resolve, 1));
    let before = pool.stats;
    await Promise.all(all);
    const t1 = performance.now() - s;
    const imbCpu = process.cpuUsage(cpu);
    const perThread = busiest(threadsBefore, await threadCpu());
    let after = pool.stats;
    const imbStats = { ms: Math.round(t1), steals: after.steals - before.steals, cpuOverWall: ((imbCpu.user + imbCpu.system) / 1000 / t1).toFixed(2), busiestThreadsCpuMs: perThread, per: perWorker(before, after) };
    before = pool.stats;
    const fjThreads = await threadCpu();
    const fjCpu = process.cpuUsage();
    s = performance.now();
    const v = await pool.spawn(fibRef, [30, 20]);
    const t2 = performance.now() - s;
    const fjUsage = process.cpuUsage(fjCpu);
    const fjPerThread = busiest(fjThreads, await threadCpu());
    if (v !== 832040) throw new Error('wrong fib');
    after = pool.stats;
    imb.push(t1);
    fj.push(t2);
    if (r === runs - 1 || process.env.VERBOSE) detail += `  last run: imbalanced ${JSON.stringify(imbStats)}\n  fork-join ${Math.round(t2)} ms, cpu ${((fjUsage.user + fjUsage.system) / 1000).toFixed(0)} ms, busiest threads ${fjPerThread.join('/')} ms, steals ${after.steals - before.steals} ${JSON.stringify(perWorker(before, after))}\n`;
  }
  await pool.close();
  console.log(
    `threads=${threads}: imbalanced makespan ${imb.map((x) => x.toFixed(0)).join(',')} ms (median ${(median(imb) / ideal).toFixed(2)}x ideal ${ideal.toFixed(0)}); ` +
      `fib(30)/20 ${fj.map((x) => x.toFixed(0)).join(',')} ms (median ${median(fj).toFixed(0)})`,
  );
  console.log(`  (1-minute load average at the start: ${load})`);
  console.log(detail);
  globalThis[`fj${threads}`] = median(fj);
}
console.log(`fork-join speedup 2 threads over 1: ${(globalThis.fj1 / globalThis.fj2).toFixed(2)}x`);
