/**
 * The group committer's gather window (DESIGN.md §7): an idle store commits on the next turn, a
 * busy one gathers the changes of the window into one transaction; every ticket settles, a failed
 * commit fails exactly the changes that were in it, and the per-station bookkeeping stays right.
 */
import { GroupCommitter } from '../../src/store/committer';
import type { SqlDatabase, SqlStatement } from '../../src/store/sql';
import { StoreError } from '../../src/errors';

/** A database that records each transaction's statements and fails those containing `FAIL`. */
function recordingDb(): SqlDatabase & { batches: string[][] } {
  const batches: string[][] = [];
  return {
    batches,
    dialect: 'sqlite',
    description: 'recording',
    query: () => Promise.resolve([]),
    batch(statements: readonly SqlStatement[]) {
      batches.push(statements.map((s) => s.sql));
      if (statements.some((s) => s.sql.includes('FAIL'))) return Promise.reject(new Error('disk full'));
      return Promise.resolve();
    },
    exec: () => Promise.resolve(),
    ping: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
const statement = (sql: string): SqlStatement[] => [{ sql }];

describe('GroupCommitter with a gather window', () => {
  // A window far longer than any test: whatever is committed before flush() was not held by it.
  const LONG_WINDOW_MS = 60_000;

  it('commits the first batch after an idle period on the next turn, without waiting for the window', async () => {
    const db = recordingDb();
    const committer = new GroupCommitter(db, { gatherMs: LONG_WINDOW_MS });
    const a = committer.write('cs1', statement('A'));
    const b = committer.write('cs2', statement('B'));
    await a.promise;
    expect(b.settled).toBe(true);
    expect(db.batches).toEqual([['A', 'B']]);
  });

  it('holds the changes made right after a commit for the window, then commits them in one transaction and in order', async () => {
    const db = recordingDb();
    const committer = new GroupCommitter(db, { gatherMs: LONG_WINDOW_MS });
    await committer.write('cs1', statement('A')).promise;
    const tickets = [committer.write('cs1', statement('B')), committer.write('cs2', statement('C'))];
    for (let i = 0; i < 5; i += 1) await turn();
    expect(tickets.every((t) => !t.settled)).toBe(true);
    expect(committer.pending('cs1')).toBe(tickets[0]);
    expect(committer.pending('cs2')).toBe(tickets[1]);
    const late = committer.write('cs3', statement('D'));
    await committer.flush();
    expect(db.batches).toEqual([['A'], ['B', 'C', 'D']]);
    expect([...tickets, late].every((t) => t.settled && t.error === undefined)).toBe(true);
    expect(committer.pending('cs1')).toBeUndefined();
    expect(committer.stats.commits).toBe(2);
    expect(committer.stats.largestBatch).toBe(3);
  });

  it('commits a held batch by itself once the window has passed', async () => {
    const db = recordingDb();
    const committer = new GroupCommitter(db, { gatherMs: 5 });
    await committer.write('cs1', statement('A')).promise;
    // Written within the window of A's commit: it waits for the timer, not for a flush.
    await committer.write('cs1', statement('B')).promise;
    expect(db.batches).toEqual([['A'], ['B']]);
  });

  it('fails exactly the changes of a failed commit, counts the failure for their stations only, and commits the next batch', async () => {
    const db = recordingDb();
    const committer = new GroupCommitter(db, { gatherMs: LONG_WINDOW_MS });
    const first = committer.write('cs1', statement('A'));
    await first.promise;
    const bad = [committer.write('cs1', statement('FAIL B')), committer.write('cs2', statement('C'))];
    await committer.flush();
    expect(bad.every((t) => t.settled)).toBe(true);
    expect(bad[0]!.error).toBeInstanceOf(StoreError);
    expect(bad[1]!.error).toBe(bad[0]!.error);
    await expect(bad[1]!.promise).rejects.toThrow(/could not commit: disk full/);
    expect(first.error).toBeUndefined();
    expect(committer.failures('cs1')).toBe(1);
    expect(committer.failures('cs2')).toBe(1);
    expect(committer.failures('cs3')).toBe(0);
    expect(committer.pending('cs1')).toBeUndefined();

    const after = committer.write('cs3', statement('D'));
    await committer.flush();
    expect(after.error).toBeUndefined();
    expect(committer.failures('cs3')).toBe(0);
    expect(committer.stats.failedCommits).toBe(1);
    expect(committer.stats.commits).toBe(2);
    expect(db.batches).toEqual([['A'], ['FAIL B', 'C'], ['D']]);
  });

  it('settles every ticket of a held batch when closed, and refuses writes afterwards', async () => {
    const db = recordingDb();
    const committer = new GroupCommitter(db, { gatherMs: LONG_WINDOW_MS });
    await committer.write('cs1', statement('A')).promise;
    const held = committer.write('cs1', statement('B'));
    await committer.close();
    expect(held.settled && held.error === undefined).toBe(true);
    const refused = committer.write('cs1', statement('C'));
    expect(refused.error).toBeInstanceOf(StoreError);
    expect(db.batches).toEqual([['A'], ['B']]);
  });

  it('without a window commits each batch on the next turn, one transaction at a time', async () => {
    const db = recordingDb();
    const committer = new GroupCommitter(db);
    await committer.write('cs1', statement('A')).promise;
    await committer.write('cs1', statement('B')).promise;
    expect(db.batches).toEqual([['A'], ['B']]);
  });
});
