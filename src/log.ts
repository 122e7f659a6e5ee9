/**
 * Structured logging through winston. One root logger; modules take a child with their
 * own `component` field. JSON lines when not on a TTY (or when asked), readable otherwise.
 * Secrets never reach a log line: callers log identities, never passwords or tokens.
 */
import winston from 'winston';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug' | 'silly';
export const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug', 'silly'];

export type Logger = winston.Logger;

function defaultLevel(): LogLevel {
  const fromEnv = process.env.OCPP_CSMS_LOG_LEVEL;
  if (fromEnv && (LOG_LEVELS as readonly string[]).includes(fromEnv)) return fromEnv as LogLevel;
  // Tests stay quiet unless asked otherwise.
  return process.env.JEST_WORKER_ID !== undefined ? 'error' : 'info';
}

function formatFor(json: boolean): winston.Logform.Format {
  return json
    ? winston.format.combine(winston.format.timestamp(), winston.format.json())
    : winston.format.combine(
        winston.format.timestamp(),
        winston.format.colorize(),
        winston.format.printf(({ timestamp, level, message, ...meta }) => {
          const rest = Object.keys(meta).length > 0 ? ' ' + JSON.stringify(meta) : '';
          return `${String(timestamp)} ${level} ${String(message)}${rest}`;
        }),
      );
}

export const rootLogger: Logger = winston.createLogger({
  level: defaultLevel(),
  format: formatFor(!process.stdout.isTTY),
  transports: [new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug', 'silly'] })],
});

/** Reconfigure the root logger (level, JSON or readable). Children follow it. */
export function configureLogging(options: { level?: LogLevel; json?: boolean }): void {
  if (options.level) rootLogger.level = options.level;
  if (options.json !== undefined) rootLogger.format = formatFor(options.json);
}

export function loggerFor(component: string, meta: Record<string, unknown> = {}): Logger {
  return rootLogger.child({ component, ...meta });
}
