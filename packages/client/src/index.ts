/** @gfr/client: typed client of the ranker endpoint, online feature stores and candidate channels. */
export {};
