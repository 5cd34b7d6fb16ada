import { toHtmlTimeline } from '@spindle/diagnostics';
import type { StageRun } from './stage.js';
import { formatResult } from './text-report.js';
import { timelineParts } from './timeline-parts.js';
import { whatRanWhen } from './what-ran-when.js';

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/**
 * Takes the body (and the style) out of the page `toHtmlTimeline` draws, so that one
 * report holds every stage's timeline inline: still one file, still no script.
 */
function pageParts(html: string): { style: string; body: string } {
  const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
  const body = /<body>([\s\S]*)<\/body>/.exec(html)?.[1] ?? '';
  return { style, body: body.replace(/<h1>[\s\S]*?<\/h1>/, '') };
}

/** One self-contained HTML page: a summary table, then each stage with its timeline. */
export function htmlReport(runs: readonly StageRun[], facts: string): string {
  let style = '';
  const sections = runs.map((run) => {
    const timelines = timelineParts(run.recording, run.outcome.findings ?? []).map((part) => {
      const page = pageParts(toHtmlTimeline(part.recording, { title: run.stage.title, width: 1100, findings: part.findings }));
      style = page.style;
      return part.executor === undefined ? page.body : `<h3>${escapeHtml(part.executor)}</h3>\n${page.body}`;
    });
    return `<section id="stage-${String(run.stage.index)}">
<h2>${String(run.stage.index)}. ${escapeHtml(run.stage.title)}</h2>
<p>${escapeHtml(run.stage.summary)}</p>
<p class="times">wall ${run.wallMs.toFixed(1)} ms · CPU ${run.cpuMs.toFixed(1)} ms · result ${escapeHtml(formatResult(run.outcome.result))}</p>
<pre>${escapeHtml([...run.outcome.notes, '', ...whatRanWhen(run.recording)].join('\n'))}</pre>
${timelines.map((body) => `<div class="timeline">${body}</div>`).join('\n')}
</section>`;
  });
  const rows = runs
    .map(
      (run) =>
        `<tr><td>${String(run.stage.index)}</td><td><a href="#stage-${String(run.stage.index)}">${escapeHtml(run.stage.title)}</a></td><td>${escapeHtml(formatResult(run.outcome.result))}</td><td class="n">${run.wallMs.toFixed(1)}</td><td class="n">${run.cpuMs.toFixed(1)}</td><td class="n">${(run.cpuMs / run.wallMs).toFixed(2)}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Spindle demo: from blocking code to a work-stealing pool</title>
<style>
${style}
h2 { font-size: 15px; margin: 28px 0 4px; }
h3 { font-size: 13px; margin: 16px 0 4px; }
table { border-collapse: collapse; margin: 8px 0 16px; }
td, th { border: 1px solid #d5dae1; padding: 3px 8px; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
pre { background: #f4f6f8; padding: 8px; font-size: 12px; overflow-x: auto; }
</style>
</head>
<body>
<h1>Spindle demo: from blocking code to a work-stealing pool</h1>
<p>${escapeHtml(facts)}</p>
<table id="summary">
<thead><tr><th>#</th><th>stage</th><th>result</th><th>wall ms</th><th>CPU ms</th><th>CPU / wall</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
<p>CPU is process.cpuUsage() (user + system) over the stage: every thread of the process, workers included.</p>
${sections.join('\n')}
</body>
</html>
`;
}
