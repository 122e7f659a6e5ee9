/**
 * The simulator against the real CSMS server (not the ocpp-rpc stand-in): 50 stations complete
 * their sessions, and what the summary counts is exactly what the server saw on the wire and in
 * its read models.
 */
import acceptAll from '../../handlers/accept-all';
import { simulate } from '../../src/simulator';
import { eventually, startTestServer, type TestServer } from '../server/listener-harness';

describe('the simulator against the CSMS server', () => {
  let server: TestServer;
  const seenByAction = new Map<string, number>();
  const answeredWithError: string[] = [];

  beforeAll(async () => {
    server = await startTestServer({ listener: { allowUnknownStations: true, unknownStation: () => ({ handler: acceptAll, securityProfile: 0 }) } });
    server.csms.on('frame', (event) => {
      if (event.direction === 'in' && event.error === undefined) {
        const frame = JSON.parse(event.text) as unknown[];
        if (frame[0] === 2) seenByAction.set(frame[2] as string, (seenByAction.get(frame[2] as string) ?? 0) + 1);
      }
      if (event.direction === 'out' && event.text.startsWith('[4,')) answeredWithError.push(event.text);
    });
  });

  afterAll(async () => {
    await server.stop();
  });

  it('should complete 50 charging sessions, with the summary matching what the server counted per action', async () => {
    const summary = await simulate({ url: server.url, stations: 50, meterIntervalMs: 20, meterUpdates: 2, concurrency: 25 });

    expect(summary.outcomes).toEqual({ completed: 50, refused: 0, boot_rejected: 0, failed: 0, interrupted: 0 });
    expect(summary.errors).toEqual([]);
    expect(answeredWithError).toEqual([]);
    const simulated = Object.fromEntries(Object.entries(summary.messages.byAction).map(([action, c]) => [action, c.callsSent]));
    expect(Object.fromEntries(seenByAction)).toEqual(simulated);
    expect(summary.messages.sent).toBe([...seenByAction.values()].reduce((a, b) => a + b, 0));
    expect(simulated.TransactionEvent).toBe(50 * (1 + 2 + 1));

    // The server's read models saw every station boot and every transaction end.
    const ids = server.csms.stationIds().filter((id) => id.startsWith('SIM-'));
    expect(ids).toHaveLength(50);
    for (const id of ids) {
      const view = await server.csms.station(id);
      expect(view.bootStatus).toBe('Accepted');
      expect(view.openTransactions).toEqual([]);
    }
  });

  it('should reboot a simulated station that accepts Reset Immediate, and serve it again once it booted with RemoteReset', async () => {
    const abort = new AbortController();
    const bootReasons: string[] = [];
    const onFrame = (event: { stationId: string; direction: string; text: string }): void => {
      if (event.stationId !== 'RESET-00001' || event.direction !== 'in') return;
      const frame = JSON.parse(event.text) as unknown[];
      if (frame[0] === 2 && frame[2] === 'BootNotification') bootReasons.push((frame[3] as { reason: string }).reason);
    };
    server.csms.on('frame', onFrame);
    const run = simulate(
      { url: server.url, identityPrefix: 'RESET-', meterIntervalMs: 10, meterUpdates: 0, lingerMs: 600_000, rebootDelayMs: 10, reconnectWaitMs: 10, reconnectRandomMs: 0 },
      { signal: abort.signal, interruptOn: [] },
    );
    await eventually(async () => (await server.csms.station('RESET-00001').catch(() => undefined))?.status === 'idle');

    expect(await server.csms.call('RESET-00001', 'Reset', { type: 'Immediate' })).toEqual({ status: 'Accepted' });
    await eventually(() => bootReasons.length === 2);
    await eventually(async () => (await server.csms.station('RESET-00001')).status === 'idle');
    expect(bootReasons).toEqual(['PowerUp', 'RemoteReset']);
    abort.abort();

    const summary = await run;
    expect(summary.progress).toMatchObject({ reboots: 1, reconnects: 1 });
    expect(summary.outcomes).toMatchObject({ completed: 1, failed: 0 });
    server.csms.off('frame', onFrame);
  });
});
