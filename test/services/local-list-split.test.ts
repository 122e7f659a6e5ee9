/**
 * Local authorization lists larger than the station takes in one message (D01/D02, Part 2
 * Appendix 3 §3.1.10 LocalAuthListCtrlr.ItemsPerMessage and BytesPerMessage): the standard CSMS
 * over a real socket with a strict ocpp-rpc station that reports its limits in its device model
 * (a FullInventory report). The list goes in several SendLocalList messages: the first as asked,
 * the rest Differential with the same version; each part the station accepts is recorded.
 */
import type { RPCClient } from 'ocpp-rpc';
import standard from '../../handlers/standard';
import { createAdminServer } from '../../src/admin';
import { sendLocalListFrameBytes, splitLocalList } from '../../src/services/local-lists';
import type { AuthorizationData } from '../../schemas/types.generated';
import { BOOT, answerBaseReport, answerCalls, removeTemporaryStores, startStandardCsms, type StandardCsms } from './support/standard-csms';

jest.setTimeout(60_000);

interface Sent {
  readonly versionNumber: number;
  readonly updateType: 'Full' | 'Differential';
  readonly localAuthorizationList?: AuthorizationData[];
}

const TOKENS = ['T1', 'T2', 'T3', 'T4', 'T5', 'T6', 'T7'];
const ids = (sent: Sent) => (sent.localAuthorizationList ?? []).map((entry) => entry.idToken.idToken);

describe('a SendLocalList larger than the station’s limits, over a socket', () => {
  let csms: StandardCsms;
  let cp: RPCClient;
  let received: Sent[];
  /** What the station answers each SendLocalList, in turn; Accepted when the script runs out. */
  let script: string[];
  let frames: string[];
  let stationId = 0;

  /** A fresh station reporting `limits` (LocalAuthListCtrlr variable → value), booted and reported. */
  async function stationWith(limits: Record<string, string>): Promise<string> {
    const id = `LL${++stationId}`;
    cp = csms.client(id);
    received = [];
    script = [];
    frames = [];
    answerCalls<Sent>(cp, 'SendLocalList', (params) => {
      received.push(params);
      return { status: script.shift() ?? 'Accepted' };
    });
    cp.on('message', ({ message, outbound }: { message: string | Buffer; outbound: boolean }) => {
      const text = message.toString();
      if (!outbound && text.includes('"SendLocalList"')) frames.push(text);
    });
    answerBaseReport(cp, [
      { component: { name: 'LocalAuthListCtrlr' }, variable: { name: 'Enabled' }, variableAttribute: [{ type: 'Actual', value: 'true' }] },
      ...Object.entries(limits).map(([name, value]) => ({
        component: { name: 'LocalAuthListCtrlr' },
        variable: { name },
        variableAttribute: [{ type: 'Actual' as const, value, mutability: 'ReadOnly' as const }],
      })),
    ]);
    await cp.connect();
    await expect(cp.call('BootNotification', BOOT)).resolves.toMatchObject({ status: 'Accepted' });
    await csms.server.csms.getBaseReport(id, { requestId: stationId, reportBase: 'FullInventory' });
    return id;
  }

  beforeAll(async () => {
    csms = await startStandardCsms({
      stations: ['LL1', 'LL2', 'LL3', 'LL4', 'LL5', 'LL6', 'LL7', 'LL8'],
      config: { tokens: TOKENS.map((idToken) => ({ idToken, type: 'ISO14443' as const, status: 'Accepted' as const })) },
    });
  });

  afterAll(async () => {
    await csms?.stop();
    removeTemporaryStores();
  });

  it('sends a Full list of 7 to a station taking 3 per message as Full, Differential, Differential under one version', async () => {
    const id = await stationWith({ ItemsPerMessage: '3' });
    await expect(csms.services.localLists.send(id, 'Full')).resolves.toEqual({ status: 'Accepted', updateType: 'Full', version: 1, sent: 7, messages: 3 });
    expect(received.map((r) => [r.updateType, r.versionNumber, ids(r).length])).toEqual([
      ['Full', 1, 3],
      ['Differential', 1, 3],
      ['Differential', 1, 1],
    ]);
    expect(received.flatMap(ids).sort()).toEqual(TOKENS);
    await expect(csms.services.localLists.state(id)).resolves.toMatchObject({ version: 1, entries: 7 });
  });

  it('splits a Differential update the same way, every message Differential with the next version', async () => {
    const id = await stationWith({ ItemsPerMessage: '2' });
    await csms.services.localLists.send(id, 'Full');
    received.length = 0;
    for (const idToken of ['T1', 'T2', 'T3']) await csms.services.tokens.put({ idToken, type: 'ISO14443', status: 'Blocked' }).ticket.promise;
    try {
      await expect(csms.services.localLists.send(id, 'Differential')).resolves.toEqual({ status: 'Accepted', updateType: 'Differential', version: 2, sent: 3, messages: 2 });
      expect(received.map((r) => [r.updateType, r.versionNumber, ids(r).length])).toEqual([
        ['Differential', 2, 2],
        ['Differential', 2, 1],
      ]);
    } finally {
      for (const idToken of ['T1', 'T2', 'T3']) await csms.services.tokens.put({ idToken, type: 'ISO14443', status: 'Accepted' }).ticket.promise;
    }
  });

  it('keeps every SendLocalList frame within the station’s BytesPerMessage', async () => {
    const limit = 300;
    const id = await stationWith({ BytesPerMessage: String(limit) });
    const outcome = await csms.services.localLists.send(id, 'Full');
    expect(outcome).toMatchObject({ status: 'Accepted', sent: 7 });
    expect(outcome.messages).toBeGreaterThan(1);
    expect(frames).toHaveLength(outcome.messages!);
    for (const frame of frames) expect(Buffer.byteLength(frame, 'utf8')).toBeLessThanOrEqual(limit);
    expect(received.flatMap(ids).sort()).toEqual(TOKENS);
  });

  it('records what the station accepted when a later part is refused, and sends the rest with the next Differential update', async () => {
    const id = await stationWith({ ItemsPerMessage: '3' });
    script = ['Accepted', 'Failed'];
    await expect(csms.services.localLists.send(id, 'Full')).resolves.toEqual({ status: 'Failed', updateType: 'Full', version: 1, sent: 6, messages: 2 });
    // Nothing is sent after the refused part.
    expect(received).toHaveLength(2);
    await expect(csms.services.localLists.state(id)).resolves.toMatchObject({ version: 1, entries: 3 });
    received.length = 0;
    await expect(csms.services.localLists.send(id, 'Differential')).resolves.toEqual({ status: 'Accepted', updateType: 'Differential', version: 2, sent: 4, messages: 2 });
    expect(received.flatMap(ids).sort()).toEqual(TOKENS.filter((t) => !['T1', 'T2', 'T3'].includes(t)));
    await expect(csms.services.localLists.state(id)).resolves.toMatchObject({ version: 2, entries: 7 });
  });

  it('records nothing and sends nothing more when the first part is refused', async () => {
    const id = await stationWith({ ItemsPerMessage: '3' });
    script = ['VersionMismatch'];
    await expect(csms.services.localLists.send(id, 'Full')).resolves.toEqual({ status: 'VersionMismatch', updateType: 'Full', version: 0, sent: 3, messages: 1 });
    expect(received).toHaveLength(1);
    await expect(csms.services.localLists.state(id)).resolves.toMatchObject({ version: 0, entries: 0 });
  });

  it('answers the admin API’s POST /api/stations/{id}/local-list with how many messages the list took', async () => {
    const id = await stationWith({ ItemsPerMessage: '4' });
    const admin = createAdminServer(csms.server.csms, { host: '127.0.0.1', port: 0, resolveHandler: () => standard, services: csms.services });
    const { port } = await admin.listen();
    try {
      const response = await fetch(`http://127.0.0.1:${port}/api/stations/${id}/local-list`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ updateType: 'Full' }),
      });
      expect(response.status).toBe(200);
      await expect(response.json()).resolves.toEqual({ status: 'Accepted', updateType: 'Full', version: 1, sent: 7, messages: 2 });
      expect(received.map((r) => r.updateType)).toEqual(['Full', 'Differential']);
    } finally {
      await admin.close();
    }
  });

  it('sends one message when the station reports no limit, or one that is not a positive integer', async () => {
    for (const limits of [{}, { ItemsPerMessage: '0' }] as Record<string, string>[]) {
      const id = await stationWith(limits);
      await expect(csms.services.localLists.send(id, 'Full')).resolves.toEqual({ status: 'Accepted', updateType: 'Full', version: 1, sent: 7 });
      expect(received).toHaveLength(1);
      expect(ids(received[0]!)).toHaveLength(7);
    }
  });
});

