// A task module that breaks the rule "no top-level side effects" in the worst way: at import
// it makes an executor of its own and waits for a task of its own (the shape of the old
// README example). A worker that runs `double` imports it, and the import never ends: the
// task it waits for needs the same module, which is still being imported. It tells the
// test (over the worker process's IPC channel) when that has begun.
import { taskRef } from '@spindle/core';
import { BullmqExecutor } from '@spindle/bullmq';

export function double(_ctx, n) {
  return 2 * n;
}

const executor = new BullmqExecutor({ connection: process.env.SPINDLE_REDIS_URL, queueName: process.env.SPINDLE_QUEUE });
const pending = executor.spawn(taskRef(import.meta.url, 'double'), [21]);
process.send?.({ imported: process.pid });
await pending;
