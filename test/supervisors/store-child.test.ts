/**
 * The store and the telemetry as children of the application supervisor (DESIGN.md §7), in a
 * real server with a SQLite store and an independent OCPP client (ocpp-rpc) on 127.0.0.1:
 * started before the stations supervisor, stopped after it, so a station's last commit lands
 * before the store closes; a restart of the tree keeps the store open; the final stop closes it
 * (when the server owns it) and shuts the telemetry down last.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RPCClient } from 'ocpp-rpc';
import acceptAll from '../../handlers/accept-all';
import { startCsmsServer, type CsmsServer, type CsmsServerOptions } from '../../src/csms-server';
import { killActor, type ActorRef } from '../../src/runtime';
import { openStore, type Store } from '../../src/store';
import { LISTENER } from '../../supervisors/listener';
import { STORE } from '../../supervisors/store';
import { TELEMETRY } from '../../supervisors/telemetry';
import { STATIONS, DEFAULT_TREE_CONFIG, startCsmsTree } from '../../supervisors/tree';
import { whichChildren } from '../../supervisors';
import { storeChild } from '../../supervisors/store';
import { telemetryChild } from '../../supervisors/telemetry';
import { StoreWatch } from '../../src/store/store-child';
import { worker } from '../../supervisors/children';
import { dispatch } from '../../src/runtime';
import { probe, probeName } from './fixtures';
import { serverHealth } from '../../src/admin/health-routes';

/** A child of the application supervisor the test can crash (after the stations, like the listener). */
const crashy = { id: 'crashy', start: worker(probe, { label: 'crashy', register: true }) };

function crashCrashy(server: CsmsServer): number {
  const ref = server.csms.registry.whereis(probeName('crashy'))!;
  dispatch(ref, { type: 'crash' });
  return ref.id;
}

jest.setTimeout(60_000);

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function sqlitePath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'csms-store-child-'));
  dirs.push(dir);
  return join(dir, 'csms.sqlite');
}

/** Resolves once `check` holds, polling (generous bound: the machine is shared). */
async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

interface Journaled {
  readonly store: Store;
  readonly journal: string[];
}

/** The store, with its close written to a journal together with whether the stations still ran then. */
function journaled(store: Store, server: () => CsmsServer | undefined): Journaled {
  const journal: string[] = [];
  return {
    journal,
    store: {
      ...store,
      close: async () => {
        const csms = server()?.csms;
        journal.push(`store closed; stations ${csms?.registry.whereis(STATIONS)?.alive ? 'running' : 'stopped'}`);
        await store.close();
      },
    },
  };
}

async function startServer(store: Store, extra: Partial<CsmsServerOptions> = {}): Promise<CsmsServer> {
  return startCsmsServer({
    core: { name: `store-child-${Math.random().toString(36).slice(2, 8)}` },
    listener: { endpoints: [{ port: 0, host: '127.0.0.1' }], pathPrefix: '/ocpp' },
    stations: [{ id: 'ST1', registration: { handler: acceptAll, handlerName: 'accept-all', securityProfile: 0 } }],
    store,
    resolveHandler: () => acceptAll,
    ...extra,
  });
}

async function bootedClient(server: CsmsServer): Promise<RPCClient> {
  const client = new RPCClient({ endpoint: server.addresses[0]!.url, identity: 'ST1', protocols: ['ocpp2.0.1'], strictMode: true, reconnect: false } as never);
  await client.connect();
  await expect(client.call('BootNotification', { reason: 'PowerUp', chargingStation: { model: 'M', vendorName: 'V' } })).resolves.toMatchObject({ status: 'Accepted' });
  return client;
}

const statusOf = (connectorStatus: string) => ({ timestamp: new Date().toISOString(), connectorStatus, evseId: 1, connectorId: 1 });

async function storedStatus(path: string): Promise<string | undefined> {
  const store = await openStore({ driver: 'sqlite', path });
  try {
    const rows = await store.db.query<{ evse: string }>('SELECT evse FROM station_standing WHERE station_id = $1', ['ST1']);
    const evse = rows[0] ? (JSON.parse(rows[0].evse) as { evses: { connectors: { status?: string }[] }[] }) : undefined;
    return evse?.evses[0]?.connectors[0]?.status;
  } finally {
    await store.close();
  }
}

