/**
 * A station whose handler cannot start (its `init` throws) is isolated like any crashing station
 * (DESIGN.md §2, issue 16 item 2): its subtree restarts within its intensity and then gives up,
 * the station is reported `failed` in its view and in the log (station, handler module, `init`;
 * the stack at debug), its connections are refused with 503 at the upgrade, and the server and
 * every other station keep running.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import acceptAll from '../../handlers/accept-all';
import type { OcppHandler } from '../../handlers/behaviour';
import { loadHandler } from '../../src/config/handlers';
import type { Csms } from '../../src/csms';
import { captureLogs, type LogCapture } from '../support/log-capture';
import { STATIONS } from '../../supervisors/tree';
import { FramePeer, eventually, startTestServer, station, upgradeStatus, type TestServer } from '../server/listener-harness';

/** A real handler module whose init reads a property of arguments it was not given. */
function brokenModule(): { handler: OcppHandler; reference: string } {
  const dir = mkdtempSync(join(tmpdir(), 'handler-init-'));
  writeFileSync(
    join(dir, 'broken-handler.js'),
    [
      'module.exports = {',
      '  init(args) { return { interval: args.heartbeat.interval }; },',
      "  handleOcpp() { return { error: 'NotSupported' }; },",
      '};',
    ].join('\n'),
  );
  return { handler: loadHandler('./broken-handler.js', dir), reference: './broken-handler.js' };
}

/** Whether the view says failed (a query that meets a restarting station actor is not an answer yet). */
function isFailed(csms: Csms, id: string): Promise<boolean> {
  return csms.station(id).then(
    (view) => view.status === 'failed',
    () => false,
  );
}

/** Every log line of each test, at debug (the shared capture, put back after each test). */
function captureLogsPerTest(): { readonly lines: Record<string, unknown>[] } {
  let capture: LogCapture | undefined;
  beforeEach(() => {
    capture = captureLogs('debug');
  });
  afterEach(() => capture?.restore());
  return {
    get lines() {
      return capture?.lines ?? [];
    },
  };
}

describe('a station whose handler init fails', () => {
  const logs = captureLogsPerTest();
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('does not stop the server: the station is reported failed and refused 503 while the other stations keep running', async () => {
    const broken = brokenModule();
    server = await startTestServer({
      stations: [await station('CP1', { handler: broken.handler, handlerArgs: {} }), await station('CP2')],
      core: { supervision: { app: { strategy: 'one_for_all', intensity: 0, period: 10 }, stations: { strategy: 'simple_one_for_one', intensity: 0, period: 10 }, station: { strategy: 'rest_for_one', intensity: 2, period: 10 } } },
    });
    const { csms } = server;
    const stationsSupervisor = csms.registry.whereis(STATIONS)!;

    // Its subtree restarts within its intensity, then gives up alone.
    await eventually(() => isFailed(csms, 'CP1'));
    const view = await csms.station('CP1');
    expect(view.failure?.reason).toMatch(/station CP1: handler module \.\/broken-handler\.js failed in init: Cannot read properties of undefined \(reading 'interval'\)/);
    expect(view.id).toBe('CP1');

    // The log says which station, which handler module and that it was init; the stack at debug.
    const initLines = logs.lines.filter((l) => String(l.message).includes('failed in init'));
    expect(initLines.length).toBeGreaterThanOrEqual(3); // the first start and each restart
    expect(initLines[0]).toMatchObject({ level: 'error', station: 'CP1', handler: './broken-handler.js', callback: 'init' });
    expect(logs.lines.some((l) => l.level === 'debug' && l.message === 'handler init stack' && String(l.stack).includes('broken-handler.js'))).toBe(true);
    expect(logs.lines.some((l) => l.level === 'error' && String(l.message).startsWith('station CP1 failed and is given up'))).toBe(true);

    // Its connections are refused at the upgrade, told to come back later.
    const refused = await upgradeStatus(server.url, 'CP1');
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('60');
    await expect(csms.call('CP1', 'Reset', { type: 'Immediate' })).rejects.toMatchObject({ code: 'offline', state: 'failed' });

    // The server, the stations supervisor and CP2 are untouched.
    expect(csms.registry.whereis(STATIONS)).toBe(stationsSupervisor);
    expect(stationsSupervisor.alive).toBe(true);
    const cp2 = await FramePeer.open(server.url, 'CP2');
    await cp2.boot();
    expect((await cp2.call('Heartbeat', {}))[0]).toBe(3);
    expect((await csms.station('CP2')).status).toBe('idle');
    cp2.close();
  });

  it('recovers within its restart intensity when init fails once and then succeeds', async () => {
    let inits = 0;
    const flaky: OcppHandler = {
      init: (_args, context) => {
        inits += 1;
        if (inits === 1) throw new Error('database not reachable yet');
        return acceptAll.init({}, context);
      },
      handleOcpp: acceptAll.handleOcpp as OcppHandler['handleOcpp'],
    };
    server = await startTestServer({ stations: [await station('CP1', { handler: flaky })] });
    await eventually(() => inits >= 2);
    const peer = await FramePeer.open(server.url, 'CP1');
    await peer.boot();
    const view = await server.csms.station('CP1');
    expect(view.status).toBe('provisioning');
    expect(view.failure).toBeUndefined();
    expect(logs.lines.some((l) => String(l.message) === 'station CP1: handler module (unnamed handler) failed in init: database not reachable yet')).toBe(true);
    peer.close();
  });

  it('lets addStation resolve for a station whose init fails, and serves it once removed and added again with a working handler', async () => {
    server = await startTestServer({ stations: [await station('CP2')] });
    const { csms } = server;
    await csms.addStation('CP9', { handler: brokenModule().handler, securityProfile: 0 });
    await eventually(() => isFailed(csms, 'CP9'));
    expect((await upgradeStatus(server.url, 'CP9', { headers: {} })).status).toBe(503);

    await csms.removeStation('CP9');
    await csms.addStation('CP9', { handler: acceptAll, securityProfile: 0 });
    const peer = await FramePeer.open(server.url, 'CP9', { headers: {} });
    await peer.boot();
    expect((await csms.station('CP9')).status).toBe('provisioning');
    peer.close();
  });
});
