#!/usr/bin/env node
// Fails when a published package changed without a pending changeset.
//
// `changeset status` alone does not do this: it compares against a base branch (a CI clone
// has only main) and it only fails when packages changed and there is no changeset at all,
// not when one changed package is missing from the changesets that exist. So, per package:
//
//   base     the last release: the newest commit that touched any packages/*/CHANGELOG.md
//            (`pnpm version-packages` writes them), or the repository's first commit
//            before the first release. Works in any clone with full history.
//   changed  files under packages/<pkg>/src that differ between base and the work tree
//            (committed, uncommitted or untracked).
//   rule     a package that changed since base, or that was never released (no
//            CHANGELOG.md), must be named in at least one pending .changeset/*.md.
//
// Changesets must name only published packages. Then `changeset status --since=<base>`
// runs too, so the changesets CLI itself reads them and prints the release plan.
// Usage: node tooling/release-check/changeset-check.mjs
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { changesetBin, git, pendingChangesets, publishedPackages, repoRoot } from './shared.mjs';

function lastReleaseCommit() {
  if (git(['rev-parse', '--is-shallow-repository']) === 'true') {
    throw new Error('this clone is shallow; the changeset check needs full history (git fetch --unshallow)');
  }
  const released = git(['log', '-1', '--format=%H', '--', 'packages/*/CHANGELOG.md']);
  if (released !== '') return { commit: released, why: 'last commit that wrote a CHANGELOG.md' };
  const roots = git(['rev-list', '--max-parents=0', 'HEAD']).split('\n');
  return { commit: roots[roots.length - 1], why: 'first commit (nothing released yet)' };
}

function changedSourceFiles(base, pkg) {
  const src = `${pkg.rel}/src`;
  const tracked = git(['diff', '--name-only', base, '--', src]);
  const untracked = git(['ls-files', '--others', '--exclude-standard', '--', src]);
  return [...tracked.split('\n'), ...untracked.split('\n')].filter((line) => line !== '');
}

function main() {
  const packages = publishedPackages();
  const names = new Set(packages.map((p) => p.name));
  const changesets = pendingChangesets();
  const base = lastReleaseCommit();
  const problems = [];

  const covering = new Map(packages.map((p) => [p.name, []]));
  for (const changeset of changesets) {
    for (const { name } of changeset.releases) {
      if (!names.has(name)) problems.push(`${changeset.file} names ${name}, which is not a published package under packages/`);
      else covering.get(name).push(path.basename(changeset.file));
    }
  }

  console.log(`== changeset check: base ${base.commit.slice(0, 10)} (${base.why}); ${changesets.length} pending changeset(s)`);
  for (const pkg of packages) {
    const released = existsSync(path.join(pkg.dir, 'CHANGELOG.md'));
    const changed = changedSourceFiles(base.commit, pkg);
    const files = covering.get(pkg.name);
    const state = `${released ? `released ${pkg.version}` : `unreleased (${pkg.version}, no CHANGELOG.md)`}, ${changed.length} src file(s) changed since base`;
    if ((changed.length > 0 || !released) && files.length === 0) {
      const shown = changed.slice(0, 5).join(', ') + (changed.length > 5 ? `, … (${changed.length} in all)` : '');
      problems.push(`${pkg.name}: ${state} and no pending changeset names it${shown ? ` (${shown})` : ''}; run \`pnpm changeset\``);
      console.log(`FAIL ${pkg.name}: ${state}; no changeset`);
    } else {
      console.log(`ok   ${pkg.name}: ${state}; ${files.length > 0 ? `changeset ${files.join(', ')}` : 'nothing to release'}`);
    }
  }

  const status = spawnSync(process.execPath, [changesetBin(), 'status', `--since=${base.commit}`], { cwd: repoRoot, encoding: 'utf8' });
  // eslint-disable-next-line no-control-regex -- strip the CLI's colours
  const statusOutput = `${status.stdout}${status.stderr}`.replace(/\u001b\[[0-9;]*m/g, '');
  if (status.status !== 0) {
    problems.push(`changeset status --since=${base.commit.slice(0, 10)} failed:\n${statusOutput}`);
  } else {
    const plan = statusOutput.split('\n').filter((line) => /- @|bumped at|would release/.test(line));
    console.log(`   changeset status --since=${base.commit.slice(0, 10)} (changesets committed since base):\n${plan.map((l) => `     ${l.replace(/^🦋\s+/u, '')}`).join('\n')}`);
  }

  if (problems.length > 0) {
    console.error(`\nchangeset check failed:\n  ${problems.join('\n  ')}`);
    process.exitCode = 1;
    return;
  }
  console.log('== changeset check: every changed or unreleased published package has a pending changeset');
}

main();
