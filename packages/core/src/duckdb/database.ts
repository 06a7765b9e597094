import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

/**
 * An embedded DuckDB session: one in-memory database and one connection, closed together.
 * Every offline step (ingest, features, training sets) runs its SQL through one of these.
 */
export class DuckSession {
  private constructor(
    private readonly instance: DuckDBInstance,
    /** The open connection; use it for SQL, appenders and prepared statements. */
    readonly connection: DuckDBConnection,
  ) {}

  /**
   * Opens an in-memory database. `threads` defaults to DuckDB's own choice (all cores);
   * `memoryLimit` is a DuckDB size string such as `'4GB'`.
   */
  static async open(
    options: { threads?: number; memoryLimit?: string } = {},
  ): Promise<DuckSession> {
    const config: Record<string, string> = {};
    if (options.threads !== undefined) config.threads = String(options.threads);
    if (options.memoryLimit !== undefined) config.memory_limit = options.memoryLimit;
    const instance = await DuckDBInstance.create(':memory:', config);
    const connection = await instance.connect();
    return new DuckSession(instance, connection);
  }

  /** Runs a statement whose result is not needed. */
  async run(sql: string): Promise<void> {
    await this.connection.run(sql);
  }

  /** Runs a query and returns its rows as objects (BIGINT as bigint, TIMESTAMP as value objects). */
  async rows(sql: string): Promise<Record<string, unknown>[]> {
    const reader = await this.connection.runAndReadAll(sql);
    return reader.getRowObjects() as Record<string, unknown>[];
  }

  /** Runs a query and returns its rows as JSON values (BIGINT as string: cast to DOUBLE for numbers). */
  async jsonRows(sql: string): Promise<Record<string, unknown>[]> {
    const reader = await this.connection.runAndReadAll(sql);
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  }

  /**
   * Streams a query's result chunk by chunk (about 2,048 rows each) and hands each chunk's
   * columns, by name, to `visit`. Reading typed vectors directly avoids building a JavaScript
   * value per cell, which dominates the cost of wide results with hundreds of thousands of rows.
   */
  async forEachChunk(
    sql: string,
    visit: (columns: Record<string, ColumnVector>, rowCount: number) => void,
  ): Promise<number> {
    const result = await this.connection.stream(sql);
    const names = result.columnNames();
    let rows = 0;
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      const columns: Record<string, ColumnVector> = {};
      names.forEach((name, index) => {
        columns[name] = chunk.getColumnVector(index) as ColumnVector;
      });
      visit(columns, chunk.rowCount);
      rows += chunk.rowCount;
    }
    return rows;
  }

  /** Closes the connection and the database. */
  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

/** One column of a result chunk: `getItem` gives the JavaScript value of a row, null if NULL. */
export interface ColumnVector {
  getItem(row: number): unknown;
}

/** Quotes a string as a SQL literal (single quotes doubled). */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** Quotes a file path for DuckDB's readers and COPY (forward slashes, quotes doubled). */
export function sqlPath(filePath: string): string {
  return sqlString(filePath.replaceAll('\\', '/'));
}
