/**
 * Build-time switches, replaced by a constant when core is built (tsup's `define`) and in
 * its tests (Vitest's `define`).
 *
 * `__SPINDLE_EVENTS__`: `true` in every published build. The benchmark builds core with it
 * `false` (and dead code removed) to measure what lifecycle events cost when nobody
 * listens, against a build with no event code at all.
 */
declare const __SPINDLE_EVENTS__: boolean;
