export * from './manifest';
export * from './write-artifact';
export * from './load-artifact';
export * from './ranker';
