/** The Basic-auth password every benchmark station uses (its hash is computed once per run). */
export const BENCH_PASSWORD = 'Bench-Password-0123456';

/** The CSMS's store in a run: `memory` (openStore's memory driver), SQLite (a file), PostgreSQL. */
export type StoreKind = 'memory' | 'sqlite' | 'postgres';

/** The idToken the bench's stations present; accepted by the configuration the CSMS runs. */
export const BENCH_TOKEN = 'TOKEN1';
