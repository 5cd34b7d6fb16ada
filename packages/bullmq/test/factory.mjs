// Loaded by the conformance suite's idle-process test in a fresh node process: plain
// JavaScript importing the built package. The worker processes of the conformance test file
// serve the queue; SPINDLE_REDIS_URL and SPINDLE_QUEUE come from it.
import { BullmqExecutor } from '@spindle/bullmq';

export default () => new BullmqExecutor({ connection: process.env.SPINDLE_REDIS_URL, queueName: process.env.SPINDLE_QUEUE });
