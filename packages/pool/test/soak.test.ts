// Soak: the shared test (tooling/executor-tests) with the pool's own figures. Fewer tasks than
// the single-threaded executors: each one crosses to a worker thread and back.
import { describeSoak } from '@spindle/executor-tests/describe-soak';

describeSoak('pool', {
  factoryModule: new URL('./factory.mjs', import.meta.url),
  tasks: 200_000,
  // Generous bounds that still catch a leak growing with the count: at 200,000 tasks even
  // 500 bytes a task would add ~100 MB of heap. Resident memory includes the two workers'.
  heap: { times: 2, plusMB: 16 },
  rss: { times: 1.5, plusMB: 64 },
  childTimeoutMs: 120_000,
});
