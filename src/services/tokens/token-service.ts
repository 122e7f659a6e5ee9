/**
 * Tokens and authorization (OCPP 2.0.1 C01–C16): the token store (table `tokens`), the master
 * pass group per station (`auth_settings`), and the answers to Authorize and to the idToken of
 * a TransactionEvent (authorize.ts decides). Tokens come from the configuration file (written at
 * every start), the admin API and the CLI; every input is checked against the one token schema
 * (config.ts), so a bad one is an InvalidInputError naming the field.
 */
import type { IdTokenInfoType, IdTokenType } from '../../../schemas/types.generated';
import { InvalidInputError, NotFoundError } from '../../errors';
import { loggerFor } from '../../log';
import type { Store, SqlStatement, SqlValue, Ticket } from '../../store';
import {
  TOKEN_FIELDS,
  TOKEN_SCHEMA,
  type IdTokenKey,
  type PersonalMessage,
  type StandardCsmsConfig,
  type TokenInput,
  type TokenStatus,
} from '../config';
import { checkDateTime, checkInput } from '../validate';
import { decideAuthorization, type AuthorizationPurpose } from './authorize';
import { tokensFromCsv } from './csv';

const log = loggerFor('tokens');

/** A token as stored. */
export interface StoredToken extends IdTokenKey {
  readonly status: TokenStatus;
  readonly expiresAt?: string;
  readonly groupIdToken?: IdTokenKey;
  readonly language1?: string;
  readonly language2?: string;
  readonly personalMessage?: PersonalMessage;
  readonly evseIds?: readonly number[];
  readonly source: 'config' | 'api';
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface TokenFilter {
  readonly status?: TokenStatus;
  readonly type?: string;
  /** Tokens of this group (groupIdToken.idToken). */
  readonly group?: string;
  /** idToken starts with. */
  readonly prefix?: string;
  /** 1–1000, default 100. */
  readonly limit?: number;
  readonly offset?: number;
}

interface Row {
  id_token: string;
  type: string;
  status: string;
  expires_at: string | null;
  group_id_token: string | null;
  group_id_token_type: string | null;
  language1: string | null;
  language2: string | null;
  personal_message: string | null;
  evse_ids: string | null;
  source: string;
  created_at: string;
  updated_at: string;
}

const COLUMNS =
  'id_token, type, status, expires_at, group_id_token, group_id_token_type, language1, language2, personal_message, evse_ids, source, created_at, updated_at';

/** The PATCH body: every field optional, `null` removes an optional one. */
export type TokenChanges = { readonly [K in keyof Omit<TokenInput, 'idToken' | 'type'>]?: TokenInput[K] | null };

export interface TokenServiceOptions {
  /** The station's own AuthCtrlr.MasterPassGroupId (its device model), when it reported one. */
  readonly reportedMasterPassGroup?: (stationId: string) => Promise<string | undefined>;
  readonly now?: () => number;
}

/** Tokens remembered at most (found or not); past it the memory starts again empty. */
const MAX_REMEMBERED_TOKENS = 100_000;

export class TokenService {
  private readonly now: () => number;
  /**
   * Tokens as read from the store (null: not stored), so that an Authorize or a TransactionEvent
   * costs no SELECT. Only with SQLite, whose exclusive lock makes this process the only writer,
   * and only this class writes the table: every write empties it when it is handed to the store
   * and again when it settles, and a read that overlapped a write does not fill it.
   */
  private readonly remembered: Map<string, StoredToken | null> | undefined;
  /** Counts writes handed over and settled: a read fills `remembered` only if none happened meanwhile. */
  private writes = 0;

  constructor(
    private readonly store: Store,
    private readonly settings: StandardCsmsConfig['authorization'],
    private readonly options: TokenServiceOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.remembered = store.db.dialect === 'sqlite' ? new Map() : undefined;
  }

  // ---------------------------------------------------------------------------------------------
  // Checking input

