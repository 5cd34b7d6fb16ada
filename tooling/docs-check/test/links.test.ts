import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DOCUMENTS, readDocument, repoRoot } from './documents.js';
import { anchorOf, anchorsOf, linksOf } from './links.js';

// User documentation links only to files in this repository, and every link resolves:
// the file exists, and a #fragment names a heading of the file it points to.
describe.each(DOCUMENTS)('%s', (document) => {
  it('links only to files of the repository that exist, and to headings they have', () => {
    const problems: string[] = [];
    for (const { target, line } of linksOf(readDocument(document))) {
      const [file = '', fragment] = target.split('#');
      if (/^[a-z][a-z+.-]*:/i.test(file)) {
        problems.push(`${document}:${String(line)}: ${target} is outside the repository`);
        continue;
      }
      const resolved = file === '' ? path.join(repoRoot, document) : path.resolve(repoRoot, path.dirname(document), file);
      if (!resolved.startsWith(repoRoot) || !existsSync(resolved)) {
        problems.push(`${document}:${String(line)}: ${target} does not exist`);
        continue;
      }
      if (fragment !== undefined && !(statSync(resolved).isFile() && anchorsOf(readFileSync(resolved, 'utf8')).has(fragment))) {
        problems.push(`${document}:${String(line)}: ${target} names no heading of ${path.relative(repoRoot, resolved)}`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('the link reader', () => {
  it('finds links and images outside code, and makes GitHub anchors', () => {
    const markdown = ['See [a](docs/a.md#x) and ![b](b.png "B").', '`[not](a link)`', '```', '[not](either)', '```', '## Round-robin: every `body`!'].join('\n');
    expect(linksOf(markdown)).toEqual([
      { target: 'docs/a.md#x', line: 1 },
      { target: 'b.png', line: 1 },
    ]);
    expect(anchorOf('Round-robin: every `body`!')).toBe('round-robin-every-body');
    expect([...anchorsOf(markdown)]).toEqual(['round-robin-every-body']);
  });
});
