// Loaded by the conformance suite's idle-process test in a fresh node process: it must be
// plain JavaScript importing the built package.
import { RoundRobinExecutor } from '@spindle/round-robin';

export default () => new RoundRobinExecutor();
