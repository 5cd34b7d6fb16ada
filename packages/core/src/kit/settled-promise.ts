/**
 * Where the kit queues a microtask: a reaction to this settled promise rather than
 * `queueMicrotask`, which makes an `AsyncResource` and a bound function for every callback
 * so as to carry the caller's async context. A reaction runs in the context of the code
 * that queued it all the same, so a task's deliveries keep their settler's context, and a
 * drain (whose steps each enter their own task's context) needs none.
 */
export const settledPromise = Promise.resolve();
