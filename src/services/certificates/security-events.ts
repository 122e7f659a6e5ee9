/**
 * Security events (OCPP 2.0.1 A04, Part 2 Appendix 1): those a station pushes with
 * SecurityEventNotification, and the CSMS's own (a signing request refused, a Basic-auth
 * password rotated ...), kept in one table (`security_events`, migration 3) and listed newest
 * first, per station and by type, for the admin API.
 *
 * A station's event is committed before it is acknowledged (DESIGN.md §7: the caller awaits the
 * ticket). Events Appendix 1 marks critical are logged at warn, the others at info; `techInfo`
 * is the station's free text (at most 255 characters by the schema) and is stored as sent.
 *
 * Retention (the configuration's `securityEvents` section): at most `maxEvents` events are kept
 * and none received more than `maxAgeDays` ago. The oldest go first, in the same commit as an
 * insert: the first one after the start and then every `pruneEvery`-th (so between two prunes
 * the table may hold up to `pruneEvery - 1` events more than `maxEvents`), and at provisioning.
 * A station that floods SecurityEventNotification cannot grow the table without bound.
 */
import type { RequestOf } from '../../../schemas/actions';
import { InvalidInputError } from '../../errors';
import { loggerFor } from '../../log';
import type { SqlStatement, Store, Ticket } from '../../store';

const log = loggerFor('security-events');

/** Appendix 1's events marked critical (a station must push them). */
const CRITICAL = new Set([
  'FirmwareUpdated',
  'SettingSystemTime',
  'StartupOfTheDevice',
  'ResetOrReboot',
  'SecurityLogWasCleared',
  'MemoryExhaustion',
  'TamperDetectionActivated',
  'InvalidCsmsCertificate',
  'InvalidChargingStationCertificate',
  'InvalidTLSVersion',
  'InvalidTLSCipherSuite',
  'MaintenanceLoginAccepted',
  'MaintenanceLoginFailed',
]);

/** The CSMS's own event types (not in Appendix 1, which lists what stations report). */
export type CsmsSecurityEventType =
  | 'CsrRejected'
  | 'CertificateSignedRejected'
  | 'BasicAuthPasswordRotated'
  | 'BasicAuthPasswordRotationRejected';

export interface SecurityEvent {
  readonly id: number;
  readonly stationId: string;
  /** `station`: pushed by the station; `csms`: recorded by the CSMS itself. */
  readonly source: 'station' | 'csms';
  readonly type: string;
  /** When it happened (the station's timestamp for its own events). */
  readonly timestamp: string;
  readonly techInfo?: string;
  readonly receivedAt: string;
}

export interface SecurityEventFilter {
  readonly stationId?: string;
  readonly type?: string;
  /** 1 to 1000, default 100. */
  readonly limit?: number;
  /** Only events with a smaller id (the next page: the last id of the previous one). */
  readonly before?: number;
}

export interface SecurityEventsRetention {
  /** The most events kept, the oldest dropped first; 0 keeps every event. Default 100 000. */
  readonly maxEvents: number;
  /** Events received longer ago than this are dropped; 0 keeps them whatever their age. Default 365. */
  readonly maxAgeDays: number;
  /** Retention is enforced with the first insert and then every this many inserts. Default 1000. */
  readonly pruneEvery: number;
}

export const DEFAULT_SECURITY_EVENTS_RETENTION: SecurityEventsRetention = { maxEvents: 100_000, maxAgeDays: 365, pruneEvery: 1000 };

/** The configuration file's `securityEvents` section (src/config/schema.ts takes it in). */
export const SECURITY_EVENTS_CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  default: {},
  description: 'the standard CSMS: how many security events (A04) are kept, and how long',
  properties: {
    maxEvents: {
      type: 'integer',
      minimum: 0,
      default: DEFAULT_SECURITY_EVENTS_RETENTION.maxEvents,
      description: 'the most security events kept, the oldest dropped first (0: no limit)',
    },
    maxAgeDays: {
      type: 'integer',
      minimum: 0,
      default: DEFAULT_SECURITY_EVENTS_RETENTION.maxAgeDays,
      description: 'security events received longer ago than this many days are dropped (0: no limit)',
    },
    pruneEvery: {
      type: 'integer',
      minimum: 1,
      maximum: 1_000_000,
      default: DEFAULT_SECURITY_EVENTS_RETENTION.pruneEvery,
      description: 'the limits are enforced with the first event stored after the start and then every this many events',
    },
  },
} as const;

const DAY_MS = 86_400_000;

export const MAX_SECURITY_EVENTS_PAGE = 1000;
const DEFAULT_PAGE = 100;

interface Row {
  id: number | string;
  station_id: string;
  source: string;
  type: string;
  timestamp: string;
  tech_info: string | null;
  received_at: string;
}

export class SecurityEventService {
  private readonly retention: SecurityEventsRetention;
  /** Inserts since the last prune; the first insert prunes (Infinity). */
  private sincePrune = Number.POSITIVE_INFINITY;

