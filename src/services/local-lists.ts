/**
 * Local authorization lists (OCPP 2.0.1 D01–D04). Per station, the CSMS keeps the version it
 * last sent and the entries the station holds since (`local_list_versions`,
 * `local_list_entries`), so it can push the current token set as a Full list, or as a
 * Differential update of what changed since (D02: an entry without idTokenInfo removes the
 * token), each with the next version number; and reconcile with GetLocalListVersion (D01).
 * Calls go through the station's own call API (the core's queue), never around it.
 *
 * A list larger than the station takes in one SendLocalListRequest (its device model's
 * LocalAuthListCtrlr.ItemsPerMessage and BytesPerMessage, Part 2 Appendix 3 §3.1.10) is sent as
 * several messages, one after the other: the first with the update type asked for (a Full one
 * replaces the station's list), the rest Differential with the same version number, so the
 * station ends with the whole list under one version. What each accepted message carried is
 * recorded before the next is sent: when a later one is refused, the CSMS knows what the station
 * holds, and the next Differential update sends the rest.
 */
import type { AuthorizationData, IdTokenInfoType } from '../../schemas/types.generated';
import type { StationCalls } from '../events/contract';
import { loggerFor } from '../log';
import type { SqlStatement, Store } from '../store';
import type { TokenService, StoredToken } from './tokens/token-service';

const log = loggerFor('local-lists');

export interface LocalListState {
  readonly stationId: string;
  /** The version the CSMS last sent and the station accepted (0: none). */
  readonly version: number;
  readonly sentAt?: string;
  /** What the station answered GetLocalListVersion last time, and when. */
  readonly stationVersion?: number;
  readonly checkedAt?: string;
  /** Entries the station holds, as far as the CSMS knows. */
  readonly entries: number;
}

export interface SendOutcome {
  /** The SendLocalList answer, or `Unchanged` when a Differential update had nothing to send. */
  readonly status: 'Accepted' | 'Failed' | 'VersionMismatch' | 'Unchanged';
  readonly updateType: 'Full' | 'Differential';
  readonly version: number;
  /** Entries sent (added, changed or removed). */
  readonly sent: number;
  /**
   * When the list needed more than one message (the station's ItemsPerMessage or BytesPerMessage):
   * how many were sent, the refused one included.
   */
  readonly messages?: number;
}

/** The station's limits on one SendLocalListRequest (LocalAuthListCtrlr), as far as known. */
export interface LocalListLimits {
  /** LocalAuthListCtrlr.ItemsPerMessage: entries per message. */
  readonly itemsPerMessage?: number;
  /** LocalAuthListCtrlr.BytesPerMessage: bytes of the message (the whole OCPP-J frame is counted). */
  readonly bytesPerMessage?: number;
}

export interface LocalListServiceOptions {
  /** The station's limits (read from its device model); none known: one message. */
  readonly limitsOf?: (stationId: string) => Promise<LocalListLimits>;
}

/** The bytes of a SendLocalList CALL frame around `payload` (a message id of 36 characters, as the core's UUIDs). */
export function sendLocalListFrameBytes(payload: unknown): number {
  return Buffer.byteLength(JSON.stringify([2, '00000000-0000-0000-0000-000000000000', 'SendLocalList', payload]), 'utf8');
}

/**
 * `list` cut into consecutive parts that each fit the limits: at most `itemsPerMessage` entries,
 * and a frame of at most `bytesPerMessage` bytes, `overheadBytes` being the frame's size with an
 * empty list (an entry too large on its own goes alone: it cannot be sent in fewer bytes). Order
 * is kept; an empty list is one empty part.
 */
export function splitLocalList(list: readonly AuthorizationData[], limits: LocalListLimits, overheadBytes = 0): AuthorizationData[][] {
  const items = usableLimit(limits.itemsPerMessage);
  const bytes = usableLimit(limits.bytesPerMessage);
  if (items === undefined && bytes === undefined) return [[...list]];
  const parts: AuthorizationData[][] = [];
  let part: AuthorizationData[] = [];
  // The frame grows by each entry's JSON and a comma: counted as it goes, never re-serialised.
  let size = overheadBytes;
  for (const entry of list) {
    const entryBytes = Buffer.byteLength(JSON.stringify(entry), 'utf8');
    const grown = size + entryBytes + (part.length > 0 ? 1 : 0);
    if (part.length > 0 && ((items !== undefined && part.length >= items) || (bytes !== undefined && grown > bytes))) {
      parts.push(part);
      part = [];
      size = overheadBytes;
    }
    size += entryBytes + (part.length > 0 ? 1 : 0);
    part.push(entry);
  }
  parts.push(part);
  return parts;
}