describe('splitLocalList', () => {
  const entry = (idToken: string): AuthorizationData => ({ idToken: { idToken, type: 'ISO14443' }, idTokenInfo: { status: 'Accepted' } });
  const list = ['A', 'B', 'C', 'D', 'E'].map(entry);

  it('cuts by items, keeping the order, the last part shorter', () => {
    expect(splitLocalList(list, { itemsPerMessage: 2 }).map((part) => part.map((e) => e.idToken.idToken))).toEqual([['A', 'B'], ['C', 'D'], ['E']]);
  });

  it('cuts by bytes so that each frame fits, counting the frame around the entries', () => {
    const overhead = sendLocalListFrameBytes({ versionNumber: 1, updateType: 'Differential', localAuthorizationList: [] });
    const limit = overhead + 2 * JSON.stringify(entry('A')).length + 1;
    const parts = splitLocalList(list, { bytesPerMessage: limit }, overhead);
    expect(parts.map((part) => part.length)).toEqual([2, 2, 1]);
    for (const part of parts) {
      expect(sendLocalListFrameBytes({ versionNumber: 1, updateType: 'Differential', localAuthorizationList: part })).toBeLessThanOrEqual(limit);
    }
  });

  it('takes the stricter of the two limits, and sends an entry too large for any frame alone', () => {
    expect(splitLocalList(list, { itemsPerMessage: 1, bytesPerMessage: 100_000 }).map((p) => p.length)).toEqual([1, 1, 1, 1, 1]);
    expect(splitLocalList(list, { bytesPerMessage: 1 }, 500).map((p) => p.length)).toEqual([1, 1, 1, 1, 1]);
  });

  it('keeps an empty list as one empty part (a Full update that empties the station’s list)', () => {
    expect(splitLocalList([], { itemsPerMessage: 3 })).toEqual([[]]);
  });
});
