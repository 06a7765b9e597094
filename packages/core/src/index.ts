/** @gfr/core: data adapters, features, GBDT, calibration, metrics, ranking, drift, simulator. */
export * from './errors';
export * from './log';
export * from './io/atomic';
export * from './duckdb/database';
export * from './canonical/schema';
export * from './canonical/table-writer';
