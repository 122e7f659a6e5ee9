/**
 * Site load management (issue 12 item 3): sites — groups of stations behind one grid connection,
 * with a limit and a policy — kept in the store (migration 5), provisioned from the configuration
 * file's `sites` section, edited through `/api/sites`, and each run by a load controller
 * (site-load.ts) that follows the site's transactions and sends TxProfiles through the
 * charging-profile service.
 *
 *     const sites = new SiteService(store, chargingProfiles, { config, stationKnown });
 *     transactions.onChange((change) => sites.onTransactionChange(change));
 *     await sites.provision();                       // the file's sites, then what was stored
 *     await sites.put({ id: 'depot', name: 'Depot', stations: ['CP001'], limit: 100, maxPerEvse: 32 });
 *     sites.limitFor('CP001', 1);                    // { siteId: 'depot', limit: 32, unit: 'A', numberPhases: 3 }
 */
import { InvalidInputError, NotFoundError } from '../../errors';
import { loggerFor } from '../../log';
import type { Store } from '../../store';
import type { TransactionChange } from '../transactions';
import { checkInput } from '../validate';
import { DEFAULT_SITES_CONFIG, SITE_SCHEMA, siteDefinition, type SiteDefinition, type SiteInput, type SitesConfig } from './config';
import { SiteLoad, type EvseAllocationView, type ReplanOutcome, type SitePlanner, type SiteProfileSender, type StationDefaultView } from './site-load';
import { SiteStore, type SiteSource } from './site-store';

const log = loggerFor('sites');

/** A site as the admin API shows it: its definition, and how its limit is shared now. */
export interface SiteView extends SiteDefinition {
  readonly source: SiteSource;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Each charging EVSE: its allocation, what it accepted, what the site counts it at. */
  readonly allocations: readonly EvseAllocationView[];
  /** Each station's TxDefaultProfile: the limit of its EVSEs that do not charge (yet). */
  readonly stationDefaults: readonly StationDefaultView[];
  /** The sum the site counts (at most `limit` once settled). */
  readonly counted: number;
  /** The site's current load from the latest meter values of its transactions. */
  readonly load: { readonly currentA: number; readonly powerW: number; readonly evsesReporting: number };
}

export interface EvseLimit {
  readonly siteId: string;
  readonly limit: number;
  readonly unit: 'A' | 'W';
  readonly numberPhases: 1 | 3;
}

export interface SiteServiceOptions {
  /** The configuration's `sites` section (default: no sites, retries from 1 s to 60 s). */
  readonly config?: SitesConfig;
  /** Whether a station identity is known to the CSMS (default: in the store's registry). */
  readonly stationKnown?: (stationId: string) => Promise<boolean>;
  /** Milliseconds since the epoch (tests). */
  readonly now?: () => number;
  /** Plans the profile of an EVSE whose vehicle sent ISO 15118 charging needs (EvChargingService); without it, profiles are flat. */
  readonly planner?: SitePlanner;
}

export class SiteService {
  private readonly table: SiteStore;
  private readonly loads = new Map<string, SiteLoad>();
  /** Which site each station belongs to (a station is in one site at most). */
  private readonly siteOf = new Map<string, string>();
  private readonly config: SitesConfig;
  private readonly stationKnown: (stationId: string) => Promise<boolean>;

  constructor(
    store: Store,
    private readonly profiles: SiteProfileSender,
    private readonly options: SiteServiceOptions = {},
  ) {
    this.table = new SiteStore(store);
    this.config = options.config ?? DEFAULT_SITES_CONFIG;
    this.stationKnown = options.stationKnown ?? (async (id) => (await store.registry.get(id)) !== undefined);
  }

  /**
   * Write the configuration's sites (over stored ones of the same id), then start every stored
   * site's controller with the allocations kept before a restart. Configured sites are not checked
   * against the registry: the file's stations are registered when the server starts, after this.
   */
  async provision(): Promise<void> {
    const ids = new Set<string>();
    for (const [index, input] of this.config.definitions.entries()) {
      const site = this.checked(input, `sites.definitions[${index}]`);
      if (ids.has(site.id)) throw new InvalidInputError(`sites.definitions[${index}].id`, `${site.id} is defined twice`);
      ids.add(site.id);
      await this.table.put(site, 'config').promise;
    }
    const stored = await this.table.list();
    const owner = new Map<string, string>();
    for (const { definition } of stored) {
      for (const stationId of definition.stations) {
        const other = owner.get(stationId);
        if (other !== undefined) throw new InvalidInputError(`sites (${definition.id}).stations`, `station ${stationId} is already in site ${other}`);
        owner.set(stationId, definition.id);
      }
    }
    for (const { definition } of stored) await this.start(definition);
  }

  async list(): Promise<SiteView[]> {
    return (await this.table.list()).map((s) => this.view(s.definition, s.source, s.createdAt, s.updatedAt));
  }

  async get(id: string): Promise<SiteView> {
    const stored = await this.table.get(id);
    if (!stored) throw new NotFoundError('site', id);
    return this.view(stored.definition, stored.source, stored.createdAt, stored.updatedAt);
  }

