/** @gfr/inference-image: the ranker's HTTP server and the SageMaker container entry. */
export {};
