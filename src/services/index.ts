/**
 * The standard CSMS's domain services (DESIGN.md §8), shared by every station: tokens and
 * authorization, local authorization lists, boot policy, transactions follow-up, tariffs and
 * cost. Plain TypeScript over the store; the standard handler (handlers/standard.ts) maps each
 * station request to them, the admin API exposes them, and an embedder's own handler reaches
 * them through its context (`ctx.services`), typed by the declaration merged below.
 *
 *     const services = await startCsmsServices({ store, config, callsFor: (id) => csms.callsFor(id) });
 *     await services.tokens.put({ idToken: '04A2B3', type: 'ISO14443', status: 'Accepted' }).ticket.promise;
 */
import { ConfigError, InvalidInputError, StationOfflineError } from '../errors';
import type { StationCalls } from '../events/contract';
import type { Store } from '../store';
import { BootPolicyService } from './boot-policy';
import { DEFAULT_STANDARD_CSMS_CONFIG, type StandardCsmsConfig } from './config';
import { LocalListService, deviceModelLimits } from './local-lists';
import { TariffService } from './tariffs/tariff-service';
import { TokenService } from './tokens/token-service';
import { TransactionService } from './transactions';
import { CertificateService, DEFAULT_CERTIFICATES_CONFIG, SecurityEventService, type CertificatesConfig } from './certificates';
import { ContractCertificateService, DEFAULT_OCSP_CONFIG, InstalledCertificatesService, OcspService, V2gCertificateSigner } from './certificates';
import { ChargingProfileService } from './charging/profile-service';
import { EvChargingService } from './charging/ev-charging';
import { DEFAULT_SMART_CHARGING_CONFIG } from './charging/config';
import { SiteService } from './sites/site-service';

export { BootPolicyService, LocalListService, TariffService, TokenService, TransactionService };
export { CertificateService, SecurityEventService, certificatesConfig, type CertificatesConfig } from './certificates';
export { ContractCertificateService, InstalledCertificatesService, OcspService, V2gCertificateSigner } from './certificates';
export {
  DEFAULT_STANDARD_CSMS_CONFIG,
  STANDARD_CSMS_CONFIG_PROPERTIES,
  standardCsmsConfig,
  type BootPolicy,
  type StandardCsmsConfig,
  type TariffInput,
  type TokenInput,
} from './config';
export type { StoredToken, TokenFilter } from './tokens/token-service';
export type { StoredTariff, Tariff, TariffAssignment } from './tariffs/tariff-service';
export type { TransactionCost, StatusCheck, RemoteStart } from './transactions';
export type { LocalListState, SendOutcome } from './local-lists';
export type { StoredBootPolicy, ProvisioningState } from './boot-policy';
export { ChargingProfileService } from './charging/profile-service';
export type { StoredChargingProfile, ChargingProfileType } from './charging/profile-service';
export { EvChargingService, type LimitProvider, type AllocationLimit, type StoredChargingNeeds } from './charging/ev-charging';
export { SiteService, type SiteView, type SiteInput, type SitesConfig, type EvseLimit } from './sites';
export type { TransactionChange } from './transactions';

export interface CsmsServices {
  readonly tokens: TokenService;
  readonly localLists: LocalListService;
  readonly bootPolicy: BootPolicyService;
  readonly tariffs: TariffService;
  readonly transactions: TransactionService;
  /** Station certificates and the CSMS's CA (A02–A03). */
  readonly certificates: CertificateService;
  /** Security events, the stations' and the CSMS's own (A04). */
  readonly securityEvents: SecurityEventService;
  /** Charging profiles the CSMS set or learned, external limits, composite schedules (K01–K10, K12–K14). */
  readonly chargingProfiles: ChargingProfileService;
  /** ISO 15118 charging needs and schedules (K15–K17); `setLimitProvider` takes a per-EVSE allocation. */
  readonly evCharging: EvChargingService;
  /** Site load management: sites kept under their grid limit (issue 12 item 3). */
  readonly sites: SiteService;
  /** OCSP checks of ISO 15118 contract certificates (C07 Authorize, M06 GetCertificateStatus). */
  readonly ocsp: OcspService;
  /** Get15118EVCertificate through the contract-certificate provider (M01–M02). */
  readonly evCertificates: ContractCertificateService;
  /** Certificates installed on the stations: install, delete, list, recorded (M03–M05). */
  readonly installedCertificates: InstalledCertificatesService;
  readonly config: StandardCsmsConfig;
  /** Write the configuration's tokens, tariffs and boot policies (once, at start). */
  provision(): Promise<void>;
  /**
   * Stop the work the services started by themselves (site allocation rounds and their retries,
   * ISO 15118 grant retries): called once the stations have stopped, before the store closes.
   */
  close(): void;
}

