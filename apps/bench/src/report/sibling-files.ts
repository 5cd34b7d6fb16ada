import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Comparison, MachineFacts } from '../results.js';
import { svgChart } from './svg-chart.js';

/** What goes next to the JSON results. */
export interface SiblingReports {
  readonly markdown: string;
  /** The command that made the figures, quoted at the top of the Markdown file. */
  readonly command: string;
  readonly ratios: readonly Comparison[];
  readonly machine: MachineFacts;
  readonly quick: boolean;
}

/**
 * Writes `<name>.md` (the table printed on stdout, with the command) and `<name>.svg`
 * (the ratio chart) beside `<name>.json`, each atomically; returns their paths.
 */
export function writeSiblingReports(jsonFile: string, reports: SiblingReports): string[] {
  const base = jsonFile.replace(/\.json$/, '');
  const files: [string, string][] = [
    [`${base}.md`, `Made by \`${reports.command}\` at ${new Date().toISOString()}.\n\n${reports.markdown}\n`],
    [`${base}.svg`, svgChart(reports.ratios, reports.machine, reports.quick)],
  ];
  mkdirSync(path.dirname(jsonFile), { recursive: true });
  for (const [file, text] of files) {
    const temporary = `${file}.${String(process.pid)}.tmp`;
    writeFileSync(temporary, text);
    renameSync(temporary, file);
  }
  return files.map(([file]) => file);
}