  /**
   * Create or replace a site. InvalidInputError naming the field: a value that breaks the schema,
   * a station the CSMS does not know, or one already in another site.
   */
  async put(input: SiteInput, source: SiteSource = 'api'): Promise<SiteView> {
    const site = this.checked(input, '');
    for (const [index, stationId] of site.stations.entries()) {
      const other = this.siteOf.get(stationId);
      if (other !== undefined && other !== site.id) throw new InvalidInputError(`stations[${index}]`, `station ${stationId} is already in site ${other}`);
      if (!(await this.stationKnown(stationId))) throw new InvalidInputError(`stations[${index}]`, `unknown station ${stationId}`);
    }
    await this.table.put(site, source).promise;
    const load = this.loads.get(site.id);
    if (load) {
      for (const stationId of load.definition.stations) this.siteOf.delete(stationId);
      for (const stationId of site.stations) this.siteOf.set(stationId, site.id);
      load.redefine(site);
    } else {
      await this.start(site);
    }
    log.info('site stored', { site: site.id, stations: site.stations.length, limit: site.limit, unit: site.unit, policy: site.policy });
    return this.get(site.id);
  }

  /** Delete a site: its stations are no longer managed (the profiles they hold stay until their transactions end). */
  async delete(id: string): Promise<boolean> {
    if (!(await this.table.get(id))) return false;
    await this.table.delete(id).promise;
    const load = this.loads.get(id);
    if (load) {
      load.release();
      load.close();
      for (const stationId of load.definition.stations) this.siteOf.delete(stationId);
      this.loads.delete(id);
    }
    log.info('site deleted', { site: id });
    return true;
  }

  /** The transactions service's listener: a committed TransactionEvent of any station. */
  onTransactionChange(change: TransactionChange): void {
    const siteId = this.siteOf.get(change.stationId);
    if (siteId === undefined) return;
    const { request } = change;
    this.loads.get(siteId)?.onEvent(change.stationId, {
      transactionId: request.transactionInfo.transactionId,
      eventType: request.eventType,
      ...(request.evse ? { evseId: request.evse.id } : {}),
      ...(request.transactionInfo.chargingState ? { chargingState: request.transactionInfo.chargingState } : {}),
      ...(change.idTokenInfo?.groupIdToken ? { groupIdToken: change.idTokenInfo.groupIdToken.idToken } : {}),
      ...(request.meterValue ? { meterValue: request.meterValue } : {}),
    });
  }

  /** A station connected again: what failed for it is retried now rather than at its next back-off. */
  stationOnline(stationId: string): void {
    const siteId = this.siteOf.get(stationId);
    if (siteId !== undefined) this.loads.get(siteId)?.stationOnline(stationId);
  }

  /**
   * The limit the site gives this EVSE now, or would give it if it started charging now; undefined
   * when the station is in no site. For the ISO 15118 schedule (K15–K17): never offer more.
   */
  limitFor(stationId: string, evseId: number): EvseLimit | undefined {
    const siteId = this.siteOf.get(stationId);
    const load = siteId === undefined ? undefined : this.loads.get(siteId);
    const limit = load?.limitFor(stationId, evseId);
    if (!load || limit === undefined) return undefined;
    return { siteId: load.definition.id, limit, unit: load.definition.unit, numberPhases: load.definition.numberPhases };
  }

  /**
   * The EVSE's vehicle sent charging needs (K15) or a schedule that asked too much (K17): when a
   * site manages the EVSE, it plans and sends its profile (`SitePlanner`) and this resolves with
   * that send's outcome; undefined when no site manages it (the caller sends its own grant).
   */
  replan(stationId: string, evseId: number): Promise<ReplanOutcome> | undefined {
    const siteId = this.siteOf.get(stationId);
    return siteId === undefined ? undefined : this.loads.get(siteId)?.replan(stationId, evseId);
  }

  /** Resolves once every site's sends under way have settled (tests). */
  async settled(): Promise<void> {
    await Promise.all([...this.loads.values()].map((l) => l.settled()));
  }

  /** Stop the controllers' timers (the server is stopping). */
  close(): void {
    for (const load of this.loads.values()) load.close();
  }

  private checked(input: unknown, where: string): SiteDefinition {
    const site = siteDefinition(checkInput<SiteInput>(SITE_SCHEMA, input, where));
    const field = (name: string) => (where ? `${where}.${name}` : name);
    if (site.minPerEvse > site.maxPerEvse) throw new InvalidInputError(field('minPerEvse'), `at most maxPerEvse (${site.maxPerEvse})`);
    if (site.defaultLimit > site.maxPerEvse) throw new InvalidInputError(field('defaultLimit'), `at most maxPerEvse (${site.maxPerEvse})`);
    if (site.policy !== 'priority' && site.priorities.length > 0) throw new InvalidInputError(field('priorities'), 'only with policy priority');
    return site;
  }

  private async start(site: SiteDefinition): Promise<void> {
    const load = new SiteLoad(site, this.profiles, this.table, {
      retryInitialMs: this.config.retryInitialMs,
      retryMaxMs: this.config.retryMaxMs,
      ...(this.options.now ? { now: this.options.now } : {}),
      ...(this.options.planner ? { planner: this.options.planner } : {}),
    });
    this.loads.set(site.id, load);
    for (const stationId of site.stations) this.siteOf.set(stationId, site.id);
    load.recover(await this.table.allocations(site.id), await this.table.openTransactions(site.stations));
  }

  private view(site: SiteDefinition, source: SiteSource, createdAt: string, updatedAt: string): SiteView {
    const load = this.loads.get(site.id);
    return {
      ...site,
      source,
      createdAt,
      updatedAt,
      allocations: load?.allocations() ?? [],
      stationDefaults: load?.stationDefaults() ?? [],
      counted: load?.countedSum() ?? 0,
      load: load?.load() ?? { currentA: 0, powerW: 0, evsesReporting: 0 },
    };
  }
}
