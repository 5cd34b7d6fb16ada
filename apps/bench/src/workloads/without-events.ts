import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as RoundRobin from '@spindle/round-robin';
import type { RoundRobinExecutor } from '@spindle/round-robin';
import type * as Trampoline from '@spindle/trampoline';

/**
 * Where an executor's build keeps its lifecycle-event code, besides the step's
 * `if (listening !== Listening.Nobody) { … }` blocks (cut wherever they are).
 */
export interface EventCodeShape {
  readonly packageName: '@spindle/round-robin' | '@spindle/trampoline';
  /** The line that closes the drain's event window: removed (it must be there once). */
  readonly closeLine: RegExp;
  /** Lines that only record events: removed, and each must be found at least once. */
  readonly lines: readonly RegExp[];
  /** Stretches rewritten to what they are with nobody listening; each must match once. */
  readonly rewrites: readonly (readonly [pattern: RegExp, replacement: string])[];
}

/** Lines both executors share: a step's beginning on the general path, and the note that what follows happened between steps. */
const stepLines: readonly RegExp[] = [
  /^\s*if \(listening > Listening\.Batch\) this\.publishStep\(task, first\);$/,
  /^\s*if \(listening === Listening\.Batch\) this\.eventLog\.between\(\);$/,
];

/** `@spindle/round-robin`: besides the step, a wake (to the log or published) and the note to the log that a drain is coming. */
export const roundRobinShape: EventCodeShape = {
  packageName: '@spindle/round-robin',
  closeLine: /^\s*log\.close\(\);\n/m,
  lines: [
    ...stepLines,
    // The end of a step whose body finished.
    /^\s*if \(listening === Listening\.Batch\) this\.eventLog\.finish\(.*\);$/,
    /^\s*if \(this\.listening === Listening\.Batch\) this\.eventLog\.wake\(task\.id\);$/,
    /^\s*else this\.publishWake\(task\);$/,
    /^\s*if \(this\.listening !== Listening\.Nobody\) this\.eventLog\.expectWindow\(\);$/,
  ],
  rewrites: [],
};

/**
 * `@spindle/trampoline`: besides the step, a published wake, and the window that tasks
 * stepped in place (outside a drain) share for a turn of the event loop when someone listens.
 */
export const trampolineShape: EventCodeShape = {
  packageName: '@spindle/trampoline',
  // The drain's (the turn window's close, in a field's arrow function, is rewritten below).
  closeLine: /(?<=this\.draining = false;\n)\s*this\.eventLog\.close\(\);\n/,
  lines: [
    ...stepLines,
    // The end of a step whose body finished (with its wake, for a task stepped in place).
    /^\s*if \(listening === Listening\.Batch\) this\.recordFinish\(task, first\);$/,
    /^\s*if \(this\.quietSlice !== this\.slice\.turns\) this\.publishWake\(task\);$/,
    /^\s*if \(!foreignContext && this\.turnListening === Listening\.Batch\) this\.eventLog\.between\(\);$/,
  ],
  rewrites: [
    [
      /if \(this\.turnListening < 0 && this\.quietSlice === this\.slice\.turns\) \{\n\s*this\.listening = Listening\.Nobody;\n\s*this\.stepHere\(task, foreignContext\);\n\s*return;\n\s*\}\n\s*this\.stepHereListened\(task, foreignContext\);\n/,
      'this.listening = 0;\nthis.stepHere(task, foreignContext);\n',
    ],
    // Called no more in the cut build: their bodies go.
    [/(?<=stepHereListened\(task, foreignContext\) \{\n)[^]*?\n {2}\}\n/, '  }\n'],
    [/(?<=recordFinish\(task, first\) \{\n)[^]*?\n {2}\}\n/, '  }\n'],
    // The turn's window closes in an immediate that the cut build never queues.
    [/(?<=this\.turnListening = -1;\n)\s*this\.eventLog\.close\(\);\n/, ''],
  ],
};

/**
 * Cuts the lifecycle-event code out of an executor's build (its ESM file, as installed):
 * the drain's event window, every `if (listening !== Listening.Nobody) { … }` block of a
 * step, and what `shape` names. What is left is the executor as it would be with no
 * diagnostics at all, so that "nothing subscribed" can be measured against it. Spawns and
 * settles are published by core's tasks, not the executor, and stay.
 *
 * @throws Error when the built file no longer has the shape this expects (so the
 *   comparison fails loudly instead of measuring two equal builds)
 */
