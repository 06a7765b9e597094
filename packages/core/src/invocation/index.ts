export * from './schema';
export * from './parse';
export * from './feature-inputs';
