// Shutdown: the shared drain and cancel tests (tooling/executor-tests) on this package's
// factory, built and imported in a fresh node process.
import { describeShutdown } from '@spindle/executor-tests/describe-shutdown';

describeShutdown('pool', {
  factoryModule: new URL('./factory.mjs', import.meta.url),
  // Generous: a healthy child ends in well under a second; a hung one is killed and fails.
  childTimeoutMs: 60_000,
});
