// What the fault tests share: a counter of the runs that the `reported` fixture announces
// from the workers (so a test can tell "ran once" from "ran twice"), and small helpers.

const runsChannel = 'spindle-pool-faults-runs';

/** Counts the runs the `reported` fixture announces from the workers. */
export class Runs {
  readonly counts = new Map<number, number>();
  private readonly channel = new BroadcastChannel(runsChannel);
  private waiting: { ids: readonly number[]; resolve: () => void } | undefined;

  constructor() {
    this.channel.onmessage = (event: unknown) => {
      const id = (event as { readonly data: number }).data;
      this.counts.set(id, (this.counts.get(id) ?? 0) + 1);
      const waiting = this.waiting;
      if (waiting?.ids.every((known) => this.counts.has(known))) waiting.resolve();
    };
  }

  /** Resolves once every id has reported (reports travel apart from results). */
  heardFrom(ids: readonly number[]): Promise<void> {
    if (ids.every((id) => this.counts.has(id))) return Promise.resolve();
    return new Promise((resolve) => (this.waiting = { ids, resolve }));
  }

  /** Ids that ran more than once. */
  get twice(): number[] {
    return [...this.counts].filter(([, count]) => count > 1).map(([id]) => id);
  }

  close(): void {
    this.channel.close();
  }
}

/** `work`'s value, or `'stuck'` if it has not settled within `ms`: a deadline, so that a hang fails with a message. */
export async function within<T>(work: PromiseLike<T>, ms: number): Promise<T | 'stuck'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<'stuck'>((resolve) => {
    timer = setTimeout(resolve, ms, 'stuck');
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export const range = (from: number, count: number): number[] => Array.from({ length: count }, (_, i) => from + i);

/** The reason a handle rejects with; fails if it fulfils (the shared helper). */
export { rejection } from '@spindle/executor-tests/describe-hostile-input';
