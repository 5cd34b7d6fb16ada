import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { StageSizes } from './stage.js';

/** What `pnpm demo` was asked to do. */
export interface DemoOptions {
  readonly sizes: StageSizes;
  /** Stage numbers or names; empty = all. */
  readonly stages: readonly string[];
  readonly json: boolean;
  /** Where the HTML report goes. */
  readonly out: string;
}

/** The report's default place: the demo package's `out/` (ignored by git), wherever pnpm was run from. */
export const defaultOut = fileURLToPath(new URL('../../out/demo-report.html', import.meta.url));

/** Defaults sized for about half a minute on 2 cores. */
export const defaultSizes: StageSizes = { delayMs: 300, tasks: 48, unit: 8_000_000, threads: Math.min(4, Math.max(2, availableParallelism())), blockMs: 1000 };

const usage = `usage: pnpm demo [-- options]
  --stage <n|name>   run one stage (repeatable): 1 synchronous, 2 threads, 3 state-machines,
                     4 closures, 5 generators, 6 async, 7 pool, 8 mistakes
  --delay-ms <ms>    middle fetch delay (default ${String(defaultSizes.delayMs)})
  --tasks <n>        pool tasks (default ${String(defaultSizes.tasks)})
  --unit <n>         iterations of a light pool task (default ${String(defaultSizes.unit)})
  --threads <n>      pool workers (default ${String(defaultSizes.threads)})
  --block-ms <ms>    how long the sync-over-async mistake blocks (default ${String(defaultSizes.blockMs)})
  --out <file>       HTML report path (default apps/demo/out/demo-report.html)
  --json             print one JSON document instead of text`;

function positive(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new RangeError(`--${name} must be a positive integer, not "${raw}"\n${usage}`);
  return value;
}

/** Parses argv (without node and script); throws with the usage text on bad input. */
export function parseDemoArgs(argv: readonly string[], cwd: string): DemoOptions | 'help' {
  const { values } = parseArgs({
    args: argv.filter((arg) => arg !== '--'),
    options: {
      stage: { type: 'string', multiple: true },
      'delay-ms': { type: 'string' },
      tasks: { type: 'string' },
      unit: { type: 'string' },
      threads: { type: 'string' },
      'block-ms': { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';
  return {
    sizes: {
      delayMs: positive('delay-ms', values['delay-ms'], defaultSizes.delayMs),
      tasks: positive('tasks', values.tasks, defaultSizes.tasks),
      unit: positive('unit', values.unit, defaultSizes.unit),
      threads: positive('threads', values.threads, defaultSizes.threads),
      blockMs: positive('block-ms', values['block-ms'], defaultSizes.blockMs),
    },
    stages: values.stage ?? [],
    json: values.json,
    // A path given on the command line is the user's, so relative to where they ran pnpm.
    out: values.out === undefined ? defaultOut : path.resolve(cwd, values.out),
  };
}

export { usage };
