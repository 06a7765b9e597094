/**
 * Bounded retries with exponential backoff and full jitter (the delay before retry n is drawn
 * uniformly from [0, min(cap, base · 2^(n−1))]), as AWS recommends for throttled APIs: clients
 * that back off by the same amount retry in lockstep, jittered ones spread out.
 */

/** How often and how patiently to retry. */
export interface RetryPolicy {
  /** Attempts in all, the first included (default 3; 1 disables retries). */
  maxAttempts: number;
  /** Upper bound of the first delay, milliseconds (default 100). */
  baseDelayMs: number;
  /** Upper bound of any delay, milliseconds (default 2000). */
  maxDelayMs: number;
}

/** Default {@link RetryPolicy}: 3 attempts, delays up to 100 ms then 200 ms. */
export const defaultRetryPolicy: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 3,
  baseDelayMs: 100,
  maxDelayMs: 2000,
});

/** Waits `milliseconds`; injectable so tests neither wait nor depend on timers. */
export type Sleep = (milliseconds: number) => Promise<void>;

/** A uniform draw in [0, 1); injectable for deterministic tests. */
export type RandomSource = () => number;

/** Real waiting with `setTimeout`. */
export const realSleep: Sleep = (milliseconds) =>
  new Promise((resolve) => setTimeout(resolve, milliseconds));

/** The full-jitter delay before retry number `retry` (1 for the first retry), milliseconds. */
export function backoffDelay(retry: number, policy: RetryPolicy, random: RandomSource): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * Math.pow(2, retry - 1));
  return random() * ceiling;
}

/** Merges a partial policy over the defaults and checks it. */
export function resolveRetryPolicy(policy: Partial<RetryPolicy> = {}): RetryPolicy {
  const resolved = { ...defaultRetryPolicy, ...policy };
  if (!Number.isInteger(resolved.maxAttempts) || resolved.maxAttempts < 1) {
    throw new RangeError(`maxAttempts must be a whole number ≥ 1, got ${resolved.maxAttempts}`);
  }
  if (!(resolved.baseDelayMs >= 0) || !(resolved.maxDelayMs >= 0)) {
    throw new RangeError(
      `retry delays must be ≥ 0 ms, got base ${resolved.baseDelayMs}, max ${resolved.maxDelayMs}`,
    );
  }
  return resolved;
}
