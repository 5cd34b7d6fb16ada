import { formatRun } from './format.js';
import { runVariant } from './run-variant.js';
import type { VariantRun } from './run-variant.js';
import { variants } from './variants.js';

// get_numbers: fetch three numbers from a slow source, on Spindle's round-robin executor,
// written three ways. Lines marked » are what the bodies wrote; the rest are the
// executor's lifecycle events from node:diagnostics_channel.
console.log('get_numbers on @spindle/round-robin — three fetches from a slow source');
console.log('» = what a body wrote during its step; other lines = lifecycle events on node:diagnostics_channel\n');
const runs: VariantRun[] = [];
for (const variant of variants) {
  const run = await runVariant(variant);
  runs.push(run);
  console.log(formatRun(run));
}
console.log('total time per version:');
for (const run of runs) console.log(`  ${run.variant.title.padEnd(30)} ${run.elapsedMs.toFixed(1).padStart(7)} ms`);
