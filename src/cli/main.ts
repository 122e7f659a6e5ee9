#!/usr/bin/env node
/**
 * `ocpp-csms`: the CSMS server, its station registry and the station simulator.
 *
 *   ocpp-csms [--config <file>] [--log-level <level>]   run the server (embedded default config without --config)
 *   ocpp-csms station add|remove|list --config <file>   manage the stations of a configuration file
 *   ocpp-csms simulate --url <url> [options]            simulated stations against a CSMS
 *   ocpp-csms db status|migrate [--config <file>]       the store's schema migrations
 *   ocpp-csms tokens list|add|remove|import [--config <file>]   the standard CSMS's tokens
 *
 * Exit codes: 0 after a signal-driven shutdown or a successful command; 1 when the supervision
 * tree gave up or something unexpected failed; 2 for an invalid configuration or usage.
 */
import { parseArgs } from 'node:util';
import { ConfigError, CsmsError, HandlerModuleError, StartError, describeCause } from '../errors';
import { LOG_LEVELS, type LogLevel } from '../log';
import { SIMULATE_USAGE, createProgressRenderer, parseSimulateArgs, simulate, writeSummary } from '../simulator';
import { packageVersion } from './embedded';
import { DB_USAGE, dbCommand } from './db-command';
import { serve } from './serve';
import { STATION_USAGE, stationCommand } from './station-command';
import { TOKENS_USAGE, tokensCommand } from './tokens-command';

export const USAGE = `Usage:
  ocpp-csms [--config <file>] [--log-level ${LOG_LEVELS.join('|')}]
  ocpp-csms station add|remove|list --config <file> ...   (ocpp-csms station --help)
  ocpp-csms simulate --url <ws://host:port/ocpp> ...       (ocpp-csms simulate --help)
  ocpp-csms db status|migrate [--config <file>]           (ocpp-csms db --help)
  ocpp-csms tokens list|add|remove|import ...             (ocpp-csms tokens --help)
  ocpp-csms --help | --version`;

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'station') {
    if (rest.includes('--help') || rest.length === 0) return print(STATION_USAGE, 0);
    return stationCommand(rest, { out: (line) => process.stdout.write(line + '\n') });
  }
  if (command === 'db') {
    if (rest.includes('--help') || rest.length === 0) return print(DB_USAGE, 0);
    return dbCommand(rest, { out: (line) => process.stdout.write(line + '\n'), err: (line) => process.stderr.write(line + '\n') });
  }
  if (command === 'tokens') {
    if (rest.includes('--help') || rest.length === 0) return print(TOKENS_USAGE, 0);
    return tokensCommand(rest, { out: (line) => process.stdout.write(line + '\n'), err: (line) => process.stderr.write(line + '\n') });
  }
  if (command === 'simulate') {
    if (rest.includes('--help')) return print(SIMULATE_USAGE, 0);
    const options = parseSimulateArgs(rest);
    if (options instanceof ConfigError) throw options;
    const renderer = createProgressRenderer(process.stderr);
    const summary = await simulate(options, { onProgress: renderer.update });
    renderer.finish();
    writeSummary(process.stdout, summary);
    return summary.outcomes.failed > 0 ? 1 : 0;
  }
  if (command !== undefined && !command.startsWith('-')) {
    process.stderr.write(`ocpp-csms: unknown command ${JSON.stringify(command)}\n${USAGE}\n`);
    return 2;
  }
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      config: { type: 'string', short: 'c' },
      'log-level': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean' },
    },
  });
  if (values.help) return print(USAGE, 0);
  if (values.version) return print(packageVersion(), 0);
  const level = values['log-level'];
  if (level !== undefined && !(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new ConfigError('--log-level', level, `allowed: ${LOG_LEVELS.join(', ')}`);
  }
  return serve({ config: values.config, logLevel: level as LogLevel | undefined });
}

function print(text: string, code: number): number {
  process.stdout.write(text + '\n');
  return code;
}

/** Exit code and message for a failure that ended the command. */
export function describeFailure(error: unknown): { code: number; message: string } {
  const cause = error instanceof StartError && error.cause instanceof CsmsError ? error.cause : error;
  if (cause instanceof ConfigError || cause instanceof HandlerModuleError) return { code: 2, message: cause.message };
  if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) return { code: 2, message: `${describeCause(error)}\n${USAGE}` };
  return { code: 1, message: describeCause(error) };
}

/**
 * A reader that goes away early (`ocpp-csms station list | head -2`) closes the pipe: the next
 * write fails with EPIPE. That is the reader's choice, not a failure: end quietly, as Unix tools do.
 */
export function exitQuietlyOnClosedPipe(stream: NodeJS.WriteStream, exit: (code: number) => void = (code) => process.exit(code)): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') exit(0);
    else throw error;
  });
}

if (require.main === module) {
  exitQuietlyOnClosedPipe(process.stdout);
  exitQuietlyOnClosedPipe(process.stderr);
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      const failure = describeFailure(error);
      process.stderr.write(`ocpp-csms: ${failure.message}\n`);
      process.exit(failure.code);
    },
  );
}