/**
 * Holds the store's commits whose statements carry `marker` until `release()`: the test stops the
 * server while such a commit is in flight.
 */
function holdCommits(store: Store, marker: string): { arrived: Promise<void>; release(): void } {
  let arrive!: () => void;
  let release!: () => void;
  const arrived = new Promise<void>((resolve) => (arrive = resolve));
  const gate = new Promise<void>((resolve) => (release = resolve));
  const db = store.db as { batch: Store['db']['batch'] };
  const batch = store.db.batch.bind(store.db);
  db.batch = async (statements) => {
    if (JSON.stringify(statements.map((s) => s.params ?? [])).includes(JSON.stringify(marker).slice(1, -1))) {
      arrive();
      await gate;
    }
    return batch(statements);
  };
  return { arrived, release };
}

describe('the store child in the application supervisor', () => {
  it('is started after the telemetry child and before the stations supervisor and the listener', async () => {
    const store = await openStore({ driver: 'memory' });
    const watch = new StoreWatch(store);
    const app = await startCsmsTree(DEFAULT_TREE_CONFIG, [
      { id: 'listener', start: (await import('../../supervisors/children')).worker({ init: () => 0, receive: (s: number) => s }, undefined) },
      telemetryChild({ shutdown: () => Promise.resolve(), closeOnStop: () => true }),
      storeChild({ store, watch, closeOnStop: () => true }),
    ]);
    expect((await whichChildren(app.root)).map((child) => child.id)).toEqual(['telemetry', 'store', 'stations', 'listener']);
    expect(watch.watching).toBe(true);
    await app.stop();
    expect(watch.watching).toBe(false);
    await expect(store.ping()).rejects.toThrow(/closed/);
  });

  it('lands a station’s last commit, in flight when the server is stopped, before it closes the store it owns', async () => {
    const path = sqlitePath();
    const running: { server?: CsmsServer } = {};
    const { store, journal } = journaled(await openStore({ driver: 'sqlite', path }), () => running.server);
    const held = holdCommits(store, '"Faulted"');
    const server = (running.server = await startServer(store, { closeStore: true }));
    const client = await bootedClient(server);
    const last = client.call('StatusNotification', statusOf('Faulted')).catch(() => 'no answer: the socket closed first');
    await held.arrived;
    const stopped = server.stop();
    // The listener and the stations stop; the store waits for the commit in flight.
    await eventually(() => server.csms.registry.whereis(STATIONS) === undefined, 'the stations supervisor to stop');
    expect(journal).toEqual([]);
    held.release();
    await stopped;
    await last;
    await client.close({ force: true }).catch(() => undefined);
    expect(journal).toEqual(['store closed; stations stopped']);
    await expect(store.ping()).rejects.toThrow(/closed/);
    await expect(storedStatus(path)).resolves.toBe('Faulted');
  });

  it('leaves the store open after the stop when the caller owns it (the default), with the last commit landed', async () => {
    const path = sqlitePath();
    const store = await openStore({ driver: 'sqlite', path });
    const held = holdCommits(store, '"Unavailable"');
    const server = await startServer(store);
    const client = await bootedClient(server);
    void client.call('StatusNotification', statusOf('Unavailable')).catch(() => undefined);
    await held.arrived;
    const stopped = server.stop();
    await eventually(() => server.csms.registry.whereis(STATIONS) === undefined, 'the stations supervisor to stop');
    held.release();
    await stopped;
    await client.close({ force: true }).catch(() => undefined);
    await expect(store.ping()).resolves.toBeUndefined();
    await store.close();
    await expect(storedStatus(path)).resolves.toBe('Unavailable');
  });

  it('keeps the store open and the telemetry running when the tree restarts after another child crashed', async () => {
    const store = await openStore({ driver: 'sqlite', path: sqlitePath() });
    let shutdowns = 0;
    const server = await startServer(store, { closeStore: true, telemetryShutdown: async () => void (shutdowns += 1), core: { children: [crashy] } });
    const firstStore = server.csms.registry.whereis(STORE)!;
    // Another child crashes: one_for_all (the default) stops and restarts every child, the store child too.
    crashCrashy(server);
    await eventually(() => {
      const current = server.csms.registry.whereis(STORE);
      return current !== undefined && current.alive && current.id !== firstStore.id && server.csms.registry.whereis(LISTENER)?.alive === true;
    }, 'the tree to restart');
    await expect(store.ping()).resolves.toBeUndefined();
    await expect(store.registry.list()).resolves.toMatchObject([{ id: 'ST1' }]);
    expect(server.storeWatch?.watching).toBe(true);
    expect(shutdowns).toBe(0);
    await server.stop();
    expect(shutdowns).toBe(1);
    await expect(store.ping()).rejects.toThrow(/closed/);
  });

  it('is restarted by the application supervisor when it is killed, the store still open and watched', async () => {
    const store = await openStore({ driver: 'memory' });
    const server = await startServer(store, { closeStore: true });
    const first = server.csms.registry.whereis(STORE)!;
    killActor(first as ActorRef<never>);
    await eventually(() => {
      const current = server.csms.registry.whereis(STORE);
      return current !== undefined && current.alive && current.id !== first.id;
    }, 'a new store child');
    await expect(store.ping()).resolves.toBeUndefined();
    expect(server.storeWatch?.watching).toBe(true);
    await server.stop();
  });

  it('shuts the telemetry down once, after the stations have stopped and the store has closed', async () => {
    const journal: string[] = [];
    const running: { server?: CsmsServer } = {};
    const store = await openStore({ driver: 'memory' });
    const closing: Store = {
      ...store,
      close: async () => {
        journal.push('store closed');
        await store.close();
      },
    };
    const server = (running.server = await startServer(closing, {
      closeStore: true,
      telemetryShutdown: async () => {
        journal.push(`telemetry shut down; stations ${running.server?.csms.registry.whereis(STATIONS)?.alive ? 'running' : 'stopped'}`);
      },
    }));
    expect(server.csms.registry.whereis(TELEMETRY)?.alive).toBe(true);
    await server.stop();
    expect(journal).toEqual(['store closed', 'telemetry shut down; stations stopped']);
  });

  it('closes the store it owns and shuts the telemetry down when the tree gives up', async () => {
    const store = await openStore({ driver: 'memory' });
    let shutdowns = 0;
    const server = await startServer(store, { closeStore: true, telemetryShutdown: async () => void (shutdowns += 1), core: { children: [crashy] } });
    let gaveUp = false;
    void server.csms.stopped.then(() => (gaveUp = true));
    // More restarts than the application supervisor's intensity (3 in 10 s by default).
    for (let crash = 0; crash < 4 && !gaveUp; crash += 1) {
      const crashed = crashCrashy(server);
      await eventually(() => gaveUp || (server.csms.registry.whereis(probeName('crashy'))?.id ?? crashed) !== crashed, 'a restart or the give-up');
    }
    await expect(server.csms.stopped).resolves.toMatchObject({ kind: 'error' });
    await eventually(async () => store.ping().then(() => false, () => true), 'the store to be closed');
    expect(shutdowns).toBe(1);
  });

  it('has readiness follow its watch: unready at once while the store does not answer, ready again once the watch finds it back', async () => {
    const real = await openStore({ driver: 'memory' });
    let down = false;
    let pings = 0;
    const store: Store = { ...real, ping: () => ((pings += 1), down ? Promise.reject(new Error('disk unplugged')) : real.ping()) };
    const server = await startServer(store, { closeStore: true, storeWatch: { intervalMs: 100, minBackoffMs: 100, maxBackoffMs: 200 } });
    const health = serverHealth(server, store);
    try {
      await expect(health.ready()).resolves.toMatchObject({ status: 'ok', checks: { store: { ok: true } } });
      down = true;
      await eventually(() => server.storeWatch?.reachability.ok === false, 'the watch to find the store gone');
      const before = pings;
      const report = health.ready();
      // Readiness answers from the watch's verdict (decided before anything is awaited, so no
      // probe of the watch's own can come in between): it does not ping a store known to be gone.
      expect(pings).toBe(before);
      await expect(report).resolves.toMatchObject({ status: 'unavailable', checks: { store: { ok: false, detail: 'disk unplugged' } } });
      down = false;
      await eventually(() => server.storeWatch?.reachability.ok === true, 'the watch to find the store back');
      await expect(health.ready()).resolves.toMatchObject({ status: 'ok', checks: { store: { ok: true } } });
    } finally {
      await server.stop();
    }
  });
});
