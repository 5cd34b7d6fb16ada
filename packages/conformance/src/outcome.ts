/** How a task handle settled, observed without throwing. */
export type Outcome<T> = { readonly status: 'fulfilled'; readonly value: T } | { readonly status: 'rejected'; readonly reason: unknown };

/** Waits for a handle (or any thenable) and reports how it settled. */
export function outcomeOf<T>(handle: PromiseLike<T>): Promise<Outcome<T>> {
  return new Promise<Outcome<T>>((resolve) => {
    handle.then(
      (value) => {
        resolve({ status: 'fulfilled', value });
      },
      (reason: unknown) => {
        resolve({ status: 'rejected', reason });
      },
    );
  });
}

/** The rejection reason, or a thrown `Error` saying the handle fulfilled instead. */
export async function rejectionOf(handle: PromiseLike<unknown>): Promise<unknown> {
  const outcome = await outcomeOf(handle);
  if (outcome.status === 'rejected') return outcome.reason;
  throw new Error(`expected the task to be rejected, but it fulfilled with ${describe(outcome.value)}`);
}

/** The fulfilment value, or a thrown `Error` saying the handle rejected instead. */
export async function valueOf<T>(handle: PromiseLike<T>): Promise<T> {
  const outcome = await outcomeOf(handle);
  if (outcome.status === 'fulfilled') return outcome.value;
  const reason = outcome.reason;
  throw new Error(`expected the task to fulfil, but it rejected with ${describe(reason)}`, { cause: reason });
}

function describe(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    // undefined for functions, symbols and undefined itself, whatever the declared type says
    const text = JSON.stringify(value) as string | undefined;
    return text ?? String(value);
  } catch {
    return String(value);
  }
}
