/**
 * Tariffs (OCPP 2.0.1 I01–I02): the tariff store (`tariffs`) and which tariff applies where
 * (`tariff_assignments`: per EVSE of a station, per station, or the default, station '' EVSE 0).
 * From the configuration (written at every start) and the admin API. Prices are kept as exact
 * decimal text (money.ts); a JSON number is read through its decimal text.
 *
 * A station (or EVSE) whose tariff was deleted gets the default with a warning, and when there is
 * no default either a zero-price tariff, again with a warning: never a crash, never a missing
 * totalCost for a station the operator meant to charge.
 */
import { InvalidInputError, NotFoundError } from '../../errors';
import { loggerFor } from '../../log';
import type { SqlStatement, Store, Ticket } from '../../store';
import { TARIFF_SCHEMA, type StandardCsmsConfig, type TariffInput } from '../config';
import { checkInput } from '../validate';
import type { TariffPrices } from './cost';
import { decimalText, parseDecimal } from './money';

const log = loggerFor('tariffs');

/** A tariff as stored: prices as exact decimal text. */
export interface Tariff extends TariffPrices {
  readonly id: string;
  readonly description?: string;
}

export interface StoredTariff extends Tariff {
  readonly source: 'config' | 'api';
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface TariffAssignment {
  /** '' for the default. */
  readonly stationId: string;
  /** 0 for the whole station. */
  readonly evseId: number;
  readonly tariffId: string;
  readonly source: 'config' | 'api';
}

/** The tariff that applies, and how it was found. */
export interface ResolvedTariff {
  readonly tariff: Tariff;
  /** The id the tariff was found under (undefined for the zero-price fallback). */
  readonly tariffId?: string;
  /** Set when the assigned tariff was missing and a fallback applies. */
  readonly fallback?: { readonly missing: string; readonly used: 'default' | 'zero' };
}

const PRICE_FIELDS = ['energyPrice', 'chargingTimePrice', 'parkingTimePrice', 'sessionFee', 'taxPercent'] as const;

interface TariffRow {
  id: string;
  body: string;
  source: string;
  created_at: string;
  updated_at: string;
}

export class TariffService {
  constructor(
    private readonly store: Store,
    private readonly config: StandardCsmsConfig['tariffs'],
  ) {}

  /** A tariff from the API or the file, checked, prices as canonical decimal text. */
  check(value: unknown, where = ''): Tariff {
    const input = checkInput<TariffInput>(TARIFF_SCHEMA, value, where);
    const tariff: Record<string, unknown> = { id: input.id, currency: input.currency };
    for (const field of PRICE_FIELDS) {
      const price = input[field];
      if (price !== undefined) tariff[field] = decimalText(parseDecimal(price));
    }
    if (input.taxPercent !== undefined && Number(tariff.taxPercent) > 100) throw new InvalidInputError(where ? `${where}.taxPercent` : 'taxPercent', 'at most 100');
    if (input.description !== undefined) tariff.description = input.description;
    return tariff as unknown as Tariff;
  }

  async get(id: string): Promise<StoredTariff | undefined> {
    const rows = await this.store.db.query<TariffRow>('SELECT id, body, source, created_at, updated_at FROM tariffs WHERE id = $1', [id]);
    return rows[0] ? fromRow(rows[0]) : undefined;
  }

  async require(id: string): Promise<StoredTariff> {
    const tariff = await this.get(id);
    if (!tariff) throw new NotFoundError('tariff', id);
    return tariff;
  }

  async list(): Promise<StoredTariff[]> {
    return (await this.store.db.query<TariffRow>('SELECT id, body, source, created_at, updated_at FROM tariffs ORDER BY id')).map(fromRow);
  }

  put(value: unknown, source: 'config' | 'api' = 'api'): { tariff: Tariff; ticket: Ticket } {
    const tariff = this.check(value);
    return { tariff, ticket: this.store.committer.write(undefined, [this.upsert(tariff, source)]) };
  }

  /** Delete a tariff; stations still assigned to it get the default from now on (with a warning). */
  async delete(id: string): Promise<boolean> {
    const existed = (await this.get(id)) !== undefined;
    if (existed) await this.store.committer.write(undefined, [{ sql: 'DELETE FROM tariffs WHERE id = $1', params: [id] }]).promise;
    return existed;
  }

  async assignments(stationId?: string): Promise<TariffAssignment[]> {
    const rows = await this.store.db.query<{ station_id: string; evse_id: number; tariff_id: string; source: string }>(
      'SELECT station_id, evse_id, tariff_id, source FROM tariff_assignments' + (stationId === undefined ? '' : ' WHERE station_id = $1') + ' ORDER BY station_id, evse_id',
      stationId === undefined ? [] : [stationId],
    );
    return rows.map((r) => ({ stationId: r.station_id, evseId: Number(r.evse_id), tariffId: r.tariff_id, source: r.source === 'config' ? 'config' : 'api' }));
  }

  /** Assign a stored tariff to a station (evse 0), one EVSE of it, or with station '' as the default. */
  async assign(stationId: string, evseId: number, tariffId: string, source: 'config' | 'api' = 'api'): Promise<void> {
    await this.require(tariffId);
    await this.store.committer.write(undefined, [this.assignment(stationId, evseId, tariffId, source)]).promise;
  }

