export * from './feature-distribution';