  constructor(
    private readonly store: Store,
    retention: Partial<SecurityEventsRetention> = {},
  ) {
    this.retention = { ...DEFAULT_SECURITY_EVENTS_RETENTION, ...definedOnly(retention) };
    const { maxEvents, maxAgeDays, pruneEvery } = this.retention;
    if (!Number.isInteger(maxEvents) || maxEvents < 0) throw new InvalidInputError('securityEvents.maxEvents', 'an integer >= 0 (0: no limit)');
    if (!Number.isInteger(maxAgeDays) || maxAgeDays < 0) throw new InvalidInputError('securityEvents.maxAgeDays', 'an integer >= 0 (0: no limit)');
    if (!Number.isInteger(pruneEvery) || pruneEvery < 1) throw new InvalidInputError('securityEvents.pruneEvery', 'an integer >= 1');
  }

  /**
   * Drop what the retention limits no longer allow (the oldest first); committed with the next
   * batch. Runs by itself with inserts; the services run it at provisioning too.
   */
  prune(now: Date = new Date()): Ticket {
    this.sincePrune = 0;
    return this.store.committer.write(undefined, this.pruneStatements(now));
  }

  private pruneStatements(now: Date): SqlStatement[] {
    const statements: SqlStatement[] = [];
    const { maxEvents, maxAgeDays } = this.retention;
    if (maxAgeDays > 0) {
      // Ids grow with received_at, so the events too old are the ones before the first recent
      // one: found by walking the primary key from the oldest, never by a scan of the table.
      const cutoff = new Date(now.getTime() - maxAgeDays * DAY_MS).toISOString();
      statements.push({
        sql:
          'DELETE FROM security_events WHERE received_at < $1 AND id < COALESCE(' +
          '(SELECT id FROM security_events WHERE received_at >= $1 ORDER BY id LIMIT 1), ' +
          '(SELECT MAX(id) + 1 FROM security_events))',
        params: [cutoff],
      });
    }
    if (maxEvents > 0) {
      // The id of the newest event beyond the limit (none when there are fewer: NULL deletes nothing).
      statements.push({
        sql: 'DELETE FROM security_events WHERE id <= (SELECT id FROM security_events ORDER BY id DESC LIMIT 1 OFFSET $1)',
        params: [maxEvents],
      });
    }
    return statements;
  }

  /** Keep a station's SecurityEventNotification; await the ticket before acknowledging it. */
  recordStation(stationId: string, request: RequestOf<'SecurityEventNotification'>): Ticket {
    const level = CRITICAL.has(request.type) ? 'warn' : 'info';
    log.log(level, 'station security event', { station: stationId, type: request.type, timestamp: request.timestamp, techInfo: request.techInfo });
    return this.insert(stationId, 'station', request.type, request.timestamp, request.techInfo);
  }

  /** Keep one of the CSMS's own security events (logged at warn). */
  recordCsms(stationId: string, type: CsmsSecurityEventType, techInfo?: string): Ticket {
    log.warn('CSMS security event', { station: stationId, type, techInfo });
    return this.insert(stationId, 'csms', type, new Date().toISOString(), techInfo);
  }

  /** Events newest first, filtered by station and type. */
  async list(filter: SecurityEventFilter = {}): Promise<SecurityEvent[]> {
    const limit = filter.limit ?? DEFAULT_PAGE;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_SECURITY_EVENTS_PAGE) {
      throw new InvalidInputError('limit', `an integer from 1 to ${MAX_SECURITY_EVENTS_PAGE}`);
    }
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filter.stationId !== undefined) where.push(`station_id = $${params.push(filter.stationId)}`);
    if (filter.type !== undefined) where.push(`type = $${params.push(filter.type)}`);
    if (filter.before !== undefined) where.push(`id < $${params.push(filter.before)}`);
    const sql =
      'SELECT id, station_id, source, type, timestamp, tech_info, received_at FROM security_events' +
      (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
      ` ORDER BY id DESC LIMIT $${params.push(limit)}`;
    const rows = await this.store.db.query<Row>(sql, params);
    return rows.map(fromRow);
  }

  private insert(stationId: string, source: SecurityEvent['source'], type: string, timestamp: string, techInfo: string | undefined): Ticket {
    const now = new Date();
    const statements: SqlStatement[] = [
      {
        sql: 'INSERT INTO security_events (station_id, source, type, timestamp, tech_info, received_at) VALUES ($1, $2, $3, $4, $5, $6)',
        params: [stationId, source, type, timestamp, techInfo ?? null, now.toISOString()],
      },
    ];
    this.sincePrune += 1;
    if (this.sincePrune >= this.retention.pruneEvery) {
      // After the insert, in the same commit: the limits hold once it is committed.
      statements.push(...this.pruneStatements(now));
      this.sincePrune = 0;
    }
    return this.store.committer.write(stationId, statements);
  }
}

function fromRow(row: Row): SecurityEvent {
  return {
    id: Number(row.id),
    stationId: row.station_id,
    source: row.source === 'csms' ? 'csms' : 'station',
    type: row.type,
    timestamp: row.timestamp,
    ...(row.tech_info !== null ? { techInfo: row.tech_info } : {}),
    receivedAt: row.received_at,
  };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
