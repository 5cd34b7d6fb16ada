// The README's TypeScript examples compile under the repository's strict settings, against
// the build, as a user's code would: each ```ts block is a module named by its first line
// (`// fib.ts: ...`), beside the others (so `./fib.js` finds fib.ts), inside this package
// (so `@spindle/bullmq` resolves to it by name).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import ts from 'typescript';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const examplesDir = join(packageDir, 'readme-examples');

function examples(): Map<string, string> {
  const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
  const files = new Map<string, string>();
  for (const [, code = ''] of readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)) {
    const name = /^\/\/ ([\w-]+\.ts)\b/.exec(code)?.[1];
    expect(name, `a README example that does not start with "// <name>.ts":\n${code}`).toBeDefined();
    const path = join(examplesDir, name ?? '');
    expect(files.has(path), `two README examples named ${name ?? ''}`).toBe(false);
    files.set(path, code);
  }
  return files;
}

it('every TypeScript example in the README compiles under the strict settings', () => {
  const files = examples();
  expect(files.size).toBeGreaterThanOrEqual(8);
  const config = ts.getParsedCommandLineOfConfigFile(join(packageDir, 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    },
  });
  if (config === undefined) throw new Error('tsconfig.json could not be read');
  const options: ts.CompilerOptions = { ...config.options, noEmit: true };
  const base = ts.createCompilerHost(options);
  const host: ts.CompilerHost = {
    ...base,
    fileExists: (path) => files.has(path) || base.fileExists(path),
    readFile: (path) => files.get(path) ?? base.readFile(path),
    directoryExists: (path) => path === examplesDir || (base.directoryExists?.(path) ?? true),
    getSourceFile: (path, language, onError, create) => {
      const text = files.get(path);
      return text === undefined ? base.getSourceFile(path, language, onError, create) : ts.createSourceFile(path, text, language);
    },
  };
  const program = ts.createProgram([...files.keys()], options, host);
  const problems = ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const where = diagnostic.file === undefined ? '' : `${diagnostic.file.fileName.slice(dirname(examplesDir).length + 1)}:${String(diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line + 1)}: `;
    return where + ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
  });
  expect(problems).toEqual([]);
});
