import WebSocket, { WebSocketServer } from 'ws';
import type { AddressInfo } from 'node:net';
import { simulate, type SimulateOptions, type SimulationSummary } from '../../src/simulator';
import { startStandIn, type StandIn } from './stand-in-csms';

const ID = 'SIM-00001';
let standIn: StandIn;

beforeEach(async () => {
  standIn = await startStandIn();
});
afterEach(async () => {
  await standIn.close();
});

type Client = Awaited<ReturnType<StandIn['waitFor']>>;

/**
 * Runs one station whose session is over (three StatusNotifications seen) and which lingers,
 * hands its server-side client to `body`, then lets the station go and returns the summary.
 */
async function withIdleStation(body: (client: Client) => Promise<void>, options: Partial<SimulateOptions> = {}): Promise<SimulationSummary> {
  // The CSMS closes the connection to end the stay: the station is not to reconnect.
  const run = simulate({ url: standIn.url, meterIntervalMs: 10, meterUpdates: 0, lingerMs: 15000, reconnectAttempts: 0, ...options });
  const client = await standIn.waitFor(ID, 'StatusNotification', 3);
  // One round trip: the station has taken the answer to its last StatusNotification and is idle.
  await client.call('GetVariables', { getVariableData: [{ component: { name: 'ChargingStation' }, variable: { name: 'Model' } }] });
  try {
    await body(client);
  } finally {
    await client.close();
  }
  const summary = await run;
  expect(standIn.validationFailures).toEqual([]);
  return summary;
}

function sent(action: string): Array<Record<string, unknown>> {
  return (standIn.calls.get(ID) ?? []).filter((c) => c.action === action).map((c) => c.params);
}

