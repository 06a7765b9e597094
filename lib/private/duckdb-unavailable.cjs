/**
 * Stands in for @duckdb/node-api in the Lambda bundles. The handlers import @gfr/core's index,
 * which re-exports its DuckDB modules; they never run DuckDB, and its native binary has no
 * place in a Lambda package. Known shortcoming: the proper fix is a DuckDB-free entry of
 * @gfr/core for the handlers; until then any use of DuckDB in a handler fails with this error.
 */
'use strict';
/* global module */

function unavailable(name) {
  return function duckdbUnavailable() {
    throw new Error(
      `@duckdb/node-api (${String(name)}) is not bundled into the gfr Lambda handlers`,
    );
  };
}

module.exports = new Proxy(
  {},
  { get: (_target, name) => (name === '__esModule' ? false : unavailable(name)) },
);
