import type { StateMachine } from '@spindle/core';

/** A state machine of `steps` steps that does nothing but count them: the smallest step there is. */
export class Countdown implements StateMachine<number> {
  result = 0;
  private left: number;

  constructor(steps: number) {
    this.left = steps;
  }

  /** One step; `false` = step me again, `true` = done after the last. */
  next(): boolean {
    this.result++;
    return --this.left === 0;
  }
}

/**
 * A state machine of `steps` steps whose every step but the last waits on an
 * already-resolved promise: park, wake, step again.
 */
export class AwaitingCountdown implements StateMachine<number> {
  result = 0;
  private left: number;

  constructor(
    steps: number,
    private readonly awaited: PromiseLike<unknown>,
  ) {
    this.left = steps;
  }

  next(): boolean | PromiseLike<unknown> {
    this.result++;
    return --this.left === 0 ? true : this.awaited;
  }
}

/** `count` fresh machines made by `make`. */
export function machines<M>(count: number, make: () => M): M[] {
  const list = new Array<M>(count);
  for (let i = 0; i < count; i++) list[i] = make();
  return list;
}
