/** The Basic-auth password every benchmark station uses (its hash is computed once per run). */
export const BENCH_PASSWORD = 'Bench-Password-0123456';
