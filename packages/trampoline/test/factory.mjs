// The factory the conformance suite's idle-process test imports in a fresh `node`
// process: plain JavaScript, importing the built package.
import { TrampolineExecutor } from '@spindle/trampoline';

export default function createTrampolineExecutor() {
  return new TrampolineExecutor();
}
