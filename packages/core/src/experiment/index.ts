/**
 * Experiments: deterministic assignment, exposure and outcome logs, their join within an
 * attribution window, the statistics (delta method, CUPED, sample-ratio test, confidence
 * sequences) and the report.
 */
export * from './report';
export * from './errors';
export * from './assignment';
export * from './records';
export * from './experiment-log';
export * from './pre-period';
export * from './attribution';
export * from './distributions';
export * from './sequential';
export * from './estimators';
export * from './analysis';
export * from './synthetic';
export * from './feed-policies';
export * from './simulation';
export * from './analyze-logs';
