#!/usr/bin/env node
// Checks that internal dependency ranges resolve after versioning, without touching the
// work tree: in a scratch clone of HEAD (in os.tmpdir()) it
//   1. runs `changeset version` on the pending changesets (what `pnpm version-packages` does),
//   2. packs every published package with `pnpm pack` (which turns workspace:^ into a range)
//      and checks each @spindle dependency range is ^<the new version of that package>,
//      that every bumped package got a CHANGELOG.md and that the changesets were consumed,
//   3. adds a changeset that bumps only @spindle/core a minor, versions again and checks
//      that every dependent was bumped too and its packed range covers the new core
//      (with 0.x versions, ^0.1.0 would not accept 0.2.0).
// Nothing is committed or published; the clone is deleted afterwards (--keep keeps it).
// Usage: node tooling/release-check/version-check.mjs [--keep]
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { readTarball } from '../pack-check/tarball.mjs';
import { changesetBin, git, pendingChangesets, publishedPackages, repoRoot } from './shared.mjs';

const run = promisify(execFile);
const keep = process.argv.includes('--keep');
const SCOPE = '@spindle/';

function pnpmCommand() {
  const execPath = process.env.npm_execpath;
  if (execPath && /pnpm/.test(execPath)) return [process.execPath, [execPath]];
  return ['npx', ['--yes', 'pnpm@10.34.9']];
}

function depRanges(manifest) {
  const out = [];
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const [name, range] of Object.entries(manifest[field] ?? {})) if (name.startsWith(SCOPE)) out.push({ field, name, range });
  }
  return out;
}

/** True when a caret/tilde/exact range written by pnpm accepts `version` (x.y.z, no prerelease). */
function accepts(range, version) {
  const m = /^([~^]?)(\d+)\.(\d+)\.(\d+)$/.exec(range);
  const v = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  if (m === null || v === null) return false;
  const [lo, ver] = [m.slice(2).map(Number), v.slice(1).map(Number)];
  const cmp = (a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
  if (cmp(ver, lo) < 0) return false;
  if (m[1] === '') return cmp(ver, lo) === 0;
  if (m[1] === '~') return ver[0] === lo[0] && ver[1] === lo[1];
  if (lo[0] > 0) return ver[0] === lo[0];
  if (lo[1] > 0) return ver[0] === 0 && ver[1] === lo[1];
  return cmp(ver, lo) === 0;
}

async function packAll(clone, packages, dest) {
  const [command, prefix] = pnpmCommand();
  const packed = new Map();
  for (const pkg of packages) {
    const dir = path.join(clone, pkg.rel);
    const { stdout } = await run(command, [...prefix, 'pack', '--pack-destination', dest, '--json'], { cwd: dir });
    packed.set(pkg.name, readTarball(JSON.parse(stdout.slice(stdout.indexOf('{'))).filename).manifest);
  }
  return packed;
}

async function version(clone) {
  await run(process.execPath, [changesetBin(clone), 'version'], { cwd: clone });
}

function checkRanges(round, packed, versions, problems) {
  for (const [name, manifest] of packed) {
    for (const { field, name: dep, range } of depRanges(manifest)) {
      const depVersion = versions.get(dep);
      const line = `${round}: ${name}@${manifest.version} ${field}.${dep} = ${range} (${dep} is ${depVersion})`;
      if (range.startsWith('workspace:') || range !== `^${depVersion}` || !accepts(range, depVersion)) problems.push(`${line}: expected ^${depVersion}`);
      else console.log(`ok   ${line}`);
    }
  }
}

async function main() {
  const work = mkdtempSync(path.join(os.tmpdir(), 'spindle-version-check-'));
  const clone = path.join(work, 'repo');
  const problems = [];
  try {
    git(['clone', '--quiet', '--no-hardlinks', repoRoot, clone], work);
    // pnpm pack reads each workspace dependency's version from node_modules, and changesets
    // loads its changelog generator from there: install (from the store, no scripts).
    const [command, prefix] = pnpmCommand();
    await run(command, [...prefix, 'install', '--frozen-lockfile', '--prefer-offline', '--ignore-scripts', '--reporter=silent'], { cwd: clone });
    const before = new Map(publishedPackages(clone).map((p) => [p.name, p.version]));
    const pending = pendingChangesets(clone);
    console.log(`== version check in a scratch clone of ${git(['rev-parse', '--short', 'HEAD'])}: ${pending.length} pending changeset(s)`);

    // Round 1: the pending changesets, as `pnpm version-packages` would apply them.
    const expected = new Set(pending.flatMap((c) => c.releases.filter((r) => r.type !== 'none').map((r) => r.name)));
    if (pending.length > 0) await version(clone);
    const afterFirst = publishedPackages(clone);
    const versions1 = new Map(afterFirst.map((p) => [p.name, p.version]));
    for (const pkg of afterFirst) {
      const from = before.get(pkg.name);
      if (expected.has(pkg.name)) {
        if (pkg.version === from) problems.push(`round 1: ${pkg.name} has a changeset but stayed at ${from}`);
        if (!existsSync(path.join(pkg.dir, 'CHANGELOG.md'))) problems.push(`round 1: ${pkg.name} has no CHANGELOG.md after versioning`);
      }
      console.log(`     ${pkg.name}: ${from} -> ${pkg.version}${pkg.version === from ? ' (unchanged)' : ''}`);
    }
    const left = pendingChangesets(clone);
    if (left.length > 0) problems.push(`round 1: changesets left after versioning: ${left.map((c) => c.file).join(', ')}`);
    const dest1 = path.join(work, 'round1');
    mkdirSync(dest1);
    checkRanges('round 1', await packAll(clone, afterFirst, dest1), versions1, problems);

    // Round 2: only core changes (a minor); every dependent must follow.
    git(['-c', 'user.name=version-check', '-c', 'user.email=version-check@localhost', 'commit', '--quiet', '--all', '--allow-empty', '-m', 'version round 1'], clone);
    const core = `${SCOPE}core`;
    writeFileSync(path.join(clone, '.changeset/version-check-core.md'), `---\n'${core}': minor\n---\n\nversion-check: a minor change in core only.\n`);
    await version(clone);
    const afterSecond = publishedPackages(clone);
    const versions2 = new Map(afterSecond.map((p) => [p.name, p.version]));
    console.log(`     round 2: ${core} ${versions1.get(core)} -> ${versions2.get(core)}`);
    if (versions2.get(core) === versions1.get(core)) problems.push(`round 2: ${core} was not bumped`);
    for (const pkg of afterSecond) {
      const dependsOnCore = depRanges(pkg.manifest).some((d) => d.name === core);
      if (dependsOnCore && pkg.version === versions1.get(pkg.name)) problems.push(`round 2: ${pkg.name} depends on core but stayed at ${pkg.version}`);
      if (dependsOnCore) console.log(`     round 2: ${pkg.name} ${versions1.get(pkg.name)} -> ${pkg.version}`);
    }
    const dest2 = path.join(work, 'round2');
    mkdirSync(dest2);
    checkRanges('round 2', await packAll(clone, afterSecond, dest2), versions2, problems);
  } finally {
    if (!keep) rmSync(work, { recursive: true, force: true });
    else console.log(`   kept ${work}`);
  }
  if (problems.length > 0) {
    console.error(`\nversion check failed:\n  ${problems.join('\n  ')}`);
    process.exitCode = 1;
    return;
  }
  console.log('== version check: after versioning, every packed @spindle range is ^<new version> of its dependency');
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
