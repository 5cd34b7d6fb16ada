// Soak: the shared test (tooling/executor-tests) with round-robin's own figures.
import { describeSoak } from '@spindle/executor-tests/describe-soak';

describeSoak('round-robin', {
  factoryModule: new URL('./factory.mjs', import.meta.url),
  tasks: 1_000_000,
  // Generous bounds that still catch a leak growing with the count: at a million tasks even
  // 100 bytes a task would add ~100 MB of heap.
  heap: { times: 2, plusMB: 16 },
  rss: { times: 1.5, plusMB: 64 },
  childTimeoutMs: 120_000,
});
