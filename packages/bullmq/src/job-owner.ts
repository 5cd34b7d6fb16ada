import type { SpawnOptions, Spawnable } from '@spindle/core';
import type { Task, TaskOwner } from '@spindle/core/kit';
import type { JobData } from './messages.js';

/** What a job's owner asks of the runtime that runs the job. */
export interface JobHost {
  /** Label core stamps on the settle events it publishes about the runtime's tasks. */
  readonly label: string;
  spawnChild(owner: JobOwner, parent: Task, body: Spawnable, args: readonly unknown[], options: SpawnOptions | undefined): Task;
  interrupt(task: Task): void;
  turn(task: Task, onTurn: () => void, onCancel: (error: unknown) => void): void;
  settled(task: Task): void;
}

/**
 * The owner of one job's tasks. Events about them name the executor that spawned the job
 * (`executor`) and go to that executor's inbox; the work is the runtime's. Its `label`,
 * which core stamps on the settle events it publishes in this process, is the runtime's
 * own: those are forwarded (renamed) in order with the rest, so that an executor in this
 * same process does not also see them straight from core, ahead of events still in Redis.
 */
export class JobOwner implements TaskOwner {
  readonly label: string;
  /** Label of the executor that spawned the job. */
  readonly executor: string;
  /** Inbox of the executor that wants this job's events, if it does. */
  readonly events: string | undefined;
  private readonly host: JobHost;

  constructor(host: JobHost, data: JobData) {
    this.host = host;
    this.label = host.label;
    this.executor = data.l;
    this.events = data.e;
  }

  spawnChild(parent: Task, body: Spawnable, args: readonly unknown[], options: SpawnOptions | undefined): Task {
    return this.host.spawnChild(this, parent, body, args, options);
  }

  interrupt(task: Task): void {
    this.host.interrupt(task);
  }

  turn(task: Task, onTurn: () => void, onCancel: (error: unknown) => void): void {
    this.host.turn(task, onTurn, onCancel);
  }

  settled(task: Task): void {
    this.host.settled(task);
  }
}
