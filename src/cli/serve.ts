/**
 * `ocpp-csms [--config file] [--log-level level]`: load the configuration (the embedded default
 * when none is given), register its stations, start the supervision tree with the listener as a
 * child (and the admin API when enabled), and shut down in order on SIGINT/SIGTERM: stop
 * accepting, close every socket with 1001, stop the tree, exit 0.
 */
import { createAdminServer, resolveAdminConfig, type AdminServer } from '../admin';
import { readConfigFile } from '../config/load';
import { adminHandlerResolver, resolveServerOptions } from './resolve-config';
import { ConfigError, PortInUseError, describeCause } from '../errors';
import type { CsmsConfig } from '../config/schema';
import { configureLogging, loggerFor, type LogLevel } from '../log';
import { isAbnormal } from '../runtime';
import { startCsmsServer } from '../csms-server';
import { openStore, type Store } from '../store';
import { dirname } from 'node:path';
import { standardCsmsConfig, unboundCsmsServices } from '../services';
import { resolveCertificatesConfig } from '../services/certificates';
import { storageConfigOf } from '../config/storage';
import { DEMO_PASSWORDS, embeddedConfigPath } from './embedded';
import { startServeTelemetry } from './serve-telemetry';
import { serverHealth } from '../admin/health-routes';
import { readFileSync } from 'node:fs';
import { TlsReloader } from '../server/tls';
import { CertificateRenewal } from '../services/certificates';
import { resolveSecurityConfig, type SecuritySection } from '../config/security';
import { checkClusterStorage, type ClusterSection } from '../config/cluster';
import { ClusterNode } from '../cluster/node';
import { followRegistry } from '../cluster/registry-follow';
import { CLUSTER, CLUSTER_CHILD_SHUTDOWN_MS, clusterBehaviour } from '../cluster/child';
import { StoreBackedStationStore } from '../station/durable-store';
import type { CsmsOptions } from '../csms';
import { worker } from '../../supervisors';
import { beforeStations } from '../../supervisors/tree';

const log = loggerFor('cli');

export interface ServeOptions {
  readonly config?: string;
  readonly logLevel?: LogLevel;
}

/** Commit what is pending and close; a failure is logged (what was committed is kept). */
async function closeStore(store: Store): Promise<void> {
  try {
    await store.close();
  } catch (error) {
    log.error('store did not close cleanly', { reason: describeCause(error) });
  }
}

