import { Recorder } from '@spindle/diagnostics';
import type { Progress, Stage, StageRun, StageSizes } from './stage.js';

/**
 * Runs one stage with a recorder on, and measures wall time (performance.now) and CPU time.
 * `process.cpuUsage()` is getrusage(RUSAGE_SELF): it counts every thread of the process,
 * so worker and pool threads are included — CPU above wall time means parallel work.
 */
export async function measureStage(stage: Stage, sizes: StageSizes, progress: Progress): Promise<StageRun> {
  const recorder = new Recorder({ capacity: 200_000 }).start();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  try {
    const outcome = await stage.run(sizes, progress);
    const wallMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    return { stage, outcome, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, recording: recorder.recording() };
  } finally {
    recorder.stop();
  }
}
