/** @gfr/client: typed client of the ranker endpoint, online feature stores and candidate channels. */
export * from './feature-store';
export * from './transport';
export * from './feed-ranker';
export * from './request-builder';
export * from './response';
export * from './retry';
