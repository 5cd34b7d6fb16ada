import { describe, expect, it } from 'vitest';
import { examplesOf, typeScriptBlocks } from './code-blocks.js';

const fence = '```';
const doc = (...parts: string[]): string => parts.join('\n');

describe('examplesOf', () => {
  it('makes each unnamed ts block an example of its own, run as main.ts, with its line', () => {
    const markdown = doc('# Title', '', `${fence}ts`, "console.log('a');", '// prints: a', fence, '', `${fence}ts`, 'const b = 1;', fence);
    expect(examplesOf(markdown)).toEqual([
      { blocks: [{ file: 'main.ts', source: "console.log('a');\n// prints: a\n", line: 4 }], prints: ['a'], untilSigterm: false },
      { blocks: [{ file: 'main.ts', source: 'const b = 1;\n', line: 9 }], prints: [], untilSigterm: false },
    ]);
  });

  it('joins named blocks to the next program, across prose and other languages', () => {
    const markdown = doc(`${fence}ts`, '// file: fib.ts', 'export const x = 1;', fence, 'Then:', `${fence}sh`, 'npx thing', fence, `${fence}typescript`, "import { x } from './fib.js';", fence);
    const [example, ...rest] = examplesOf(markdown);
    expect(rest).toEqual([]);
    expect(example?.blocks.map((block) => [block.file, block.line])).toEqual([
      ['fib.ts', 2],
      ['main.ts', 10],
    ]);
  });

  it('joins a js block named .mjs to the next program, as a module written as it is', () => {
    const markdown = doc(`${fence}js`, '// file: preload.mjs', 'export {};', fence, `${fence}ts`, "console.log('run');", fence);
    expect(examplesOf(markdown)).toEqual([
      {
        blocks: [
          { file: 'preload.mjs', source: '// file: preload.mjs\nexport {};\n', line: 2 },
          { file: 'main.ts', source: "console.log('run');\n", line: 6 },
        ],
        prints: [],
        untilSigterm: false,
      },
    ]);
  });

  it('gives a later program the latest earlier named block it imports, with what that block imports, before its own', () => {
    const markdown = doc(
      `${fence}ts`, '// file: tasks.ts', "import { h } from './helpers.js';", '// prints: loaded', fence,
      `${fence}ts`, '// file: helpers.ts', 'export const h = 1;', fence,
      `${fence}ts`, "import { t } from './tasks.js';", fence,
      `${fence}ts`, '// file: tasks.ts', 'export const t = 2;', fence,
      `${fence}ts`, '// file: other.ts', "import { t } from './tasks.js';", fence,
      `${fence}ts`, "import { o } from './other.js';", "import { h } from './helpers.js';", fence,
      `${fence}ts`, "console.log('alone');", fence,
    );
    const files = examplesOf(markdown).map((example) => [example.blocks.map((block) => `${block.file}:${String(block.line)}`), example.prints]);
    expect(files).toEqual([
      [['tasks.ts:2', 'helpers.ts:7', 'main.ts:11'], ['loaded']],
      // The second tasks.ts replaces the first for the programs after it.
      [['helpers.ts:7', 'tasks.ts:14', 'other.ts:18', 'main.ts:22'], []],
      [['main.ts:26'], []],
    ]);
  });

  it('marks a program that runs until SIGTERM, and refuses one that prints nothing to say it is ready', () => {
    const serving = doc(`${fence}ts`, "console.log('ready');", '// prints: ready', '// It runs until SIGTERM: then it stops.', fence);
    expect(examplesOf(serving).map((example) => example.untilSigterm)).toEqual([true]);
    expect(() => examplesOf(doc('', `${fence}ts`, 'setInterval(() => undefined, 1000); // runs until SIGTERM', fence))).not.toThrow();
    expect(() => examplesOf(doc('', `${fence}ts`, '// runs until SIGTERM', fence))).toThrow(/line 3: a program that runs until SIGTERM needs a \/\/ prints: line/);
  });

  it('keeps named blocks left at the end as an example whose last block runs', () => {
    const markdown = doc(`${fence}ts`, '// file: a.ts', 'export {};', fence, `${fence}ts`, '// file: b.ts', "import './a.js';", fence);
    expect(examplesOf(markdown).map((example) => example.blocks.map((block) => block.file))).toEqual([['a.ts', 'b.ts']]);
  });

  it("leaves out pack-check's Vitest files and blocks in other languages", () => {
    const markdown = doc(`${fence}ts`, '// test/conformance.test.ts', 'x;', fence, `${fence}js`, 'y;', fence, `${fence}jsonc`, '{}', fence);
    expect(examplesOf(markdown)).toEqual([]);
  });

  it('refuses two blocks of one example with the same name, and an unclosed block', () => {
    expect(() => examplesOf(doc(`${fence}ts`, '// file: a.ts', fence, `${fence}ts`, '// file: a.ts', fence))).toThrow(/both a\.ts/);
    expect(() => typeScriptBlocks(doc('text', `${fence}ts`, 'open'))).toThrow(/line 2: a code block that is never closed/);
  });
});
