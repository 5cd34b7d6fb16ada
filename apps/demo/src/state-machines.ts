import type { StateMachine, TaskContext, TaskHandle } from '@spindle/core';
import type { DemoEnv } from './demo-env.js';

/**
 * get_number(i) written by hand as a state machine: every yield point is a state, and
 * whatever lives across a yield point is a field. `next()` runs one step; returning a
 * promise parks the task until it settles, `true` says the machine has its result.
 */
export class GetNumber implements StateMachine<number> {
  result = Number.NaN;
  private state: 'request' | 'receive' = 'request';
  private received: number | undefined = undefined;

  constructor(
    private readonly env: DemoEnv,
    private readonly index: number,
  ) {}

  next(ctx: TaskContext): boolean | PromiseLike<unknown> {
    switch (this.state) {
      case 'request':
        this.env.notes.note(ctx, `step 1: request number ${this.index}`);
        this.state = 'receive';
        // The machine keeps what it waits for itself: the executor only parks it on the promise.
        return this.env.source.fetch(this.index, ctx.signal).then((value) => {
          this.received = value;
        });
      case 'receive':
        if (this.received === undefined) throw new Error(`get_number(${this.index}) resumed before its number arrived`);
        this.result = this.received;
        this.env.notes.note(ctx, `step 2: received number ${this.index} = ${this.result}`);
        return true;
    }
  }
}

/** get_numbers written by hand: spawn one GetNumber per number, park until all are in, return them. */
export class GetNumbers implements StateMachine<number[]> {
  result: number[] = [];
  private state: 'fork' | 'join' = 'fork';
  private children: TaskHandle<number>[] = [];

  constructor(private readonly env: DemoEnv) {}

  next(ctx: TaskContext): boolean | PromiseLike<unknown> {
    switch (this.state) {
      case 'fork': {
        const { count } = this.env.source;
        for (let index = 1; index <= count; index++) {
          this.children.push(ctx.spawn(new GetNumber(this.env, index), [], { name: `get_number(${index})` }));
        }
        this.env.notes.note(ctx, `step 1: spawned ${count} fetches, wait for all`);
        this.state = 'join';
        return Promise.all(this.children.map((child) => ctx.join(child))).then((values) => {
          this.result = values;
        });
      }
      case 'join':
        this.env.notes.note(ctx, `step 2: got [${this.result.join(', ')}]`);
        this.children = [];
        return true;
    }
  }
}

/** The state-machine version's entry point: a fresh machine per run. */
export function stateMachineGetNumbers(env: DemoEnv): GetNumbers {
  return new GetNumbers(env);
}
