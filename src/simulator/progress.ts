/**
 * Showing a simulation to the operator: one live line rewritten with `\r` on a terminal,
 * a plain line every few seconds otherwise (logs, CI), and a final summary table. Everything
 * writes to the stream it is given; nothing here touches the console.
 */
import type { Writable } from 'node:stream';
import { currentOf } from './charging-profiles';
import type { SimulationProgress, SimulationSummary } from './stats';

/** W as kW with one decimal. */
function kw(watts: number): string {
  return (watts / 1000).toFixed(1);
}

export function formatProgressLine(p: SimulationProgress): string {
  return (
    `[${(p.elapsedMs / 1000).toFixed(1)}s] stations ${p.finished}/${p.stations} done` +
    ` | connected ${p.connected} booted ${p.booted}` +
    (p.bootRejected > 0 ? ` rejected ${p.bootRejected}` : '') +
    (p.reconnects > 0 ? ` reconnected ${p.reconnects}` : '') +
    (p.reboots > 0 ? ` rebooted ${p.reboots}` : '') +
    ` | sessions ${p.sessionsStarted} started ${p.sessionsCompleted} completed ${p.sessionsRefused} refused ${p.sessionsFailed} failed` +
    ` | msgs ${p.messagesSent} out ${p.messagesReceived} in | errors ${p.errors}` +
    (p.peakChargingW ? ` | charging ${kw(p.chargingW ?? 0)} kW (peak ${kw(p.peakChargingW)} kW)` : '')
  );
}

export interface ProgressRenderer {
  /** Pass to `simulate` as `onProgress`. */
  update(progress: SimulationProgress): void;
  /** Ends the live line (a newline on a TTY). */
  finish(): void;
}

/**
 * On a TTY every update rewrites the line; otherwise at most one line per `plainIntervalMs`
 * (default 5000), plus the last state at `finish`.
 */
export function createProgressRenderer(stream: Writable & { isTTY?: boolean; columns?: number }, options: { plainIntervalMs?: number } = {}): ProgressRenderer {
  const plainIntervalMs = options.plainIntervalMs ?? 5000;
  let lastPlainAt = -Infinity;
  let last: SimulationProgress | undefined;
  let lastWritten: SimulationProgress | undefined;
  let width = 0;
  return {
    update(progress) {
      last = progress;
      if (stream.isTTY) {
        let line = formatProgressLine(progress);
        if (stream.columns && line.length >= stream.columns) line = line.slice(0, stream.columns - 1);
        // Pad over the remains of a longer previous line.
        stream.write('\r' + line.padEnd(width));
        width = line.length;
      } else if (progress.elapsedMs - lastPlainAt >= plainIntervalMs) {
        stream.write(formatProgressLine(progress) + '\n');
        lastPlainAt = progress.elapsedMs;
        lastWritten = progress;
      }
    },
    finish() {
      if (stream.isTTY) {
        if (width > 0) stream.write('\n');
      } else if (last && last !== lastWritten) {
        stream.write(formatProgressLine(last) + '\n');
      }
    },
  };
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd()).join('\n');
}

/** The final report: outcomes, per-action messages and latencies, errors grouped. */
export function formatSummary(s: SimulationSummary): string {
  const lines: string[] = [];
  lines.push(`Simulation of ${s.stations} station(s) against ${s.url}: ${(s.durationMs / 1000).toFixed(2)} s${s.interrupted ? ' (interrupted)' : ''}`);
  lines.push('');
  lines.push(
    table([
      ['outcome', 'stations'],
      ['completed', String(s.outcomes.completed)],
      ['refused (idToken not accepted)', String(s.outcomes.refused)],
      ['boot rejected', String(s.outcomes.boot_rejected)],
      ...(s.outcomes.interrupted > 0 ? [['interrupted', String(s.outcomes.interrupted)]] : []),
      ...Object.entries(s.failedByPhase).map(([phase, n]) => [`failed in ${phase}`, String(n)]),
      ...(Object.keys(s.failedByPhase).length === 0 ? [['failed', String(s.outcomes.failed)]] : []),
    ]),
  );
  lines.push('');
  lines.push(
    `sessions: ${s.progress.sessionsStarted} started, ${s.progress.sessionsCompleted} completed, ${s.progress.sessionsRefused} refused, ${s.progress.sessionsFailed} failed` +
      ` | connect p50 ${s.connectMs.p50Ms} ms p99 ${s.connectMs.p99Ms} ms | session p50 ${s.sessionMs.p50Ms} ms`,
  );
  lines.push(`messages: ${s.messages.sent} sent, ${s.messages.received} received`);
  // A load test against a site's limit: the most the stations drew at once, under the profiles they held.
  if (s.progress.peakChargingW) {
    lines.push(`charging power: peak ${kw(s.progress.peakChargingW)} kW at once (${currentOf(s.progress.peakChargingW)} A per phase, three-phase 230 V)`);
  }
  if (s.progress.reconnects > 0 || s.progress.reboots > 0) lines.push(`connections: ${s.progress.reconnects} reconnected, ${s.progress.reboots} rebooted after a Reset`);
  lines.push('');
  // Each direction in its own table: a count that can only be 0 for an action (a CALL the
  // CSMS never sends) is not shown as if it meant something.
  const byAction = Object.entries(s.messages.byAction);
  const ours = byAction.filter(([, c]) => c.callsSent > 0);
  if (ours.length > 0) {
    lines.push('calls the stations sent:');
    lines.push(
      table([
        ['action', 'sent', 'answered', 'CALLERROR', 'timeouts', 'p50 ms', 'p99 ms'],
        ...ours.map(([a, c]) => {
          const l = s.latency.byAction[a];
          return [a, String(c.callsSent), String(c.resultsReceived), String(c.callErrors), String(c.timeouts), l ? String(l.p50Ms) : '-', l ? String(l.p99Ms) : '-'];
        }),
        ['all calls', '', '', '', '', String(s.latency.all.p50Ms), String(s.latency.all.p99Ms)],
      ]),
    );
    lines.push('');
  }
  const theirs = byAction.filter(([, c]) => c.callsReceived > 0);
  if (theirs.length > 0) {
    lines.push('calls the CSMS sent:');
    lines.push(
      table([
        ['action', 'received', 'answered', 'CALLERROR'],
        ...theirs.map(([a, c]) => [a, String(c.callsReceived), String(c.resultsSent), String(c.errorsSent)]),
      ]),
    );
    lines.push('');
  }
  if (s.errors.length > 0) {
    lines.push('errors:');
    for (const e of s.errors) {
      lines.push(`  ${e.count} × [${e.phase}] ${e.code}: ${e.message} (e.g. ${e.stations.join(', ')})`);
    }
  } else {
    lines.push('errors: none');
  }
  return lines.join('\n') + '\n';
}

export function writeSummary(stream: Writable, summary: SimulationSummary): void {
  stream.write(formatSummary(summary));
}
