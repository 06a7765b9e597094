export * from './errors';
export * from './transport';
export * from './sagemaker-transport';
export * from './http-transport';
export * from './endpoint';
