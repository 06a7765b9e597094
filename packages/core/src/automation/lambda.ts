/**
 * What the Lambda handlers use of core, without DuckDB: `@gfr/core`'s index loads DuckDB's
 * native bindings, which esbuild cannot bundle and a Lambda does not need. Handlers import
 * `@gfr/core/dist/automation/lambda` instead; nothing here may import the DuckDB module.
 */
export { GfrError, InvalidArgumentError } from '../errors';
export { Logger, defaultLogger, silentLogger } from '../log';
export { LoadedArtifact, loadArtifact } from '../artifact/load-artifact';
export { DriftThresholds, defaultDriftThresholds } from '../drift/drift-statistics';
export * from './errors';
export * from './capture-record';
export * from './capture-layout';
export * from './retrain-window';
export * from './promotion-gate';
export * from './prior-drift';
export * from './capture-drift';
