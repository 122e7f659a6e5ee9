/**
 * Command-line arguments of `ocpp-csms simulate` (the arguments after the subcommand),
 * parsed with node:util parseArgs. Errors are returned, not thrown: a ConfigError naming
 * the flag, the value given and what is allowed.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError } from '../errors';
import { checkOptions } from './check-options';
import { DEFAULTS, type SimulateOptions } from './options';
import type { IdTokenEnum, StoppedReason } from './payloads';

export const SIMULATE_USAGE = `Usage: ocpp-csms simulate --url <ws(s)://host:port/path> [options]

  --url <url>              CSMS endpoint; stations connect to <url>/<identity> (required)
  --stations, -n <n>       number of simulated stations (default ${DEFAULTS.stations})
  --concurrency <n>        connection attempts in flight at once (default ${DEFAULTS.concurrency})
  --id-prefix <text>       identity prefix, identities are <prefix>00001… (default ${DEFAULTS.identityPrefix})
  --password <text>        Basic-auth password (username = identity)
  --ca <file>              PEM CA certificate(s) to trust for wss://
  --cert <file>            PEM client certificate (security profile 3)
  --key <file>             PEM client key (security profile 3)
  --id-token <text>        idToken to authorize with (default ${DEFAULTS.idToken})
  --id-token-type <type>   IdTokenEnumType of the token (default ${DEFAULTS.idTokenType})
  --meter-interval <ms>    time between meter values (default ${DEFAULTS.meterIntervalMs})
  --meter-updates <n>      TransactionEvent Updated per session (default ${DEFAULTS.meterUpdates})
  --power <W>              charging power reported (default ${DEFAULTS.powerW})
  --stopped-reason <r>     stoppedReason of TransactionEvent Ended (default ${DEFAULTS.stoppedReason})
  --evses <n>              EVSEs per station, one connector each (default ${DEFAULTS.evses})
  --call-timeout <ms>      how long to wait for the CSMS to answer (default ${DEFAULTS.callTimeoutMs})
  --linger <ms>            stay connected after the session (default ${DEFAULTS.lingerMs})
  --no-validate            do not check outgoing payloads against the OCPP 2.0.1 schemas
`;

/** option key → flag; numbers are validated by checkOptions with these names. */
const FLAGS: Partial<Record<keyof SimulateOptions, string>> = {
  url: '--url',
  stations: '--stations',
  concurrency: '--concurrency',
  identityPrefix: '--id-prefix',
  password: '--password',
  idToken: '--id-token',
  idTokenType: '--id-token-type',
  meterIntervalMs: '--meter-interval',
  meterUpdates: '--meter-updates',
  powerW: '--power',
  stoppedReason: '--stopped-reason',
  evses: '--evses',
  callTimeoutMs: '--call-timeout',
  lingerMs: '--linger',
};

const WHOLE_NUMBERS: ReadonlyArray<[flag: string, key: keyof SimulateOptions]> = [
  ['stations', 'stations'],
  ['concurrency', 'concurrency'],
  ['meter-interval', 'meterIntervalMs'],
  ['meter-updates', 'meterUpdates'],
  ['evses', 'evses'],
  ['call-timeout', 'callTimeoutMs'],
  ['linger', 'lingerMs'],
];

export function parseSimulateArgs(argv: readonly string[]): SimulateOptions | ConfigError {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        url: { type: 'string' },
        stations: { type: 'string', short: 'n' },
        concurrency: { type: 'string' },
        'id-prefix': { type: 'string' },
        password: { type: 'string' },
        ca: { type: 'string' },
        cert: { type: 'string' },
        key: { type: 'string' },
        'id-token': { type: 'string' },
        'id-token-type': { type: 'string' },
        'meter-interval': { type: 'string' },
        'meter-updates': { type: 'string' },
        power: { type: 'string' },
        'stopped-reason': { type: 'string' },
        evses: { type: 'string' },
        'call-timeout': { type: 'string' },
        linger: { type: 'string' },
        'no-validate': { type: 'boolean' },
      },
    }));
  } catch (error) {
    // parseArgs explains unknown flags and missing values well; keep its words.
    return new ConfigError('arguments', argv.join(' '), error instanceof Error ? error.message : String(error));
  }

  const options: SimulateOptions = { url: typeof values.url === 'string' ? values.url : '' };
  for (const [flag, key] of WHOLE_NUMBERS) {
    const text = values[flag];
    if (typeof text !== 'string') continue;
    // Number('') is 0 and Number('1e3') is 1000: accept plain digits only.
    (options as unknown as Record<string, unknown>)[key] = /^\d+$/.test(text.trim()) ? Number(text) : text;
  }
  if (typeof values.power === 'string') {
    const power = Number(values.power);
    options.powerW = values.power.trim() !== '' && Number.isFinite(power) ? power : (values.power as unknown as number);
  }
  if (typeof values['id-prefix'] === 'string') options.identityPrefix = values['id-prefix'];
  if (typeof values.password === 'string') options.password = values.password;
  if (typeof values['id-token'] === 'string') options.idToken = values['id-token'];
  if (typeof values['id-token-type'] === 'string') options.idTokenType = values['id-token-type'] as IdTokenEnum;
  if (typeof values['stopped-reason'] === 'string') options.stoppedReason = values['stopped-reason'] as StoppedReason;
  if (values['no-validate'] === true) options.validateOutgoing = false;

  for (const flag of ['ca', 'cert', 'key'] as const) {
    const file = values[flag];
    if (typeof file !== 'string') continue;
    try {
      options[flag] = fs.readFileSync(file);
    } catch (error) {
      return new ConfigError(`--${flag}`, file, `a readable PEM file (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  if ((options.cert === undefined) !== (options.key === undefined)) {
    return new ConfigError(options.cert === undefined ? '--cert' : '--key', undefined, '--cert and --key go together');
  }

  const invalid = checkOptions(options, (key) => FLAGS[key] ?? key);
  return invalid ?? options;
}
