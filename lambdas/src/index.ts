/**
 * gfr's Lambda handlers: retrain, deploy (endpoint update) and drift check. Each handler is a
 * thin adapter between AWS events and the logic in `@gfr/core`, so that the `gfr` command runs
 * the same logic locally. The stacks import the shared names from here.
 */
export * from './contract';
