/**
 * Codec benchmark: decode + validate (decodeFrame) and encode (encodeCall), over a realistic
 * mix of station frames, against bare JSON.parse / JSON.stringify of the same texts.
 * `npm run bench:codec`; figures go to bench/README.md, section "codec".
 */
import * as os from 'node:os';
import { decodeFrame, encodeCall, validateOutgoingCall } from '../../src/rpc';
import { MIX } from './frames';

const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 100);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);

type Sample = { text: string; action: string; payload: object };

/** The mix as a sequence of 100 frames, each action as often as its weight says. */
function buildMix(): Sample[] {
  const frames: Sample[] = [];
  for (const [action, payload, weight] of MIX) {
    for (let i = 0; i < weight; i++) {
      const text = encodeCall(`id-${action}-${i}`, action, payload as never);
      frames.push({ text, action, payload });
    }
  }
  // Interleave deterministically so that no action runs in a long streak.
  return frames.sort((a, b) => (a.text.length * 7919) % 101 - (b.text.length * 7919) % 101 || a.text.localeCompare(b.text));
}

/** µs per frame of one timed slice of `work` over the frames. */
function slice(frames: Sample[], work: (s: Sample) => unknown): number {
  let sink = 0;
  let count = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(ROUND_MS) * 1_000_000n;
  let now = start;
  while (now < deadline) {
    for (const frame of frames) if (work(frame) !== undefined) sink++;
    count += frames.length;
    now = process.hrtime.bigint();
  }
  if (sink < 0) console.log(sink);
  return Number(now - start) / 1000 / count;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/**
 * Baseline and candidate are timed in alternating slices, and the ratio is the median of the
 * per-round ratios, so that load from other processes hits both sides alike.
 */
function compare(frames: Sample[], baseline: (s: Sample) => unknown, candidate: (s: Sample) => unknown): { base: number; cand: number; ratio: number } {
  slice(frames, baseline);
  slice(frames, candidate); // warm-up round
  const bases: number[] = [];
  const cands: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const b = slice(frames, baseline);
    const c = slice(frames, candidate);
    bases.push(b);
    cands.push(c);
    ratios.push(c / b);
  }
  return { base: median(bases), cand: median(cands), ratio: median(ratios) };
}

function row(frames: string, operation: string, us: number, ratio?: number): string {
  return `| ${frames} | ${operation} | ${(1e6 / us).toFixed(0)} | ${us.toFixed(2)} | ${ratio === undefined ? '' : `${ratio.toFixed(2)}×`} |`;
}

function main(): void {
  const mix = buildMix();
  for (const frame of mix) {
    const result = decodeFrame(frame.text);
    if (!result.ok) throw new TypeError(`benchmark frame refused: ${result.error.message}`);
  }
  const sets: Array<[string, Sample[]]> = [['mix', mix], ...MIX.map(([action]) => [action, mix.filter((f) => f.action === action).slice(0, 1)] as [string, Sample[]])];

  console.log(`node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), ${ROUNDS} alternating rounds of ${ROUND_MS} ms per side; medians`);
  console.log('| frames | operation | frames/s | µs/frame | vs bare JSON |');
  console.log('|---|---|---:|---:|---:|');
  for (const [name, frames] of sets) {
    const bytes = Math.round(frames.reduce((n, f) => n + f.text.length, 0) / frames.length);
    const label = `${name} (${bytes} B)`;
    const decode = compare(frames, (f) => JSON.parse(f.text), (f) => decodeFrame(f.text));
    const encode = compare(frames, (f) => JSON.stringify([2, 'id', f.action, f.payload]), (f) => encodeCall('id', f.action as never, f.payload as never));
    const checked = compare(
      frames,
      (f) => JSON.stringify([2, 'id', f.action, f.payload]),
      (f) => {
        validateOutgoingCall(f.action as never, f.payload);
        return encodeCall('id', f.action as never, f.payload as never);
      },
    );
    console.log(row(label, 'JSON.parse', decode.base));
    console.log(row(label, 'decodeFrame (parse + validate)', decode.cand, decode.ratio));
    console.log(row(label, 'JSON.stringify', encode.base));
    console.log(row(label, 'encodeCall', encode.cand, encode.ratio));
    console.log(row(label, 'validateOutgoingCall + encodeCall', checked.cand, checked.ratio));
  }
}

main();
