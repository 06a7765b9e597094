/**
 * Local SageMaker Data Capture: the server writes each sampled invocation as one JSONL record in
 * the format SageMaker writes to S3, under the same key layout, so that drift checks read local
 * and S3 captures with one parser, {@link readCaptureRecords}.
 */
export * from './capture-format';
export * from './capture-writer';
export * from './capture-reader';
