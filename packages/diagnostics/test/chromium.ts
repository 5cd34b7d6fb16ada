import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { PNG } from 'pngjs';

const run = promisify(execFile);

/** Debian's `chromium` (CI installs it in .ci/run); `CHROMIUM` overrides the binary. */
export const chromiumBinary = process.env.CHROMIUM ?? 'chromium';

/** Renders an HTML page in headless Chromium and returns the decoded screenshot. */
export async function screenshot(html: string, width: number, height: number): Promise<{ png: PNG; file: string; cleanup: () => void }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'spindle-shot-'));
  const page = path.join(dir, 'timeline.html');
  const file = path.join(dir, 'timeline.png');
  writeFileSync(page, html);
  await run(
    chromiumBinary,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
      '--hide-scrollbars',
      `--user-data-dir=${path.join(dir, 'profile')}`,
      `--screenshot=${file}`,
      `--window-size=${width},${height}`,
      pathToFileURL(page).href,
    ],
    { timeout: 60_000 },
  );
  return {
    png: PNG.sync.read(readFileSync(file)),
    file,
    cleanup: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Pixels whose colour is exactly one of `colors` (`#rrggbb`). */
export function countPixels(png: PNG, colors: readonly string[]): number {
  const wanted = new Set(colors.map((c) => c.toLowerCase()));
  let count = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    const hex = `#${[png.data[i], png.data[i + 1], png.data[i + 2]].map((v) => (v ?? 0).toString(16).padStart(2, '0')).join('')}`;
    if (wanted.has(hex)) count++;
  }
  return count;
}

/** A box relative to the top left of its SVG, in CSS pixels. */
export interface Box {
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

/** What a rendered timeline SVG holds, as Chromium laid it out. */
export interface MeasuredTimeline {
  /** The scale the SVG was drawn with: times `t0..t1` (epoch ms) on pixels `x0..x1`. */
  readonly t0: number;
  readonly t1: number;
  readonly x0: number;
  readonly x1: number;
  readonly width: number;
  readonly tasks: readonly { readonly key: string; readonly parked: readonly Box[]; readonly ready: readonly Box[]; readonly steps: readonly Box[] }[];
  /** Every text: its class, its own text (not its tooltip) and its box. */
  readonly texts: readonly (Box & { readonly cls: string; readonly text: string })[];
  readonly steals: readonly Box[];
  readonly blocked: readonly Box[];
}

// Runs in the page (Chromium's --dump-dom serialises the DOM after it ran) and leaves the
// measurements, base64 JSON, in a <pre> at the end of the body.
const measureScript = `<script>
(() => {
  const out = [];
  for (const svg of document.querySelectorAll('svg.timeline')) {
    const box = svg.getBoundingClientRect();
    const rel = (el) => { const r = el.getBoundingClientRect(); return { left: r.left - box.left, right: r.right - box.left, top: r.top - box.top, bottom: r.bottom - box.top }; };
    const all = (root, selector) => [...root.querySelectorAll(selector)].map(rel);
    out.push({
      t0: Number(svg.dataset.t0), t1: Number(svg.dataset.t1), x0: Number(svg.dataset.x0), x1: Number(svg.dataset.x1), width: box.width,
      tasks: [...svg.querySelectorAll('g.task')].map((g) => ({ key: g.dataset.task, parked: all(g, 'rect.wait.parked'), ready: all(g, 'rect.wait.ready'), steps: all(g, 'rect.step') })),
      texts: [...svg.querySelectorAll('text')].map((t) => ({ cls: t.getAttribute('class') || '', text: [...t.childNodes].filter((n) => n.nodeType === 3).map((n) => n.nodeValue).join(''), ...rel(t) })),
      steals: all(svg, 'path.steal'),
      blocked: all(svg, 'rect.blocked'),
    });
  }
  const pre = document.createElement('pre');
  pre.id = 'spindle-measure';
  pre.textContent = btoa(unescape(encodeURIComponent(JSON.stringify(out))));
  document.body.append(pre);
})();
</script>`;

/** Renders a page in headless Chromium and returns where every timeline's parts were laid out. */
export async function measureTimelines(html: string, width: number): Promise<MeasuredTimeline[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'spindle-dom-'));
  try {
    const page = path.join(dir, 'timeline.html');
    writeFileSync(page, html.replace('</body>', `${measureScript}\n</body>`));
    const { stdout } = await run(
      chromiumBinary,
      ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', `--user-data-dir=${path.join(dir, 'profile')}`, `--window-size=${String(width)},800`, '--dump-dom', pathToFileURL(page).href],
      { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
    );
    const encoded = /<pre id="spindle-measure">([A-Za-z0-9+/=]*)<\/pre>/.exec(stdout)?.[1];
    if (encoded === undefined) throw new Error('the page did not report its measurements');
    return JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as MeasuredTimeline[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
