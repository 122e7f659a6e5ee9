/**
 * Boot policy (OCPP 2.0.1 B01–B03): what a station's BootNotification is answered, per station
 * and as a default (table `boot_policies`, station '' is the default), from the configuration
 * (written at every start) and the admin API; a change applies to the station's next boot.
 *
 * - `Accepted` with the heartbeat `interval` (B01).
 * - `Rejected` with the `interval` after which the station may try again (B03).
 * - `Pending` with the retry `interval` (B02). With `provisioning`, the CSMS uses the pending
 *   time as B02 intends: it asks for a base report, sets the listed variables, then (`accept`,
 *   the default) records the station as provisioned under that policy (`boot_provisioning`) and
 *   triggers a new BootNotification, which is then answered Accepted. A changed policy
 *   provisions again. While Pending the core lets only those calls through and answers
 *   the station's own untriggered CALLs SecurityError (DESIGN.md §3).
 */
import type { ResponseOf, RequestOf } from '../../schemas/actions';
import { CallNotAllowedError, InvalidInputError, describeCause } from '../errors';
import type { StationCalls } from '../events/contract';
import { loggerFor } from '../log';
import type { Store, Ticket } from '../store';
import { BOOT_POLICY_SCHEMA, type BootPolicy, type StandardCsmsConfig } from './config';
import { checkInput } from './validate';

const log = loggerFor('boot-policy');

export const DEFAULT_HEARTBEAT_INTERVAL = 300;
export const DEFAULT_RETRY_INTERVAL = 60;
const DEFAULT_POLICY: BootPolicy = { status: 'Accepted', interval: DEFAULT_HEARTBEAT_INTERVAL };

/** How long provisioning waits for the station to be in `boot_pending` (its answer on the wire). */
const PENDING_WAIT_STEPS_MS = [10, 20, 50, 100, 200, 500, 1000, 2000];

export interface StoredBootPolicy {
  /** The station, or '' for the default. */
  readonly stationId: string;
  readonly policy: BootPolicy;
  readonly source: 'config' | 'api';
}

/** Where a station's provisioning stands (Pending with provisioning). */
export interface ProvisioningState {
  /** Set once provisioning under the current policy finished: the next boot is accepted. */
  readonly provisionedAt?: string;
  readonly error?: string;
}

interface Row {
  station_id: string;
  policy: string;
  source: string;
}

export class BootPolicyService {
  /** Stations whose provisioning runs now (one run per station at a time). */
  private readonly running = new Set<string>();

  constructor(
    private readonly store: Store,
    private readonly config: StandardCsmsConfig['bootPolicy'],
  ) {}

  check(value: unknown, where = ''): BootPolicy {
    return checkInput<BootPolicy>(BOOT_POLICY_SCHEMA, value, where);
  }

  /** The station's own policy row, or with '' the default's. */
  async get(stationId: string): Promise<StoredBootPolicy | undefined> {
    const rows = await this.store.db.query<Row>('SELECT station_id, policy, source FROM boot_policies WHERE station_id = $1', [stationId]);
    return rows[0] ? fromRow(rows[0]) : undefined;
  }

  /** The policy that applies to the station: its own, else the default, else Accepted/300. */
  async effective(stationId: string): Promise<StoredBootPolicy> {
    const rows = await this.store.db.query<Row>(
      "SELECT station_id, policy, source FROM boot_policies WHERE station_id = $1 OR station_id = ''",
      [stationId],
    );
    const own = rows.find((r) => r.station_id === stationId) ?? rows.find((r) => r.station_id === '');
    return own ? fromRow(own) : { stationId: '', policy: DEFAULT_POLICY, source: 'config' };
  }

  /** Set the station's (or with '' the default) policy. */
  set(stationId: string, value: unknown, source: 'config' | 'api' = 'api'): { policy: BootPolicy; ticket: Ticket } {
    const policy = this.check(value);
    const ticket = this.store.committer.write(undefined, [
      {
        sql:
          'INSERT INTO boot_policies (station_id, policy, source, updated_at) VALUES ($1, $2, $3, $4) ' +
          'ON CONFLICT (station_id) DO UPDATE SET policy = excluded.policy, source = excluded.source, updated_at = excluded.updated_at',
        params: [stationId, JSON.stringify(policy), source, new Date().toISOString()],
      },
    ]);
    return { policy, ticket };
  }

  /** The station's provisioning under the policy that applies to it now. */
  async provisioning(stationId: string, policy?: BootPolicy): Promise<ProvisioningState> {
    const current = policy ?? (await this.effective(stationId)).policy;
    const rows = await this.store.db.query<{ policy: string; provisioned_at: string | null; error: string | null }>(
      'SELECT policy, provisioned_at, error FROM boot_provisioning WHERE station_id = $1',
      [stationId],
    );
    const row = rows[0];
    if (!row || row.policy !== JSON.stringify(current)) return {};
    return { ...(row.provisioned_at ? { provisionedAt: row.provisioned_at } : {}), ...(row.error ? { error: row.error } : {}) };
  }

