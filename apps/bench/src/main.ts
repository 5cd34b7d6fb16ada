import { parseCli, usage } from './cli.js';
import { runCaseIsolated } from './isolated.js';
import { gitState, machineFacts, packageVersions } from './machine.js';
import { jsonReport, writeJsonReport } from './report/json.js';
import { markdownReport } from './report/markdown.js';
import { writeSiblingReports } from './report/sibling-files.js';
import { fullTiming, quickTiming, runSuite } from './runner.js';
import type { CaseResult } from './runner.js';
import type { BenchCase, Suite } from './suite.js';
import { findSuite, suites } from './suites/index.js';

async function main(argv: readonly string[]): Promise<void> {
  const options = parseCli(argv);
  if (options.help) {
    console.log(usage);
    return;
  }
  if (options.list) {
    for (const suite of suites) console.log(`${suite.name.padEnd(20)} ${suite.description}`);
    return;
  }
  const selected = options.suites.length === 0 ? suites : options.suites.map(findSuite);
  const timing = options.quick ? quickTiming : fullTiming;
  const progress = (line: string): void => {
    process.stderr.write(`bench: ${line}\n`);
  };

  const suiteOptions = { quick: options.quick, threads: options.threads };
  const measure =
    options.isolate === 0 ? undefined : (suite: Suite, bench: BenchCase) => runCaseIsolated(suite, bench, suiteOptions, timing, options.isolate, progress);
  const results: CaseResult[] = [];
  for (const suite of selected) {
    results.push(...(await runSuite(suite, suiteOptions, timing, progress, { cases: options.cases, ...(measure === undefined ? {} : { measure }) })));
  }
  if (results.length === 0) throw new RangeError(`no case starts with ${options.cases.map((prefix) => `"${prefix}"`).join(' or ')} in the chosen suites`);

  const machine = machineFacts();
  const packages = packageVersions(['tinybench', ...selected.flatMap((suite) => suite.packages)]);
  const markdown = markdownReport(results, machine, options.quick, options.isolate);
  console.log(markdown);
  const command = `pnpm bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).filter((arg) => arg !== '--').join(' ')}` : ''}`;
  writeJsonReport(
    options.out,
    jsonReport(results, { generatedAt: new Date(), ...gitState(), quick: options.quick, threads: options.threads, cases: options.cases, isolate: options.isolate, machine, packages }),
  );
  const files = writeSiblingReports(options.out, { markdown, command, ratios: results.flatMap((result) => result.ratios), machine, quick: options.quick });
  progress(`results written to ${[options.out, ...files].join(', ')}`);
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  console.error(error instanceof Error ? `bench: ${error.message}` : error);
  process.exitCode = 1;
}
