// Small helpers shared by the release checks: the published packages, pending changesets
// and git, with nothing but node's own modules.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Published packages: every non-private package under packages/ that changesets does not ignore. */
export function publishedPackages(root = repoRoot) {
  const config = JSON.parse(readFileSync(path.join(root, '.changeset/config.json'), 'utf8'));
  const ignored = new Set(config.ignore ?? []);
  const found = [];
  for (const entry of readdirSync(path.join(root, 'packages'), { withFileTypes: true })) {
    const manifestPath = path.join(root, 'packages', entry.name, 'package.json');
    if (!entry.isDirectory() || !existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    if (manifest.private === true || ignored.has(manifest.name)) continue;
    found.push({ name: manifest.name, version: manifest.version, manifest, dir: path.join(root, 'packages', entry.name), rel: `packages/${entry.name}` });
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Pending changesets in .changeset/*.md, parsed the way changesets writes them: a front
 * matter of `"<package>": major|minor|patch|none` lines. Anything else there is an error.
 * @returns {{ file: string, releases: { name: string, type: string }[] }[]}
 */
export function pendingChangesets(root = repoRoot) {
  const dir = path.join(root, '.changeset');
  const result = [];
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.md') || file === 'README.md') continue;
    const text = readFileSync(path.join(dir, file), 'utf8');
    const match = /^---\r?\n([\s\S]*?)\r?\n?---/.exec(text);
    if (match === null) throw new Error(`.changeset/${file}: no front matter (--- ... ---)`);
    const releases = [];
    for (const line of match[1].split(/\r?\n/)) {
      if (line.trim() === '') continue;
      const release = /^\s*(["']?)(@?[^"':\s]+)\1\s*:\s*(major|minor|patch|none)\s*$/.exec(line);
      if (release === null) throw new Error(`.changeset/${file}: cannot read front matter line ${JSON.stringify(line)}`);
      releases.push({ name: release[2], type: release[3] });
    }
    result.push({ file: `.changeset/${file}`, releases });
  }
  return result;
}

export function git(args, cwd = repoRoot) {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** The changesets CLI of the workspace (installed by `pnpm install`). */
export function changesetBin(root = repoRoot) {
  const bin = path.join(root, 'node_modules/@changesets/cli/bin.js');
  if (!existsSync(bin)) throw new Error(`${bin} not found: run pnpm install first`);
  return bin;
}
