import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { RoundRobinExecutor } from '@spindle/round-robin';

/**
 * Lines of the built executor that only record events, outside the step's event blocks:
 * the beginning of a step on the general path, the end of a step whose body finished, the
 * note that what follows happened between steps, a wake (to the log or published), and the
 * note to the log that a drain is coming. Each must be found at least once.
 */
const eventLines: readonly RegExp[] = [
  /^\s*if \(listening > Listening\.Batch\) this\.publishStep\(task, first\);$/,
  /^\s*if \(listening === Listening\.Batch\) this\.eventLog\.finish\(.*\);$/,
  /^\s*if \(listening === Listening\.Batch\) this\.eventLog\.between\(\);$/,
  /^\s*if \(this\.listening === Listening\.Batch\) this\.eventLog\.wake\(task\.id\);$/,
  /^\s*else this\.publishWake\(task\);$/,
  /^\s*if \(this\.listening !== Listening\.Nobody\) this\.eventLog\.expectWindow\(\);$/,
];

/**
 * Cuts the lifecycle-event code out of the built `@spindle/round-robin` (its ESM file, as
 * installed): the drain's event window, every `if (listening !== Listening.Nobody) { … }`
 * block of a step, and the lines in `eventLines`. What is left is the executor as it would
 * be with no diagnostics at all, so that "nothing subscribed" can be measured against it.
 *
 * @throws Error when the built file no longer has the shape this expects (so the
 *   comparison fails loudly instead of measuring two equal builds)
 */
export function cutEventCode(source: string): string {
  const expectOnce = (text: string, pattern: string): void => {
    const count = text.split(pattern).length - 1;
    if (count !== 1) throw new Error(`cutEventCode: expected "${pattern}" once in @spindle/round-robin's build, found it ${String(count)} times`);
  };
  expectOnce(source, 'this.openEventWindow()');
  expectOnce(source, 'log.close();');
  let cut = source.replace('this.openEventWindow()', '0').replace(/^\s*log\.close\(\);\n/m, '');
  const lines = cut.split('\n');
  const kept: string[] = [];
  const found = eventLines.map(() => 0);
  let blocks = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const open = /^(\s*)if \(listening !== Listening\.Nobody\) \{$/.exec(line);
    if (open === null) {
      const match = eventLines.findIndex((pattern) => pattern.test(line));
      if (match < 0) kept.push(line);
      else found[match] = (found[match] ?? 0) + 1;
      continue;
    }
    const close = `${open[1] ?? ''}}`;
    while (i < lines.length && lines[i] !== close) i++;
    blocks++;
  }
  if (blocks < 2) throw new Error(`cutEventCode: expected at least 2 event blocks in @spindle/round-robin's step, found ${String(blocks)}`);
  const missing = eventLines.filter((_, index) => found[index] === 0);
  if (missing.length > 0) throw new Error(`cutEventCode: expected lines like ${missing.map(String).join(', ')} in @spindle/round-robin's build`);
  // The build's source map describes the uncut file.
  cut = kept.filter((line) => !line.startsWith('//# sourceMappingURL=')).join('\n');
  if (cut.includes('Listening.Batch') || cut.includes('publishWake(') || cut.includes('eventLog.')) throw new Error('cutEventCode: event code is left in the cut build');
  return cut;
}

let loaded: Promise<typeof RoundRobinExecutor> | undefined;

/** `RoundRobinExecutor` from the installed build with its event code cut out (loaded once). */
export function roundRobinWithoutEvents(): Promise<typeof RoundRobinExecutor> {
  loaded ??= (async () => {
    const built = fileURLToPath(import.meta.resolve('@spindle/round-robin'));
    const core = import.meta.resolve('@spindle/core');
    const source = cutEventCode(readFileSync(built, 'utf8')).replaceAll(/from ["']@spindle\/core["']/g, `from ${JSON.stringify(core)}`);
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'spindle-bench-')), 'round-robin-without-events.mjs');
    writeFileSync(file, source);
    const module = (await import(pathToFileURL(file).href)) as { RoundRobinExecutor: typeof RoundRobinExecutor };
    return module.RoundRobinExecutor;
  })();
  return loaded;
}
