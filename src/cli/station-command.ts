/**
 * `ocpp-csms station add|remove|list --config <file>`: the station registry kept in the
 * configuration file. `add` hashes the password it is given (or generates one and prints it
 * once), so the file never holds a plain password, and checks the new station by the rules the
 * loader and the admin API apply (src/config/station-rules.ts), its handler module included;
 * the edited file is validated against the schema before it replaces the old one (written to a
 * temporary file with the old file's mode, flushed, then renamed over it).
 */
import { randomInt } from 'node:crypto';
import { chmodSync, closeSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { loadHandler } from '../config/handlers';
import { parseConfig, readConfigJson } from '../config/load';
import type { StationConfig } from '../config/schema';
import { checkNewStation, type StationProblem } from '../config/station-rules';
import { ConfigError } from '../errors';
import { hashPassword } from '../server/credentials';

export const STATION_USAGE = `Usage:
  ocpp-csms station list   --config <file>
  ocpp-csms station add    --config <file> --id <identity> [--profile 0|1|2|3]
                           [--password <pw> | --password-env <VAR> | --generate-password]
                           [--evse <n>] [--handler <name|path>] [--handler-args <json>]
  ocpp-csms station remove --config <file> --id <identity>

  The station is checked as the server and the admin API check it: --evse 1 to 64; profiles
  0 and 3 take no password; --handler is a shipped handler (accept-all, allow-list) or a
  module path relative to the configuration file, loaded now to check it and --handler-args.

  Passwords: 16-40 characters of letters, digits and * - _ = + | @ . (OCPP 2.0.1
  BasicAuthPassword); stored only as a salted scrypt hash. Profiles 1 and 2 need one;
  without --password/--password-env, --generate-password draws a random 24-character one
  and prints it once.`;

export interface Output {
  out(line: string): void;
}

export async function stationCommand(argv: readonly string[], output: Output): Promise<number> {
  const [verb, ...rest] = argv;
  const { values } = parseArgs({
    args: [...rest],
    strict: true,
    allowPositionals: false,
    options: {
      config: { type: 'string' },
      id: { type: 'string' },
      profile: { type: 'string' },
      password: { type: 'string' },
      'password-env': { type: 'string' },
      'generate-password': { type: 'boolean' },
      evse: { type: 'string' },
      handler: { type: 'string' },
      'handler-args': { type: 'string' },
    },
  });
  if (!values.config) throw new ConfigError('--config', undefined, 'the configuration file to edit (the embedded default is read-only)');
  const path = values.config;
  const json = readConfigJson(path) as Record<string, unknown>;
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ConfigError('(root)', json, 'a JSON object');
  const config = parseConfig(json);
  const stations = Array.isArray(json.stations) ? (json.stations as StationConfig[]) : [];

  switch (verb) {
    case 'list': {
      for (const station of config.stations) {
        const profile = station.securityProfile ?? config.defaults.securityProfile;
        const credentials = station.passwordHash ? 'password (hashed)' : station.password ? 'password (PLAIN TEXT: re-add it to hash it)' : 'no password';
        output.out(`${station.id}\tprofile ${profile}\t${credentials}\thandler ${station.handler ?? config.defaults.handler}`);
      }
      return 0;
    }
    case 'add': {
      const id = required(values.id, '--id');
      if (config.stations.some((s) => s.id === id)) throw new ConfigError('--id', id, 'an identity not yet in the file (remove it first)');
      const profile = values.profile === undefined ? config.defaults.securityProfile : wholeNumber(values.profile, '--profile');
      const entry: Record<string, unknown> = { id };
      if (values.profile !== undefined) entry.securityProfile = profile;
      let generated: string | undefined;
      let password = values.password ?? (values['password-env'] !== undefined ? process.env[values['password-env']] : undefined);
      if (values['password-env'] !== undefined && password === undefined) {
        throw new ConfigError('--password-env', values['password-env'], 'the name of a set environment variable');
      }
      if (password === undefined && values['generate-password']) password = generated = generatePassword();
      const evse = values.evse === undefined ? undefined : wholeNumber(values.evse, '--evse');
      let handlerArgs: unknown;
      if (values['handler-args'] !== undefined) {
        try {
          handlerArgs = JSON.parse(values['handler-args']) as unknown;
        } catch {
          throw new ConfigError('--handler-args', values['handler-args'], 'JSON');
        }
      }
      // Loading the module is what the server will do at start: a path that is wrong or a module
      // that is no handler is refused now, not when the server next starts (HandlerModuleError).
      const reference = values.handler ?? config.defaults.handler;
      const handler = loadHandler(reference, dirname(path));
      const problem = checkNewStation({
        id,
        securityProfile: profile,
        password,
        evse,
        handler,
        handlerArgs: handlerArgs ?? (reference === config.defaults.handler ? config.defaults.handlerArgs : {}),
      });
      if (problem) throw flagError(problem, values['password-env'] !== undefined && values.password === undefined);
      if (password !== undefined) entry.passwordHash = await hashPassword(password);
      if (evse !== undefined) entry.evse = evse;
      if (values.handler !== undefined) entry.handler = values.handler;
      if (handlerArgs !== undefined) entry.handlerArgs = handlerArgs;
      write(path, { ...json, stations: [...stations, entry] });
      output.out(`added ${id} (security profile ${profile})`);
      // The server warns about it at every start; say it now, while the operator is here.
      if ((profile === 2 || profile === 3) && !config.listeners.some((l) => l.tls !== undefined)) {
        output.out(`warning: ${id} can never connect until the configuration has a TLS (wss://) listener: security profile ${profile} needs one`);
      }
      if (generated) output.out(`password for ${id}: ${generated}  (shown once; configure it in the charger as SecurityCtrlr.BasicAuthPassword)`);
      return 0;
    }
    case 'remove': {
      const id = required(values.id, '--id');
      const remaining = stations.filter((s) => s.id !== id);
      if (remaining.length === stations.length) throw new ConfigError('--id', id, 'an identity present in the file');
      write(path, { ...json, stations: remaining });
      output.out(`removed ${id}`);
      return 0;
    }
    default:
      throw new ConfigError('station', verb, 'one of add, remove, list');
  }
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new ConfigError(flag, value, 'required');
  return value;
}

/** A whole number given as a flag's value (`--evse 2`); anything else names the flag. */
function wholeNumber(text: string, flag: string): number {
  if (!/^\d{1,9}$/.test(text)) throw new ConfigError(flag, text, 'a whole number');
  return Number(text);
}

/** The flag a StationProblem's field was given with. */
const FLAG_OF: Readonly<Record<string, string>> = {
  id: '--id',
  securityProfile: '--profile',
  password: '--password',
  evse: '--evse',
  handlerArgs: '--handler-args',
};

function flagError(problem: StationProblem, passwordFromEnv: boolean): ConfigError {
  const [head = '', ...rest] = problem.field.split(/(?=[.[])/);
  let flag = FLAG_OF[head] ?? `--${head}`;
  if (flag === '--password' && passwordFromEnv) flag = '--password-env';
  const inner = rest.join('').replace(/^\./, '');
  return new ConfigError(inner === '' ? flag : `${flag} ${inner}`, problem.value, problem.allowed);
}

/**
 * Validate the edited document, then replace the file atomically: a temporary file beside it,
 * with the old file's permission bits (a 0644 file stays 0644), flushed to disk, renamed over it.
 */
function write(path: string, json: Record<string, unknown>): void {
  parseConfig(json);
  const mode = statSync(path).mode & 0o777;
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'wx', mode);
  try {
    try {
      writeSync(fd, JSON.stringify(json, null, 2) + '\n');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    // openSync's mode is filtered through the umask; the old file's bits are what the operator chose.
    chmodSync(temporary, mode);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

const PASSWORD_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789*-_=+|@.';

function generatePassword(length = 24): string {
  let text = '';
  for (let i = 0; i < length; i++) text += PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)];
  return text;
}
