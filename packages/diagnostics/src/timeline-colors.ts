/**
 * Step colours of the HTML timeline, one per thread in turn (thread rows and the steps in
 * task rows alike). Exported so that tests, and anyone checking a screenshot, know what a
 * drawn step looks like.
 */
export const SLICE_COLORS: readonly string[] = ['#2f6fdf', '#e8730c', '#159a6b', '#9b3fd6', '#d33a3a', '#b89b00'];

/** The other colours of the HTML timeline. */
export const TIMELINE_COLORS = {
  /** A task parked: suspended until what it awaits settles (a lighter span across its row). */
  parked: '#c7d2df',
  /** A task ready, queued for a thread (a thin line across its row). */
  ready: '#7d8896',
  /** A steal (a small triangle over the stolen task's row). */
  steal: '#c2410c',
  /** The main thread's event loop blocked (a band across the main thread's row). */
  blocked: '#f2b8b8',
  /** Text about a blocked loop or a task in a wait cycle. */
  alarm: '#a11d1d',
} as const;

/** The step colour of the `index`-th thread. */
export function threadColor(index: number): string {
  return SLICE_COLORS[index % SLICE_COLORS.length] ?? '#2f6fdf';
}
