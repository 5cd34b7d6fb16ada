import { measureStage } from './measure.js';
import type { Progress, Stage, StageRun, StageSizes } from './stage.js';

/**
 * Runs stages one after another (never overlapping: each one's wall and CPU time must be
 * its own), calling `onRun` after each so that the text appears as the demo goes.
 */
export async function runPath(
  selected: readonly Stage[],
  sizes: StageSizes,
  hooks: { progressFor?: (stage: Stage) => { progress: Progress; done: () => void }; onRun?: (run: StageRun) => void } = {},
): Promise<StageRun[]> {
  const runs: StageRun[] = [];
  for (const stage of selected) {
    const bar = hooks.progressFor?.(stage);
    const run = await measureStage(stage, sizes, bar?.progress ?? (() => undefined));
    bar?.done();
    runs.push(run);
    hooks.onRun?.(run);
  }
  return runs;
}
