import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** What the command line asked for. */
export interface CliOptions {
  /** Suites to run, by name; empty = all. */
  readonly suites: readonly string[];
  /** Case-name prefixes to run; empty = every case of the chosen suites. */
  readonly cases: readonly string[];
  /** Processes per subject when every subject is measured in processes of its own; 0 = all in this one. */
  readonly isolate: number;
  readonly quick: boolean;
  readonly threads: number;
  /** Where the JSON results go. */
  readonly out: string;
  readonly list: boolean;
  readonly help: boolean;
}

/** Where a full run writes: the run of record the docs quote. */
export const defaultOut = fileURLToPath(new URL('../results/latest.json', import.meta.url));

/** Where a partial run (some suites or cases, `--quick`, `--isolate`) writes unless told: never over the run of record. */
export const partialOut = fileURLToPath(new URL('../results/partial.json', import.meta.url));

export const usage = `usage: pnpm bench [-- options]

  --suite <name>   run one suite (repeat for several); default: all
  --case <prefix>  run only the cases whose name starts with it (repeat for several)
  --isolate <n>    measure every subject in fresh processes of its own, n per subject
                   (at least 2), paired in rounds; ratios get a 95% confidence interval
  --quick          a short run (CI smoke): same workloads, fewer samples
  --threads <n>    worker threads for pool suites (default: available parallelism)
  --out <file>     where to write the JSON results (default: apps/bench/results/latest.json
                   for a full run, apps/bench/results/partial.json for any other)
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
      case: { type: 'string', multiple: true },
      isolate: { type: 'string' },
      quick: { type: 'boolean', default: false },
      threads: { type: 'string' },
      out: { type: 'string' },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const suites = values.suite ?? [];
  const cases = values.case ?? [];
  const isolate = values.isolate === undefined ? 0 : parseCount('--isolate', values.isolate, 2);
  const full = suites.length === 0 && cases.length === 0 && isolate === 0 && !values.quick;
  return {
    suites,
    cases,
    isolate,
    quick: values.quick,
    threads: values.threads === undefined ? os.availableParallelism() : parseCount('--threads', values.threads, 1),
    out: values.out === undefined ? (full ? defaultOut : partialOut) : path.resolve(values.out),
    list: values.list,
    help: values.help,
  };
}

function parseCount(option: string, text: string, least: number): number {
  const count = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(count) || count < least) {
    throw new RangeError(`${option} must be a whole number of at least ${String(least)}, got "${text}"`);
  }
  return count;
}
