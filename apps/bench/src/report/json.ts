import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { MachineFacts, RunResults } from '../results.js';
import type { CaseResult } from '../runner.js';

/** What the JSON report records besides the measurements. */
export interface RunFacts {
  readonly generatedAt: Date;
  readonly commit: string | undefined;
  readonly dirty: boolean | undefined;
  readonly quick: boolean;
  readonly threads: number;
  /** Case-name prefixes asked for (empty = every case). */
  readonly cases?: readonly string[];
  /** Processes per subject with `--isolate` (0 = every subject in one process). */
  readonly isolate?: number;
  readonly machine: MachineFacts;
  readonly packages: Readonly<Record<string, string>>;
}

/** The results document: machine facts, package versions, one row per measurement, and the ratios. */
export function jsonReport(results: readonly CaseResult[], facts: RunFacts): RunResults {
  return {
    schema: 1,
    generatedAt: facts.generatedAt.toISOString(),
    commit: facts.commit,
    dirty: facts.dirty,
    options: {
      quick: facts.quick,
      threads: facts.threads,
      suites: [...new Set(results.map((result) => result.suite.name))],
      ...(facts.cases === undefined || facts.cases.length === 0 ? {} : { cases: facts.cases }),
      ...(facts.isolate === undefined || facts.isolate === 0 ? {} : { isolate: facts.isolate }),
    },
    machine: facts.machine,
    packages: facts.packages,
    rows: results.flatMap((result) => [...result.rows, ...(result.figures ?? [])]),
    ratios: results.flatMap((result) => result.ratios),
  };
}

/** Writes the document atomically (a `.tmp` file renamed into place), creating the folder. */
export function writeJsonReport(file: string, document: RunResults): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${compactNumberArrays(JSON.stringify(document, null, 2))}\n`);
  renameSync(temporary, file);
}

/**
 * Puts arrays of plain numbers (the samples) on one line each: indented JSON would give
 * every sample a line of its own, tens of thousands of lines per run.
 */
export function compactNumberArrays(json: string): string {
  return json.replace(/\[\n\s+(-?[\d.e+-]+(?:,\n\s+-?[\d.e+-]+)*)\n\s+\]/g, (_match, inner: string) => `[${inner.replace(/,\n\s+/g, ', ')}]`);
}