declare module '../events/contract' {
  interface HandlerServices {
    readonly tokens: TokenService;
    readonly localLists: LocalListService;
    readonly bootPolicy: BootPolicyService;
    readonly tariffs: TariffService;
    readonly transactions: TransactionService;
    readonly certificates: CertificateService;
    readonly securityEvents: SecurityEventService;
    readonly chargingProfiles: ChargingProfileService;
    readonly evCharging: EvChargingService;
    readonly sites: SiteService;
    readonly ocsp: OcspService;
    readonly evCertificates: ContractCertificateService;
    readonly installedCertificates: InstalledCertificatesService;
  }
}

export interface CsmsServicesOptions {
  readonly store: Store;
  /** The validated configuration's standard-CSMS sections (default: DEFAULT_STANDARD_CSMS_CONFIG). */
  readonly config?: StandardCsmsConfig;
  /** A station's call API (the core's per-station queue): `Csms.call` with the station bound. */
  readonly callsFor: (stationId: string) => StationCalls;
  /**
   * A variable the station reported (its device model), e.g. AuthCtrlr.MasterPassGroupId for
   * the master pass (C16). Without it, only the operator's setting counts.
   */
  readonly lookupVariable?: (stationId: string, component: string, variable: string) => Promise<string | undefined>;
  /** The configuration's `certificates` section, its CA paths resolved (resolveCertificatesConfig); default: the embedded CA. */
  readonly certificates?: CertificatesConfig;
}

export function createCsmsServices(options: CsmsServicesOptions): CsmsServices {
  const config = options.config ?? DEFAULT_STANDARD_CSMS_CONFIG;
  const { store, callsFor, lookupVariable } = options;
  const tokens = new TokenService(store, config.authorization, {
    reportedMasterPassGroup: lookupVariable ? (stationId) => lookupVariable(stationId, 'AuthCtrlr', 'MasterPassGroupId') : undefined,
  });
  const tariffs = new TariffService(store, config.tariffs);
  const bootPolicy = new BootPolicyService(store, config.bootPolicy);
  const localLists = new LocalListService(store, tokens, callsFor, { limitsOf: lookupVariable ? deviceModelLimits(lookupVariable) : undefined });
  const transactions = new TransactionService(
    store,
    tokens,
    tariffs,
    {
      authorization: config.authorization,
      transactions: config.transactions,
      costUpdates: config.tariffs.costUpdates,
      costUpdatedIntervalSeconds: config.tariffs.costUpdatedIntervalSeconds,
    },
    callsFor,
  );
  const securityEvents = new SecurityEventService(store, config.securityEvents);
  const certificateSettings = options.certificates ?? DEFAULT_CERTIFICATES_CONFIG;
  // V2G certificates are signed under the CSMS's own CA (called once the service exists) unless a
  // sub-CA or a signer is configured.
  const v2gSigner: V2gCertificateSigner = new V2gCertificateSigner(store, certificateSettings, () => certificates.ca());
  const certificates: CertificateService = new CertificateService(store, certificateSettings, callsFor, securityEvents, v2gSigner);
  const ocsp = new OcspService(certificateSettings.ocsp ?? DEFAULT_OCSP_CONFIG);
  const evCertificates = new ContractCertificateService(certificateSettings.contractProvider);
  const installedCertificates = new InstalledCertificatesService(store, callsFor);
  const smartCharging = { ...DEFAULT_SMART_CHARGING_CONFIG, ...config.smartCharging };
  const chargingProfiles = new ChargingProfileService(store, callsFor, { reportTimeoutMs: smartCharging.reportTimeoutSeconds * 1000 });
  const evCharging = new EvChargingService(store, chargingProfiles, callsFor, {
    nominalVoltage: smartCharging.nominalVoltage,
    stackLevel: smartCharging.txProfileStackLevel,
    // A refused ISO 15118 grant is retried as the sites retry their profiles.
    ...(config.sites ? { retry: { initialMs: config.sites.retryInitialMs, maxMs: config.sites.retryMaxMs } } : {}),
  });
  // Sites follow the transactions and send their TxProfiles through the charging-profile service;
  // the ISO 15118 grants never offer an EVSE more than its site allocation. An EVSE a site manages
  // has one TxProfile, the site's: its vehicle's plan under the allocation (planner), sent by the
  // site when its needs arrive (coordinator).
  const sites = new SiteService(store, chargingProfiles, { config: config.sites, planner: evCharging });
  evCharging.setCoordinator(sites);
  transactions.onChange((change) => sites.onTransactionChange(change));
  evCharging.setLimitProvider((stationId, evseId) => {
    const allocation = sites.limitFor(stationId, evseId);
    return allocation && { limit: allocation.limit, unit: allocation.unit };
  });
  return {
    tokens,
    localLists,
    bootPolicy,
    tariffs,
    transactions,
    certificates,
    securityEvents,
    chargingProfiles,
    evCharging,
    sites,
    ocsp,
    evCertificates,
    installedCertificates,
    config,
    close() {
      sites.close();
      evCharging.close();
    },
    async provision() {
      try {
        await tokens.provision(config.tokens).promise;
        await tariffs.provision();
        await bootPolicy.provision();
        await certificates.provision();
        if (certificateSettings.enabled) await v2gSigner.provision();
        await sites.provision();
        await securityEvents.prune().promise;
      } catch (error) {
        // What the schema could not check (a real date, a tariff that exists, a duplicate) is
        // still the configuration's fault: a ConfigError naming the field (the CLI exits 2).
        if (error instanceof InvalidInputError) throw new ConfigError(error.field, valueAt(config, error.field), error.reason);
        throw error;
      }
    },
  };
}

