/**
 * Command-line arguments of `ocpp-csms simulate` (the arguments after the subcommand),
 * parsed with node:util parseArgs. Errors are returned, not thrown: a ConfigError naming
 * the flag, the value given and what is allowed.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError } from '../errors';
import { checkOptions } from './check-options';
import { DEFAULTS, type SimulateOptions, type StationIdentity } from './options';
import type { IdTokenEnum, StoppedReason } from './payloads';

export const SIMULATE_USAGE = `Usage: ocpp-csms simulate --url <ws(s)://host:port/path> [options]

  --url <url>              CSMS endpoint; stations connect to <url>/<identity> (required)
  --stations, -n <n>       number of simulated stations (default ${DEFAULTS.stations})
  --concurrency <n>        connection attempts in flight at once (default ${DEFAULTS.concurrency})
  --id-prefix <text>       identity prefix, identities are <prefix>00001… (default ${DEFAULTS.identityPrefix})
  --identity <id[:pw],…>   play exactly these stations (repeatable, comma-separated), each with
                           its own Basic-auth password after a colon, e.g.
                           --identity CP001:Demo-Password-CP001,CP002:Demo-Password-CP002
  --password <text>        Basic-auth password (username = identity)
  --ca <file>              PEM CA certificate(s) to trust for wss://
  --cert <file>            PEM client certificate (security profile 3)
  --key <file>             PEM client key (security profile 3)
  --id-token <text>        idToken to authorize with (default ${DEFAULTS.idToken})
  --id-token-type <type>   IdTokenEnumType of the token (default ${DEFAULTS.idTokenType})
  --meter-interval <ms>    time between meter values (default ${DEFAULTS.meterIntervalMs})
  --meter-updates <n>      TransactionEvent Updated per session (default ${DEFAULTS.meterUpdates})
  --session-delay <ms>     time between the boot and the session (the EV arriving) (default ${DEFAULTS.sessionDelayMs})
  --power <W>              charging power reported (default ${DEFAULTS.powerW})
  --stopped-reason <r>     stoppedReason of TransactionEvent Ended (default ${DEFAULTS.stoppedReason})
  --evses <n>              EVSEs per station, one connector each (default ${DEFAULTS.evses})
  --call-timeout <ms>      how long to wait for the CSMS to answer (default ${DEFAULTS.callTimeoutMs})
  --linger <ms>            stay connected after the session (default ${DEFAULTS.lingerMs});
                           Ctrl-C ends it early and still prints the summary
  --reconnect-attempts <n> reconnections after a lost connection, 0 for none (default ${DEFAULTS.reconnectAttempts})
  --reconnect-wait <ms>    first reconnection back-off, doubled up to 3 times (default ${DEFAULTS.reconnectWaitMs})
  --reconnect-random <ms>  random time added to each back-off (default ${DEFAULTS.reconnectRandomMs})
  --reboot-delay <ms>      time an accepted Reset keeps a station away before it boots again (default ${DEFAULTS.rebootDelayMs})
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
  sessionDelayMs: '--session-delay',
  powerW: '--power',
  stoppedReason: '--stopped-reason',
  evses: '--evses',
  callTimeoutMs: '--call-timeout',
  lingerMs: '--linger',
  identities: '--identity',
  reconnectAttempts: '--reconnect-attempts',
  reconnectWaitMs: '--reconnect-wait',
  reconnectRandomMs: '--reconnect-random',
  rebootDelayMs: '--reboot-delay',
};

const WHOLE_NUMBERS: ReadonlyArray<[flag: string, key: keyof SimulateOptions]> = [
  ['stations', 'stations'],
  ['concurrency', 'concurrency'],
  ['meter-interval', 'meterIntervalMs'],
  ['meter-updates', 'meterUpdates'],
  ['session-delay', 'sessionDelayMs'],
  ['evses', 'evses'],
  ['call-timeout', 'callTimeoutMs'],
  ['linger', 'lingerMs'],
  ['reconnect-attempts', 'reconnectAttempts'],
  ['reconnect-wait', 'reconnectWaitMs'],
  ['reconnect-random', 'reconnectRandomMs'],
  ['reboot-delay', 'rebootDelayMs'],
];

export function parseSimulateArgs(argv: readonly string[]): SimulateOptions | ConfigError {
  let values: Record<string, string | boolean | string[] | undefined>;
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
        'session-delay': { type: 'string' },
        power: { type: 'string' },
        'stopped-reason': { type: 'string' },
        evses: { type: 'string' },
        'call-timeout': { type: 'string' },
        linger: { type: 'string' },
        identity: { type: 'string', multiple: true },
        'reconnect-attempts': { type: 'string' },
        'reconnect-wait': { type: 'string' },
        'reconnect-random': { type: 'string' },
        'reboot-delay': { type: 'string' },
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
  if (Array.isArray(values.identity)) options.identities = identitiesOf(values.identity);

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

/**
 * `--identity CP001:pw1,CP002 --identity CP003:pw3` → the stations in order. An identity never
 * holds a colon (it is the Basic-auth user-id, OCPP-J Part 4 §3.1.1), so the first one ends it.
 */
function identitiesOf(values: readonly string[]): StationIdentity[] {
  return values
    .flatMap((value) => value.split(','))
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .map((item) => {
      const colon = item.indexOf(':');
      return colon < 0 ? { identity: item } : { identity: item.slice(0, colon), password: item.slice(colon + 1) };
    });
}
