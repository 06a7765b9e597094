/**
 * The retrain handler: started by the schedule, a drift event or by hand, it computes the
 * windows from the data present and starts the retraining state machine once per window.
 */
import type { RetrainExecutionInput } from './contract';

/** Schedule, drift event or manual invocation; the body is not read yet. */
export type RetrainTrigger = Record<string, unknown>;

/** What one invocation did. */
export interface RetrainOutcome {
  readonly started: boolean;
  readonly reason: string;
  readonly execution?: RetrainExecutionInput;
}

/**
 * Lambda entry. Shortcoming: the window computation and the start of the state machine are
 * being wired in; until then the handler refuses to run rather than pretend it started a job.
 */
export async function handler(_trigger: RetrainTrigger): Promise<RetrainOutcome> {
  throw new Error('gfr retrain handler: not wired yet');
}
