/**
 * From a validated configuration to what starts the server: station registrations (handlers
 * loaded, plain passwords hashed, `defaults` applied), the listener options and the core
 * settings. Everything that can be wrong with a station is found here, before anything listens,
 * by the rules the CLI and the admin API apply too (src/config/station-rules.ts).
 *
 * Every path in the file (handler modules, TLS key, certificate and CA files) is relative to the
 * file's own folder, whatever the working directory.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import type { OcppHandler } from '../../handlers/behaviour';
import type { StationRegistration } from '../csms';
import { ConfigError, HandlerModuleError } from '../errors';
import { loggerFor } from '../log';
import { hashPassword } from '../server/credentials';
import type { ListenerOptions } from '../server/listener';
import type { CsmsServerOptions, StationEntry } from '../csms-server';
import type { ValidationPolicy } from '../station/station-context';
import { SHIPPED_HANDLERS, loadHandler } from '../config/handlers';
import { checkNewStation, handlerArgsProblem, type StationProblem } from '../config/station-rules';
import type { EvseConfig } from '../station/model/evse';
import type { CsmsConfig, EvseSetting, ListenerConfig, StationConfig } from '../config/schema';
import { authenticationThrottleOptions } from '../config/security';

const log = loggerFor('config');

/**
 * Build the server options. `configPath` locates relative handler paths (the embedded default
 * names only shipped handlers). Rejects with ConfigError or HandlerModuleError.
 */
export async function resolveServerOptions(config: CsmsConfig, configPath: string): Promise<CsmsServerOptions> {
  const baseDir = dirname(configPath);
  const handlers = new Map<string, OcppHandler>();
  const handlerFor = (reference: string): OcppHandler => {
    let handler = handlers.get(reference);
    if (!handler) {
      handler = loadHandler(reference, baseDir);
      handlers.set(reference, handler);
    }
    return handler;
  };

  const defaults = config.defaults;
  const defaultHandler = handlerFor(defaults.handler);
  const defaultsArgs = handlerArgsProblem(defaultHandler, defaults.handlerArgs);
  if (defaultsArgs) throw problemError('defaults', defaultsArgs);
  const stations: StationEntry[] = [];
  for (const [index, station] of config.stations.entries()) {
    stations.push({ id: station.id, registration: await registrationOf(station, index, config, handlerFor) });
  }
  warnUnreachableStations(config);

  const listener: ListenerOptions = {
    endpoints: config.listeners.map((l) => ({ port: l.port, host: l.host, tls: l.tls && tlsPaths(l.tls, baseDir) })),
    pathPrefix: config.server.pathPrefix,
    allowSpaceInIdentity: config.server.allowSpaceInIdentity,
    allowUnknownStations: config.server.allowUnknownStations,
    unknownStationStatus: config.server.unknownStationStatus,
    handshakeTimeoutMs: config.server.handshakeTimeoutMs,
    maxPayloadBytes: config.server.maxPayloadBytes,
    perMessageDeflate: config.server.perMessageDeflate,
    pingIntervalMs: config.server.pingIntervalMs,
    closeTimeoutMs: config.server.closeTimeoutMs,
    maxConnections: config.server.maxConnections,
    maxUnknownStations: config.server.maxUnknownStations,
    credentialCache: config.server.credentialCache,
    // The `security` section's throttle settings (src/config/security.ts), checked against the handshake timeout.
    authenticationThrottle: authenticationThrottleOptions(config.security, config.server.handshakeTimeoutMs),
    // A station first seen has proved nothing but its identity: it is registered at profile 0
    // (so it can reconnect the same way), with the defaults' handler, EVSEs and validation.
    unknownStation: (): StationRegistration => ({
      handler: defaultHandler,
      handlerName: defaults.handler,
      handlerArgs: defaults.handlerArgs,
      evse: evseOf(defaults.evse),
      securityProfile: 0,
      validation: defaults.validation as ValidationPolicy | undefined,
    }),
  };

  return {
    core: {
      settings: { ...config.core, maxFrameBytes: config.server.maxPayloadBytes },
      supervision: config.supervision,
    },
    listener,
    stations,
  };
}

