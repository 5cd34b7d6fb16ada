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
  /**
   * A comment line of the program says it `runs until SIGTERM`: a process that serves until
   * told to stop (a worker). It is run until it has printed its `// prints:` lines, then
   * sent SIGTERM, and must exit 0.
   */
  readonly untilSigterm: boolean;
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
const UNTIL_SIGTERM = /^\s*\/\/.*\bruns until SIGTERM\b/m;
/** `./<name>.js`, as a block imports a module of the document: the `<name>`. */
const LOCAL_IMPORT = /\bfrom '\.\/([\w-]+)\.js'/g;

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
 * example with it; a later program, or a module of it, that imports `./fib.js` gets the
 * latest `fib.ts` block before it too (a task module that several examples share). Named
 * blocks left at the end of a document form one example of their own, whose last block
 * runs. Blocks that are Vitest files for pack-check are left out.
 */
export function examplesOf(markdown: string): Example[] {
  const examples: Example[] = [];
  /** The latest named TypeScript block of each name, for the programs after it. */
  const modules = new Map<string, CodeBlock>();
  let pending: CodeBlock[] = [];
  const finish = (): void => {
    if (pending.length === 0) return;
    const names = pending.map((block) => block.file);
    const twice = names.find((name, at) => names.indexOf(name) !== at);
    if (twice !== undefined) throw new Error(`line ${String(pending[0]?.line)}: two blocks of one example are both ${twice}`);
    const blocks = [...shared(pending, modules), ...pending];
    const program = pending.at(-1);
    const untilSigterm = program !== undefined && UNTIL_SIGTERM.test(program.source);
    const prints = blocks.flatMap((block) => [...block.source.matchAll(PRINTS)].map((match) => match[1] ?? ''));
    if (untilSigterm && prints.length === 0) {
      throw new Error(`line ${String(program.line)}: a program that runs until SIGTERM needs a // prints: line, to say when it is ready`);
    }
    examples.push({ blocks, prints, untilSigterm });
    pending = [];
  };
  for (const { source, line } of typeScriptBlocks(markdown)) {
    const first = source.slice(0, source.indexOf('\n'));
    if (VITEST_FILE.test(first)) continue;
    const named = NAMED.exec(first)?.[1];
    const block = { file: named ?? 'main.ts', source, line };
    pending.push(block);
    if (named === undefined) finish();
    else if (named.endsWith('.ts')) modules.set(named, block);
  }
  finish();
  return examples;
}

/**
 * The earlier named blocks that `blocks` import (`./<name>.js`) and do not hold, with
 * those they import in turn, in the order the document has them.
 */
function shared(blocks: readonly CodeBlock[], modules: ReadonlyMap<string, CodeBlock>): CodeBlock[] {
  const found = new Set<CodeBlock>();
  const held = new Set(blocks.map((block) => block.file));
  const visit = (block: CodeBlock): void => {
    for (const match of block.source.matchAll(LOCAL_IMPORT)) {
      const file = `${match[1] ?? ''}.ts`;
      const module = modules.get(file);
      if (held.has(file) || module === undefined || found.has(module)) continue;
      found.add(module);
      visit(module);
    }
  };
  for (const block of blocks) visit(block);
  return [...found].sort((a, b) => a.line - b.line);
}