/**
 * The station's limits as its device model has them (LocalAuthListCtrlr.ItemsPerMessage and
 * BytesPerMessage, Part 2 Appendix 3 §3.1.10); a variable it does not report is no limit.
 */
export function deviceModelLimits(
  lookup: (stationId: string, component: string, variable: string) => Promise<string | undefined>,
): (stationId: string) => Promise<LocalListLimits> {
  const read = (stationId: string, variable: string) =>
    lookup(stationId, 'LocalAuthListCtrlr', variable).then(
      (value) => (value !== undefined && /^\s*\d+\s*$/.test(value) ? Number(value) : undefined),
      () => undefined,
    );
  return async (stationId) => {
    const [itemsPerMessage, bytesPerMessage] = await Promise.all([read(stationId, 'ItemsPerMessage'), read(stationId, 'BytesPerMessage')]);
    return { itemsPerMessage, bytesPerMessage };
  };
}

/** A positive integer limit, or undefined (absent, unparsable or not positive: no limit). */
function usableLimit(value: number | undefined): number | undefined {
  return value !== undefined && Number.isInteger(value) && value > 0 ? value : undefined;
}

/** What the station's list holds of one token: its idTokenInfo as sent (no per-use decisions). */
export function listEntryOf(token: StoredToken): IdTokenInfoType {
  return {
    status: token.status,
    ...(token.expiresAt !== undefined ? { cacheExpiryDateTime: token.expiresAt } : {}),
    ...(token.groupIdToken ? { groupIdToken: { ...token.groupIdToken } } : {}),
    ...(token.language1 !== undefined ? { language1: token.language1 } : {}),
    ...(token.language1 !== undefined && token.language2 !== undefined ? { language2: token.language2 } : {}),
    ...(token.personalMessage ? { personalMessage: { ...token.personalMessage } } : {}),
    ...(token.evseIds ? { evseId: [...token.evseIds] } : {}),
  };
}

const keyOf = (t: { idToken: string; type: string }) => `${t.type}\u0000${t.idToken}`;

export class LocalListService {
  constructor(
    private readonly store: Store,
    private readonly tokens: TokenService,
    private readonly callsFor: (stationId: string) => StationCalls,
    private readonly options: LocalListServiceOptions = {},
  ) {}

  /** The station's limits; a lookup that fails counts as no limit (logged). */
  private async limitsOf(stationId: string): Promise<LocalListLimits> {
    if (!this.options.limitsOf) return {};
    try {
      return await this.options.limitsOf(stationId);
    } catch (error) {
      log.warn('the station\u2019s local list limits could not be read; sending the list in one message', { station: stationId, reason: String(error) });
      return {};
    }
  }

  async state(stationId: string): Promise<LocalListState> {
    const rows = await this.store.db.query<{ version: number; sent_at: string | null; station_version: number | null; checked_at: string | null }>(
      'SELECT version, sent_at, station_version, checked_at FROM local_list_versions WHERE station_id = $1',
      [stationId],
    );
    const count = await this.store.db.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM local_list_entries WHERE station_id = $1', [stationId]);
    const row = rows[0];
    return {
      stationId,
      version: row ? Number(row.version) : 0,
      ...(row?.sent_at ? { sentAt: row.sent_at } : {}),
      ...(row?.station_version !== null && row?.station_version !== undefined ? { stationVersion: Number(row.station_version) } : {}),
      ...(row?.checked_at ? { checkedAt: row.checked_at } : {}),
      entries: Number(count[0]?.n ?? 0),
    };
  }

  /** Ask the station its list version (D01) and record it. */
  async checkVersion(stationId: string): Promise<LocalListState & { inSync: boolean }> {
    const answer = await this.callsFor(stationId).call('GetLocalListVersion', {});
    const now = new Date().toISOString();
    await this.store.committer.write(stationId, [
      {
        sql:
          'INSERT INTO local_list_versions (station_id, version, station_version, checked_at) VALUES ($1, 0, $2, $3) ' +
          'ON CONFLICT (station_id) DO UPDATE SET station_version = excluded.station_version, checked_at = excluded.checked_at',
        params: [stationId, answer.versionNumber, now],
      },
    ]).promise;
    const state = await this.state(stationId);
    return { ...state, inSync: state.version === answer.versionNumber };
  }

