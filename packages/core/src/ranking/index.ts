export * from './blend';
export * from './rank-request';
