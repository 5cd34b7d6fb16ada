// Hostile input: every bad call gets a clear, typed error at the call that made it (or, for
// what only the task can find out, as its rejection), and the executor keeps working. The
// cases are shared by every executor (tooling/executor-tests); only the options are ours.
import { absurdSliceOptions, describeHostileInput } from '@spindle/executor-tests/describe-hostile-input';
import { RoundRobinExecutor } from '../src/index.js';
import type { RoundRobinOptions } from '../src/index.js';

describeHostileInput('round-robin', {
  make: () => new RoundRobinExecutor(),
  construct: (options) => new RoundRobinExecutor(options as RoundRobinOptions),
  absurdOptions: [...absurdSliceOptions, [{ label: 5 }, 'label']],
});
