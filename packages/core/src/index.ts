/** @gfr/core: data adapters, features, GBDT, calibration, metrics, ranking, drift, simulator. */
export * from './errors';
export * from './log';
export * from './io/atomic';
export * from './duckdb/database';
export * from './canonical/schema';
export * from './canonical/table-writer';
export * from './features';
export * from './training-set';
export * from './drift';
export * from './artifact';
export * from './pipeline';
export * as gbdt from './gbdt';
export * as metrics from './metrics';
export * as calibration from './calibration';
export * as ingestion from './ingest';
export * as simulator from './simulator';
export * from './invocation';
export * from './ranking';
