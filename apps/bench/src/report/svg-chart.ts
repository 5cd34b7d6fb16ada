import type { Comparison, MachineFacts } from '../results.js';

const ROW = 18;
const LABEL = 430;
const PLOT = 520;
const TOP = 66;

const escapeXml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c);

/**
 * The time ratios of a run as one self-contained SVG: a bar per subject and case, from 1×
 * (as fast as the reference) to its ratio, on a log scale — ratios of 0.1× and 10× are
 * equally far from even. Left of 1× (green) is faster, right (orange) slower. Extra
 * figures (throughput and the like) are left out: their ratios read the other way.
 */
export function svgChart(ratios: readonly Comparison[], machine: MachineFacts, quick: boolean): string {
  const shown = ratios.filter((ratio) => ratio.metric === undefined && Number.isFinite(ratio.ratio) && ratio.ratio > 0);
  const logs = shown.map((ratio) => Math.log10(ratio.ratio));
  // At least 0.1× to 10×, widened to whole decades that hold every ratio.
  const low = Math.min(-1, Math.floor(Math.min(0, ...logs)));
  const high = Math.max(1, Math.ceil(Math.max(0, ...logs)));
  const x = (log: number): number => LABEL + ((log - low) / (high - low)) * PLOT;
  const height = TOP + shown.length * ROW + 30;
  const width = LABEL + PLOT + 90;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${String(width)}" height="${String(height)}" viewBox="0 0 ${String(width)} ${String(height)}" font-family="system-ui, sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="8" y="18" font-size="14" font-weight="600">Spindle bench: time ratios (subject ÷ reference, log scale; left of 1× is faster)</text>`,
    `<text x="8" y="36" fill="#4a5461">${escapeXml(`${machine.cpuModel}, ${String(machine.cores)} cores, Node ${machine.node}${quick ? ' — quick run, rough figures' : ''}`)}</text>`,
  );
  for (let decade = low; decade <= high; decade++) {
    const at = x(decade).toFixed(1);
    out.push(
      `<line x1="${at}" y1="${String(TOP - 8)}" x2="${at}" y2="${String(height - 26)}" stroke="${decade === 0 ? '#1d232b' : '#d5dae1'}"/>`,
      // The scale above and below: a long chart scrolls.
      `<text x="${at}" y="${String(TOP - 12)}" text-anchor="middle" fill="#4a5461">${escapeXml(formatDecade(decade))}</text>`,
      `<text x="${at}" y="${String(height - 12)}" text-anchor="middle" fill="#4a5461">${escapeXml(formatDecade(decade))}</text>`,
    );
  }
  shown.forEach((ratio, index) => {
    const y = TOP + index * ROW;
    const log = Math.log10(ratio.ratio);
    const from = x(Math.min(0, log));
    const to = x(Math.max(0, log));
    const label = `${ratio.suite} › ${ratio.case}: ${ratio.subject} ÷ ${ratio.baseline}`;
    out.push(
      `<text x="${String(LABEL - 6)}" y="${String(y + 12)}" text-anchor="end">${escapeXml(truncate(label, 72))}</text>`,
      `<rect x="${from.toFixed(1)}" y="${String(y + 3)}" width="${Math.max(1, to - from).toFixed(1)}" height="${String(ROW - 6)}" fill="${log <= 0 ? '#159a6b' : '#e8730c'}"><title>${escapeXml(`${label}: ${ratio.ratio.toFixed(2)}x`)}</title></rect>`,
      `<text x="${(to + 4).toFixed(1)}" y="${String(y + 12)}" fill="#3b4450">${ratio.ratio.toFixed(2)}x</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

function formatDecade(decade: number): string {
  return decade >= 0 ? `${String(10 ** decade)}×` : `${(10 ** decade).toFixed(-decade)}×`;
}

function truncate(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}
