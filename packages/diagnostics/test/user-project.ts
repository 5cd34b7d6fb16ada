// A throwaway project laid out as a user's would be: the packages under node_modules (links
// to this repository's builds), the repository's strict compiler settings, and scripts run
// by a fresh `node` process in it.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

/** What a child `node` process did. */
export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node file` in `cwd` and resolves however it ends (a non-zero exit is a result, not an error). */
export function runNode(file: string, cwd: string): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [file], { cwd, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ code, stdout, stderr });
    });
  });
}

/** A project in a temporary folder that depends on core, diagnostics and round-robin. */
export class UserProject {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'spindle-user-'));

  constructor() {
    writeFileSync(path.join(this.dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
    const base = realpathSync(path.join(packageDir, 'node_modules/@spindle/tsconfig/base.json'));
    writeFileSync(path.join(this.dir, 'tsconfig.json'), JSON.stringify({ extends: base, include: ['*.ts'] }));
    const link = (name: string, target: string): void => {
      const at = path.join(this.dir, 'node_modules', name);
      mkdirSync(path.dirname(at), { recursive: true });
      symlinkSync(realpathSync(target), at, 'dir');
    };
    link('@spindle/diagnostics', packageDir);
    for (const name of ['@spindle/core', '@spindle/round-robin', '@types/node']) link(name, path.join(packageDir, 'node_modules', name));
  }

  /** Writes `name.ts` and its JavaScript, `name.mjs` (types removed, nothing else changed); returns the latter's path. */
  addTypeScript(name: string, source: string): string {
    writeFileSync(path.join(this.dir, `${name}.ts`), source);
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
    });
    const file = path.join(this.dir, `${name}.mjs`);
    writeFileSync(file, outputText);
    return file;
  }

  /** Writes a JavaScript module as is; returns its path. */
  addJavaScript(name: string, source: string): string {
    const file = path.join(this.dir, name);
    writeFileSync(file, source);
    return file;
  }

  /** Type-checks every `.ts` file with the repository's strict settings: `tsc`'s output, empty when all is well. */
  typecheck(): Promise<string> {
    const tsc = require.resolve('typescript/bin/tsc');
    return new Promise((resolve) => {
      execFile(process.execPath, [tsc, '-p', this.dir], { cwd: this.dir, timeout: 120_000 }, (_error, stdout, stderr) => {
        resolve(`${stdout}${stderr}`.trim());
      });
    });
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