  private recordProvisioning(stationId: string, policy: BootPolicy, outcome: { provisionedAt?: string; error?: string }): Ticket {
    return this.store.committer.write(stationId, [
      {
        sql:
          'INSERT INTO boot_provisioning (station_id, policy, provisioned_at, error, updated_at) VALUES ($1, $2, $3, $4, $5) ' +
          'ON CONFLICT (station_id) DO UPDATE SET policy = excluded.policy, provisioned_at = excluded.provisioned_at, error = excluded.error, updated_at = excluded.updated_at',
        params: [stationId, JSON.stringify(policy), outcome.provisionedAt ?? null, outcome.error ?? null, new Date().toISOString()],
      },
    ]);
  }

  /** Remove the station's own policy (the default applies again). */
  remove(stationId: string): Ticket {
    return this.store.committer.write(undefined, [{ sql: 'DELETE FROM boot_policies WHERE station_id = $1', params: [stationId] }]);
  }

  /**
   * Write the configuration's policies at start. A policy the file still says the same thing
   * about keeps its provisioning record (a restart does not make every station provision again).
   */
  async provision(): Promise<void> {
    const wanted: [string, BootPolicy][] = [];
    if (this.config.default) wanted.push(['', this.check(this.config.default, 'bootPolicy.default')]);
    for (const [id, policy] of Object.entries(this.config.stations ?? {})) wanted.push([id, this.check(policy, `bootPolicy.stations.${id}`)]);
    const tickets: Ticket[] = [];
    for (const [id, policy] of wanted) {
      const stored = await this.get(id);
      if (stored && JSON.stringify(stored.policy) === JSON.stringify(policy)) continue;
      tickets.push(this.set(id, policy, 'config').ticket);
    }
    await Promise.all(tickets.map((t) => t.promise));
  }

  /** The BootNotification answer for the station (B01–B03). */
  async decide(stationId: string, _request: RequestOf<'BootNotification'>): Promise<{ response: ResponseOf<'BootNotification'>; provision: boolean }> {
    const { policy } = await this.effective(stationId);
    const { provisionedAt } = policy.status === 'Pending' ? await this.provisioning(stationId, policy) : {};
    const currentTime = new Date().toISOString();
    if (policy.status === 'Accepted') return { response: { status: 'Accepted', currentTime, interval: policy.interval ?? DEFAULT_HEARTBEAT_INTERVAL }, provision: false };
    if (policy.status === 'Rejected') return { response: { status: 'Rejected', currentTime, interval: policy.interval ?? DEFAULT_RETRY_INTERVAL }, provision: false };
    const accept = policy.provisioning !== undefined && policy.provisioning.accept !== false;
    if (provisionedAt && accept) {
      return { response: { status: 'Accepted', currentTime, interval: policy.heartbeatInterval ?? DEFAULT_HEARTBEAT_INTERVAL }, provision: false };
    }
    return {
      response: { status: 'Pending', currentTime, interval: policy.interval ?? DEFAULT_RETRY_INTERVAL },
      provision: policy.provisioning !== undefined && !provisionedAt,
    };
  }

  /**
   * Provision a station that was just answered Pending (B02): base report, variables, then
   * accept. Runs after the answer is on its way; the first call waits for the station to be in
   * `boot_pending` (calls are refused while its boot is still being answered).
   */
  async runProvisioning(stationId: string, calls: StationCalls): Promise<void> {
    const { policy } = await this.effective(stationId);
    const provisioning = policy.provisioning;
    if (policy.status !== 'Pending' || !provisioning || this.running.has(stationId)) return;
    this.running.add(stationId);
    try {
      if (provisioning.getBaseReport) {
        const answer = await whenPending(() => calls.call('GetBaseReport', { requestId: Math.floor(Math.random() * 2 ** 31), reportBase: provisioning.getBaseReport! }));
        log.info('pending station asked for its base report', { station: stationId, reportBase: provisioning.getBaseReport, status: answer.status });
      }
      if (provisioning.setVariables) {
        const answer = await whenPending(() => calls.call('SetVariables', { setVariableData: provisioning.setVariables!.map((v) => ({ ...v })) }));
        const refused = answer.setVariableResult.filter((r) => r.attributeStatus !== 'Accepted' && r.attributeStatus !== 'RebootRequired');
        if (refused.length > 0) {
          const names = refused.map((r) => `${r.component.name}.${r.variable.name}: ${r.attributeStatus}`).join(', ');
          throw new InvalidInputError('provisioning.setVariables', `the station refused ${names}`);
        }
      }
      if (provisioning.accept === false) return;
      await this.recordProvisioning(stationId, policy, { provisionedAt: new Date().toISOString() }).promise;
      // B02: the station boots again when triggered; that boot is now answered Accepted.
      await whenPending(() => calls.call('TriggerMessage', { requestedMessage: 'BootNotification' }));
      log.info('pending station provisioned; boot triggered', { station: stationId });
    } catch (error) {
      log.warn('provisioning a pending station failed; it stays pending', { station: stationId, reason: describeCause(error) });
      await this.recordProvisioning(stationId, policy, { error: describeCause(error) }).promise.catch(() => undefined);
    } finally {
      this.running.delete(stationId);
    }
  }
}

/** Retry a call the core refuses while the boot answer is still going out (`booting`). */
async function whenPending<T>(call: () => Promise<T>): Promise<T> {
  for (const delay of PENDING_WAIT_STEPS_MS) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof CallNotAllowedError)) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
  return call();
}

function fromRow(row: Row): StoredBootPolicy {
  return { stationId: row.station_id, policy: JSON.parse(row.policy) as BootPolicy, source: row.source === 'config' ? 'config' : 'api' };
}
