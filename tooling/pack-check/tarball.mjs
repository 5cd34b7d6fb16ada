// Reads an npm tarball (gzip'd ustar) with nothing but node:zlib: the file list with sizes
// and the contents of package/package.json. Enough to report sizes and inspect the packed
// manifest without unpacking anything to disk.
import { readFileSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

function field(block, start, length) {
  const raw = block.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? raw.length : end).toString('utf8');
}

function octal(block, start, length) {
  const text = field(block, start, length).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new Error(`malformed tar header number ${JSON.stringify(text)}`);
  return Number.parseInt(text, 8);
}

/**
 * @param {string} path - a .tgz as `pnpm pack` writes it
 * @returns {{ bytes: number, unpackedSize: number, files: { path: string, size: number }[], manifest: Record<string, any> }}
 */
export function readTarball(path) {
  const bytes = statSync(path).size;
  const tar = gunzipSync(readFileSync(path));
  const files = [];
  const contents = new Map();
  let longName;
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const size = octal(header, 124, 12);
    const type = String.fromCharCode(header[156] || 48); // '0' when NUL
    const prefix = field(header, 345, 155);
    let name = prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100);
    const body = tar.subarray(offset + 512, offset + 512 + size);
    offset += 512 + Math.ceil(size / 512) * 512;
    if (type === 'L') {
      longName = body.toString('utf8').replace(/\0+$/, '');
      continue;
    }
    if (type === 'x' || type === 'g') continue; // pax headers: no file of their own
    if (longName !== undefined) {
      name = longName;
      longName = undefined;
    }
    if (type !== '0' && type !== '7') continue; // directories, links
    const relative = name.replace(/^package\//, '');
    files.push({ path: relative, size });
    if (relative === 'package.json') contents.set(relative, body.toString('utf8'));
  }
  const manifestText = contents.get('package.json');
  if (manifestText === undefined) throw new Error(`${path} has no package/package.json`);
  return {
    bytes,
    unpackedSize: files.reduce((sum, f) => sum + f.size, 0),
    files,
    manifest: JSON.parse(manifestText),
  };
}
