import { describeExecutorConformance } from '@spindle/conformance';
import { TrampolineExecutor } from '../src/index.js';

describeExecutorConformance('trampoline', () => new TrampolineExecutor(), {
  factoryModule: new URL('./factory.mjs', import.meta.url),
});
