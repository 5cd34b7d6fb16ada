// A program that runs a worker with runWorker() and stops on SIGTERM as the README shows:
// stop() (jobs not started go back to the queue, started ones finish), then exit, whatever
// the task modules it loaded left open. Settings come from the environment.
import { runWorker } from '@spindle/bullmq';

const worker = await runWorker({ connection: process.env.SPINDLE_REDIS_URL, queueName: process.env.SPINDLE_QUEUE });
process.once('SIGTERM', () => void worker.stop().finally(() => process.exit(0)));
process.send?.({ ready: worker.name, thread: worker.thread });
