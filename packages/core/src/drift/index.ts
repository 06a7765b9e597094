export * from './feature-distribution';
export * from './drift-statistics';
export * from './request-drift';
