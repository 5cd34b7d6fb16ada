import { spawn } from 'node:child_process';

/** What the child process reported, and how it ended. */
export interface IdleRun {
  /** True if it had to be killed because it did not exit on its own in time. */
  readonly killed: boolean;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** What the child does before it stops doing anything. */
export type IdleScenario = 'unused' | 'worked';

/**
 * The child: builds an executor with the factory module's default export, optionally
 * runs a few tasks by reference (one sleeping on a real timer, one stepping, one cancelled
 * while parked), prints their outcomes, and then simply stops. It never calls `close()`:
 * the executor, idle now, must not keep the process alive.
 */
const childScript = `
const env = process.env;
const ref = (name) => ({ $spindle: 'task-reference', module: env.SPINDLE_FIXTURES_MODULE, export: name });
const imported = await import(env.SPINDLE_FACTORY_MODULE);
const factory = imported.default;
if (typeof factory !== 'function') {
  console.error('the default export of ' + env.SPINDLE_FACTORY_MODULE + ' is not a function');
  process.exit(3);
}
const executor = factory();
if (env.SPINDLE_IDLE_SCENARIO === 'worked') {
  const slept = executor.spawn(ref('sleepThen'), [5, 'slept']);
  const parked = executor.spawn(ref('parkForever'));
  const stepped = await executor.spawn(ref('countSteps'), [100]);
  parked.cancel('cancelled while parked');
  const outcomes = await Promise.allSettled([slept, parked]);
  const report = [stepped, ...outcomes.map((o) => (o.status === 'fulfilled' ? o.value : o.reason && o.reason.name))];
  process.stdout.write(JSON.stringify(report));
} else {
  process.stdout.write(JSON.stringify(executor.closed));
}
`;

/**
 * Runs the child in a fresh `node` and waits for it to exit on its own; kills it after
 * `deadlineMs` (the test then fails: the idle executor kept the process alive).
 */
export function runIdleChild(factoryModule: string, fixturesModule: string, scenario: IdleScenario, deadlineMs: number): Promise<IdleRun> {
  return new Promise<IdleRun>((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', childScript], {
      env: { ...process.env, SPINDLE_FACTORY_MODULE: factoryModule, SPINDLE_FIXTURES_MODULE: fixturesModule, SPINDLE_IDLE_SCENARIO: scenario },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, deadlineMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ killed, code, signal, stdout, stderr });
    });
  });
}
