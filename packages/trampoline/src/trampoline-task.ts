import { SteppedTask } from '@spindle/core/kit';

/** A task of the trampoline: nothing beyond what the harness keeps ({@link SteppedTask}). */
export class TrampolineTask extends SteppedTask {}
