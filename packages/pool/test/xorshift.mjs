// A seeded xorshift32 generator for the deque workers: seeded runs can be replayed, and it
// costs next to nothing between deque calls (Math.random cannot be seeded).

/** A function returning numbers in [0, 1) from `seed` (any integer; 0 is treated as 1). */
export function xorshift(seed) {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}
