/** @gfr/inference-image: the ranker's HTTP server and the SageMaker container entry. */
export * from './errors';
export * from './server';
export * from './ranking-model';
export * from './serve-until-stopped';
export * from './capture';
export * from './sagemaker-layout';
export * from './hyperparameters';
export * from './training-job';
export * from './processing-jobs';
export { main as containerMain, readInteger } from './entry';
export type { EntryOptions } from './entry';
export * from './synthetic-request';
export * from './serve-workers';
