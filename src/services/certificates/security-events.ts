/**
 * Security events (OCPP 2.0.1 A04, Part 2 Appendix 1): those a station pushes with
 * SecurityEventNotification, and the CSMS's own (a signing request refused, a Basic-auth
 * password rotated ...), kept in one table (`security_events`, migration 3) and listed newest
 * first, per station and by type, for the admin API.
 *
 * A station's event is committed before it is acknowledged (DESIGN.md §7: the caller awaits the
 * ticket). Events Appendix 1 marks critical are logged at warn, the others at info; `techInfo`
 * is the station's free text (at most 255 characters by the schema) and is stored as sent.
 */
import type { RequestOf } from '../../../schemas/actions';
import { InvalidInputError } from '../../errors';
import { loggerFor } from '../../log';
import type { Store, Ticket } from '../../store';

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
  constructor(private readonly store: Store) {}

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
    return this.store.committer.write(stationId, [
      {
        sql: 'INSERT INTO security_events (station_id, source, type, timestamp, tech_info, received_at) VALUES ($1, $2, $3, $4, $5, $6)',
        params: [stationId, source, type, timestamp, techInfo ?? null, new Date().toISOString()],
      },
    ]);
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
