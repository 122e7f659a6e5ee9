/**
 * `ocpp-csms station add|remove|list --config <file>`: the station registry kept in the
 * configuration file. `add` hashes the password it is given (or generates one and prints it
 * once), so the file never holds a plain password; the edited file is validated against the
 * schema before it replaces the old one (written to a temporary file, then renamed).
 */
import { randomInt } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseConfig, readConfigJson } from '../config/load';
import type { StationConfig } from '../config/schema';
import { ConfigError } from '../errors';
import { checkPassword, hashPassword } from '../server/credentials';

export const STATION_USAGE = `Usage:
  ocpp-csms station list   --config <file>
  ocpp-csms station add    --config <file> --id <identity> [--profile 0|1|2|3]
                           [--password <pw> | --password-env <VAR> | --generate-password]
                           [--evse <n>] [--handler <name|path>] [--handler-args <json>]
  ocpp-csms station remove --config <file> --id <identity>

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
      const profile = values.profile === undefined ? config.defaults.securityProfile : Number(values.profile);
      if (![0, 1, 2, 3].includes(profile)) throw new ConfigError('--profile', values.profile, 'allowed: 0, 1, 2, 3');
      const entry: Record<string, unknown> = { id };
      if (values.profile !== undefined) entry.securityProfile = profile;
      let generated: string | undefined;
      let password = values.password ?? (values['password-env'] !== undefined ? process.env[values['password-env']] : undefined);
      if (values['password-env'] !== undefined && password === undefined) {
        throw new ConfigError('--password-env', values['password-env'], 'the name of a set environment variable');
      }
      if (password === undefined && values['generate-password']) password = generated = generatePassword();
      if (password !== undefined) {
        const check = checkPassword(password);
        if (!check.ok) throw new ConfigError('--password', '[redacted]', check.message);
        entry.passwordHash = await hashPassword(password);
      } else if (profile === 1 || profile === 2) {
        throw new ConfigError('--password', undefined, `a password for security profile ${profile} (--password, --password-env or --generate-password)`);
      }
      if (values.evse !== undefined) entry.evse = Number(values.evse);
      if (values.handler !== undefined) entry.handler = values.handler;
      if (values['handler-args'] !== undefined) {
        try {
          entry.handlerArgs = JSON.parse(values['handler-args']) as unknown;
        } catch {
          throw new ConfigError('--handler-args', values['handler-args'], 'JSON');
        }
      }
      write(path, { ...json, stations: [...stations, entry] });
      output.out(`added ${id} (security profile ${profile})`);
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

/** Validate the edited document, then replace the file atomically. */
function write(path: string, json: Record<string, unknown>): void {
  parseConfig(json);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(json, null, 2) + '\n', { mode: 0o600 });
  renameSync(temporary, path);
}

const PASSWORD_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789*-_=+|@.';

function generatePassword(length = 24): string {
  let text = '';
  for (let i = 0; i < length; i++) text += PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)];
  return text;
}
