/**
 * The part of better-sqlite3 12's API that @gfr/client uses. The package ships no types and
 * `@types/better-sqlite3` is not installed in this workspace, so the signatures are declared
 * here, narrowly; they follow the library's documentation (docs/api.md of v12).
 */
declare module 'better-sqlite3' {
  namespace Database {
    /** Options of the constructor. */
    interface Options {
      readonly?: boolean;
      fileMustExist?: boolean;
      /** Milliseconds to wait on a locked database (default 5000). */
      timeout?: number;
    }

    /** What `run` reports. */
    interface RunResult {
      changes: number;
      lastInsertRowid: number | bigint;
    }

    /** A prepared statement; parameters are positional or named (`@name`). */
    interface Statement<Row = unknown> {
      run(...parameters: unknown[]): RunResult;
      get(...parameters: unknown[]): Row | undefined;
      all(...parameters: unknown[]): Row[];
      iterate(...parameters: unknown[]): IterableIterator<Row>;
      /** Makes `get`/`all` return arrays of column values instead of objects. */
      raw(toggle?: boolean): this;
    }

    /** A database connection. */
    interface Database {
      readonly open: boolean;
      readonly name: string;
      prepare<Row = unknown>(source: string): Statement<Row>;
      exec(source: string): this;
      pragma(source: string, options?: { simple?: boolean }): unknown;
      transaction<Arguments extends unknown[], Result>(
        body: (...parameters: Arguments) => Result,
      ): (...parameters: Arguments) => Result;
      close(): this;
    }

    /** The constructor, callable with or without `new`. */
    interface Constructor {
      new (filename: string, options?: Options): Database;
      (filename: string, options?: Options): Database;
    }
  }

  const Database: Database.Constructor;
  export = Database;
}
