// The approach of packages/diagnostics/test/chromium.ts (test files are not imported
// across packages): render a page in headless Chromium, decode the screenshot.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { PNG } from 'pngjs';

const run = promisify(execFile);

/** Debian's `chromium` (CI installs it in .ci/run); `CHROMIUM` overrides the binary. */
const chromiumBinary = process.env.CHROMIUM ?? 'chromium';

/** Renders an HTML page in headless Chromium and returns the decoded screenshot; removes its files. */
export async function screenshot(html: string, width: number, height: number): Promise<PNG> {
  const dir = mkdtempSync(path.join(tmpdir(), 'spindle-demo-shot-'));
  try {
    const page = path.join(dir, 'report.html');
    const file = path.join(dir, 'report.png');
    writeFileSync(page, html);
    await run(
      chromiumBinary,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-dev-shm-usage',
        '--hide-scrollbars',
        `--user-data-dir=${path.join(dir, 'profile')}`,
        `--screenshot=${file}`,
        `--window-size=${String(width)},${String(height)}`,
        pathToFileURL(page).href,
      ],
      { timeout: 60_000 },
    );
    return PNG.sync.read(readFileSync(file));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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
