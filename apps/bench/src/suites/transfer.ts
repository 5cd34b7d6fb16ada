import { taskRef } from '@spindle/core';
import { PoolExecutor } from '@spindle/pool';
import { Piscina } from 'piscina';
import type { spindleMarkCopied, spindleMarkMoved } from '../pool-tasks/transfer-tasks.mjs';
import type { BenchCase, Subject, Suite } from '../suite.js';
import { spindleSubject } from '../suite.js';

/** The buffer that goes to the pool and back in every run. */
const SIZE = 16 * 2 ** 20;
/** Its bytes, but for the first, which the task marks with this value + 1. */
const FILL = 7;

const tasksUrl = new URL('../pool-tasks/transfer-tasks.mjs', import.meta.url);
const markCopiedRef = taskRef<typeof spindleMarkCopied>(tasksUrl, 'spindleMarkCopied');
const markMovedRef = taskRef<typeof spindleMarkMoved>(tasksUrl, 'spindleMarkMoved');

/** A pool with one worker, whichever library: one buffer there and back. */
interface RoundTrip {
  send(buffer: ArrayBuffer): Promise<ArrayBuffer>;
  close(): Promise<void>;
}

function spindleRoundTrip(move: boolean): RoundTrip {
  const pool = new PoolExecutor({ threads: 1, label: `bench:transfer-${move ? 'moved' : 'copied'}` });
  return {
    send: async (buffer) => (move ? pool.spawn(markMovedRef, [buffer], { transfer: [buffer] }) : pool.spawn(markCopiedRef, [buffer])),
    close: () => pool.close(),
  };
}

function piscinaRoundTrip(move: boolean): RoundTrip {
  const piscina = new Piscina({ filename: tasksUrl.href, minThreads: 1, maxThreads: 1, idleTimeout: 60_000 });
  return {
    send: (buffer) =>
      (move ? piscina.run(buffer, { name: 'markMoved', transferList: [buffer] }) : piscina.run(buffer, { name: 'markCopied' })) as Promise<ArrayBuffer>,
    close: () => piscina.destroy(),
  };
}

/**
 * A subject: each run sends the buffer the previous run got back (the first run, a new
 * one) and keeps the one that returns, so no run allocates 16 MiB of its own unless it
 * copies. Checks that a moved buffer left (detached here) and a copied one stayed whole,
 * and returns the returned buffer's length plus its first and last bytes.
 */
function subject(name: string, runs: string, move: boolean, make: (move: boolean) => RoundTrip): Subject {
  let pool: RoundTrip | undefined;
  let buffer: ArrayBuffer | undefined;
  return {
    subject: name,
    runs,
    mayFail: !name.startsWith('spindle/'),
    run: async () => {
      pool ??= make(move);
      const sent = buffer ?? new Uint8Array(SIZE).fill(FILL).buffer;
      const back = await pool.send(sent);
      if ((sent.byteLength === 0) !== move) throw new Error(`${name}: the buffer sent was ${move ? 'copied, not moved' : 'moved, not copied'}`);
      buffer = back;
      const bytes = new Uint8Array(back);
      return back.byteLength + (bytes[0] ?? 0) + (bytes[SIZE - 1] ?? 0);
    },
    dispose: async () => {
      const open = pool;
      pool = undefined;
      buffer = undefined;
      await open?.close();
    },
  };
}

const pool = spindleSubject('@spindle/pool');
const poolCopied = `${pool}-copied`;

function roundTripCase(): BenchCase {
  return {
    name: 'transfer/16mib-round-trip',
    description: 'a 16 MiB ArrayBuffer to a one-worker pool and back (the task marks one byte), moved both ways against copied both ways',
    opsPerRun: 1,
    op: 'round trip',
    expected: SIZE + FILL + 1 + FILL,
    baseline: poolCopied,
    focus: pool,
    subjects: [
      subject(poolCopied, 'spawn(ref, [buffer]); the task returns it: copied both ways', false, spindleRoundTrip),
      subject(pool, "spawn(ref, [buffer], { transfer: [buffer] }); the task returns moved(buffer, [buffer])", true, spindleRoundTrip),
      subject('piscina-copied', 'run(buffer); the task returns it: copied both ways', false, piscinaRoundTrip),
      subject('piscina', 'run(buffer, { transferList: [buffer] }); the task returns Piscina.move(buffer)', true, piscinaRoundTrip),
    ],
  };
}

/** Moving buffers to a pool and back against copying them, beside piscina doing the same. */
export const transferSuite: Suite = {
  name: 'transfer',
  description: 'Moving a 16 MiB ArrayBuffer to a pool worker and back (transfer + moved) against copying it, beside piscina (transferList + Piscina.move)',
  packages: ['@spindle/core', '@spindle/pool', 'piscina'],
  cases: () => [roundTripCase()],
};
