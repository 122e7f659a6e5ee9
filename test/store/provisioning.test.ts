/**
 * Which registration wins when the configuration file and the store both name a station
 * (src/provisioning.ts, README "Which registration wins"), across restarts of the server on
 * one SQLite store.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import acceptAll from '../../handlers/accept-all';
import allowList from '../../handlers/allow-list';
import type { OcppHandler } from '../../handlers/behaviour';
import { startCsmsServer, type CsmsServer, type StationEntry } from '../../src/csms-server';
import { openStore, type Store } from '../../src/store';

const HANDLERS: Record<string, OcppHandler> = { 'accept-all': acceptAll as OcppHandler, 'allow-list': allowList as OcppHandler };

describe('provisioning stations from the configuration file into the store', () => {
  let dir: string;
  let store: Store | undefined;
  let server: CsmsServer | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'csms-provision-'));
  });
  afterEach(async () => {
    await server?.stop();
    await store?.close();
    server = undefined;
    store = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  const entry = (id: string, passwordHash = 'scrypt$512$8$1$c2FsdA$aGFzaA', handler = 'accept-all'): StationEntry => ({
    id,
    registration: { handler: HANDLERS[handler]!, handlerName: handler, securityProfile: 1, passwordHash, evse: 1 },
  });

  /** One run of the server: start on the store, `during` it, stop. */
  async function run(stations: StationEntry[], during: (server: CsmsServer) => Promise<void> = async () => undefined): Promise<void> {
    store = await openStore({ driver: 'sqlite', path: join(dir, 'csms.sqlite') });
    server = await startCsmsServer({
      listener: { endpoints: [{ port: 0, host: '127.0.0.1' }] },
      stations,
      store,
      resolveHandler: (name) => {
        const handler = HANDLERS[name];
        if (!handler) throw new Error(`unknown handler ${name}`);
        return handler;
      },
    });
    await during(server);
    await server.stop();
    await store.close();
    server = undefined;
    store = undefined;
  }

  it('keeps a change made at run time while the configuration entry stays the same', async () => {
    await run([entry('CP1')], async (s) => {
      s.csms.updateCredentials('CP1', { passwordHash: 'scrypt$512$8$1$c2FsdA$cm90YXRlZA' });
      await s.csms.persisted('CP1');
    });
    await run([entry('CP1')], async (s) => {
      expect(s.csms.registration('CP1')?.passwordHash).toBe('scrypt$512$8$1$c2FsdA$cm90YXRlZA');
    });
  });

  it('applies the configuration entry again when it changed in the file', async () => {
    await run([entry('CP1')], async (s) => {
      s.csms.updateCredentials('CP1', { passwordHash: 'scrypt$512$8$1$c2FsdA$cm90YXRlZA' });
      await s.csms.persisted('CP1');
    });
    await run([entry('CP1', 'scrypt$512$8$1$c2FsdA$bmV3IGZpbGU')], async (s) => {
      expect(s.csms.registration('CP1')?.passwordHash).toBe('scrypt$512$8$1$c2FsdA$bmV3IGZpbGU');
    });
  });

  it('removes a station provisioned from the file once the file no longer names it, and keeps stations added at run time', async () => {
    await run([entry('CP1'), entry('CP2')], async (s) => {
      await s.csms.addStation('API1', { handler: acceptAll as OcppHandler, handlerName: 'accept-all', securityProfile: 0 });
    });
    await run([entry('CP1')], async (s) => {
      expect(s.csms.stationIds().sort()).toEqual(['API1', 'CP1']);
      expect(s.csms.registration('API1')).toMatchObject({ securityProfile: 0, handlerName: 'accept-all' });
    });
  });

  it('forgets a station removed at run time, and skips a stored station whose handler the server no longer knows', async () => {
    await run([], async (s) => {
      await s.csms.addStation('GONE', { handler: acceptAll as OcppHandler, handlerName: 'accept-all', securityProfile: 0 });
      await s.csms.addStation('ODD', { handler: acceptAll as OcppHandler, handlerName: 'accept-all', securityProfile: 0 });
      await s.csms.removeStation('GONE');
    });
    const raw = await openStore({ driver: 'sqlite', path: join(dir, 'csms.sqlite') });
    await raw.registry.saveRegistration('ODD', { handler: './no-longer-here.js', securityProfile: 0, evse: 1 }).promise;
    await raw.close();
    await run([], async (s) => {
      expect(s.csms.stationIds()).toEqual([]);
    });
  });
});