describe('a simulated station answering the CSMS', () => {
  it('answers GetVariables from its device model with the standard status for each item', async () => {
    await withIdleStation(async (client) => {
      const answer = await client.call('GetVariables', {
        getVariableData: [
          { component: { name: 'ChargingStation' }, variable: { name: 'Model' } },
          { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } },
          { component: { name: 'NoSuchCtrlr' }, variable: { name: 'Enabled' } },
          { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'NoSuchVariable' } },
          { component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } },
          { component: { name: 'ChargingStation' }, variable: { name: 'Model' }, attributeType: 'Target' },
          { component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'AvailabilityState' } },
        ],
      });
      const results = (answer as { getVariableResult: Array<Record<string, unknown>> }).getVariableResult;
      expect(results.map((r) => [r.attributeStatus, r.attributeValue])).toEqual([
        ['Accepted', 'SimCharger'],
        ['Accepted', '300'],
        ['UnknownComponent', undefined],
        ['UnknownVariable', undefined],
        ['Rejected', undefined],
        ['NotSupportedAttributeType', undefined],
        ['Accepted', 'Available'],
      ]);
    });
  });

  it('applies SetVariables to writable variables of the right type and rejects the rest', async () => {
    await withIdleStation(async (client) => {
      const answer = (await client.call('SetVariables', {
        setVariableData: [
          { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, attributeValue: '60' },
          { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, attributeValue: 'soon' },
          { component: { name: 'ChargingStation' }, variable: { name: 'Model' }, attributeValue: 'Other' },
        ],
      })) as { setVariableResult: Array<{ attributeStatus: string }> };
      expect(answer.setVariableResult.map((r) => r.attributeStatus)).toEqual(['Accepted', 'Rejected', 'Rejected']);
      const read = (await client.call('GetVariables', {
        getVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }],
      })) as { getVariableResult: Array<{ attributeValue: string }> };
      expect(read.getVariableResult[0]!.attributeValue).toBe('60');
    });
  });

  it('accepts TriggerMessage for Heartbeat and StatusNotification and then sends the triggered message', async () => {
    await withIdleStation(async (client) => {
      expect(await client.call('TriggerMessage', { requestedMessage: 'Heartbeat' })).toEqual({ status: 'Accepted' });
      await standIn.waitFor(ID, 'Heartbeat', 2);
      expect(await client.call('TriggerMessage', { requestedMessage: 'StatusNotification', evse: { id: 1, connectorId: 1 } })).toEqual({ status: 'Accepted' });
      await standIn.waitFor(ID, 'StatusNotification', 4);
      expect(sent('StatusNotification')[3]).toMatchObject({ evseId: 1, connectorId: 1, connectorStatus: 'Available' });
    });
  });

  it('rejects a triggered BootNotification once its boot was Accepted (F06.FR.17) and answers NotImplemented for triggers it lacks', async () => {
    await withIdleStation(async (client) => {
      expect(await client.call('TriggerMessage', { requestedMessage: 'BootNotification' })).toEqual({ status: 'Rejected' });
      expect(await client.call('TriggerMessage', { requestedMessage: 'LogStatusNotification' })).toEqual({ status: 'NotImplemented' });
    });
    expect(sent('BootNotification')).toHaveLength(1);
  });

  it('accepts GetBaseReport and sends the report as NotifyReport parts with seqNo and tbc', async () => {
    await withIdleStation(async (client) => {
      expect(await client.call('GetBaseReport', { requestId: 7, reportBase: 'FullInventory' })).toEqual({ status: 'Accepted' });
      await standIn.waitFor(ID, 'NotifyReport', 3);
    });
    const parts = sent('NotifyReport') as Array<{ requestId: number; seqNo: number; tbc: boolean; reportData: unknown[] }>;
    expect(parts.map((p) => [p.requestId, p.seqNo, p.tbc])).toEqual([
      [7, 0, true],
      [7, 1, true],
      [7, 2, false],
    ]);
    expect(parts.map((p) => p.reportData.length)).toEqual([4, 4, 3]);
  });

  it('answers an OCPP 2.0.1 action it does not support with CALLERROR NotSupported', async () => {
    await withIdleStation(async (client) => {
      await expect(client.call('ClearCache', {})).rejects.toMatchObject({ rpcErrorCode: 'NotSupported' });
    });
  });

  it('marks an EVSE Inoperative with a StatusNotification Unavailable on ChangeAvailability, and rejects an unknown EVSE', async () => {
    await withIdleStation(async (client) => {
      expect(await client.call('ChangeAvailability', { operationalStatus: 'Inoperative', evse: { id: 1 } })).toEqual({ status: 'Accepted' });
      await standIn.waitFor(ID, 'StatusNotification', 4);
      expect(sent('StatusNotification')[3]).toMatchObject({ evseId: 1, connectorStatus: 'Unavailable' });
      expect(await client.call('ChangeAvailability', { operationalStatus: 'Inoperative', evse: { id: 9 } })).toMatchObject({ status: 'Rejected' });
    });
  });

  it('starts a remote transaction on RequestStartTransaction with the transactionId it announced', async () => {
    const summary = await withIdleStation(async (client) => {
      const answer = (await client.call('RequestStartTransaction', { remoteStartId: 42, idToken: { idToken: 'REMOTE1', type: 'Central' } })) as {
        status: string;
        transactionId: string;
      };
      expect(answer.status).toBe('Accepted');
      await standIn.waitFor(ID, 'StatusNotification', 5);
      const events = sent('TransactionEvent') as Array<{ eventType: string; triggerReason: string; transactionInfo: Record<string, unknown> }>;
      expect(events.slice(2).map((e) => [e.eventType, e.triggerReason])).toEqual([
        ['Started', 'RemoteStart'],
        ['Ended', 'StopAuthorized'],
      ]);
      expect(events[2]!.transactionInfo).toMatchObject({ transactionId: answer.transactionId, remoteStartId: 42 });
    });
    // AuthorizeRemoteStart is false: the station does not authorize a remote start itself.
    expect(sent('Authorize')).toHaveLength(1);
    expect(summary.progress).toMatchObject({ sessionsStarted: 2, sessionsCompleted: 2 });
  });

  it('ends a running transaction on RequestStopTransaction with stoppedReason Remote', async () => {
    const run = simulate({ url: standIn.url, meterIntervalMs: 20, meterUpdates: 10000 });
    const client = await standIn.waitFor(ID, 'TransactionEvent', 2);
    const started = sent('TransactionEvent')[0] as { transactionInfo: { transactionId: string } };
    expect(await client.call('RequestStopTransaction', { transactionId: 'not-this-one' })).toEqual({ status: 'Rejected' });
    expect(await client.call('RequestStopTransaction', { transactionId: started.transactionInfo.transactionId })).toEqual({ status: 'Accepted' });
    const summary = await run;
    const ended = sent('TransactionEvent').at(-1);
    expect(ended).toMatchObject({ eventType: 'Ended', triggerReason: 'RemoteStop', transactionInfo: { stoppedReason: 'Remote' } });
    expect(summary.outcomes.completed).toBe(1);
    expect(standIn.validationFailures).toEqual([]);
  });
});

