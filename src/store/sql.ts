/**
 * The one seam between the CSMS and a SQL database (DESIGN.md §7). Everything above it writes
 * PostgreSQL-style SQL with `$1, $2 ...` placeholders; the SQLite driver rewrites them to named
 * parameters. Values are plain JSON scalars: JSON documents are stored as TEXT, times as ISO 8601
 * UTC strings (sortable as text in both dialects), booleans as integers 0/1.
 */

export type SqlValue = string | number | null;

export interface SqlStatement {
  readonly sql: string;
  readonly params?: readonly SqlValue[];
  /** Several statements without parameters (a migration's script). */
  readonly script?: boolean;
}

export type SqlDialect = 'sqlite' | 'postgres';

export interface SqlDatabase {
  readonly dialect: SqlDialect;
  /** A description for logs and errors (the file, or the server without its password). */
  readonly description: string;
  /** Rows of one statement (outside any transaction of the committer). */
  query<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** All statements in one transaction: all applied, or none (the promise rejects). */
  batch(statements: readonly SqlStatement[]): Promise<void>;
  /** A script of several statements without parameters (migrations). */
  exec(script: string): Promise<void>;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Statement texts rewritten for SQLite, by their PostgreSQL-style text (a few dozen distinct ones). */
const rewritten = new Map<string, string>();
const PARAMETER_NAMES = Array.from({ length: 64 }, (_, i) => `p${i + 1}`);

/** `$1` → `$p1` and the positional values as `{ p1: ... }`, the form better-sqlite3 binds by name. */
export function sqliteParameters(sql: string, params: readonly SqlValue[] = []): { sql: string; params: Record<string, SqlValue> } {
  const named: Record<string, SqlValue> = {};
  for (let i = 0; i < params.length; i += 1) named[PARAMETER_NAMES[i] ?? `p${i + 1}`] = params[i]!;
  let text = rewritten.get(sql);
  if (text === undefined) {
    text = sql.replace(/\$(\d+)/g, '$$p$1');
    // Bounded: statement texts are the code's own, but a caller building texts must not grow this.
    if (rewritten.size < 10_000) rewritten.set(sql, text);
  }
  return { sql: text, params: named };
}

/** The larger of two integer expressions: `GREATEST` in PostgreSQL, the scalar `MAX` in SQLite. */
export function greatest(dialect: SqlDialect, a: string, b: string): string {
  return dialect === 'postgres' ? `GREATEST(${a}, ${b})` : `MAX(${a}, ${b})`;
}
