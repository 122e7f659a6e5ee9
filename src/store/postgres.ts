/**
 * PostgreSQL through `pg`: a connection pool (size configurable), one pooled client per batch
 * (`BEGIN … COMMIT`). When the server goes away, queries fail (the committer turns that into
 * CALLERROR InternalError for the stations waiting on it) and the pool opens new connections on
 * the next attempt, so the CSMS serves again as soon as the database is back, without a restart.
 * The next attempt need not be a station's: the store child of the supervision tree
 * (supervisors/store.ts) pings the pool with backoff while the server is unreachable, so the pool
 * is reconnected, and /readyz says so, before any station sends something to commit.
 */
import pg from 'pg';
import { StoreError, describeCause } from '../errors';
import { loggerFor } from '../log';
import type { SqlDatabase, SqlStatement, SqlValue } from './sql';

const log = loggerFor('store');

// BIGINT (int8) and NUMERIC arrive as strings by default; every integer this store keeps fits in
// a double, and money is kept in integer minor units.
pg.types.setTypeParser(20, (value: string) => Number(value));

export interface PostgresOptions {
  readonly url: string;
  /** Connections in the pool (default 10). */
  readonly poolSize?: number;
  /** How long to wait for a connection before a query fails (default 5 s). */
  readonly connectTimeoutMs?: number;
}

/** The URL without its password, for logs and errors. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}

/**
 * A name per statement text, so that each pooled connection parses (and plans) a statement the
 * committer sends over and over once, not at every batch. Batches use a handful of texts (the
 * standing's part subsets, the history's insert and upsert), so the map stays small.
 */
const statementNames = new Map<string, string>();
function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (name === undefined) {
    name = `csms_${statementNames.size + 1}`;
    statementNames.set(sql, name);
  }
  return name;
}

export async function openPostgres(options: PostgresOptions): Promise<SqlDatabase> {
  const description = `postgres ${redactUrl(options.url)}`;
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    idleTimeoutMillis: 30_000,
    // pg's pipeline mode: queries handed to a client are written at once instead of one per
    // round trip, so a group commit of a thousand statements costs one round trip, not a
    // thousand (bench/README.md, "store"). Queries awaited one by one behave as before.
    pipeline: true,
  });
  // An idle client whose server went away emits 'error' on the pool: without a listener that
  // would be an uncaught exception. The next query reconnects.
  pool.on('error', (error) => log.debug('idle PostgreSQL connection lost', { reason: describeCause(error) }));
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new StoreError('unreachable', `cannot reach the PostgreSQL store ${redactUrl(options.url)}: ${describeCause(error)}`, { cause: error });
  }
  let open = true;
  const closed = () => new StoreError('closed', `the PostgreSQL store ${redactUrl(options.url)} is closed`);

  return {
    dialect: 'postgres',
    description,
    async query<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
      if (!open) throw closed();
      const result = await pool.query(sql, params as SqlValue[] | undefined);
      return result.rows as T[];
    },
    async batch(statements: readonly SqlStatement[]): Promise<void> {
      if (!open) throw closed();
      const client = await pool.connect();
      let broken = false;
      // A connection lost while it is checked out emits 'error' on the client itself (the pool
      // listens only to idle ones): without a listener that would be an uncaught exception. The
      // queries in flight fail with it, and so does this batch.
      const lost = (error: Error) => {
        broken = true;
        log.debug('PostgreSQL connection lost during a commit', { reason: describeCause(error) });
      };
      client.on('error', lost);
      try {
        // Everything is sent at once (pipeline mode). A statement that fails aborts the
        // transaction: the ones after it fail too and COMMIT answers ROLLBACK, so nothing of the
        // batch is kept; wait for all of them before saying so.
        const sent = [
          client.query('BEGIN'),
          ...statements.map((s) =>
            s.script ? client.query(s.sql) : client.query({ name: statementName(s.sql), text: s.sql, values: s.params as SqlValue[] | undefined }),
          ),
          client.query('COMMIT'),
        ];
        const results = await Promise.allSettled(sent);
        const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        if (failed) throw failed.reason;
        const commit = results[results.length - 1] as PromiseFulfilledResult<pg.QueryResult>;
        if (commit.value.command !== 'COMMIT') throw new StoreError('commit_failed', `PostgreSQL answered ${commit.value.command} to COMMIT`);
      } catch (error) {
        try {
          await client.query('ROLLBACK');
        } catch {
          broken = true; // the connection itself is gone: do not return it to the pool
        }
        throw error;
      } finally {
        client.off('error', lost);
        client.release(broken);
      }
    },
    async exec(script: string): Promise<void> {
      if (!open) throw closed();
      await pool.query(script);
    },
    async ping(): Promise<void> {
      if (!open) throw closed();
      await pool.query('SELECT 1');
    },
    async close(): Promise<void> {
      if (!open) return;
      open = false;
      await pool.end();
    },
  };
}
