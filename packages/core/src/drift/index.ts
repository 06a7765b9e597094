export * from './feature-distribution';
export * from './drift-statistics';
