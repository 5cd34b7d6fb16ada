// How a Markdown document's TypeScript blocks become examples: the conventions every
// checked document follows (tooling/docs-check/README.md says them for writers).

/** One fenced ```ts block (or named ```js module), where it starts and what file it becomes. */
export interface CodeBlock {
  /** The file the block is written to: its `// file: name.ts` (or `name.mjs`) line, else `main.ts`. */
  readonly file: string;
  readonly source: string;
  /** The Markdown line of the block's first line of code (1-based). */
  readonly line: number;
}

/** A program and the modules it imports: written to one folder, type-checked, and its last block run. */
export interface Example {
  /** Files in the order they appear; the last one is the program that runs. */
  readonly blocks: readonly CodeBlock[];
  /** What `// prints:` lines, in every block of the example, say the run writes to stdout. */
  readonly prints: readonly string[];
}

/** A block whose first line is `// file: <name>.ts` is a module of the next program. */
const NAMED = /^\/\/ file: ([\w-]+\.(?:ts|mjs))\s*$/;
/**
 * A ```js block whose first line is `// file: <name>.mjs` is a plain JavaScript module of
 * the next program (a worker preload, say: a file Node must load before any TypeScript can).
 */
const NAMED_JAVASCRIPT = /^\/\/ file: [\w-]+\.mjs\s*$/;
/** A block whose first line names a Vitest file (`// test/x.test.ts`) is run by tooling/pack-check instead. */
const VITEST_FILE = /^\/\/ test\/[\w.-]+/;
const FENCE = /^```(\w*)[^\n]*$/;
const PRINTS = /^\s*\/\/ prints: (.*)$/gm;

/**
 * Every fenced block of `markdown` whose info string is `ts` or `typescript`, and every
 * `js`/`javascript` block named `// file: <name>.mjs`, with its line.
 */
export function typeScriptBlocks(markdown: string): { source: string; line: number }[] {
  const lines = markdown.split('\n');
  const blocks: { source: string; line: number }[] = [];
  for (let at = 0; at < lines.length; at++) {
    const language = FENCE.exec(lines[at] ?? '')?.[1];
    if (language === undefined) continue;
    const start = at + 1;
    let end = start;
    while (end < lines.length && !/^```\s*$/.test(lines[end] ?? '')) end++;
    if (end === lines.length) throw new Error(`line ${String(at + 1)}: a code block that is never closed`);
    const javaScriptModule = (language === 'js' || language === 'javascript') && NAMED_JAVASCRIPT.test(lines[start] ?? '');
    if (language === 'ts' || language === 'typescript' || javaScriptModule) blocks.push({ source: `${lines.slice(start, end).join('\n')}\n`, line: start + 1 });
    at = end;
  }
  return blocks;
}

/**
 * Groups a document's TypeScript blocks into examples. Named blocks (`// file: fib.ts`)
 * wait for the next unnamed block, the program (written as `main.ts`), and form one
 * example with it; named blocks left at the end of a document form one of their own,
 * whose last block runs. Blocks that are Vitest files for pack-check are left out.
 */
export function examplesOf(markdown: string): Example[] {
  const examples: Example[] = [];
  let pending: CodeBlock[] = [];
  const finish = (): void => {
    if (pending.length === 0) return;
    const names = pending.map((block) => block.file);
    const twice = names.find((name, at) => names.indexOf(name) !== at);
    if (twice !== undefined) throw new Error(`line ${String(pending[0]?.line)}: two blocks of one example are both ${twice}`);
    examples.push({ blocks: pending, prints: pending.flatMap((block) => [...block.source.matchAll(PRINTS)].map((match) => match[1] ?? '')) });
    pending = [];
  };
  for (const { source, line } of typeScriptBlocks(markdown)) {
    const first = source.slice(0, source.indexOf('\n'));
    if (VITEST_FILE.test(first)) continue;
    const named = NAMED.exec(first)?.[1];
    pending.push({ file: named ?? 'main.ts', source, line });
    if (named === undefined) finish();
  }
  finish();
  return examples;
}
