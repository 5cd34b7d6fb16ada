import { asyncStage, closuresStage, generatorsStage, stateMachinesStage } from './get-numbers-stages.js';
import { mistakesStage } from './mistakes-stage.js';
import { poolStage } from './pool-stage.js';
import type { Stage } from './stage.js';
import { synchronousStage } from './synchronous-stage.js';
import { threadsStage } from './threads-stage.js';

/** The path, in order. */
export const stages: readonly Stage[] = [
  synchronousStage,
  threadsStage,
  stateMachinesStage,
  closuresStage,
  generatorsStage,
  asyncStage,
  poolStage,
  mistakesStage,
];

/** The stage picked by number (`3`) or name (`generators`); throws listing the choices. */
export function findStage(key: string): Stage {
  const found = stages.find((stage) => String(stage.index) === key || stage.name === key);
  if (found === undefined) {
    throw new RangeError(`no stage "${key}"; choose one of: ${stages.map((stage) => `${String(stage.index)} ${stage.name}`).join(', ')}`);
  }
  return found;
}
