/** Fields every finding carries. */
interface FindingBase {
  /** One readable sentence (or a few lines, with a stack) saying what is wrong and where. */
  readonly message: string;
  /** Epoch ms (the shared clock) when it was noticed. */
  readonly time: number;
}

/** The task a finding is about. */
export interface FindingTask {
  readonly taskId: number;
  readonly name: string | undefined;
  readonly body: string;
  readonly executor: string;
}

/** One step ran longer than the threshold. */
export interface LongStepFinding extends FindingBase, FindingTask {
  readonly kind: 'long-step';
  readonly thread: number;
  readonly durationMs: number;
  readonly thresholdMs: number;
}

/** A ready task waited longer than the threshold before it ran (or is still waiting). */
export interface StarvationFinding extends FindingBase, FindingTask {
  readonly kind: 'starvation';
  readonly waitedMs: number;
  readonly thresholdMs: number;
  /** False when it was noticed while the task was still waiting. */
  readonly ran: boolean;
}

/** A parked task that nothing can resume any more. */
export interface LostWakeupFinding extends FindingBase, FindingTask {
  readonly kind: 'lost-wake-up';
  /** `event-loop-empty`: the loop had nothing left to run; `settled-without-wake`: what it waited on settled but it was not woken. */
  readonly reason: 'event-loop-empty' | 'settled-without-wake';
  /** The task it waits on, when known. */
  readonly waitingOn: number | undefined;
  readonly parkedMs: number;
}

/** Tasks waiting on each other in a cycle: none of them can ever resume. */
export interface WaitCycleFinding extends FindingBase {
  readonly kind: 'wait-cycle';
  /** The members, each waiting on the next, the last on the first. */
  readonly cycle: readonly FindingTask[];
}

/** One frame of a JavaScript stack. */
export interface StackFrame {
  readonly functionName: string;
  readonly url: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
}

/**
 * The main thread's event loop did not turn for longer than the threshold. It is
 * delivered when the loop turns again, so its `time` is about when the blockage ended and
 * `time - since` about how long it lasted.
 */
export interface BlockedLoopFinding extends FindingBase {
  readonly kind: 'blocked-event-loop';
  /** How long it had been blocked when the stack was taken. */
  readonly blockedMs: number;
  /** Epoch ms (the shared clock) when the loop last turned before the blockage, to within a quarter of the threshold. */
  readonly since: number;
  readonly thresholdMs: number;
  /** The main thread's JavaScript stack while blocked, innermost first (empty if it could not be read). */
  readonly stack: readonly StackFrame[];
}

/** Anything a detector reports. */
export type Finding = LongStepFinding | StarvationFinding | LostWakeupFinding | WaitCycleFinding | BlockedLoopFinding;

/** Receives findings. */
export type FindingListener = (finding: Finding) => void;

/** The default listener: a process warning (`SpindleDiagnosticsWarning`), printed by Node once per message. */
export const warnFinding: FindingListener = (finding) => {
  process.emitWarning(finding.message, { type: 'SpindleDiagnosticsWarning', code: finding.kind });
};

/**
 * Hands a finding to the user's listener. A listener that throws must not crash the
 * program being watched (it may be running inside an executor's event publication), so
 * its error becomes a warning.
 */
export function deliver(listener: FindingListener, finding: Finding): void {
  try {
    listener(finding);
  } catch (error) {
    process.emitWarning(`@spindle/diagnostics: a finding listener threw: ${String(error)}`, 'SpindleDiagnosticsWarning');
  }
}

/** `#12 "name" (generator body) on executor`, for messages. */
export function describeFindingTask(task: FindingTask): string {
  return `task #${task.taskId}${task.name === undefined ? '' : ` "${task.name}"`} (${task.body}) on ${task.executor}`;
}

/** The task fields of a finding, from what the tracker knows. */
export function findingTask(task: { readonly id: number; readonly name: string | undefined; readonly body: string; readonly executor: string }): FindingTask {
  return { taskId: task.id, name: task.name, body: task.body, executor: task.executor };
}
