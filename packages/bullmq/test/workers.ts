import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The worker command as installed (it runs the build): worker processes run plain JavaScript, as on another host. */
export const workerBin = fileURLToPath(new URL('../bin/spindle-bullmq-worker.mjs', import.meta.url));

/** Worker processes forked for a test, and how to stop or kill them. */
export interface WorkerProcesses {
  readonly children: readonly ChildProcess[];
  /** Their pids (`threads[i]` is `children[i]`'s), which their events carry as `thread`. */
  readonly threads: readonly number[];
  /** SIGKILLs one (no cleanup: a crash) and resolves once it has exited. */
  kill(index: number): Promise<void>;
  /** Stops them all gracefully (SIGTERM) and resolves once they have exited. */
  stop(): Promise<void>;
}

/** Settings of forked workers, passed as the command's environment. */
export interface WorkerSettings {
  readonly url: string;
  readonly queueName: string;
  readonly concurrency?: number;
  readonly lockDuration?: number;
  readonly parkedLockDuration?: number;
  readonly stalledInterval?: number;
  readonly maxStalledCount?: number;
  /**
   * Fork a new worker in place of one that exits on its own (a task that ended its
   * process), as a process manager would on a host; `stop()` and `kill()` do not count.
   */
  readonly respawn?: boolean;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
}

/**
 * Forks `count` worker processes and resolves once each says it is ready.
 * @param script the program to fork: the built worker command, or one that calls runWorker()
 */
export async function startWorkers(count: number, settings: WorkerSettings, script = workerBin): Promise<WorkerProcesses> {
  const env: Record<string, string> = { ...(process.env as Record<string, string>), SPINDLE_REDIS_URL: settings.url, SPINDLE_QUEUE: settings.queueName };
  if (settings.concurrency !== undefined) env.SPINDLE_CONCURRENCY = String(settings.concurrency);
  if (settings.lockDuration !== undefined) env.SPINDLE_LOCK_DURATION = String(settings.lockDuration);
  if (settings.parkedLockDuration !== undefined) env.SPINDLE_PARKED_LOCK_DURATION = String(settings.parkedLockDuration);
  if (settings.stalledInterval !== undefined) env.SPINDLE_STALLED_INTERVAL = String(settings.stalledInterval);
  if (settings.maxStalledCount !== undefined) env.SPINDLE_MAX_STALLED_COUNT = String(settings.maxStalledCount);
  const children: ChildProcess[] = [];
  const threads: number[] = [];
  let stopping = false;
  const start = (index: number): Promise<void> => {
    const child = fork(script, [], { env, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    children[index] = child;
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      child.once('message', (message: { thread?: number }) => {
        // By index: threads[i] is the pid of children[i], whichever is ready first.
        if (typeof message.thread === 'number') threads[index] = message.thread;
        ready = true;
        resolve();
      });
      child.once('exit', (code, signal) => {
        if (!ready) {
          reject(new Error(`worker process exited with code ${String(code)} before it was ready`));
          return;
        }
        // A replacement that fails to start shows as the work it leaves undone.
        if (settings.respawn === true && !stopping && signal !== 'SIGKILL' && children[index] === child) start(index).catch(() => undefined);
      });
    });
  };
  await Promise.all(Array.from({ length: count }, (_, index) => start(index)));
  return {
    children,
    threads,
    kill: async (index) => {
      const child = children[index];
      if (child === undefined) return;
      child.kill('SIGKILL');
      await exited(child);
    },
    stop: async () => {
      stopping = true;
      for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await Promise.all(children.map(exited));
    },
  };
}
