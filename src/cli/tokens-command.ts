/**
 * `ocpp-csms tokens list|add|remove|import`: the standard CSMS's tokens (OCPP 2.0.1 C01–C16) in
 * the store the configuration's `storage` section names (the embedded default's without
 * --config), for operators who prefer a shell to the admin API. A SQLite store is held by a
 * running server: stop it first, or use the admin API (`/api/tokens`). PostgreSQL can be shared.
 *
 * Input is checked against the same token schema as the configuration file and the admin API:
 * a bad value, or a bad line of an import, ends the command with exit 2 naming the field or the
 * line, and an import is all or nothing.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { readConfigFile } from '../config/load';
import { storageConfigOf } from '../config/storage';
import { InvalidInputError, describeCause } from '../errors';
import { configureLogging } from '../log';
import { TokenService } from '../services';
import type { TokenFilter } from '../services';
import { openStore } from '../store';
import { embeddedConfigPath } from './embedded';

export const TOKENS_USAGE = `Usage:
  ocpp-csms tokens list   [--config <file>] [--status <s>] [--type <t>] [--group <g>] [--prefix <p>] [--limit <n>]
  ocpp-csms tokens add    [--config <file>] --id-token <id> [--type ISO14443] [--status Accepted]
                          [--expires-at <RFC 3339>] [--group <groupIdToken>] [--group-type Central]
                          [--language <code>] [--evse <id,id>]
  ocpp-csms tokens remove [--config <file>] --id-token <id> [--type ISO14443]
  ocpp-csms tokens import [--config <file>] --file <tokens.csv | tokens.json>

  Tokens are kept in the store of the configuration's storage section. A running server holds a
  SQLite store: stop it first, or use the admin API (/api/tokens). An import is all or nothing:
  the first bad line (CSV: idToken,type,status,expiresAt,groupIdToken,groupIdTokenType,language1,
  language2,personalMessage,evseIds) or entry (JSON: an array of tokens) is named, nothing is kept.`;

export interface TokensOutput {
  out(line: string): void;
  err(line: string): void;
}

export async function tokensCommand(argv: readonly string[], output: TokensOutput): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb !== 'list' && verb !== 'add' && verb !== 'remove' && verb !== 'import') {
    output.err(`ocpp-csms tokens: unknown command ${JSON.stringify(verb)}\n${TOKENS_USAGE}`);
    return 2;
  }
  const { values } = parseArgs({
    args: [...rest],
    strict: true,
    allowPositionals: false,
    options: {
      config: { type: 'string', short: 'c' },
      'id-token': { type: 'string' },
      type: { type: 'string' },
      status: { type: 'string' },
      'expires-at': { type: 'string' },
      group: { type: 'string' },
      'group-type': { type: 'string' },
      language: { type: 'string' },
      evse: { type: 'string' },
      prefix: { type: 'string' },
      limit: { type: 'string' },
      file: { type: 'string' },
    },
  });
  const path = values.config ?? embeddedConfigPath();
  const config = readConfigFile(path);
  configureLogging({ level: 'warn' });
  const store = await openStore(storageConfigOf(config, path));
  try {
    const tokens = new TokenService(store, config.authorization);
    switch (verb) {
      case 'list': {
        const limit = values.limit === undefined ? 1000 : Number(values.limit);
        const filter: TokenFilter = { status: values.status as TokenFilter['status'], type: values.type, group: values.group, prefix: values.prefix, limit };
        const { items, total } = await tokens.list(filter);
        output.out(['idToken', 'type', 'status', 'expiresAt', 'group', 'source'].join('\t'));
        for (const t of items) output.out([t.idToken, t.type, t.status, t.expiresAt ?? '-', t.groupIdToken?.idToken ?? '-', t.source].join('\t'));
        output.out(`${items.length} of ${total} token${total === 1 ? '' : 's'}`);
        return 0;
      }
      case 'add': {
        const token = {
          idToken: required(values['id-token'], '--id-token'),
          type: values.type ?? 'ISO14443',
          ...(values.status !== undefined ? { status: values.status } : {}),
          ...(values['expires-at'] !== undefined ? { expiresAt: values['expires-at'] } : {}),
          ...(values.group !== undefined ? { groupIdToken: { idToken: values.group, type: values['group-type'] ?? 'Central' } } : {}),
          ...(values.language !== undefined ? { language1: values.language } : {}),
          ...(values.evse !== undefined ? { evseIds: values.evse.split(',').map((id) => (/^\d+$/.test(id.trim()) ? Number(id) : id)) } : {}),
        };
        const { token: stored, ticket } = tokens.put(token);
        await ticket.promise;
        output.out(`token ${stored.type}/${stored.idToken} stored (${stored.status ?? 'Accepted'})`);
        return 0;
      }
      case 'remove': {
        const key = { idToken: required(values['id-token'], '--id-token'), type: (values.type ?? 'ISO14443') as 'ISO14443' };
        if (!(await tokens.delete(key))) {
          output.err(`ocpp-csms tokens: no token ${key.type}/${key.idToken}`);
          return 1;
        }
        output.out(`token ${key.type}/${key.idToken} removed`);
        return 0;
      }
      case 'import': {
        const file = required(values.file, '--file');
        let text: string;
        try {
          text = readFileSync(file, 'utf8');
        } catch (error) {
          throw new InvalidInputError('--file', `cannot read ${file}: ${describeCause(error)}`);
        }
        const { count, ticket } = /\.json$/i.test(file) ? tokens.import(parseJsonArray(text, file)) : tokens.importCsv(text);
        await ticket.promise;
        output.out(`${count} token${count === 1 ? '' : 's'} imported`);
        return 0;
      }
    }
  } catch (error) {
    if (error instanceof InvalidInputError) {
      output.err(`ocpp-csms tokens: ${error.message}`);
      return 2;
    }
    throw error;
  } finally {
    await store.close();
  }
}

function required(value: string | undefined, option: string): string {
  if (value === undefined) throw new InvalidInputError(option, 'required');
  return value;
}

function parseJsonArray(text: string, file: string): unknown[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidInputError(file, `not JSON (${describeCause(error)})`);
  }
  if (!Array.isArray(value)) throw new InvalidInputError(file, 'a JSON array of tokens');
  return value;
}
