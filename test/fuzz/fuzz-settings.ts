/**
 * Cases per property: 1,000 by default (what CI runs); `GFR_FUZZ_RUNS` raises it for a longer
 * local search. A failing case prints its seed and path: pass them to `fc.assert` to replay it.
 */
export const fuzzRuns = Math.max(1000, Number(process.env.GFR_FUZZ_RUNS ?? 1000) || 1000);
