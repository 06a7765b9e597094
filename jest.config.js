/** Jest runs TypeScript sources directly through SWC; `npm test` builds first for the CLI tests. */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  moduleNameMapper: {
    '^@gfr/(core|client)$': '<rootDir>/packages/$1/src/index.ts',
    '^@gfr/inference-image$': '<rootDir>/inference-image/src/index.ts',
    '^@gfr/lambdas$': '<rootDir>/lambdas/src/index.ts',
    // The handlers import core's DuckDB-free entry by its built path; tests use the sources.
    '^@gfr/core/dist/(.*)$': '<rootDir>/packages/core/src/$1',
  },
  testMatch: [
    '<rootDir>/packages/*/src/**/*.test.ts',
    '<rootDir>/inference-image/src/**/*.test.ts',
    '<rootDir>/lambdas/**/*.test.ts',
    '<rootDir>/test/**/*.test.ts',
  ],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  // cdk synth copies the workspaces into cdk.out; their package.json files would collide.
  modulePathIgnorePatterns: ['<rootDir>/cdk.out'],
  testTimeout: 120000,
};
