import type { SliceOptions } from '@spindle/core/kit';

/**
 * Options of {@link RoundRobinExecutor}: `sliceMs` (default 5) is the longest the executor
 * holds the thread in one turn of the event loop; `label` names it in events and errors;
 * `concurrency` (default: no limit) caps how many spawned tasks run at once. Unknown names
 * are refused with `InvalidOptionsError`.
 */
export type RoundRobinOptions = SliceOptions;
