import { InvalidOptionsError, describeValue } from '../contract/errors.js';

/**
 * Refuses an options object with a name it does not know (a misspelling such as
 * `{ thread: 2 }`), with `InvalidOptionsError` naming the option and the closest valid one.
 * @param kind the executor kind, for messages (`pool`)
 * @param known every option name the executor takes
 * @throws InvalidOptionsError for an options value that is not an object, or an unknown name
 */
export function assertKnownOptions(kind: string, options: unknown, known: readonly string[]): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidOptionsError('options', `${kind} options must be an object, got ${describeValue(options)}`);
  }
  for (const name of Object.keys(options)) {
    if (known.includes(name)) continue;
    const closest = closestName(name, known);
    const hint = closest === undefined ? `the options are ${known.map((k) => `"${k}"`).join(', ')}` : `did you mean "${closest}"?`;
    throw new InvalidOptionsError(name, `unknown ${kind} option "${name}": ${hint}`);
  }
}

/** The known name nearest to `name` by edit distance, if any is near enough to be a slip. */
function closestName(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  const lower = name.toLowerCase();
  for (const candidate of known) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
