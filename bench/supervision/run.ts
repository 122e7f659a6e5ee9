/**
 * Supervision benchmark (npm run bench:supervision).
 *
 * 1. Restart latency: a permanent worker (among 100 idle siblings) is crashed N times; for
 *    each crash, the time from the throw to the moment the new incarnation handles its
 *    first message, sent by a client that looks it up in the registry as soon as it can.
 * 2. 10,000 dynamic children under one simple_one_for_one supervisor: start time per child
 *    (startChild one after the other, then all at once), heap per child, shutdown time.
 */
import os from 'node:os';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { rootLogger } from '../../src/log';
import { actorName, dispatch, query, type Behaviour, type ReplyTo } from '../../src/runtime';
import {
  dynamicWorker,
  startApplication,
  startChild,
  supervisor,
  worker,
  type SupervisorMsg,
} from '../../supervisors';

type Msg = { type: 'crash' } | { type: 'ping'; replyTo: ReplyTo<number> };
interface Marks {
  crashAt: number;
  servedAt: number;
}
const TARGET = actorName<Msg>('target');

const bench: Behaviour<Msg, { marks: Marks | undefined; served: boolean }, { marks?: Marks; register?: boolean }> = {
  init(args, ctx) {
    if (args.register) ctx.register(TARGET);
    return { marks: args.marks, served: false };
  },
  receive(state, msg, ctx) {
    if (!state.served && state.marks) state.marks.servedAt = performance.now();
    state.served = true;
    switch (msg.type) {
      case 'crash':
        if (state.marks) state.marks.crashAt = performance.now();
        throw new Error('bench crash');
      case 'ping':
        msg.replyTo(ctx.incarnation);
        return state;
    }
  },
};

/** Let pending immediates (nact releases stopped actors on the next turn) run, then collect. */
async function settle(): Promise<void> {
  await nextTurn();
  await nextTurn();
  global.gc?.();
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const us = (ms: number): string => `${(ms * 1000).toFixed(1)} µs`;

async function restartLatency(crashes: number): Promise<string[]> {
  const marks: Marks = { crashAt: 0, servedAt: 0 };
  const app = await startApplication(
    {
      strategy: 'one_for_one',
      intensity: crashes * 2,
      period: 3600,
      children: [
        { id: 'target', start: worker(bench, { marks, register: true }) },
        ...Array.from({ length: 100 }, (_, i) => ({ id: `idle${i}`, start: worker(bench, {}) })),
      ],
    },
    { name: 'bench-restart' },
  );
  const samples: number[] = [];
  for (let i = 0; i < crashes; i++) {
    const old = app.registry.whereis(TARGET)!;
    dispatch(old, { type: 'crash' });
    for (;;) {
      const ref = app.registry.whereis(TARGET);
      if (ref && ref.id !== old.id) {
        await query(ref, (replyTo) => ({ type: 'ping', replyTo }), 1000);
        break;
      }
      await nextTurn();
    }
    samples.push(marks.servedAt - marks.crashAt);
  }
  await app.stop();
  samples.sort((a, b) => a - b);
  return [
    `restart latency over ${crashes} crashes (crash → new incarnation serves its first message):`,
    `  median ${us(percentile(samples, 50))}, p90 ${us(percentile(samples, 90))}, p99 ${us(percentile(samples, 99))}, max ${us(samples[samples.length - 1]!)}`,
  ];
}

async function manyChildren(count: number): Promise<string[]> {
  const POOL = actorName<SupervisorMsg<{ marks?: Marks }, Msg>>('pool');
  const lines: string[] = [];
  for (const mode of ['sequential', 'concurrent'] as const) {
    const app = await startApplication(
      {
        strategy: 'one_for_one',
        children: [
          {
            id: 'pool',
            type: 'supervisor',
            start: supervisor({ strategy: 'simple_one_for_one', template: { id: 'w', start: dynamicWorker(bench) } }, { register: POOL }),
          },
        ],
      },
      { name: `bench-${mode}` },
    );
    const pool = app.registry.whereis(POOL)!;
    await settle();
    const heapBefore = process.memoryUsage().heapUsed;
    const began = performance.now();
    if (mode === 'sequential') {
      for (let i = 0; i < count; i++) await startChild(pool, {});
    } else {
      await Promise.all(Array.from({ length: count }, () => startChild(pool, {}, 60_000)));
    }
    const spawnMs = performance.now() - began;
    await settle();
    const heapPerChild = (process.memoryUsage().heapUsed - heapBefore) / count;
    const stopBegan = performance.now();
    await app.stop();
    const stopMs = performance.now() - stopBegan;
    lines.push(
      `${count} children under one simple_one_for_one, startChild ${mode}: ${spawnMs.toFixed(0)} ms ` +
        `(${us(spawnMs / count)} per child), heap ${(heapPerChild / 1024).toFixed(2)} KiB per child` +
        `${global.gc ? '' : ' (run with --expose-gc for a stable heap figure)'}, shutdown of all ${stopMs.toFixed(0)} ms`,
    );
  }
  return lines;
}

async function main(): Promise<void> {
  rootLogger.silent = true; // a log line per crash would measure the console, not the runtime
  const crashes = Number(process.env.BENCH_CRASHES ?? 2000);
  const children = Number(process.env.BENCH_CHILDREN ?? 10_000);
  const lines = [
    `machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, nproc ${os.availableParallelism()}, node ${process.version}`,
    ...(await restartLatency(crashes)),
    ...(await manyChildren(children)),
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

void main();
