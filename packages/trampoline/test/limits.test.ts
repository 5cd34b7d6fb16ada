import { describeLimits } from '@spindle/executor-tests/describe-limits';
import { TrampolineExecutor } from '../src/index.js';

describeLimits('trampoline', {
  make: (options) => new TrampolineExecutor(options),
  construct: (options) => new TrampolineExecutor(options as never),
});
