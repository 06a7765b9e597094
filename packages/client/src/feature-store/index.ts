export * from './types';
export * from './errors';
export * from './candidates';
export * from './materialize';
export * from './sqlite-store';
export * from './record-codec';
export * from './sagemaker-store';
export * from './export-records';
export { storeFormat, storeFormatVersion } from './sqlite-layout';
