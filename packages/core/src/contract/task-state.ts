/**
 * Where a task is in its life.
 * - `pending`: accepted, has not taken a step yet.
 * - `running`: taking a step right now.
 * - `suspended`: between steps: ready for another or parked until something settles.
 * - `fulfilled`, `rejected`, `cancelled`: settled, final.
 */
export type TaskState = 'pending' | 'running' | 'suspended' | 'fulfilled' | 'rejected' | 'cancelled';

/** The three final states. */
export type SettledState = 'fulfilled' | 'rejected' | 'cancelled';

/** True once a task can no longer change state. */
export function isSettledState(state: TaskState): state is SettledState {
  return state === 'fulfilled' || state === 'rejected' || state === 'cancelled';
}
