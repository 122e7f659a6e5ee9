/**
 * Site allocation benchmark (issue 12): the cost of recomputing a site of 1,000 charging EVSEs
 * when one more transaction starts. Target: under 5 ms.
 *
 * 1. `allocate()` alone (src/services/sites/allocation.ts), equal share and priority (4 token
 *    groups), 1,000 EVSEs + the new one: median, p99 and max over many recomputes.
 * 2. The controller's whole round (src/services/sites/site-load.ts) on a memory store, with a
 *    profile sender that answers Accepted at once: from the Started event to the site settled,
 *    i.e. the allocation plus 1,001 TxProfiles built, "sent", accepted and recorded (the sends
 *    themselves go through each station's call queue in the server; not measured here).
 *
 * `npm run bench:sites` (BENCH_EVSES=n changes the count); figures in bench/README.md, section "sites".
 */
import * as os from 'node:os';
import { allocate, type AllocationRules, type EvseDemand } from '../../src/services/sites/allocation';
import { SiteService } from '../../src/services/sites';
import type { RequestOf } from '../../schemas/actions';
import { openStore } from '../../src/store';
import { configureLogging } from '../../src/log';

const EVSES = Number(process.env.BENCH_EVSES ?? 1000);
const RECOMPUTES = Number(process.env.BENCH_RECOMPUTES ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);

function stats(samples: number[]): { median: number; p99: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { median: at(0.5), p99: at(0.99), max: sorted.at(-1)! };
}

const ms = (x: number) => `${x.toFixed(3)} ms`;

function benchAllocate(policy: AllocationRules['policy']): void {
  const rules: AllocationRules = { limit: EVSES * 11, policy, minPerEvse: 6, maxPerEvse: 32 };
  const demands: EvseDemand[] = Array.from({ length: EVSES }, (_, i) => ({ key: `CP${i}/1`, priority: policy === 'priority' ? i % 4 : 0, since: i }));
  const samples: number[] = [];
  for (let i = 0; i < RECOMPUTES; i += 1) {
    const one = [...demands, { key: `NEW${i}/1`, priority: i % 4, since: EVSES + i }];
    const t0 = process.hrtime.bigint();
    const allocation = allocate(rules, one);
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (allocation.size !== EVSES + 1) throw new Error('allocation lost an EVSE');
  }
  const s = stats(samples.slice(100));
  console.log(`allocate, ${policy}, ${EVSES} EVSEs + 1 starting: median ${ms(s.median)}, p99 ${ms(s.p99)}, max ${ms(s.max)} (${RECOMPUTES - 100} recomputes after 100 warm-up)`);
}

function started(transactionId: string): RequestOf<'TransactionEvent'> {
  return { eventType: 'Started', timestamp: new Date().toISOString(), triggerReason: 'Authorized', seqNo: 0, transactionInfo: { transactionId }, evse: { id: 1, connectorId: 1 } };
}

async function benchRound(): Promise<void> {
  const store = await openStore({ driver: 'memory' });
  let nextId = 1;
  let sends = 0;
  const sender = {
    allocateId: () => Promise.resolve(nextId++),
    set: () => {
      sends += 1;
      return Promise.resolve({ status: 'Accepted' as const });
    },
  };
  const stations = Array.from({ length: EVSES + ROUNDS }, (_, i) => `CP${String(i).padStart(5, '0')}`);
  const sites = new SiteService(store, sender, { stationKnown: () => Promise.resolve(true) });
  await sites.put({ id: 'bench', name: 'Bench', stations, limit: EVSES * 11, minPerEvse: 6, maxPerEvse: 32 });
  for (let i = 0; i < EVSES; i += 1) sites.onTransactionChange({ stationId: stations[i]!, request: started(`TX-${i}`) });
  await sites.settled();
  const samples: number[] = [];
  const sendCounts: number[] = [];
  for (let r = 0; r < ROUNDS; r += 1) {
    const id = stations[EVSES + r]!;
    sends = 0;
    const t0 = process.hrtime.bigint();
    sites.onTransactionChange({ stationId: id, request: started(`TX-NEW-${r}`) });
    await sites.settled();
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
    sendCounts.push(sends);
  }
  sites.close();
  await store.close();
  const s = stats(samples.slice(2));
  console.log(
    `controller round, ${EVSES} charging + 1 starting (allocation, TxProfiles to every EVSE whose limit changed, recorded): median ${ms(s.median)}, p99 ${ms(s.p99)}, max ${ms(s.max)}; sends per round ${Math.min(...sendCounts)}-${Math.max(...sendCounts)} (${ROUNDS - 2} rounds after 2 warm-up)`,
  );
}

async function main(): Promise<void> {
  configureLogging({ level: 'error' });
  console.log(`machine: nproc ${os.cpus().length}, ${os.cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  benchAllocate('equalShare');
  benchAllocate('priority');
  await benchRound();
}

void main();