  unassign(stationId: string, evseId: number): Ticket {
    return this.store.committer.write(undefined, [{ sql: 'DELETE FROM tariff_assignments WHERE station_id = $1 AND evse_id = $2', params: [stationId, evseId] }]);
  }

  /** Write the configuration's tariffs and assignments (at start). */
  async provision(): Promise<void> {
    const statements: SqlStatement[] = [];
    const ids = new Set<string>();
    this.config.definitions.forEach((value, index) => {
      const tariff = this.check(value, `tariffs.definitions[${index}]`);
      if (ids.has(tariff.id)) throw new InvalidInputError(`tariffs.definitions[${index}].id`, `${tariff.id} is defined twice`);
      ids.add(tariff.id);
      statements.push(this.upsert(tariff, 'config'));
    });
    const known = async (id: string, field: string) => {
      if (!ids.has(id) && !(await this.get(id))) throw new InvalidInputError(field, `no tariff ${id} (define it in tariffs.definitions or through the API)`);
    };
    if (this.config.default !== undefined) {
      await known(this.config.default, 'tariffs.default');
      statements.push(this.assignment('', 0, this.config.default, 'config'));
    }
    for (const [index, a] of this.config.assignments.entries()) {
      await known(a.tariff, `tariffs.assignments[${index}].tariff`);
      statements.push(this.assignment(a.station, a.evse ?? 0, a.tariff, 'config'));
    }
    await this.store.committer.write(undefined, statements).promise;
    if (statements.length > 0) log.info('tariffs provisioned from the configuration', { tariffs: ids.size, assignments: this.config.assignments.length });
  }

  /**
   * The tariff of a transaction on this station and EVSE: the EVSE's, else the station's, else
   * the default; undefined when none is assigned anywhere (the CSMS then computes no cost).
   */
  async resolve(stationId: string, evseId: number | undefined): Promise<ResolvedTariff | undefined> {
    const rows = await this.store.db.query<{ station_id: string; evse_id: number; tariff_id: string }>(
      "SELECT station_id, evse_id, tariff_id FROM tariff_assignments WHERE (station_id = $1 AND (evse_id = $2 OR evse_id = 0)) OR (station_id = '' AND evse_id = 0)",
      [stationId, evseId ?? 0],
    );
    const rank = (r: { station_id: string; evse_id: number }) => (r.station_id === '' ? 2 : Number(r.evse_id) === 0 ? 1 : 0);
    rows.sort((a, b) => rank(a) - rank(b));
    const chosen = rows[0];
    if (!chosen) return undefined;
    const tariff = await this.get(chosen.tariff_id);
    if (tariff) return { tariff: priceOf(tariff), tariffId: tariff.id };
    const fallbackRow = rows.find((r) => r.station_id === '' && r.tariff_id !== chosen.tariff_id);
    const fallback = fallbackRow ? await this.get(fallbackRow.tariff_id) : undefined;
    if (fallback) {
      log.warn('tariff referenced by a station was deleted; the default applies', { station: stationId, evse: evseId, missing: chosen.tariff_id, used: fallback.id });
      return { tariff: priceOf(fallback), tariffId: fallback.id, fallback: { missing: chosen.tariff_id, used: 'default' } };
    }
    log.warn('tariff referenced by a station was deleted and there is no default; the transaction is priced zero', {
      station: stationId,
      evse: evseId,
      missing: chosen.tariff_id,
    });
    const currency = (await this.list())[0]?.currency ?? 'EUR';
    return { tariff: { id: '(zero)', currency }, fallback: { missing: chosen.tariff_id, used: 'zero' } };
  }

  private upsert(tariff: Tariff, source: 'config' | 'api'): SqlStatement {
    const now = new Date().toISOString();
    return {
      sql:
        'INSERT INTO tariffs (id, body, source, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) ' +
        'ON CONFLICT (id) DO UPDATE SET body = excluded.body, source = excluded.source, updated_at = excluded.updated_at',
      params: [tariff.id, JSON.stringify(tariff), source, now],
    };
  }

  private assignment(stationId: string, evseId: number, tariffId: string, source: 'config' | 'api'): SqlStatement {
    return {
      sql:
        'INSERT INTO tariff_assignments (station_id, evse_id, tariff_id, source, updated_at) VALUES ($1, $2, $3, $4, $5) ' +
        'ON CONFLICT (station_id, evse_id) DO UPDATE SET tariff_id = excluded.tariff_id, source = excluded.source, updated_at = excluded.updated_at',
      params: [stationId, evseId, tariffId, source, new Date().toISOString()],
    };
  }
}

function priceOf(stored: StoredTariff): Tariff {
  const { source: _s, createdAt: _c, updatedAt: _u, ...tariff } = stored;
  return tariff;
}

function fromRow(row: TariffRow): StoredTariff {
  return { ...(JSON.parse(row.body) as Tariff), source: row.source === 'config' ? 'config' : 'api', createdAt: row.created_at, updatedAt: row.updated_at };
}
