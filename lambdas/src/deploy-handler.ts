/**
 * The deploy handler: gates a registered candidate against the champion and rolls it out as the
 * challenger variant; also promotes, rolls back and records training-job outcomes.
 */
import type { CandidateReadyInput } from './contract';

/** What one invocation did. */
export interface DeployOutcome {
  readonly action: string;
  readonly reasons: readonly string[];
}

/**
 * Lambda entry. Shortcoming: the gate and the endpoint update are being wired in; until then the
 * handler refuses to run rather than pretend it deployed.
 */
export async function handler(_event: CandidateReadyInput): Promise<DeployOutcome> {
  throw new Error('gfr deploy handler: not wired yet');
}
