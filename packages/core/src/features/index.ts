export * from './aggregate-state';
export * from './feature-spec';
export * from './vectorize';
export * from './vocabulary';
export * from './aggregate-sql';
export * from './point-in-time';
