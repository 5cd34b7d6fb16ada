import type { Queue } from 'bullmq';

/**
 * Resolves once no job of `queue` is active. A root job's outcome reaches its spawner
 * just before its worker completes (or fails, or removes) the job in Redis (see
 * src/job-finish.ts: the outcome goes first, so that a worker dying in between never
 * loses it), so a test that reads a job right after its handle settled would race that
 * last step. This looks at the queue until the step is done (bounded).
 */
export async function noJobActive(queue: Pick<Queue, 'getActiveCount' | 'name'>): Promise<void> {
  for (let looks = 1; (await queue.getActiveCount()) > 0; looks++) {
    if (looks >= 2_000) throw new Error(`jobs of ${queue.name} still active after ${String(looks)} looks`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
