import type { Progress } from './stage.js';

/**
 * A one-line progress bar on standard error, redrawn in place: stdout stays clean for
 * `--json`, and nothing is drawn when stderr is not a terminal (CI logs, pipes).
 */
export function terminalProgress(label: string): { progress: Progress; done: () => void } {
  const tty = process.stderr.isTTY;
  let drawn = false;
  return {
    progress: (done, total) => {
      if (!tty) return;
      const width = 30;
      const filled = total === 0 ? width : Math.round((done / total) * width);
      process.stderr.write(`\r  ${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(done)}/${String(total)}`);
      drawn = true;
    },
    done: () => {
      if (drawn) process.stderr.write('\r\x1b[2K');
    },
  };
}