/** Runs until a signal (resolves 0) or the tree gives up (resolves 1). Rejects when start-up fails. */
export async function serve(options: ServeOptions): Promise<number> {
  const path = options.config ?? embeddedConfigPath();
  const config = readConfigFile(path);
  const level = options.logLevel ?? config.logging.level;
  configureLogging({ level, json: config.logging.format === 'json' || (config.logging.format === 'auto' && !process.stderr.isTTY) });
  const admin = resolveAdminConfig(config.admin);
  const serverOptions = await resolveServerOptions(config, path);
  // Cluster mode (issue 15) shares all state through PostgreSQL: refused on any other store.
  checkClusterStorage(config.cluster, config.storage.driver);
  // Issue 11: TLS files reloadable on SIGHUP and through the admin API; the profile upgrade's root.
  const tlsReloader = new TlsReloader();
  const security = resolveSecurityConfig(config.security, dirname(path));
  const csmsRootCertificate = readRootCertificate(security);
  // The store opens (and migrates) before anything listens: an unreachable, locked or corrupt
  // store stops the start here with a message saying which and why (DESIGN.md §7).
  const store = await openStore(storageConfigOf(config, path));
  // The standard CSMS (DESIGN.md §8): its services on the store, the configuration's tokens,
  // tariffs and boot policies written before the first station connects, bound to the server's
  // call API once it runs. Every handler reaches them through its context; the admin API too.
  const standard = unboundCsmsServices({
    store,
    config: standardCsmsConfig(config),
    // The CA's key and certificate files are relative to the configuration file, like every path in it.
    certificates: resolveCertificatesConfig(config.certificates, dirname(path)),
  });
  try {
    await standard.services.provision();
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  // Metrics, traces and probes (issue 14): the sink the CSMS reports to, when any is on.
  const telemetry = await startServeTelemetry(config.telemetry);
  let server: Awaited<ReturnType<typeof startCsmsServer>>;
  try {
    server = await startCsmsServer({
      ...serverOptions,
      listener: { ...serverOptions.listener, tlsReloader },
      // Cluster mode (issue 15): the presence child, the router and the epoch-fenced station store.
      core: clusterCoreOptions({ ...serverOptions.core, telemetry: telemetry.sink }, config.cluster, store),
      store,
      resolveHandler: adminHandlerResolver(config, path),
      services: (callsFor) => standard.bind(callsFor),
      // The store and the telemetry are children of the tree (DESIGN.md §7): stopped after the
      // stations, so their last commits land and their last spans leave (closing again below is a no-op).
      closeStore: true,
      storeWatch: { intervalMs: config.storage.probeIntervalMs, maxBackoffMs: config.storage.probeMaxBackoffMs },
      telemetryShutdown: () => telemetry.close(),
    });
  } catch (error) {
    await telemetry.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw listenerPortInUse(error, config) ?? error;
  }
  const csms = server.csms;
  // Cluster mode: stations added, changed or removed on another node are followed here.
  if (config.cluster && csms.router instanceof ClusterNode) {
    followRegistry({
      node: csms.router,
      directory: csms,
      load: (id) => store.registry.get(id),
      resolveHandler: adminHandlerResolver(config, path),
      invalidateCredentials: (id) => server.invalidateCredentials(id),
    });
  }
  standard.bindLookup(async (id, component, variable) => {
    const value = await csms.lookupVariable(id, { component, variable }).catch(() => undefined);
    return value === undefined ? undefined : String(value);
  });
  let adminServer: AdminServer | undefined;
  const health = serverHealth(server, store, config.telemetry.readinessTimeoutMs);
  try {
    if (admin.enabled) {
      adminServer = createAdminServer(server.csms, {
        host: admin.host,
        port: admin.port,
        token: admin.token,
        resolveHandler: adminHandlerResolver(config, path),
        onCredentialsChanged: (id) => server.invalidateCredentials(id),
        identity: { allowSpaceInIdentity: config.server.allowSpaceInIdentity },
        transactions: store.transactions,
        services: standard.services,
        telemetry: telemetry.admin(health),
        tlsReloader,
        profileUpgrade: {
          ...(security.profileUpgrade.ocppCsmsUrl !== undefined ? { ocppCsmsUrl: security.profileUpgrade.ocppCsmsUrl } : {}),
          ...(csmsRootCertificate !== undefined ? { csmsRootCertificate } : {}),
          signTimeoutMs: security.profileUpgrade.signTimeoutMs,
          messageTimeoutSeconds: security.profileUpgrade.messageTimeoutSeconds,
          ocppInterface: security.profileUpgrade.ocppInterface,
        },
      });
      await adminServer.listen();
    }
    await telemetry.listen(health);
  } catch (error) {
    await adminServer?.close().catch(() => undefined);
    await telemetry.close().catch(() => undefined);
    await server.stop();
    await store.close().catch(() => undefined);
    throw error;
  }

  // Station certificates renewed before they expire (A02): an unref'd timer, stopped at shutdown.
  const renewalSettings = security.certificateRenewal;
  const renewal = renewalSettings.enabled ? new CertificateRenewal(standard.services.certificates, renewalSettings) : undefined;
  renewal?.start();
  // SIGHUP: the TLS listeners read their key, certificate and CA files again (a failing file keeps the old ones).
  const onHangup = () => {
    log.info('SIGHUP: reloading the TLS listeners’ certificates', { listeners: tlsReloader.size });
    tlsReloader.reload();
  };
  process.on('SIGHUP', onHangup);

  log.info('CSMS started', {
    store: store.db.description,
    // The process to signal under a process manager (npm start execs node: it is npm's child).
    pid: process.pid,
    config: options.config ?? '(embedded default)',
    stations: server.csms.stationIds().length,
    endpoints: server.addresses.map((a) => a.url),
  });
  if (options.config === undefined) {
    log.info('demo stations (embedded default; published passwords, for trying things out only)', {
      CP000: 'security profile 0, no password',
      ...Object.fromEntries(Object.entries(DEMO_PASSWORDS).map(([id, password]) => [id, `profile 1, password ${password}`])),
    });
  }

  return new Promise<number>((resolve) => {
    let stopping = false;
    const shutdown = (signal: string) => {
      if (stopping) {
        log.warn('second signal: exiting without waiting for the ordered shutdown', { signal });
        process.exit(1);
      }
      stopping = true;
      log.info('shutting down', { signal });
      process.off('SIGHUP', onHangup);
      void (async () => {
        await renewal?.stop();
        try {
          await adminServer?.close();
        } catch (error) {
          log.warn('admin API did not close cleanly', { reason: describeCause(error) });
        }
        const reason = await server.stop();
        standard.services.close();
        await closeStore(store);
        await telemetry.close().catch(() => undefined);
        log.info('stopped', { reason: reason.kind });
        resolve(0);
      })();
    };
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    void server.csms.stopped.then((reason) => {
      if (!stopping && isAbnormal(reason)) {
        log.error('the supervision tree gave up; exiting', { reason: reason.kind });
        process.off('SIGHUP', onHangup);
        void renewal?.stop();
        void adminServer?.close();
        standard.services.close();
        void closeStore(store)
          .then(() => telemetry.close())
          .catch(() => undefined)
          .then(() => resolve(1));
      }
    });
  });
}

/**
 * The listener reports a busy port as a ConfigError of `listeners[i].port` carrying the socket
 * error; the operator is told it the same way as for the admin port: "port N on HOST is in use
 * (listeners[i].port)".
 */
function listenerPortInUse(error: unknown, config: CsmsConfig): PortInUseError | undefined {
  for (let cause: unknown = error, depth = 0; cause instanceof Error && depth < 5; cause = cause.cause, depth++) {
    if (!(cause instanceof ConfigError)) continue;
    const field = /^listeners\[(\d+)\]\.port$/.exec(cause.field);
    const listener = field ? config.listeners[Number(field[1])] : undefined;
    if (listener && /EADDRINUSE/.test(cause.message)) return new PortInUseError(listener.port, listener.host, cause.field);
  }
  return undefined;
}

/** The PEM root the profile upgrade installs on profile-1 stations, read at start (ConfigError naming the field). */
function readRootCertificate(security: SecuritySection): string | undefined {
  const file = security.profileUpgrade.csmsRootCertificateFile;
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError('security.profileUpgrade.csmsRootCertificateFile', file, `a readable PEM file (${describeCause(error)})`);
  }
  if (!/-----BEGIN CERTIFICATE-----/.test(text)) throw new ConfigError('security.profileUpgrade.csmsRootCertificateFile', file, 'a PEM certificate');
  return text;
}

/**
 * Cluster mode (issue 15, DESIGN.md §6): this node's presence as a child of the app supervisor
 * started before the stations, the router every Csms API path asks, and the station store whose
 * writes are fenced by the connection epoch (ended transactions are published to every node).
 * Without a `cluster` section the core options are unchanged.
 */
function clusterCoreOptions(core: CsmsOptions, cluster: ClusterSection | undefined, store: Store): CsmsOptions {
  if (!cluster) return core;
  const node = new ClusterNode(cluster);
  node.on('event', (event) => log.debug('cluster event', { ...event }));
  return {
    ...core,
    router: node,
    store: new StoreBackedStationStore(store, {
      epochs: node,
      onCommittedEvent: (station, event) => {
        if (event.eventType === 'Ended') {
          node.transactionEnded(station, { transactionId: event.transactionInfo.transactionId, seqNo: event.seqNo, stoppedReason: event.transactionInfo.stoppedReason });
        }
      },
    }),
    children: [
      ...(core.children ?? []),
      beforeStations({ id: 'cluster', start: worker(clusterBehaviour, node, { register: CLUSTER }), shutdown: CLUSTER_CHILD_SHUTDOWN_MS }),
    ],
  };
}
