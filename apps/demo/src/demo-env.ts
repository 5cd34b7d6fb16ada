import type { StepNotes } from './event-log.js';
import type { NumberSource } from './slow-source.js';

/** What every version of get_numbers is given: where numbers come from and where to say what it did. */
export interface DemoEnv {
  readonly source: NumberSource;
  readonly notes: StepNotes;
}
