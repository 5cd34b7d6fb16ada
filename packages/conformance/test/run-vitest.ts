import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One test of a child run, as vitest's JSON reporter reports it. */
export interface ReportedTest {
  readonly title: string;
  readonly fullName: string;
  readonly status: string;
}

/** What a child vitest run reported. */
export interface ChildRun {
  readonly exitCode: number | null;
  readonly tests: readonly ReportedTest[];
  readonly output: string;
}

const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const vitestEntry = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');

interface JsonReport {
  readonly testResults?: readonly { readonly assertionResults?: readonly ReportedTest[] }[];
}

/** Runs `vitest run` with `config` in a child process and returns its JSON report. */
export async function runVitest(config: string, env: Record<string, string>): Promise<ChildRun> {
  const directory = await mkdtemp(join(tmpdir(), 'spindle-meta-'));
  const reportFile = join(directory, 'report.json');
  try {
    const { exitCode, output } = await new Promise<{ exitCode: number | null; output: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [vitestEntry, 'run', '--config', config, '--reporter=json', `--outputFile=${reportFile}`], {
        cwd: packageRoot,
        env: { ...process.env, ...env, CI: 'true' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      child.on('error', reject);
      child.on('close', (code) => {
        resolve({ exitCode: code, output });
      });
    });
    let report: JsonReport;
    try {
      report = JSON.parse(await readFile(reportFile, 'utf8')) as JsonReport;
    } catch (error) {
      throw new Error(`the child vitest run wrote no report (exit ${String(exitCode)}):\n${output}`, { cause: error });
    }
    const tests = (report.testResults ?? []).flatMap((file) => file.assertionResults ?? []);
    return { exitCode, tests, output };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