  /** A token from the API, the file or an import, checked; `where` prefixes the field named. */
  check(value: unknown, where = ''): TokenInput {
    const token = checkInput<TokenInput>(TOKEN_SCHEMA, value, where);
    checkDateTime(token.expiresAt, where ? `${where}.expiresAt` : 'expiresAt');
    if (token.language2 !== undefined && token.language1 === undefined) {
      throw new InvalidInputError(where ? `${where}.language2` : 'language2', 'only with language1');
    }
    return token;
  }

  // ---------------------------------------------------------------------------------------------
  // Reading

  async get(key: IdTokenKey): Promise<StoredToken | undefined> {
    const name = `${key.type}\u0000${key.idToken}`;
    const known = this.remembered?.get(name);
    if (known !== undefined) return known ?? undefined;
    const writes = this.writes;
    const rows = await this.store.db.query<Row>(`SELECT ${COLUMNS} FROM tokens WHERE id_token = $1 AND type = $2`, [key.idToken, key.type]);
    const token = rows[0] ? fromRow(rows[0]) : undefined;
    if (this.remembered && writes === this.writes) {
      if (this.remembered.size >= MAX_REMEMBERED_TOKENS) this.remembered.clear();
      this.remembered.set(name, token ?? null);
    }
    return token;
  }

  async require(key: IdTokenKey): Promise<StoredToken> {
    const token = await this.get(key);
    if (!token) throw new NotFoundError('token', `${key.type}/${key.idToken}`);
    return token;
  }

