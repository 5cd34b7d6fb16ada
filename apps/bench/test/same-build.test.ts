import { describe, expect, it } from 'vitest';
import { differingFiles } from '../src/builds/same-build.js';

const build = (chunkName: string, chunk: string, kit: string): Map<string, string> =>
  new Map([
    [`${chunkName}.js`, `${chunk}\n//# sourceMappingURL=${chunkName}.js.map`],
    ['kit.js', `import { a } from "./${chunkName}.js";\n${kit}\n//# sourceMappingURL=kit.js.map`],
  ]);

describe('differingFiles', () => {
  it('finds none between builds of the same code whose chunks are named differently', () => {
    expect(differingFiles(build('chunk-AAAA1111', 'var a = 1;', 'a();'), build('chunk-BBBB2222', 'var a = 1;', 'a();'))).toEqual([]);
  });

  it('names an entry point whose code differs, and chunks whose code differs', () => {
    expect(differingFiles(build('chunk-AAAA1111', 'var a = 1;', 'a();'), build('chunk-BBBB2222', 'var a = 1;', 'if (false) a();'))).toEqual(['kit.js']);
    expect(differingFiles(build('chunk-AAAA1111', 'var a = 1;', 'a();'), build('chunk-AAAA1111', 'var a = 2;', 'a();'))).toEqual(['(chunks)']);
  });

  it('names a file only one build has', () => {
    const more = build('chunk-AAAA1111', 'var a = 1;', 'a();').set('events.js', 'export {};');
    expect(differingFiles(build('chunk-AAAA1111', 'var a = 1;', 'a();'), more)).toEqual(['events.js']);
  });
});
