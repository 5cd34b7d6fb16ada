import { describeLimits } from '@spindle/executor-tests/describe-limits';
import { RoundRobinExecutor } from '../src/index.js';

describeLimits('round-robin', {
  make: (options) => new RoundRobinExecutor(options),
  construct: (options) => new RoundRobinExecutor(options as never),
});
