/**
 * Message ids on the wire (OCPP-J Part 4 §4.1.4): a station may not reuse the id of a CALL that
 * is still being processed; ids the CSMS sends are UUIDs, unique across reconnects.
 */
import { defineHandler, nowRfc3339 } from '../../handlers/behaviour';
import { MAX_CALLS_IN_PROGRESS } from '../../src/connection/connection-actor';
import { startCsms, type Csms } from '../../src/csms';
import acceptAll from '../../handlers/accept-all';
import { BOOT_REQUEST, MemoryStation, errorCode, eventually } from '../support/memory-station';

/** Message ids of the Authorize requests the handler deferred, in order. */
const deferredIds: string[] = [];

/** Defers every Authorize, so it stays "being processed" until the API answers it. */
const deferring = defineHandler({
  init: () => null,
  actions: {
    BootNotification: () => ({ reply: { status: 'Accepted', currentTime: nowRfc3339(), interval: 300 } }),
    Authorize: (_request, _state, context) => {
      deferredIds.push(context.messageId);
      return { noreply: true };
    },
  },
});

async function deferred(messageId: string): Promise<void> {
  await eventually(() => expect(deferredIds).toContain(messageId));
}

/** The station actor has taken the socket's loss (the event manager is told before any later message). */
async function offline(csms: Csms): Promise<void> {
  await eventually(async () => expect((await csms.station('CP')).status).toBe('offline'));
}

const AUTHORIZE = { idToken: { idToken: 'TOKEN', type: 'ISO14443' } };

describe('message ids', () => {
  let csms: Csms;
  beforeEach(async () => {
    deferredIds.length = 0;
    csms = await startCsms({ settings: { callTimeoutMs: 1000 } });
    await csms.addStation('CP', { handler: deferring });
  });
  afterEach(async () => {
    await csms.stop();
  });

  it('should refuse with RpcFrameworkError a CALL that reuses the id of one still being processed, and answer the first', async () => {
    const station = new MemoryStation(csms, 'CP').connect();
    await station.boot();
    station.raw(JSON.stringify([2, 'same-id', 'Authorize', AUTHORIZE]));
    await deferred('same-id');
    // A second CALL with the same id, while the first is still being processed, is refused at once.
    station.raw(JSON.stringify([2, 'same-id', 'Heartbeat', {}]));
    await station.waitFrames(2);
    expect(station.received[1]).toEqual([4, 'same-id', 'RpcFrameworkError', expect.stringContaining('same-id'), {}]);
    // The first is still answered, with its own result.
    await csms.reply('CP', 'same-id', { idTokenInfo: { status: 'Accepted' } });
    await station.waitFrames(3);
    expect(station.received[2]).toEqual([3, 'same-id', { idTokenInfo: { status: 'Accepted' } }]);
    // Once answered, the id may be used again.
    expect((await station.call('Heartbeat', {}, 'same-id')).type).toBe(3);
  });

  it('should forget a deferred request when its connection drops, so a late answer is refused', async () => {
    const station = new MemoryStation(csms, 'CP').connect();
    await station.boot();
    void station.call('Authorize', AUTHORIZE, 'deferred');
    await deferred('deferred');
    station.disconnect();
    await offline(csms);
    await expect(csms.reply('CP', 'deferred', { idTokenInfo: { status: 'Accepted' } })).rejects.toMatchObject({ code: 'offline' });
  });

  it('should send UUID message ids, never the same one twice across reconnects', async () => {
    const ids = new Set<string>();
    for (let round = 0; round < 3; round++) {
      const station = new MemoryStation(csms, 'CP').connect();
      if (round === 0) await station.boot();
      else expect(errorCode(await station.call('Heartbeat', {}))).toBeUndefined();
      for (let n = 0; n < 5; n++) {
        const pending = csms.call('CP', 'ClearCache', {});
        const call = await station.nextCall();
        expect(call.messageId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        ids.add(call.messageId);
        station.answer(call, { status: 'Accepted' });
        await pending;
      }
      station.disconnect();
      await offline(csms);
    }
    expect(ids.size).toBe(15);
  });
});

describe('answers across reconnects', () => {
  let csms: Csms | undefined;
  afterEach(async () => {
    await csms?.stop();
  });

  it('should never send an answer computed for the previous connection to a new CALL that reuses its id (regression)', async () => {
    const c = (csms = await startCsms());
    // The first Authorize is held in the handler until the test lets it answer.
    let letAnswer!: () => void;
    const held = new Promise<void>((resolve) => (letAnswer = resolve));
    const authorizing: string[] = [];
    await c.addStation('CP', {
      handler: {
        ...acceptAll,
        async handleOcpp(action, request, state, context) {
          if (action === 'Authorize') {
            authorizing.push(context.messageId);
            await held;
          }
          return acceptAll.handleOcpp(action, request, state as never, context);
        },
      },
    });
    const before = new MemoryStation(c, 'CP').connect();
    await before.boot();
    void before.call('Authorize', AUTHORIZE, 'id-1');
    await eventually(() => expect(authorizing).toEqual(['id-1']));
    before.disconnect(); // the charger reboots, and its message counter restarts
    await eventually(async () => expect((await c.station('CP')).status).toBe('offline'));
    const after = new MemoryStation(c, 'CP').connect();
    const boot = after.call('BootNotification', BOOT_REQUEST, 'id-1');
    // The old Authorize answers only now, while the new CALL with its id is in progress. The event
    // manager runs one request at a time: the boot is answered after the old answer went out, and dropped.
    letAnswer();
    expect(await boot).toMatchObject({ type: 3, payload: { status: 'Accepted', interval: expect.any(Number) } });
    expect(after.received.filter((f) => f[1] === 'id-1')).toEqual([[3, 'id-1', expect.objectContaining({ status: 'Accepted', interval: expect.any(Number) })]]);
    expect((await c.station('CP')).status).toBe('provisioning');
  });
});

describe('limits on calls', () => {
  let csms: Csms | undefined;
  afterEach(async () => {
    await csms?.stop();
  });

  it('should refuse a station CALL beyond the calls in progress it may have, with RpcFrameworkError', async () => {
    const c = (csms = await startCsms());
    await c.addStation('CP', { handler: deferring });
    const station = new MemoryStation(c, 'CP').connect();
    await station.boot();
    for (let n = 0; n < MAX_CALLS_IN_PROGRESS; n++) station.raw(JSON.stringify([2, `a${n}`, 'Authorize', AUTHORIZE]));
    station.raw(JSON.stringify([2, 'one-too-many', 'Authorize', AUTHORIZE]));
    await station.waitFrames(2);
    expect(station.received[1]).toEqual([4, 'one-too-many', 'RpcFrameworkError', expect.stringContaining('calls in progress'), {}]);
  });

  it('should reject a call whose timeout is not a usable number of milliseconds, before sending it', async () => {
    const c = (csms = await startCsms());
    await c.addStation('CP', { handler: acceptAll });
    const station = new MemoryStation(c, 'CP').connect();
    await station.boot();
    for (const timeout of [Number.NaN, -5, 0, 2 ** 31, 1.5]) {
      await expect(c.call('CP', 'ClearCache', {}, { timeout })).rejects.toMatchObject({ code: 'config_invalid', field: 'timeout' });
    }
    expect(station.received).toHaveLength(1);
  });
});