  async list(filter: TokenFilter = {}): Promise<{ items: StoredToken[]; total: number }> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    const param = (value: SqlValue) => {
      params.push(value);
      return `$${params.length}`;
    };
    if (filter.status !== undefined) where.push(`status = ${param(filter.status)}`);
    if (filter.type !== undefined) where.push(`type = ${param(filter.type)}`);
    if (filter.group !== undefined) where.push(`group_id_token = ${param(filter.group)}`);
    // A prefix match without LIKE's wildcards (the token may contain % or _).
    if (filter.prefix !== undefined) where.push(`SUBSTR(id_token, 1, ${param(filter.prefix.length)}) = ${param(filter.prefix)}`);
    const clause = where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '';
    const countParams = [...params];
    const limit = Math.min(Math.max(filter.limit ?? 100, 1), 1000);
    const rows = await this.store.db.query<Row>(
      `SELECT ${COLUMNS} FROM tokens${clause} ORDER BY id_token, type LIMIT ${param(limit)} OFFSET ${param(filter.offset ?? 0)}`,
      params,
    );
    const count = await this.store.db.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM tokens${clause}`, countParams);
    return { items: rows.map(fromRow), total: Number(count[0]?.n ?? 0) };
  }

  /** Every token (for a Full local list). */
  async all(): Promise<StoredToken[]> {
    return (await this.store.db.query<Row>(`SELECT ${COLUMNS} FROM tokens ORDER BY id_token, type`)).map(fromRow);
  }

  // ---------------------------------------------------------------------------------------------
  // Writing (each returns the commit ticket; the admin API awaits it before answering)

  /** Create or replace one token (checked first). */
  put(value: unknown, source: 'config' | 'api' = 'api'): { token: TokenInput; ticket: Ticket } {
    const token = this.check(value);
    return { token, ticket: this.write([this.upsert(token, source)]) };
  }

  /** Change some fields of a stored token; `null` removes an optional field. */
  async patch(key: IdTokenKey, changes: unknown): Promise<StoredToken> {
    const current = await this.require(key);
    if (typeof changes !== 'object' || changes === null || Array.isArray(changes)) throw new InvalidInputError('(body)', 'must be an object');
    const merged: Record<string, unknown> = { ...inputOf(current) };
    for (const [name, value] of Object.entries(changes as Record<string, unknown>)) {
      if (!(name in TOKEN_FIELDS)) throw new InvalidInputError(name, 'unknown field (idToken and type are the token\u2019s key: put a new token instead)');
      if (value === null) delete merged[name];
      else merged[name] = value;
    }
    const token = this.check(merged);
    await this.write([this.upsert(token, current.source)]).promise;
    return this.require(key);
  }

  /** Forget a token; false when there was none. */
  async delete(key: IdTokenKey): Promise<boolean> {
    const existed = (await this.get(key)) !== undefined;
    if (existed) await this.write([{ sql: 'DELETE FROM tokens WHERE id_token = $1 AND type = $2', params: [key.idToken, key.type] }]).promise;
    return existed;
  }

  /**
   * Import many tokens in one commit: all of them, or (the first bad one named) none. Tokens
   * already stored with the same idToken and type are replaced.
   */
  import(values: readonly unknown[], source: 'config' | 'api' = 'api', where = 'tokens'): { count: number; ticket: Ticket } {
    const tokens = values.map((value, index) => this.check(value, `${where}[${index}]`));
    const keys = new Map<string, number>();
    tokens.forEach((token, index) => {
      const key = `${token.type}/${token.idToken}`;
      const first = keys.get(key);
      if (first !== undefined) throw new InvalidInputError(`${where}[${index}]`, `the same token as ${where}[${first}] (${key})`);
      keys.set(key, index);
    });
    return { count: tokens.length, ticket: this.write(tokens.map((token) => this.upsert(token, source))) };
  }

  /** Import a CSV text (csv.ts): all lines, or none with the first bad line named. */
  importCsv(text: string): { count: number; ticket: Ticket } {
    const lines = tokensFromCsv(text);
    const tokens = lines.map(({ line, token }) => {
      try {
        return this.check(token);
      } catch (error) {
        if (error instanceof InvalidInputError) throw new InvalidInputError(`line ${line}: ${error.field}`, error.reason);
        throw error;
      }
    });
    const seen = new Map<string, number>();
    lines.forEach(({ line, token }) => {
      const key = `${token.type}/${token.idToken}`;
      const first = seen.get(key);
      if (first !== undefined) throw new InvalidInputError(`line ${line}`, `the same token as line ${first} (${key})`);
      seen.set(key, line);
    });
    return { count: tokens.length, ticket: this.write(tokens.map((token) => this.upsert(token, 'api'))) };
  }

  /** Write the configuration file's tokens (at start): they replace stored ones of the same key. */
  provision(tokens: readonly TokenInput[]): Ticket {
    if (tokens.length === 0) return this.store.committer.write(undefined, []);
    const { count, ticket } = this.import(tokens, 'config', 'tokens');
    log.info('tokens provisioned from the configuration', { count });
    return ticket;
  }

  /** Hand a change of the tokens table to the store, forgetting what was remembered of it. */
  private write(statements: readonly SqlStatement[]): Ticket {
    const forget = () => {
      this.writes += 1;
      this.remembered?.clear();
    };
    forget();
    const ticket = this.store.committer.write(undefined, statements);
    // Committed or not, what the store holds now is read again.
    ticket.promise.then(forget, forget);
    return ticket;
  }

  private upsert(token: TokenInput, source: 'config' | 'api'): SqlStatement {
    const now = new Date(this.now()).toISOString();
    const v = <T>(x: T | undefined): SqlValue => (x === undefined ? null : (x as unknown as SqlValue));
    return {
      sql:
        `INSERT INTO tokens (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) ` +
        'ON CONFLICT (id_token, type) DO UPDATE SET status = excluded.status, expires_at = excluded.expires_at, ' +
        'group_id_token = excluded.group_id_token, group_id_token_type = excluded.group_id_token_type, language1 = excluded.language1, ' +
        'language2 = excluded.language2, personal_message = excluded.personal_message, evse_ids = excluded.evse_ids, ' +
        'source = excluded.source, updated_at = excluded.updated_at',
      params: [
        token.idToken,
        token.type,
        token.status ?? 'Accepted',
        v(token.expiresAt),
        v(token.groupIdToken?.idToken),
        v(token.groupIdToken?.type),
        v(token.language1),
        v(token.language2),
        token.personalMessage ? JSON.stringify(token.personalMessage) : null,
        token.evseIds ? JSON.stringify(token.evseIds) : null,
        source,
        now,
      ],
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Master pass (C16)

  /**
   * The station's master pass group: the one the operator set for it, else the one the station
   * reports (AuthCtrlr.MasterPassGroupId), else the operator's default, else the configuration's.
   */
  async masterPassGroup(stationId: string): Promise<string | undefined> {
    const rows = await this.store.db.query<{ station_id: string; master_pass_group_id: string | null }>(
      "SELECT station_id, master_pass_group_id FROM auth_settings WHERE station_id = $1 OR station_id = ''",
      [stationId],
    );
    const own = rows.find((r) => r.station_id === stationId)?.master_pass_group_id;
    if (own) return own;
    const reported = await this.options.reportedMasterPassGroup?.(stationId).catch(() => undefined);
    if (reported) return reported;
    return rows.find((r) => r.station_id === '')?.master_pass_group_id ?? this.settings.masterPassGroupId;
  }

  /** Set (or with undefined clear) the master pass group of a station, or with '' the default. */
  setMasterPassGroup(stationId: string, groupId: string | undefined): Ticket {
    if (groupId !== undefined && (groupId.length < 1 || groupId.length > 36)) throw new InvalidInputError('masterPassGroupId', 'from 1 to 36 characters');
    return this.store.committer.write(undefined, [
      groupId === undefined
        ? { sql: 'DELETE FROM auth_settings WHERE station_id = $1', params: [stationId] }
        : {
            sql:
              'INSERT INTO auth_settings (station_id, master_pass_group_id, updated_at) VALUES ($1, $2, $3) ' +
              'ON CONFLICT (station_id) DO UPDATE SET master_pass_group_id = excluded.master_pass_group_id, updated_at = excluded.updated_at',
            params: [stationId, groupId, new Date(this.now()).toISOString()],
          },
    ]);
  }

  // ---------------------------------------------------------------------------------------------
  // Authorization

  /** The idTokenInfo to answer an Authorize or a TransactionEvent's idToken with. */
  async authorize(stationId: string, idToken: IdTokenType, situation: { purpose: AuthorizationPurpose; evseId?: number }): Promise<IdTokenInfoType> {
    const token = idToken.type === 'NoAuthorization' ? undefined : await this.get({ idToken: idToken.idToken, type: idToken.type });
    const masterPassGroupId = token?.groupIdToken ? await this.masterPassGroup(stationId) : undefined;
    const info = decideAuthorization({ idToken, token, now: this.now(), purpose: situation.purpose, evseId: situation.evseId, masterPassGroupId, settings: this.settings });
    log.debug('idToken answered', { station: stationId, type: idToken.type, purpose: situation.purpose, status: info.status });
    return info;
  }
}

function fromRow(row: Row): StoredToken {
  return {
    idToken: row.id_token,
    type: row.type as StoredToken['type'],
    status: row.status as TokenStatus,
    ...(row.expires_at !== null ? { expiresAt: row.expires_at } : {}),
    ...(row.group_id_token !== null ? { groupIdToken: { idToken: row.group_id_token, type: (row.group_id_token_type ?? 'Central') as IdTokenKey['type'] } } : {}),
    ...(row.language1 !== null ? { language1: row.language1 } : {}),
    ...(row.language2 !== null ? { language2: row.language2 } : {}),
    ...(row.personal_message !== null ? { personalMessage: JSON.parse(row.personal_message) as PersonalMessage } : {}),
    ...(row.evse_ids !== null ? { evseIds: JSON.parse(row.evse_ids) as number[] } : {}),
    source: row.source === 'config' ? 'config' : 'api',
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** A stored token as input again (for a patch). */
export function inputOf(token: StoredToken): TokenInput {
  const { source: _source, createdAt: _created, updatedAt: _updated, ...input } = token;
  return input;
}