export function cutEventCode(source: string, shape: EventCodeShape = roundRobinShape): string {
  const where = `${shape.packageName}'s build`;
  const count = (text: string, pattern: string | RegExp): number =>
    typeof pattern === 'string' ? text.split(pattern).length - 1 : [...text.matchAll(new RegExp(pattern.source, `${pattern.flags.replace('g', '')}g`))].length;
  const expectOnce = (text: string, pattern: string | RegExp): void => {
    const found = count(text, pattern);
    if (found !== 1) throw new Error(`cutEventCode: expected ${String(pattern)} once in ${where}, found it ${String(found)} times`);
  };
  expectOnce(source, 'this.openEventWindow()');
  expectOnce(source, shape.closeLine);
  let cut = source.replace('this.openEventWindow()', '0').replace(shape.closeLine, '');
  for (const [pattern, replacement] of shape.rewrites) {
    expectOnce(cut, pattern);
    cut = cut.replace(pattern, replacement);
  }
  const lines = cut.split('\n');
  const kept: string[] = [];
  const found = shape.lines.map(() => 0);
  let blocks = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const open = /^(\s*)if \(listening !== Listening\.Nobody\) \{$/.exec(line);
    if (open === null) {
      const match = shape.lines.findIndex((pattern) => pattern.test(line));
      if (match < 0) kept.push(line);
      else found[match] = (found[match] ?? 0) + 1;
      continue;
    }
    const close = `${open[1] ?? ''}}`;
    while (i < lines.length && lines[i] !== close) i++;
    blocks++;
  }
  if (blocks < 2) throw new Error(`cutEventCode: expected at least 2 event blocks in ${where}'s step, found ${String(blocks)}`);
  const missing = shape.lines.filter((_, index) => found[index] === 0);
  if (missing.length > 0) throw new Error(`cutEventCode: expected lines like ${missing.map(String).join(', ')} in ${where}`);
  // The build's source map describes the uncut file.
  cut = kept.filter((line) => !line.startsWith('//# sourceMappingURL=')).join('\n');
  for (const left of ['Listening.Batch', 'publishWake(', 'eventLog.', 'openEventWindow(', 'listeners()']) {
    if (cut.includes(left)) throw new Error(`cutEventCode: event code (${left}) is left in the cut ${where}`);
  }
  return cut;
}

const loaded = new Map<string, Promise<unknown>>();

/**
 * `shape`'s package from its installed build, copied to a temporary file (with its event
 * code cut out when `cut`) and imported from there; loaded once per shape and choice. Both
 * choices are loaded the same way, so that they differ only by what was cut.
 */
function loadBuild(shape: EventCodeShape, cut: boolean): Promise<unknown> {
  const key = `${shape.packageName}:${cut ? 'cut' : 'copy'}`;
  let module = loaded.get(key);
  if (module === undefined) {
    module = (async () => {
      const built = readFileSync(fileURLToPath(import.meta.resolve(shape.packageName)), 'utf8');

      // The build's source map describes the file as installed.
      const text = cut ? cutEventCode(built, shape) : built.replaceAll(/^\/\/# sourceMappingURL=.*$/gm, '');
      const source = text.replaceAll(/from ["'](@spindle\/core(?:\/kit|\/events)?)["']/g, (_, name: string) => `from ${JSON.stringify(import.meta.resolve(name))}`);
      const name = `${shape.packageName.slice('@spindle/'.length)}-${cut ? 'without-events' : 'copy'}.mjs`;
      const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'spindle-bench-')), name);
      writeFileSync(file, source);
      return (await import(pathToFileURL(file).href)) as unknown;
    })();
    loaded.set(key, module);
  }
  return module;
}

/**
 * `RoundRobinExecutor` from the installed build with its event code cut out, or (`cut`
 * false) from an unchanged copy of the build loaded the same way.
 */
export async function roundRobinBuild(cut: boolean): Promise<typeof RoundRobinExecutor> {
  return ((await loadBuild(roundRobinShape, cut)) as typeof RoundRobin).RoundRobinExecutor;
}

/**
 * `@spindle/trampoline` from the installed build with its event code cut out, or (`cut`
 * false) from an unchanged copy loaded the same way: its executor and its operations,
 * which only that executor knows.
 */
export async function trampolineBuild(cut: boolean): Promise<typeof Trampoline> {
  return (await loadBuild(trampolineShape, cut)) as typeof Trampoline;
}
