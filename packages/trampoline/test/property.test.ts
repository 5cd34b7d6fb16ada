import { describeExecutorProperties } from '@spindle/conformance';
import { TrampolineExecutor } from '../src/index.js';

describeExecutorProperties('trampoline', () => new TrampolineExecutor(), {
  sliced: () => new TrampolineExecutor({ sliceMs: 0.05 }),
});