/**
 * Services made before the server that will call their stations (so the configuration's tokens,
 * tariffs and policies are in the store before the first station connects), bound to the
 * server's call API once it runs. What `ocpp-csms` does:
 *
 *     const standard = unboundCsmsServices({ store, config });
 *     await standard.services.provision();
 *     const server = await startCsmsServer({ ..., store, services: (callsFor) => standard.bind(callsFor) });
 *     standard.bindLookup((id, component, variable) => server.csms.lookupVariable(id, { component, variable }).then(String));
 *
 * Until bound, a call to a station fails with StationOfflineError.
 */
export function unboundCsmsServices(options: Omit<CsmsServicesOptions, 'callsFor' | 'lookupVariable'>): {
  readonly services: CsmsServices;
  bind(callsFor: (stationId: string) => StationCalls): CsmsServices;
  bindLookup(lookupVariable: NonNullable<CsmsServicesOptions['lookupVariable']>): void;
} {
  let callsFor: ((stationId: string) => StationCalls) | undefined;
  let lookup: CsmsServicesOptions['lookupVariable'];
  const unbound = (stationId: string): StationCalls => {
    const refuse = () => Promise.reject(new StationOfflineError(stationId, 'the server is not started'));
    return { call: refuse as StationCalls['call'], callAsync: () => { throw new StationOfflineError(stationId, 'the server is not started'); } };
  };
  const services = createCsmsServices({
    ...options,
    callsFor: (stationId) => (callsFor ?? unbound)(stationId),
    lookupVariable: (stationId, component, variable) => (lookup ? lookup(stationId, component, variable) : Promise.resolve(undefined)),
  });
  return {
    services,
    bind(given) {
      callsFor = given;
      return services;
    },
    bindLookup(given) {
      lookup = given;
    },
  };
}

/** Create the services and write the configuration's provisioning (what a server does at start). */
export async function startCsmsServices(options: CsmsServicesOptions): Promise<CsmsServices> {
  const services = createCsmsServices(options);
  await services.provision();
  return services;
}

/** The value at a field path such as `tokens[2].expiresAt` (for the error message). */
function valueAt(config: StandardCsmsConfig, field: string): unknown {
  let at: unknown = config;
  for (const segment of field.split(/[.[\]]+/).filter(Boolean)) {
    if (typeof at !== 'object' || at === null) return undefined;
    at = (at as Record<string, unknown>)[segment];
  }
  return at;
}