/**
 * A bare WebSocket server standing in for a misbehaving CSMS: `onBoot` gets the socket and the
 * station's first CALL (its BootNotification) and decides what to send. Runs one simulated
 * station against it; resolves with the summary and the simulator's answers to the CSMS's CALLs
 * (type, id, code of each).
 */
async function againstRawCsms(
  onBoot: (ws: WebSocket, boot: unknown[]) => void,
  options: Partial<SimulateOptions> = {},
): Promise<{ summary: SimulationSummary; answers: unknown[][] }> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: () => 'ocpp2.0.1' });
  const answers: unknown[][] = [];
  wss.on('connection', (ws) => {
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as unknown[];
      if (frame[0] === 2) onBoot(ws, frame);
      else answers.push(frame.slice(0, 3));
    });
  });
  await new Promise((resolve) => wss.once('listening', resolve));
  const port = (wss.address() as AddressInfo).port;
  try {
    const summary = await simulate({ url: `ws://127.0.0.1:${port}/ocpp`, ...options });
    return { summary, answers };
  } finally {
    await new Promise((resolve) => wss.close(resolve));
  }
}

describe('OCPP-J framing errors from the CSMS', () => {
  it('answers an unknown action NotImplemented, a broken frame RpcFrameworkError and an unknown message type MessageTypeNotSupported', async () => {
    const { summary, answers } = await againstRawCsms((ws, boot) => {
      // Probe the station first, answer its boot Rejected when done.
      ws.send(JSON.stringify([2, 'a1', 'NoSuchAction', {}]));
      ws.send('this is not json');
      ws.send(JSON.stringify([7, 'a3', {}]));
      setTimeout(() => ws.send(JSON.stringify([3, boot[1], { status: 'Rejected', currentTime: new Date().toISOString(), interval: 10 }])), 100);
    });
    expect(summary.outcomes.boot_rejected).toBe(1);
    expect(answers).toEqual([
      [4, 'a1', 'NotImplemented'],
      [4, '-1', 'RpcFrameworkError'],
      [4, 'a3', 'MessageTypeNotSupported'],
    ]);
  });
});

describe('OCPP-J rules the simulator takes from the project codec', () => {
  it('answers a station-initiated action NotSupported, a schema-invalid CALL with its code, and fails its own call at once on a malformed CALLERROR', async () => {
    const started = Date.now();
    const { summary, answers } = await againstRawCsms(
      (ws, boot) => {
        ws.send(JSON.stringify([2, 'b1', 'Heartbeat', {}]));
        ws.send(JSON.stringify([2, 'b2', 'Reset', { type: 'Sometime' }]));
        // Part 4 §4.2.3: a CALLERROR has five elements; this one is never answered.
        setTimeout(() => ws.send(JSON.stringify([4, boot[1], 'GenericError'])), 100);
      },
      { callTimeoutMs: 20_000 },
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(summary.outcomes.failed).toBe(1);
    expect(summary.errors.map((e) => e.code)).toContain('RpcFrameworkError');
    expect(answers).toEqual([
      [4, 'b1', 'NotSupported'],
      [4, 'b2', 'PropertyConstraintViolation'],
    ]);
  });
});

describe('the stand-in CSMS', () => {
  it('records a schema violation, so the tests asserting none are meaningful', async () => {
    const ws = new WebSocket(`${standIn.url}/RAW-1`, ['ocpp2.0.1']);
    await new Promise((resolve) => ws.once('open', resolve));
    const reply = new Promise<unknown[]>((resolve) => ws.once('message', (d) => resolve(JSON.parse(d.toString()) as unknown[])));
    ws.send(JSON.stringify([2, 'x1', 'BootNotification', { reason: 'PowerUp' }]));
    expect((await reply)[0]).toBe(4);
    expect(standIn.validationFailures.length).toBeGreaterThan(0);
    ws.close();
  });
});
