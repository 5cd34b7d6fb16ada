import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserProject, runNode } from './user-project.js';

// Every TypeScript block of the README is a complete module: it type-checks under the
// repository's strict settings against the built packages, and runs in a fresh `node`
// process of a project laid out as a user's, printing what its `// prints:` lines say.
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const examples = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
const printed = (source: string): string[] => [...source.matchAll(/^\/\/ prints: (.*)$/gm)].map((match) => match[1] ?? '');

describe('the README examples', () => {
  let project: UserProject;
  beforeAll(() => {
    project = new UserProject();
  });
  afterAll(() => {
    project.remove();
  });

  it('are three complete modules that type-check under the strict settings', async () => {
    expect(examples).toHaveLength(3);
    examples.forEach((source, at) => project.addTypeScript(`example-${String(at + 1)}`, source));
    expect(await project.typecheck()).toBe('');
  });

  it.each(examples.map((source, at) => [at + 1, source] as const))('example %i runs, exits 0 and prints what it says', async (number, source) => {
    const file = project.addTypeScript(`example-${String(number)}`, source);
    const result = await runNode(file, project.dir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(printed(source).length).toBeGreaterThan(0);
    expect(result.stdout.trim().split('\n')).toEqual(printed(source));
    if (number === 1) {
      expect(JSON.parse(readFileSync(path.join(project.dir, 'trace.json'), 'utf8'))).toHaveProperty('traceEvents');
      expect(existsSync(path.join(project.dir, 'timeline.html'))).toBe(true);
    }
  });
});
