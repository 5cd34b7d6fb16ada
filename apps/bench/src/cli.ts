import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** What the command line asked for. */
export interface CliOptions {
  /** Suites to run, by name; empty = all. */
  readonly suites: readonly string[];
  readonly quick: boolean;
  readonly threads: number;
  /** Where the JSON results go. */
  readonly out: string;
  readonly list: boolean;
  readonly help: boolean;
}

export const defaultOut = fileURLToPath(new URL('../results/latest.json', import.meta.url));

export const usage = `usage: pnpm bench [-- options]

  --suite <name>   run one suite (repeat for several); default: all
  --quick          a short run (CI smoke): same workloads, fewer samples
  --threads <n>    worker threads for pool suites (default: available parallelism)
  --out <file>     where to write the JSON results (default: apps/bench/results/latest.json)
  --list           list the suites and exit
  --help           this text`;

/** Parses the bench's arguments. A leading `--` (as `pnpm bench -- …` passes it) is ignored. */
export function parseCli(argv: readonly string[]): CliOptions {
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  const { values } = parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      suite: { type: 'string', multiple: true },
      quick: { type: 'boolean', default: false },
      threads: { type: 'string' },
      out: { type: 'string' },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  return {
    suites: values.suite ?? [],
    quick: values.quick,
    threads: values.threads === undefined ? os.availableParallelism() : parseThreads(values.threads),
    out: values.out === undefined ? defaultOut : path.resolve(values.out),
    list: values.list,
    help: values.help,
  };
}

function parseThreads(text: string): number {
  const threads = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(threads) || threads < 1) {
    throw new RangeError(`--threads must be a whole number of at least 1, got "${text}"`);
  }
  return threads;
}
