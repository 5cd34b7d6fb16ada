#!/usr/bin/env node
// Pack-and-install check: every published package under packages/ is packed with
// `pnpm pack` (which rewrites workspace: ranges) and installed, as a user would, with plain
// `npm install` into a fresh project outside the workspace, together with only the
// tarballs of the @spindle packages it depends on. There it is imported as ESM, required
// as CJS, type-checked from TypeScript (moduleResolution node16 and bundler) and run.
// The conformance package's README example is run there with Vitest, verbatim, and so is
// the executor of the guide for executor authors (docs/writing-an-executor.md).
//
// Usage: node tooling/pack-check/pack-check.mjs [--only <name,...>] [--jobs <n>] [--keep]
//                                               [--update-readme]
// Builds must be done before (CI builds first). Env: SPINDLE_PACK_CHECK_CACHE (npm cache
// directory; default npm's own), SPINDLE_PACK_CHECK_OFFLINE=1 (npm --offline).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readTarball } from './tarball.mjs';
import { checksModule, cjsSmoke, esmSmoke, tasksModule, tsconfig, typescriptConsumer } from './consumer-files.mjs';
import { startRedis } from './redis.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PINS = { typescript: '5.9.3', '@types/node': '20.19.43' };
const SCOPE = '@spindle/';
/** Packages whose CJS entry cannot be required, and the error that says why. */
const REQUIRE_FAILS = {
  // Vitest 4 is ESM-only and refuses require(); the suite is for Vitest, so ESM is the way in.
  '@spindle/conformance': /Vitest cannot be imported in a CommonJS module using require\(\)/,
};
const README_EXAMPLE_PACKAGE = '@spindle/conformance';
const README_EXAMPLE_EXECUTOR = '@spindle/round-robin';
/** The guide for executor authors, whose example executor is built and run from its code blocks. */
const EXECUTOR_GUIDE = 'docs/writing-an-executor.md';

const { values: flags } = parseArgs({
  options: {
    only: { type: 'string' },
    jobs: { type: 'string', default: '2' },
    keep: { type: 'boolean', default: false },
    'update-readme': { type: 'boolean', default: false },
  },
});
const jobs = Math.max(1, Number.parseInt(flags.jobs, 10) || 1);

// ---------------------------------------------------------------------------------------
// processes

/** A clean environment for npm and node in the consumer projects: no npm_* from pnpm run. */
function userEnv() {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm|pnpm)_/i.test(key) || key === 'PNPM_SCRIPT_SRC_DIR' || key === 'INIT_CWD') continue;
    env[key] = value;
  }
  if (process.env.SPINDLE_PACK_CHECK_CACHE) env.npm_config_cache = process.env.SPINDLE_PACK_CHECK_CACHE;
  env.npm_config_update_notifier = 'false';
  env.npm_config_fund = 'false';
  env.npm_config_audit = 'false';
  return env;
}

function run(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    execFile(command, args, { maxBuffer: 64 * 1024 * 1024, ...options }, (error, stdout, stderr) => {
      const ms = performance.now() - started;
      if (error) {
        const where = options.cwd ? ` (in ${options.cwd})` : '';
        const failure = new Error(`${command} ${args.join(' ')}${where} failed: ${error.message}\n${stdout}\n${stderr}`.trimEnd());
        failure.stdout = stdout;
        failure.stderr = stderr;
        reject(failure);
        return;
      }
      resolve({ stdout, stderr, ms });
    });
  });
}

/** pnpm as the caller ran it (`pnpm pack-check`), else the CI's pinned one through npx. */
function pnpmCommand() {
  const execPath = process.env.npm_execpath;
  if (execPath && /pnpm/.test(execPath)) return { command: process.execPath, prefix: [execPath] };
  return { command: 'npx', prefix: ['--yes', 'pnpm@10.34.9'] };
}

async function inBatches(items, size, work) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
  return results;
}

function fail(message) {
  throw new Error(message);
}

// ---------------------------------------------------------------------------------------
// packages