async function registrationOf(
  station: StationConfig,
  index: number,
  config: CsmsConfig,
  handlerFor: (reference: string) => OcppHandler,
): Promise<StationRegistration> {
  const at = `stations[${index}]`;
  const profile = station.securityProfile ?? config.defaults.securityProfile;
  const reference = station.handler ?? config.defaults.handler;
  const handler = handlerFor(reference);
  // Arguments belong to a handler: a station running another handler than the defaults' does not
  // inherit the defaults' arguments (allow-list's idTokens mean nothing to a module of one's own).
  const handlerArgs = station.handlerArgs !== undefined ? station.handlerArgs : reference === config.defaults.handler ? config.defaults.handlerArgs : {};
  const problem = checkNewStation({
    id: station.id,
    securityProfile: profile,
    password: station.password,
    passwordHash: station.passwordHash,
    evse: station.evse,
    handler,
    handlerArgs,
  });
  if (problem) throw problemError(at, problem);
  let passwordHash = station.passwordHash;
  if (station.password !== undefined) {
    passwordHash = await hashPassword(station.password, { field: `${at}.password` });
    log.warn('station password stored in plain text in the configuration; store passwordHash instead (ocpp-csms station add)', {
      station: station.id,
    });
  }
  if ((profile === 1 || profile === 2) && passwordHash === undefined) {
    throw new ConfigError(`${at}.passwordHash`, undefined, `required for security profile ${profile} (or a plain password, hashed at load)`);
  }
  return {
    handlerName: reference,
    handler,
    handlerArgs,
    evse: evseOf(station.evse ?? config.defaults.evse),
    securityProfile: profile,
    passwordHash,
    validation: (station.validation ?? config.defaults.validation) as ValidationPolicy | undefined,
  };
}

/** A StationProblem of the entry at `at` (`stations[2]`, `defaults`) as the ConfigError the loader reports. */
function problemError(at: string, problem: StationProblem): ConfigError {
  return new ConfigError(`${at}.${problem.field}`, problem.value, problem.allowed);
}

/** The TLS section with its file paths resolved against the configuration file's folder. */
function tlsPaths(tls: NonNullable<ListenerConfig['tls']>, baseDir: string): NonNullable<ListenerConfig['tls']> {
  const at = (path: string): string => (isAbsolute(path) ? path : resolve(baseDir, path));
  return {
    ...tls,
    ...(tls.keyFile !== undefined ? { keyFile: at(tls.keyFile) } : {}),
    ...(tls.certFile !== undefined ? { certFile: at(tls.certFile) } : {}),
    ...(tls.certificates !== undefined ? { certificates: tls.certificates.map((pair) => ({ ...pair, keyFile: at(pair.keyFile), certFile: at(pair.certFile) })) } : {}),
    ...(tls.caFile !== undefined ? { caFile: at(tls.caFile) } : {}),
  };
}

/**
 * Stations the listeners can never admit: profile 2 and 3 need a wss:// listener, profile 3 one
 * that asks for client certificates (a caFile, clientCertificates not "none"). The file is
 * valid (a listener may be added later), so this is a warning, one per station.
 */
function warnUnreachableStations(config: CsmsConfig): void {
  const tls = config.listeners.filter((l) => l.tls !== undefined);
  const asksCertificates = tls.some((l) => l.tls!.caFile !== undefined && l.tls!.clientCertificates !== 'none');
  for (const [index, station] of config.stations.entries()) {
    const profile = station.securityProfile ?? config.defaults.securityProfile;
    if ((profile === 2 || profile === 3) && tls.length === 0) {
      log.warn('station can never connect: its security profile needs a TLS (wss://) listener and none is configured', {
        station: station.id,
        field: `stations[${index}].securityProfile`,
        securityProfile: profile,
      });
    } else if (profile === 3 && !asksCertificates) {
      log.warn('station can never connect: security profile 3 needs a TLS listener with caFile that asks for client certificates', {
        station: station.id,
        field: `stations[${index}].securityProfile`,
        securityProfile: profile,
      });
    }
  }
}

/** A list of EVSEs with every connector count filled in (default 1). */
function evseOf(setting: EvseSetting): EvseConfig {
  return typeof setting === 'number' ? setting : setting.map((evse) => ({ id: evse.id, connectors: evse.connectors ?? 1 }));
}

/**
 * The handler resolver the admin API gets: a name the configuration already uses (its defaults, a
 * station) or a shipped one, never a new path. Loading a module is running code: an HTTP client,
 * even an authenticated one, must not be able to make the server `require()` a file of its choice.
 */
export function adminHandlerResolver(config: CsmsConfig, configPath: string): (name: string | undefined) => OcppHandler {
  const allowed = new Set<string>([...Object.keys(SHIPPED_HANDLERS), config.defaults.handler]);
  for (const station of config.stations) if (station.handler !== undefined) allowed.add(station.handler);
  const baseDir = dirname(configPath);
  return (name) => {
    const reference = name ?? config.defaults.handler;
    if (!allowed.has(reference)) {
      throw new HandlerModuleError(reference, `not a handler of this server's configuration (${[...allowed].join(', ')})`);
    }
    return loadHandler(reference, baseDir);
  };
}
