import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { compiledDirectory } from './compiled-executors.js';

/** Compiles test/executors/*.ts to JavaScript modules for child processes to import. */
export default async function setup(): Promise<void> {
  const sources = fileURLToPath(new URL('./executors/', import.meta.url));
  await mkdir(compiledDirectory, { recursive: true });
  await writeFile(`${compiledDirectory}package.json`, '{ "type": "module" }\n');
  for (const file of await readdir(sources)) {
    if (!file.endsWith('.ts')) continue;
    const source = await readFile(`${sources}${file}`, 'utf8');
    const { outputText } = ts.transpileModule(source, {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
    });
    await writeFile(`${compiledDirectory}${file.replace(/\.ts$/, '.js')}`, outputText);
  }
}
