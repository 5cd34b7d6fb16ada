// Loaded by the shared shutdown test in a fresh node process: an executor that runs its tasks
// on its own in-process worker (no worker processes), on the Redis the test setup started.
import { BullmqExecutor } from '@spindle/bullmq';

export default () => new BullmqExecutor({ connection: process.env.SPINDLE_REDIS_URL, queueName: process.env.SPINDLE_QUEUE, localWorker: true });
