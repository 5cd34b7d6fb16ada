/** A chunk's file name in a build of core: esbuild names chunks by a hash that also covers their source maps' paths. */
const CHUNK_NAME = /\bchunk-[A-Z0-9]+\.js\b/g;

/** `text` with its chunk names, and its source map comment, out: what is left is the code. */
function code(text: string): string {
  return text.replaceAll(CHUNK_NAME, 'chunk.js').replaceAll(/^\/\/# sourceMappingURL=.*$/gm, '');
}

/**
 * The files of `build` whose code differs from `reference`'s, ignoring chunk names (a
 * build's chunks are named by a hash of their source maps too, which record the folder
 * they were written to) and source map comments: entry points by name, chunks by their
 * code. Empty when the two builds run the same JavaScript.
 * @param reference, build JavaScript files by name (see `readBuild`)
 */
export function differingFiles(reference: ReadonlyMap<string, string>, build: ReadonlyMap<string, string>): string[] {
  const isChunk = (name: string): boolean => /^chunk-[A-Z0-9]+\.js$/.test(name);
  const chunks = (files: ReadonlyMap<string, string>): string[] =>
    [...files]
      .filter(([name]) => isChunk(name))
      .map(([, text]) => code(text))
      .sort();
  const entries = (files: ReadonlyMap<string, string>): string[] => [...files.keys()].filter((name) => !isChunk(name));
  const differing = [...new Set([...entries(reference), ...entries(build)])].filter((name) => {
    const [left, right] = [reference.get(name), build.get(name)];
    return left === undefined || right === undefined || code(left) !== code(right);
  });
  const [left, right] = [chunks(reference), chunks(build)];
  if (left.length !== right.length || left.some((text, index) => text !== right[index])) differing.push('(chunks)');
  return differing.sort();
}
