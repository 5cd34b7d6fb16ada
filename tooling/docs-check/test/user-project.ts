// A throwaway project laid out as a user's would be: the packages under node_modules (links
// to this repository's builds), the repository's strict compiler settings, and each
// example in a folder of its own, its TypeScript beside the JavaScript Node runs.
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import type { CodeBlock } from './code-blocks.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

/** The packages an example may import, as a user's project installs them. */
export const PACKAGES = [
  '@spindle/core',
  '@spindle/round-robin',
  '@spindle/trampoline',
  '@spindle/pool',
  '@spindle/bullmq',
  '@spindle/diagnostics',
  '@spindle/conformance',
  // The bullmq README reads kept jobs with BullMQ's own Queue API.
  'bullmq',
  '@types/node',
  // The pool README's TypeScript task modules: its workers register tsx.
  'tsx',
] as const;

/** What a child `node` process did. */
export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node file` in `cwd` and resolves however it ends (a non-zero exit is a result, not an error). */
export function runNode(file: string, cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [file], { cwd, env, timeout: 90_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ code, signal: error?.signal ?? null, stdout, stderr });
    });
  });
}

/**
 * Runs `node file` in `cwd` as a process that serves until told to stop: once its stdout
 * holds `lines` lines, sends it SIGTERM, and resolves however it then ends. One that never
 * prints them is killed after 90 s (`signal` says so).
 */
export function runUntilPrinted(file: string, cwd: string, env: NodeJS.ProcessEnv, lines: number): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let told = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!told && stdout.split('\n').length > lines) {
        told = true;
        child.kill('SIGTERM');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Where one file of the project came from, to point a compiler error at the document. */
interface Origin {
  readonly document: string;
  readonly line: number;
}

export class UserProject {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'spindle-docs-'));
  readonly #origins = new Map<string, Origin>();

  constructor() {
    writeFileSync(path.join(this.dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
    const base = realpathSync(path.join(packageDir, 'node_modules/@spindle/tsconfig/base.json'));
    writeFileSync(path.join(this.dir, 'tsconfig.json'), JSON.stringify({ extends: base, include: ['**/*.ts'] }));
    for (const name of PACKAGES) {
      const at = path.join(this.dir, 'node_modules', name);
      mkdirSync(path.dirname(at), { recursive: true });
      symlinkSync(realpathSync(path.join(packageDir, 'node_modules', name)), at, 'dir');
    }
  }

  /**
   * Writes an example's blocks into `folder` as `.ts` files and their JavaScript (types
   * removed, nothing else changed) as `.js` beside them, and its `.mjs` blocks as they are;
   * returns the folder's path.
   */
  addExample(folder: string, document: string, blocks: readonly CodeBlock[]): string {
    const dir = path.join(this.dir, folder);
    mkdirSync(dir, { recursive: true });
    for (const block of blocks) {
      const file = path.join(dir, block.file);
      writeFileSync(file, block.source);
      if (block.file.endsWith('.mjs')) continue;
      this.#origins.set(path.relative(this.dir, file), { document, line: block.line });
      const { outputText } = ts.transpileModule(block.source, {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
        fileName: block.file,
      });
      writeFileSync(file.replace(/\.ts$/, '.js'), outputText);
    }
    return dir;
  }

  /**
   * Type-checks every example with the repository's strict settings. Returns `tsc`'s
   * output with each position turned into the document's own (`README.md:42:7`), empty
   * when all is well.
   */
  typecheck(): Promise<string> {
    const tsc = require.resolve('typescript/bin/tsc');
    return new Promise((resolve) => {
      execFile(process.execPath, [tsc, '-p', this.dir, '--pretty', 'false'], { cwd: this.dir, timeout: 180_000 }, (_error, stdout, stderr) => {
        resolve(
          `${stdout}${stderr}`.trim().replace(/^(\S+\.ts)\((\d+),(\d+)\)/gm, (whole, file: string, line: string, column: string) => {
            const origin = this.#origins.get(file);
            return origin === undefined ? whole : `${origin.document}:${String(origin.line + Number(line) - 1)}:${column} (${file})`;
          }),
        );
      });
    });
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
