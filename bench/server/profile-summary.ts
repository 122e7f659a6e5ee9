/**
 * Summarise a V8 CPU profile (`--cpu-prof`, as BENCH_PROFILE_DIR makes them) over a window of
 * its samples: self and inclusive time per function (name, file:line), the busiest first, and
 * per group of files (nact, ws, ajv, sqlite, the project's layers, GC, idle).
 *
 *   node -r ts-node/register/transpile-only bench/server/profile-summary.ts <file.cpuprofile> [fromSec] [toSec] [rows]
 *
 * fromSec/toSec: the window in seconds from the profile's start (default: the whole profile; a
 * negative fromSec counts from the end, e.g. -5 for the last 5 s).
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const [file, fromArg, toArg, rowsArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: profile-summary.ts <file.cpuprofile> [fromSec] [toSec] [rows]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const total = (profile.endTime - profile.startTime) / 1e6;
const from = fromArg === undefined ? 0 : Number(fromArg) < 0 ? total + Number(fromArg) : Number(fromArg);
const to = toArg === undefined || toArg === '' ? total : Number(toArg);
const rows = Number(rowsArg ?? 40);

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const short = (url: string) => url.replace(/^.*\/work\/main\//, '').replace(/^file:\/\//, '');
const key = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'} ${short(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;

function group(url: string, name: string): string {
  if (name === '(garbage collector)') return 'GC';
  if (name === '(idle)') return 'idle';
  if (name === '(program)') return 'program';
  const u = short(url);
  if (u.includes('node_modules/nact')) return 'nact';
  if (u.includes('node_modules/ws/')) return 'ws';
  if (u.includes('node_modules/ajv')) return 'ajv';
  if (u.includes('node_modules/better-sqlite3')) return 'better-sqlite3';
  if (u.includes('node_modules/winston') || u.includes('node_modules/logform')) return 'winston';
  if (u.includes('node_modules/')) return 'other node_modules';
  if (u.startsWith('node:') || u === '') return 'node core / native';
  const m = /^(src\/[a-z-]+|handlers|supervisors|schemas|bench)/.exec(u);
  return m ? m[1]! : u;
}

const self = new Map<string, number>();
const inclusive = new Map<string, number>();
const groups = new Map<string, number>();
let t = profile.startTime;
let windowUs = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const dt = profile.timeDeltas[i] ?? 0;
  t += dt;
  const at = (t - profile.startTime) / 1e6;
  if (at < from || at > to) continue;
  windowUs += dt;
  const leaf = byId.get(profile.samples[i]!)!;
  self.set(key(leaf), (self.get(key(leaf)) ?? 0) + dt);
  const g = group(leaf.callFrame.url, leaf.callFrame.functionName);
  groups.set(g, (groups.get(g) ?? 0) + dt);
  const seen = new Set<string>();
  for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
    const k = key(byId.get(id)!);
    if (seen.has(k)) continue;
    seen.add(k);
    inclusive.set(k, (inclusive.get(k) ?? 0) + dt);
  }
}

const pct = (us: number) => ((us / windowUs) * 100).toFixed(1).padStart(5);
const busy = windowUs - (groups.get('idle') ?? 0);
console.log(`window ${from.toFixed(1)}–${to.toFixed(1)} s of ${total.toFixed(1)} s: ${(windowUs / 1e6).toFixed(2)} s sampled, ${(busy / 1e6).toFixed(2)} s busy`);
console.log('\nby group (self time, % of window):');
for (const [g, us] of [...groups].sort((a, b) => b[1] - a[1])) console.log(`${pct(us)} %  ${g}`);
console.log(`\nself, top ${rows}:`);
for (const [k, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, rows)) console.log(`${pct(us)} %  ${k}`);
console.log(`\ninclusive, top ${rows}:`);
for (const [k, us] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, rows)) console.log(`${pct(us)} %  ${k}`);
