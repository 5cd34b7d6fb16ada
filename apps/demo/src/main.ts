import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseDemoArgs, usage } from './path/cli-options.js';
import { htmlReport } from './path/html-report.js';
import { machineFacts } from './path/machine-facts.js';
import { terminalProgress } from './path/progress.js';
import { runPath } from './path/run-path.js';
import { findStage, stages } from './path/stages.js';
import { formatResult, formatStageRun, formatSummary } from './path/text-report.js';

// pnpm demo: the path from blocking code to a work-stealing pool, one stage at a time,
// each measured (wall, CPU) and recorded (timeline), then one HTML report of it all.
const options = parseDemoArgs(process.argv.slice(2), process.env.INIT_CWD ?? process.cwd());
if (options === 'help') {
  console.log(usage);
  process.exit(0);
}
const selected = options.stages.length === 0 ? stages : options.stages.map(findStage);
const facts = machineFacts();
if (!options.json) console.log(`Spindle demo — ${facts}\n`);
const started = performance.now();
const runs = await runPath(selected, options.sizes, {
  progressFor: (stage) => terminalProgress(`${String(stage.index)}. ${stage.title}`),
  onRun: (run) => {
    if (!options.json) console.log(formatStageRun(run));
  },
});
const totalMs = performance.now() - started;
mkdirSync(path.dirname(options.out), { recursive: true });
writeFileSync(options.out, htmlReport(runs, facts));
if (options.json) {
  const stagesJson = runs.map((run) => ({
    index: run.stage.index,
    name: run.stage.name,
    title: run.stage.title,
    result: run.outcome.result,
    wallMs: run.wallMs,
    cpuMs: run.cpuMs,
    notes: run.outcome.notes,
    findings: run.outcome.findings?.map((finding) => ({ kind: finding.kind, message: finding.message })) ?? [],
    events: run.recording.events.length,
  }));
  console.log(JSON.stringify({ machine: facts, sizes: options.sizes, totalMs, report: options.out, stages: stagesJson }, null, 2));
} else {
  console.log(formatSummary(runs));
  console.log(`  total ${(totalMs / 1000).toFixed(1)} s; results: ${runs.map((run) => formatResult(run.outcome.result)).join(' ')}`);
  console.log(`\nHTML report (timelines, one per stage): ${options.out}`);
}
