/**
 * Captures the log lines the code under test writes, as the info objects winston formats, at
 * the level asked for; the other transports are silenced meanwhile. They are silenced rather than
 * removed: a winston transport learns its logger (whose level it follows) only on its first
 * `add`, so one removed and added again would print every level from then on.
 */
import { Writable } from 'node:stream';
import winston from 'winston';
import { rootLogger, type LogLevel } from '../../src/log';

export interface LogCapture {
  readonly lines: Record<string, unknown>[];
  /** Lines whose message is `message`. */
  named(message: string): Record<string, unknown>[];
  /** Put the logger back as it was. */
  restore(): void;
}

export function captureLogs(level: LogLevel): LogCapture {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    objectMode: true,
    write(info: Record<string, unknown>, _encoding, done) {
      lines.push(info);
      done();
    },
  });
  const transport = new winston.transports.Stream({ stream, level: 'silly' });
  const before = { level: rootLogger.level, silent: rootLogger.silent, transports: rootLogger.transports.map((t) => ({ t, silent: t.silent })) };
  for (const { t } of before.transports) t.silent = true;
  rootLogger.add(transport);
  rootLogger.level = level;
  rootLogger.silent = false;
  return {
    lines,
    named: (message) => lines.filter((line) => line.message === message),
    restore() {
      rootLogger.remove(transport);
      for (const { t, silent } of before.transports) t.silent = silent;
      rootLogger.level = before.level;
      rootLogger.silent = before.silent;
    },
  };
}