function publishedPackages() {
  const root = path.join(repoRoot, 'packages');
  const found = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const manifestPath = path.join(root, entry.name, 'package.json');
    if (!entry.isDirectory() || !existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    if (manifest.private === true) continue;
    found.push({ dir: path.join(root, entry.name), manifest, name: manifest.name, version: manifest.version });
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

const DEP_FIELDS = ['dependencies', 'peerDependencies', 'optionalDependencies'];

function spindleDeps(manifest) {
  const names = new Set();
  for (const field of DEP_FIELDS) for (const name of Object.keys(manifest[field] ?? {})) if (name.startsWith(SCOPE)) names.add(name);
  return [...names];
}

/** Every file an entry point of the manifest names (main, module, types, exports targets). */
function entryFiles(manifest) {
  const files = new Set();
  for (const key of ['main', 'module', 'types']) if (typeof manifest[key] === 'string') files.add(manifest[key]);
  const walk = (value) => {
    if (typeof value === 'string') files.add(value);
    else if (value && typeof value === 'object') for (const inner of Object.values(value)) walk(inner);
  };
  walk(manifest.exports);
  return [...files].map((file) => file.replace(/^\.\//, ''));
}

/** Checks one packed tarball against its workspace package; returns the problems found. */
function inspectTarball(pkg, tarball, versions) {
  const problems = [];
  const { manifest, files } = tarball;
  const packed = new Set(files.map((f) => f.path));
  for (const field of DEP_FIELDS) {
    for (const [name, range] of Object.entries(manifest[field] ?? {})) {
      if (String(range).startsWith('workspace:')) problems.push(`${field}.${name} is still ${range} in the tarball`);
      if (name.startsWith(SCOPE)) {
        const version = versions.get(name);
        if (version === undefined) problems.push(`${field}.${name}: no published workspace package of that name`);
        else if (![`^${version}`, `~${version}`, version].includes(range)) problems.push(`${field}.${name} is ${range}, expected ^${version}`);
      }
    }
  }
  for (const file of entryFiles(manifest)) if (!packed.has(file)) problems.push(`entry point ${file} is not in the tarball (built?)`);
  for (const file of ['README.md', 'LICENSE', 'package.json']) if (!packed.has(file)) problems.push(`${file} is not in the tarball`);
  for (const field of ['license', 'repository', 'engines', 'keywords', 'description']) if (manifest[field] === undefined) problems.push(`package.json has no ${field}`);
  if (pkg.name === '@spindle/core') {
    for (const field of DEP_FIELDS) {
      if (Object.keys(manifest[field] ?? {}).length > 0) problems.push(`core must stay dependency-free, but has ${field}`);
    }
  }
  return problems;
}

function closureOf(name, manifests) {
  const seen = new Set();
  const visit = (n) => {
    if (seen.has(n)) return;
    seen.add(n);
    const manifest = manifests.get(n) ?? fail(`${name} needs ${n}, which is not a published workspace package`);
    for (const dep of spindleDeps(manifest)) visit(dep);
  };
  visit(name);
  return [...seen].sort();
}

// ---------------------------------------------------------------------------------------
// consumer projects

async function npmInstall(dir, specs) {
  const args = ['install', '--no-audit', '--no-fund', '--loglevel=error', '--no-update-notifier'];
  args.push(process.env.SPINDLE_PACK_CHECK_OFFLINE === '1' ? '--offline' : '--prefer-offline');
  return run('npm', [...args, ...specs], { cwd: dir, env: userEnv() });
}

/** The @spindle packages npm put anywhere in the tree, from package-lock.json and from disk. */
function installedSpindle(dir) {
  const lock = JSON.parse(readFileSync(path.join(dir, 'package-lock.json'), 'utf8'));
  const entries = Object.entries(lock.packages ?? {}).filter(([key]) => /(^|\/)node_modules\/@spindle\//.test(key));
  const onDisk = existsSync(path.join(dir, 'node_modules/@spindle')) ? readdirSync(path.join(dir, 'node_modules/@spindle')).map((n) => SCOPE + n) : [];
  return { entries, onDisk: onDisk.sort() };
}

function assertOnlyClosure(dir, closure, versions) {
  const { entries, onDisk } = installedSpindle(dir);
  const problems = [];
  const lockNames = [];
  for (const [key, entry] of entries) {
    const name = key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
    lockNames.push(name);
    if (key !== `node_modules/${name}`) problems.push(`${key}: nested copy of ${name}`);
    if (!closure.includes(name)) problems.push(`${name} was installed but is not a dependency`);
    if (!String(entry.resolved ?? '').startsWith('file:')) problems.push(`${name} came from ${entry.resolved ?? 'nowhere'}, not from its tarball`);
    if (entry.version !== versions.get(name)) problems.push(`${name}@${entry.version} installed, workspace has ${versions.get(name)}`);
  }
  for (const name of closure) if (!lockNames.includes(name)) problems.push(`${name} is missing from node_modules`);
  if (JSON.stringify(onDisk) !== JSON.stringify(closure)) problems.push(`node_modules/@spindle holds ${onDisk.join(', ')}; expected ${closure.join(', ')}`);
  if (problems.length > 0) fail(`dependency isolation:\n  ${problems.join('\n  ')}`);
  return onDisk;
}

function makeProject(workDir, slug, manifest) {
  const dir = path.join(workDir, slug);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return dir;
}

function parseResult(stdout, what) {
  const line = stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line);
  } catch {
    return fail(`${what} printed no result line:\n${stdout}`);
  }
}

/** Installs one package alone and runs every check on it. */
async function checkPackage(pkg, ctx) {
  const t0 = performance.now();
  const closure = closureOf(pkg.name, ctx.manifests);
  const slug = pkg.name.replace(SCOPE, '');
  const dir = makeProject(ctx.workDir, slug, { name: `consumer-of-${slug}`, version: '1.0.0', private: true });
  const peers = Object.entries(pkg.manifest.peerDependencies ?? {}).filter(([name]) => !name.startsWith(SCOPE));
  const peerSpecs = peers.map(([name, range]) => {
    // The version the package is tested with in the workspace, else what npm picks for the range.
    const pinned = pkg.manifest.devDependencies?.[name];
    return pinned && /^\d/.test(pinned) ? `${name}@${pinned}` : `${name}@${range}`;
  });
  const specs = [...closure.map((name) => ctx.tarballs.get(name).file), ...Object.entries(PINS).map(([n, v]) => `${n}@${v}`), ...peerSpecs];
  const install = await npmInstall(dir, specs);
  const installed = assertOnlyClosure(dir, closure, ctx.versions);
  const steps = [`npm install ${(install.ms / 1000).toFixed(1)}s: ${installed.join(', ')}${peerSpecs.length ? ` + ${peerSpecs.join(', ')}` : ''}`];

  writeFileSync(path.join(dir, 'tasks.mjs'), tasksModule);
  writeFileSync(path.join(dir, 'checks.cjs'), checksModule);
  writeFileSync(path.join(dir, 'smoke.mjs'), esmSmoke(pkg.name));
  writeFileSync(path.join(dir, 'smoke.cjs'), cjsSmoke(pkg.name, REQUIRE_FAILS[pkg.name]));
  const node = (file) => run(process.execPath, [file], { cwd: dir, env: userEnv(), timeout: 60_000 });

  const esm = parseResult((await node('smoke.mjs')).stdout, 'ESM import');
  steps.push(`ESM import: ${esm.exports.length} exports; ran ${esm.ran.join('; ') || 'nothing (no executor)'}`);
  const cjs = parseResult((await node('smoke.cjs')).stdout, 'CJS require');
  if (REQUIRE_FAILS[pkg.name] === undefined && JSON.stringify(cjs.exports.sort()) !== JSON.stringify(esm.exports.sort())) {
    fail(`CJS exports differ from ESM exports:\n  cjs: ${cjs.exports.join(', ')}\n  esm: ${esm.exports.join(', ')}`);
  }
  steps.push(REQUIRE_FAILS[pkg.name] === undefined ? `CJS require: same exports; ran ${cjs.ran.join('; ') || 'nothing (no executor)'}` : `CJS require: ${cjs.ran.join('; ')}`);

  const consumer = typescriptConsumer(pkg.name, esm.executors);
  writeFileSync(path.join(dir, 'consumer.mts'), consumer);
  writeFileSync(path.join(dir, 'consumer.ts'), consumer);
  const tsFiles = ['consumer.mts'];
  if (REQUIRE_FAILS[pkg.name] === undefined) {
    writeFileSync(path.join(dir, 'consumer.cts'), consumer);
    tsFiles.push('consumer.cts');
  }
  writeFileSync(path.join(dir, 'tsconfig.node16.json'), tsconfig('node16', tsFiles));
  writeFileSync(path.join(dir, 'tsconfig.bundler.json'), tsconfig('bundler', ['consumer.ts']));
  const tsc = path.join(dir, 'node_modules/typescript/bin/tsc');
  for (const mode of ['node16', 'bundler']) {
    await run(process.execPath, [tsc, '-p', `tsconfig.${mode}.json`], { cwd: dir, env: userEnv() }).catch((error) => {
      fail(`TypeScript (${mode}) rejects the consumer:\n${error.stdout || error.message}`);
    });
  }
  steps.push(`TypeScript ${PINS.typescript}: node16 (${tsFiles.join(', ')}) and bundler (consumer.ts) type-check, strict, skipLibCheck off`);

  if (pkg.name === README_EXAMPLE_PACKAGE) {
    steps.push(await runReadmeExample(pkg, ctx));
    steps.push(await runExecutorGuide(pkg, ctx));
  }
  return { steps, seconds: (performance.now() - t0) / 1000 };
}

/**
 * The conformance README's example, as a third party would use it: a package named
 * `my-executor` whose `src/index.js` exports `MyExecutor` (here round-robin's executor under
 * that name, a stand-in for "your executor"), and the README's test files written verbatim.
 */
async function runReadmeExample(pkg, ctx) {
  const readme = readFileSync(path.join(pkg.dir, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```(?:ts|js|typescript|javascript)\n(\/\/ (test\/[\w.-]+)[^\n]*\n[\s\S]*?)```/g)].map((m) => ({ file: m[2], text: m[1] }));
  if (!blocks.some((b) => b.file.endsWith('.test.ts') || b.file.endsWith('.test.js'))) {
    fail(`${pkg.name} README has no example test file (a code block starting with "// test/<name>.test.ts")`);
  }
  const dir = makeProject(ctx.workDir, 'readme-example', {
    name: 'my-executor',
    version: '1.0.0',
    private: true,
    type: 'module',
    exports: './src/index.js',
  });
  const closure = [...new Set([...closureOf(pkg.name, ctx.manifests), ...closureOf(README_EXAMPLE_EXECUTOR, ctx.manifests)])].sort();
  const vitest = `vitest@${pkg.manifest.devDependencies?.vitest ?? pkg.manifest.peerDependencies.vitest}`;
  await npmInstall(dir, [...closure.map((name) => ctx.tarballs.get(name).file), vitest]);
  assertOnlyClosure(dir, closure, ctx.versions);
  mkdirSync(path.join(dir, 'src'));
  writeFileSync(path.join(dir, 'src/index.js'), `// Stand-in for "your executor".\nexport { RoundRobinExecutor as MyExecutor } from '${README_EXAMPLE_EXECUTOR}';\n`);
  mkdirSync(path.join(dir, 'test'));
  for (const block of blocks) writeFileSync(path.join(dir, block.file), block.text);
  const { json, result } = await runVitestIn(dir, 'the README example');
  return `README example (${blocks.map((b) => b.file).join(', ')}) under ${vitest}: ${json.numPassedTests} tests pass against ${README_EXAMPLE_EXECUTOR} as my-executor in ${(result.ms / 1000).toFixed(1)}s`;
}

/**
 * `npx vitest run` in a consumer project, as the docs say (--no: never download, use the
 * installed one); fails unless every test passed. Returns Vitest's JSON report.
 */
async function runVitestIn(dir, what) {
  const report = path.join(dir, 'vitest-report.json');
  const result = await run('npx', ['--no', 'vitest', 'run', '--reporter=dot', '--reporter=json', `--outputFile.json=${report}`], {
    cwd: dir,
    env: { ...userEnv(), CI: 'true', NO_COLOR: '1' },
    timeout: 300_000,
  }).catch((error) => fail(`${what} fails under Vitest:\n${error.message}`));
  const json = JSON.parse(readFileSync(report, 'utf8'));
  if (json.numFailedTests !== 0 || json.numPassedTests === 0 || !json.success) {
    fail(`${what}: ${json.numPassedTests} passed, ${json.numFailedTests} failed\n${result.stdout}`);
  }
  return { json, result };
}

/**
 * The code blocks of a Markdown file that say which file they are: a path after the
 * language (```json package.json) or a first line `// <path>` (any text may follow it).
 */
function fileBlocks(markdown) {
  const blocks = [];
  for (const [, , named, text] of markdown.matchAll(/```(\w+)(?: ([\w./-]+))?\n([\s\S]*?)```/g)) {
    const file = named ?? /^\/\/ ([\w./-]+\.\w+)/.exec(text)?.[1];
    if (file !== undefined) blocks.push({ file, text });
  }
  return blocks;
}

/**
 * The executor guide (docs/writing-an-executor.md) as its reader would follow it: a
 * project whose package.json, sources, tsconfig.json and tests are the guide's code
 * blocks, written verbatim; npm installs the packed core and conformance (nothing else of
 * Spindle), the guide's executor is built with `tsc` against the packed kit's types, and
 * the whole conformance suite runs against it.
 */
async function runExecutorGuide(pkg, ctx) {
  const blocks = fileBlocks(readFileSync(path.join(repoRoot, EXECUTOR_GUIDE), 'utf8'));
  const manifest = blocks.find((block) => block.file === 'package.json') ?? fail(`${EXECUTOR_GUIDE} has no package.json block`);
  for (const needed of ['tsconfig.json', 'test/conformance.test.ts', 'test/factory.mjs']) {
    if (!blocks.some((block) => block.file === needed)) fail(`${EXECUTOR_GUIDE} has no ${needed} block`);
  }
  const dir = makeProject(ctx.workDir, 'executor-guide', JSON.parse(manifest.text));
  const closure = closureOf(pkg.name, ctx.manifests);
  const vitest = `vitest@${pkg.manifest.devDependencies?.vitest ?? pkg.manifest.peerDependencies.vitest}`;
  await npmInstall(dir, [...closure.map((name) => ctx.tarballs.get(name).file), vitest, ...Object.entries(PINS).map(([n, v]) => `${n}@${v}`)]);
  assertOnlyClosure(dir, closure, ctx.versions);
  for (const block of blocks) {
    if (block.file === 'package.json') continue;
    mkdirSync(path.dirname(path.join(dir, block.file)), { recursive: true });
    writeFileSync(path.join(dir, block.file), block.text);
  }
  await run('npm', ['run', 'build'], { cwd: dir, env: userEnv() }).catch((error) => fail(`the guide's executor does not build:\n${error.stdout || error.message}`));
  const { json, result } = await runVitestIn(dir, `the executor guide (${EXECUTOR_GUIDE})`);
  if (json.numPassedTests < 100) fail(`the executor guide ran only ${json.numPassedTests} tests: the conformance suite was not declared in full`);
  const files = blocks.map((block) => block.file).join(', ');
  return `${EXECUTOR_GUIDE} (${files}): built with tsc ${PINS.typescript}, ${json.numPassedTests} conformance tests pass in ${(result.ms / 1000).toFixed(1)}s`;
}

// ---------------------------------------------------------------------------------------
// sizes

function kB(bytes) {
  return `${(bytes / 1000).toFixed(1)} kB`;
}

function sizeTable(packages, tarballs) {
  const rows = packages.map((pkg) => {
    const t = tarballs.get(pkg.name);
    const deps = Object.keys(t.manifest.dependencies ?? {});
    return `| \`${pkg.name}\` | ${kB(t.bytes)} | ${kB(t.unpackedSize)} | ${t.files.length} | ${deps.length ? deps.map((d) => `\`${d}\``).join(', ') : 'none'} |`;
  });
  return ['| package | tarball | unpacked | files | runtime dependencies |', '| --- | ---: | ---: | ---: | --- |', ...rows].join('\n');
}

function updateReadme(table) {
  const file = path.join(repoRoot, 'README.md');
  const text = readFileSync(file, 'utf8');
  const start = '<!-- pack-sizes:start -->';
  const end = '<!-- pack-sizes:end -->';
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from === -1 || to < from) fail(`README.md has no ${start} … ${end} section`);
  writeFileSync(file, `${text.slice(0, from + start.length)}\n${table}\n${text.slice(to)}`);
}

// ---------------------------------------------------------------------------------------

async function main() {
  const started = performance.now();
  let packages = publishedPackages();
  if (packages.length === 0) fail('no published packages under packages/');
  const versions = new Map(packages.map((p) => [p.name, p.version]));
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'spindle-pack-check-'));
  if (!path.relative(repoRoot, workDir).startsWith('..')) fail(`temporary directory ${workDir} is inside the workspace`);
  console.log(`== pack check: ${packages.map((p) => `${p.name}@${p.version}`).join(', ')}`);
  console.log(`   work dir ${workDir}; node ${process.version}; npm cache ${process.env.SPINDLE_PACK_CHECK_CACHE ?? '(npm default)'}`);

  for (const pkg of packages) {
    for (const file of entryFiles(pkg.manifest)) {
      if (!existsSync(path.join(pkg.dir, file))) fail(`${pkg.name}: ${file} does not exist; build first (pnpm build)`);
    }
  }

  // Pack every published package: dependencies need their tarballs too.
  const tarballDir = path.join(workDir, 'tarballs');
  mkdirSync(tarballDir);
  const pnpm = pnpmCommand();
  const tarballs = new Map();
  await inBatches(packages, jobs, async (pkg) => {
    const { stdout } = await run(pnpm.command, [...pnpm.prefix, 'pack', '--pack-destination', tarballDir, '--json'], { cwd: pkg.dir });
    const file = JSON.parse(stdout.slice(stdout.indexOf('{'))).filename;
    tarballs.set(pkg.name, { file, ...readTarball(file) });
  });
  const manifests = new Map([...tarballs].map(([name, t]) => [name, t.manifest]));

  const table = sizeTable(packages, tarballs);
  console.log(`\n${table}\n`);
  for (const pkg of packages) {
    const t = tarballs.get(pkg.name);
    console.log(`   ${pkg.name}: tarball ${t.bytes} bytes, unpacked ${t.unpackedSize} bytes (${path.basename(t.file)})`);
  }
  writeFileSync(path.join(workDir, 'sizes.md'), `${table}\n`);
  if (flags['update-readme']) {
    updateReadme(table);
    console.log('   README.md size table updated');
  }

  let failures = 0;
  const tarballProblems = packages.map((pkg) => [pkg, inspectTarball(pkg, tarballs.get(pkg.name), versions)]);
  for (const [pkg, problems] of tarballProblems) {
    if (problems.length > 0) {
      failures++;
      console.log(`FAIL ${pkg.name} tarball:\n  ${problems.join('\n  ')}`);
    }
  }

  if (flags.only) {
    const only = flags.only.split(',').map((s) => (s.startsWith('@') ? s : SCOPE + s));
    packages = packages.filter((p) => only.includes(p.name));
  }
  const ctx = { workDir, tarballs, manifests, versions };
  // Consumers inherit SPINDLE_REDIS_URL (userEnv copies process.env).
  const redis = await startRedis();
  if (redis === undefined) console.log('   no Redis: redis-server is not on PATH and SPINDLE_REDIS_URL is unset; executors that need one will fail (apt-get install -y redis-server)');
  else {
    process.env.SPINDLE_REDIS_URL = redis.url;
    console.log(`   ${redis.note}`);
  }
  let results;
  try {
    results = await inBatches(packages, jobs, async (pkg) => {
      try {
        const { steps, seconds } = await checkPackage(pkg, ctx);
        console.log(`ok   ${pkg.name} (${seconds.toFixed(1)}s)\n${steps.map((s) => `     - ${s}`).join('\n')}`);
        return true;
      } catch (error) {
        console.log(`FAIL ${pkg.name}\n     ${String(error instanceof Error ? error.message : error).split('\n').join('\n     ')}`);
        return false;
      }
    });
  } finally {
    await redis?.stop();
  }
  failures += results.filter((ok) => !ok).length;

  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (!flags.keep && failures === 0) rmSync(workDir, { recursive: true, force: true });
  else console.log(`   kept ${workDir}`);
  console.log(`== pack check: ${packages.length - results.filter((ok) => !ok).length} of ${packages.length} packages install and run on their own; ${failures === 0 ? 'all good' : `${failures} failure(s)`} in ${seconds}s`);
  process.exitCode = failures === 0 ? 0 : 1;
}

export { assertOnlyClosure, inspectTarball, closureOf };

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
