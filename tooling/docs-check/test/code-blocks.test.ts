import { describe, expect, it } from 'vitest';
import { examplesOf, typeScriptBlocks } from './code-blocks.js';

const fence = '```';
const doc = (...parts: string[]): string => parts.join('\n');

describe('examplesOf', () => {
  it('makes each unnamed ts block an example of its own, run as main.ts, with its line', () => {
    const markdown = doc('# Title', '', `${fence}ts`, "console.log('a');", '// prints: a', fence, '', `${fence}ts`, 'const b = 1;', fence);
    expect(examplesOf(markdown)).toEqual([
      { blocks: [{ file: 'main.ts', source: "console.log('a');\n// prints: a\n", line: 4 }], prints: ['a'] },
      { blocks: [{ file: 'main.ts', source: 'const b = 1;\n', line: 9 }], prints: [] },
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
      },
    ]);
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