  /**
   * Push the current token set: `Full` replaces the station's list; `Differential` sends what
   * changed since the last accepted push (nothing to send: `Unchanged`, no call). The version
   * is the last accepted one plus one; it is kept only when the station accepts.
   */
  async send(stationId: string, updateType: 'Full' | 'Differential'): Promise<SendOutcome> {
    const current = new Map((await this.tokens.all()).map((t) => [keyOf(t), { token: t, info: listEntryOf(t) }]));
    const state = await this.state(stationId);
    const version = state.version + 1;
    let list: AuthorizationData[];
    if (updateType === 'Full') {
      list = [...current.values()].map(({ token, info }) => ({ idToken: { idToken: token.idToken, type: token.type }, idTokenInfo: info }));
    } else {
      const held = await this.store.db.query<{ id_token: string; type: string; info: string }>(
        'SELECT id_token, type, info FROM local_list_entries WHERE station_id = $1',
        [stationId],
      );
      const heldByKey = new Map(held.map((row) => [keyOf({ idToken: row.id_token, type: row.type }), row]));
      list = [];
      for (const [key, { token, info }] of current) {
        if (heldByKey.get(key)?.info !== JSON.stringify(info)) list.push({ idToken: { idToken: token.idToken, type: token.type }, idTokenInfo: info });
      }
      // D02: an entry without idTokenInfo takes the token off the station's list.
      for (const [key, row] of heldByKey) if (!current.has(key)) list.push({ idToken: { idToken: row.id_token, type: row.type as AuthorizationData['idToken']['type'] } });
      if (list.length === 0) return { status: 'Unchanged', updateType, version: state.version, sent: 0 };
    }
    const envelope = (part: readonly AuthorizationData[], type: 'Full' | 'Differential') => ({
      versionNumber: version,
      updateType: type,
      ...(part.length > 0 ? { localAuthorizationList: [...part] } : {}),
    });
    // The longer update type and an empty list: the frame around the entries, for every part.
    const overhead = sendLocalListFrameBytes({ versionNumber: version, updateType: 'Differential', localAuthorizationList: [] });
    const parts = splitLocalList(list, await this.limitsOf(stationId), overhead);
    // Said only when the list took more than one message: how many went to the station.
    const messages = (count: number) => (parts.length > 1 ? { messages: count } : {});
    let recorded = state.version;
    let sent = 0;
    for (const [index, part] of parts.entries()) {
      // D01/D02: the first message as asked; the rest add to it, under the same version.
      const type = index === 0 ? updateType : 'Differential';
      const answer = await this.callsFor(stationId).call('SendLocalList', envelope(part, type));
      sent += part.length;
      log.info('local list sent', { station: stationId, updateType: type, version, entries: part.length, part: index + 1, parts: parts.length, status: answer.status });
      if (answer.status !== 'Accepted') return { status: answer.status, updateType, version: recorded, sent, ...messages(index + 1) };
      await this.record(stationId, version, type, part);
      recorded = version;
    }
    return { status: 'Accepted', updateType, version, sent, ...messages(parts.length) };
  }

  /** What an accepted SendLocalList carried: the version, and the entries the station now holds. */
  private async record(stationId: string, version: number, updateType: 'Full' | 'Differential', list: readonly AuthorizationData[]): Promise<void> {
    const now = new Date().toISOString();
    const statements: SqlStatement[] = [
      {
        sql:
          'INSERT INTO local_list_versions (station_id, version, sent_at, station_version, checked_at) VALUES ($1, $2, $3, $2, $3) ' +
          'ON CONFLICT (station_id) DO UPDATE SET version = excluded.version, sent_at = excluded.sent_at, station_version = excluded.station_version, checked_at = excluded.checked_at',
        params: [stationId, version, now],
      },
    ];
    if (updateType === 'Full') statements.push({ sql: 'DELETE FROM local_list_entries WHERE station_id = $1', params: [stationId] });
    for (const entry of list) {
      statements.push(
        entry.idTokenInfo
          ? {
              sql:
                'INSERT INTO local_list_entries (station_id, id_token, type, info) VALUES ($1, $2, $3, $4) ' +
                'ON CONFLICT (station_id, id_token, type) DO UPDATE SET info = excluded.info',
              params: [stationId, entry.idToken.idToken, entry.idToken.type, JSON.stringify(entry.idTokenInfo)],
            }
          : { sql: 'DELETE FROM local_list_entries WHERE station_id = $1 AND id_token = $2 AND type = $3', params: [stationId, entry.idToken.idToken, entry.idToken.type] },
      );
    }
    await this.store.committer.write(stationId, statements).promise;
  }

  /** Check the station's version; when it differs from the CSMS's, send a Full list. */
  async reconcile(stationId: string): Promise<{ checked: LocalListState & { inSync: boolean }; sent?: SendOutcome }> {
    const checked = await this.checkVersion(stationId);
    if (checked.inSync) return { checked };
    return { checked, sent: await this.send(stationId, 'Full') };
  }
}
