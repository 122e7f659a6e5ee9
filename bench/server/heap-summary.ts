/**
 * Summarise a V8 heap snapshot (BENCH_HEAP_DIR makes them of the connected, idle server): self
 * size and count per constructor (or node type), the largest first, and per station when given
 * the number of stations.
 *
 *   node --max-old-space-size=8192 -r ts-node/register/transpile-only bench/server/heap-summary.ts <file.heapsnapshot> [stations] [rows]
 */
import { readFileSync } from 'node:fs';

interface Snapshot {
  readonly snapshot: { readonly meta: { readonly node_fields: string[]; readonly node_types: [string[], ...unknown[]] } };
  readonly nodes: number[];
  readonly strings: string[];
}

const [file, stationsArg, rowsArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: heap-summary.ts <file.heapsnapshot> [stations] [rows]\n');
  process.exit(2);
}
const stations = Number(stationsArg ?? 0);
const rows = Number(rowsArg ?? 40);
const heap = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
const fields = heap.snapshot.meta.node_fields;
const types = heap.snapshot.meta.node_types[0];
const width = fields.length;
const typeAt = fields.indexOf('type');
const nameAt = fields.indexOf('name');
const sizeAt = fields.indexOf('self_size');
const totals = new Map<string, { size: number; count: number }>();
let all = 0;
for (let i = 0; i < heap.nodes.length; i += width) {
  const type = types[heap.nodes[i + typeAt]!]!;
  const name = heap.strings[heap.nodes[i + nameAt]!]!;
  const size = heap.nodes[i + sizeAt]!;
  // Objects by constructor; strings, code, arrays and the like by type.
  const key = type === 'object' || type === 'closure' ? `${type} ${name}` : type === 'hidden' || type === 'native' ? `${type} ${name.slice(0, 40)}` : type;
  const entry = totals.get(key) ?? { size: 0, count: 0 };
  entry.size += size;
  entry.count += 1;
  totals.set(key, entry);
  all += size;
}
console.log(`heap ${(all / 1024 / 1024).toFixed(1)} MiB in ${heap.nodes.length / width} nodes${stations ? `; ${(all / stations / 1024).toFixed(1)} KiB per station` : ''}`);
console.log(`\n| what | count | MiB |${stations ? ' per station: count | bytes |' : ''}`);
console.log(`|---|---|---|${stations ? '---|---|' : ''}`);
for (const [key, { size, count }] of [...totals].sort((a, b) => b[1].size - a[1].size).slice(0, rows)) {
  console.log(`| ${key} | ${count} | ${(size / 1024 / 1024).toFixed(2)} |${stations ? ` ${(count / stations).toFixed(1)} | ${(size / stations).toFixed(0)} |` : ''}`);
}
