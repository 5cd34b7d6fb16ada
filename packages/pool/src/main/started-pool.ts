import { batchChannel, channels } from '@spindle/core/events';
import type { TaskEventLog } from '@spindle/core/events';
import type { WorkerReport } from '../shared/event-wire.js';
import { Control, SharedState } from '../shared/shared-state.js';
import { SlotAllocator } from '../shared/slot-allocator.js';
import { CancelWatchdog } from './cancel-watchdog.js';
import { recoverFrom } from './crash-recovery.js';
import type { Survivors } from './crash-recovery.js';
import { Handover } from './handover.js';
import type { ResolvedPoolOptions } from './options.js';
import { Outcomes } from './outcomes.js';
import type { PoolTimings } from './pool-timings.js';
import { Workers } from './workers.js';
import type { WorkersHost } from './workers.js';

/** What a started pool reads of the executor it belongs to. */
export interface PoolLifecycle {
  /** Tasks accepted and not yet settled. */
  live(): number;
  /** True once the executor is closed. */
  closed(): boolean;
}

/**
 * A pool once it has started: its shared memory, its workers, and the parts of the main
 * thread that work with them (hand-over, outcomes, crash recovery, the cancel watchdog).
 * Made on first use, so that a pool made and never used holds neither memory nor threads.
 */
export class StartedPool implements WorkersHost, Survivors {
  readonly shared: SharedState;
  readonly outcomes: Outcomes;
  readonly workers: Workers;
  readonly handover: Handover;
  readonly maxThreads: number;
  private readonly watchdog: CancelWatchdog | undefined;

  constructor(
    options: ResolvedPoolOptions,
    label: string,
    poolNumber: number,
    eventLog: TaskEventLog,
    private readonly lifecycle: PoolLifecycle,
    timings: PoolTimings,
  ) {
    const shared = (this.shared = SharedState.create(options.maxThreads, options.slots, options.slotBytes, options.dequeCapacity));
    this.maxThreads = options.maxThreads;
    const allocator = new SlotAllocator(shared.freeSlots);
    const relay = (owner: number, slot: number, status: number, value: unknown, transfer: readonly ArrayBuffer[] | undefined): void => {
      // An owner that retired has no task waiting for this result.
      this.workers.post(owner, { t: 'result', slot, status, value }, transfer);
    };
    this.outcomes = new Outcomes(shared, allocator, label, eventLog, relay, timings, () => {
      this.handover.afterReport();
    });
    this.workers = new Workers(shared, options, label, poolNumber, this);
    this.handover = new Handover(shared, allocator, this.outcomes, this.workers, options);
    this.watchdog = options.cancelTimeout === Infinity ? undefined : new CancelWatchdog(shared, this.workers, options.cancelTimeout, () => lifecycle.live() > 0);
  }

  get live(): number {
    return this.lifecycle.live();
  }

  get closed(): boolean {
    return this.lifecycle.closed();
  }

  get queued(): number {
    return this.handover.queued;
  }

  /** Tells the workers whether to forward lifecycle events (whether anybody here listens). */
  watchEvents(): void {
    const wanted = batchChannel.hasSubscribers || channels.spawn.hasSubscribers || channels.settle.hasSubscribers || channels.start.hasSubscribers;
    Atomics.store(this.shared.control, Control.events, wanted ? 1 : 0);
  }

  report(report: WorkerReport, thread: number): void {
    this.outcomes.receive(report, thread);
    this.handover.afterReport();
  }

  died(index: number, cause: unknown): void {
    recoverFrom(index, cause, this);
  }

  /** Shuts the workers down; resolves once every one has exited. */
  stop(): Promise<void> {
    Atomics.store(this.shared.control, Control.shutdown, 1);
    this.watchdog?.stop();
    this.outcomes.stop();
    return this.workers.stop();
  }
}
