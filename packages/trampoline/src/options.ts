import type { SliceOptions } from '@spindle/core/kit';

/**
 * Options of {@link TrampolineExecutor}: `sliceMs` (default 5) is the longest the executor
 * holds the thread in one turn of the event loop (synchronous chains and already-settled
 * waits run without a break until then); `label` names it in events and errors.
 */
export type TrampolineOptions = SliceOptions;
