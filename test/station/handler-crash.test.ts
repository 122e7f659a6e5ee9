/**
 * A handler that fails is not an actor crash (DESIGN.md §2): the station gets CALLERROR
 * `InternalError` for the request (OCPP-J Part 4 §4.2.3), the handler is reinstalled with the
 * crash reason, the crash is counted, and past the configured limit the event manager escalates
 * so the station's subtree restarts — keeping the station's standing. Peers never notice.
 */
import acceptAll from '../../handlers/accept-all';
import { nowRfc3339, type InitContext, type OcppHandler } from '../../handlers/behaviour';
import { startCsms, type Csms } from '../../src/csms';
import { connectionName, eventManagerName, stationName } from '../../src/station/messages';
import type { StationSettings } from '../../src/station/station-context';
import { MemoryStation, eventually, type Answer } from '../support/memory-station';

type Mode = 'ok' | 'throw' | 'reject' | 'hang' | 'stuck' | 'invalid' | 'not-an-answer';

/** A handler call held until the test releases it (with a failure). */
interface Stuck {
  release?: (error: Error) => void;
}

/**
 * A handler whose Authorize fails the way the test says; it records every `init` (to prove the
 * reinstall and what it was told). Everything else is accepted like the demo handler.
 */
function faultyHandler(): { handler: OcppHandler<{ generation: number }>; inits: InitContext[]; control: { mode: Mode; stuck: Stuck } } {
  const inits: InitContext[] = [];
  const control = { mode: 'ok' as Mode, stuck: {} as Stuck };
  const handler: OcppHandler<{ generation: number }> = {
    init: (_args, context) => {
      inits.push(context);
      return { generation: inits.length };
    },
    handleOcpp: (action, request, _state, context) => {
      if (action === 'BootNotification') {
        return { reply: { status: 'Accepted', currentTime: nowRfc3339(), interval: 300 } } as never;
      }
      if (action !== 'Authorize') return acceptAll.handleOcpp(action, request, { heartbeatInterval: 300 }, context) as never;
      switch (control.mode) {
        case 'ok':
          return { reply: { idTokenInfo: { status: 'Accepted' } } } as never;
        case 'throw':
          throw new Error('handler bug: cannot read property of undefined');
        case 'reject':
          return Promise.reject(new Error('database connection refused'));
        case 'hang':
          return new Promise<never>(() => undefined);
        case 'stuck':
          return new Promise<never>((_resolve, reject) => (control.stuck.release = reject));
        case 'invalid':
          return { reply: { idTokenInfo: { status: 'Perhaps' } } } as never;
        case 'not-an-answer':
          return { something: 'else' } as never;
      }
    },
  };
  return { handler, inits, control };
}

const AUTHORIZE = { idToken: { idToken: 'TOKEN1', type: 'ISO14443' } };

function incarnations(csms: Csms, id: string): number[] {
  return [eventManagerName(id), stationName(id), connectionName(id)].map((name) => csms.registry.whereis(name as never)?.id ?? -1);
}

describe('handler crashes', () => {
  let csms: Csms;
  afterEach(async () => {
    await csms?.stop();
  });

  async function start(settings: Partial<StationSettings> = {}) {
    const faulty = faultyHandler();
    csms = await startCsms({ settings: { handlerTimeoutMs: 100, handlerCrashLimit: { intensity: 10, periodMs: 60_000 }, ...settings } });
    await csms.addStation('X', { handler: faulty.handler as OcppHandler });
    const station = new MemoryStation(csms, 'X').connect();
    await station.bootAccepted();
    return { ...faulty, station };
  }

  const failures: [string, Mode, RegExp][] = [
    ['throws', 'throw', /handleOcpp\(Authorize\) failed: handler bug/],
    ['returns a rejected promise', 'reject', /handleOcpp\(Authorize\) failed: database connection refused/],
    ['does not answer within handlerTimeoutMs', 'hang', /did not answer Authorize within 100 ms/],
    ['answers a schema-invalid response', 'invalid', /schema-invalid response/],
    ['returns neither reply, error nor noreply', 'not-an-answer', /without reply, error or noreply/],
  ];

  it.each(failures)(
    'answers InternalError with the request id, reinstalls the handler and counts the crash when the handler %s',
    async (_what, mode, reason) => {
      const { station, inits, control } = await start();
      expect(inits).toHaveLength(1);
      expect(inits[0]!.crash).toBeUndefined();
      control.mode = mode;

      const answer = await station.call('Authorize', AUTHORIZE, 'auth-crash-1');

      expect(answer).toMatchObject({ type: 4, code: 'InternalError' });
      const frame = station.received.find((f) => f[1] === 'auth-crash-1');
      expect(frame?.slice(0, 3)).toEqual([4, 'auth-crash-1', 'InternalError']);
      // A handler's invalid response never reaches the wire (DESIGN.md §4).
      expect(JSON.stringify(station.received)).not.toContain('Perhaps');
      expect(inits).toHaveLength(2);
      expect(inits[1]).toMatchObject({ stationId: 'X', crash: { count: 1 } });
      expect(inits[1]!.crash!.reason).toMatch(reason);
      expect((await csms.station('X')).stats.handlerCrashes).toBe(1);

      control.mode = 'ok';
      expect(await station.call('Authorize', AUTHORIZE)).toEqual({ type: 3, payload: { idTokenInfo: { status: 'Accepted' } } });
      expect((await csms.station('X')).status).toBe('idle');
    },
  );

  it('counts every crash and keeps the actors when the crashes stay within the limit', async () => {
    const { station, inits, control } = await start({ handlerCrashLimit: { intensity: 3, periodMs: 60_000 } });
    const before = incarnations(csms, 'X');
    control.mode = 'throw';
    for (let i = 0; i < 3; i++) expect(await station.call('Authorize', AUTHORIZE)).toMatchObject({ type: 4, code: 'InternalError' });
    expect(inits.map((i) => i.crash?.count)).toEqual([undefined, 1, 2, 3]);
    const view = await csms.station('X');
    expect(view.stats.handlerCrashes).toBe(3);
    expect(view.stats.stationStarts).toBe(1);
    expect(incarnations(csms, 'X')).toEqual(before);
  });

  it('escalates past the crash limit: the station subtree restarts with new incarnations and keeps its standing', async () => {
    const { station, inits, control } = await start({ handlerCrashLimit: { intensity: 2, periodMs: 60_000 } });
    expect(await station.statusNotification(1, 1, 'Occupied')).toMatchObject({ type: 3 });
    const before = incarnations(csms, 'X');
    control.mode = 'throw';
    expect(await station.call('Authorize', AUTHORIZE)).toMatchObject({ type: 4, code: 'InternalError' });
    expect(await station.call('Authorize', AUTHORIZE)).toMatchObject({ type: 4, code: 'InternalError' });
    const closed = station.closedByCsms();
    // The third crash within the period is one too many: the event manager fails.
    const third = station.call('Authorize', AUTHORIZE, 'auth-escalating');

    // rest_for_one: the event manager is the first child, so all three restart.
    await eventually(() => {
      const after = incarnations(csms, 'X');
      for (let i = 0; i < 3; i++) {
        expect(after[i]).toBeGreaterThan(0);
        expect(after[i]).not.toBe(before[i]);
      }
    });
    // The restarted connection cannot continue the old socket's framing: the charger must reconnect.
    expect((await closed).code).toBe(4003);
    // Even the crash that escalates is answered before the socket goes (DESIGN.md §2).
    expect(await third).toMatchObject({ type: 4, code: 'InternalError' });
    // init ran once at start, twice as reinstalls, once in the new event-manager incarnation.
    expect(inits).toHaveLength(4);
    expect(inits[3]!.crash).toBeUndefined();

    const view = await csms.station('X');
    expect(view.stats.handlerCrashes).toBe(3);
    expect(view.stats.stationStarts).toBe(2);
    expect(view.bootStatus).toBe('Accepted');
    expect(view.status).toBe('offline');
    expect(view.evse.evses[0]!.connectors[0]!.status).toBe('Occupied');

    // Reconnecting without a new boot (OCPP-J Part 4 §5.3) is served.
    control.mode = 'ok';
    const again = new MemoryStation(csms, 'X').connect();
    expect(await again.heartbeat()).toMatchObject({ type: 3 });
    expect(await again.call('Authorize', AUTHORIZE)).toEqual({ type: 3, payload: { idTokenInfo: { status: 'Accepted' } } });
    expect((await csms.station('X')).status).toBe('idle');
  });

  it('answers InternalError to X while stations Y and Z, exchanging messages all the while, miss nothing', async () => {
    // X's stuck handler is released by the test, not by a timeout: the peers' progress is what is waited for.
    const { station: x, control } = await start({ handlerTimeoutMs: 30_000 });
    await csms.addStation('Y', { handler: acceptAll });
    await csms.addStation('Z', { handler: acceptAll });
    const peers = ['Y', 'Z'].map((id) => new MemoryStation(csms, id).connect());
    for (const peer of peers) await peer.bootAccepted();
    const peerIncarnations = ['Y', 'Z'].map((id) => incarnations(csms, id));

    let running = true;
    const answers: Answer[][] = peers.map(() => []);
    const exchanges = peers.map(async (peer, i) => {
      while (running) {
        answers[i]!.push(await peer.heartbeat());
        answers[i]!.push(await peer.call('Authorize', AUTHORIZE));
      }
    });
    /** Wait until each peer has been answered `count` more times than now. */
    const peersAnsweredMore = async (count: number) => {
      const marks = answers.map((a) => a.length);
      await eventually(() => answers.forEach((a, i) => expect(a.length).toBeGreaterThanOrEqual(marks[i]! + count)), 5000);
    };

    // X's handler fails in every way while the peers talk; while it is stuck on X's request, the
    // peers are answered again and again.
    const xAnswers: Answer[] = [];
    for (const mode of ['throw', 'stuck', 'reject', 'invalid'] as Mode[]) {
      control.mode = mode;
      const pending = x.call('Authorize', AUTHORIZE);
      if (mode === 'stuck') {
        await eventually(() => expect(control.stuck.release).toBeDefined());
        await peersAnsweredMore(6);
        control.stuck.release!(new Error('released by the test'));
      }
      xAnswers.push(await pending);
      await peersAnsweredMore(2);
    }
    control.mode = 'ok';
    const recovered = await x.call('Authorize', AUTHORIZE);
    running = false;
    await Promise.all(exchanges);

    expect(xAnswers.map((a) => (a.type === 4 ? a.code : 'result'))).toEqual(['InternalError', 'InternalError', 'InternalError', 'InternalError']);
    expect(recovered).toEqual({ type: 3, payload: { idTokenInfo: { status: 'Accepted' } } });
    for (const peerAnswers of answers) expect(peerAnswers.filter((a) => a.type !== 3)).toEqual([]);
    expect(['Y', 'Z'].map((id) => incarnations(csms, id))).toEqual(peerIncarnations);
    for (const id of ['Y', 'Z']) expect((await csms.station(id)).stats.handlerCrashes).toBe(0);
    expect((await csms.station('X')).stats.handlerCrashes).toBe(4);
  });

  /** A handler whose Authorize throws and whose `init` throws when it is a reinstall after a crash. */
  function reinstallFails(): { handler: OcppHandler<null>; inits: ('fresh' | 'threw')[] } {
    const inits: ('fresh' | 'threw')[] = [];
    const handler: OcppHandler<null> = {
      init: (_args, context) => {
        if (context.crash) {
          inits.push('threw');
          throw new Error('cannot reconnect to the tariff database');
        }
        inits.push('fresh');
        return null;
      },
      handleOcpp: (action, request, _state, context) => {
        if (action === 'Authorize') throw new Error('handler bug');
        return acceptAll.handleOcpp(action, request, { heartbeatInterval: 300 }, context) as never;
      },
    };
    return { handler, inits };
  }

  it('restarts the station subtree when the reinstalled handler\'s init throws (an actor crash), and a fresh init serves the station again', async () => {
    const { handler, inits } = reinstallFails();
    csms = await startCsms();
    await csms.addStation('X', { handler: handler as OcppHandler });
    const station = new MemoryStation(csms, 'X').connect();
    await station.bootAccepted();
    const before = incarnations(csms, 'X');
    const closed = station.closedByCsms();

    void station.call('Authorize', AUTHORIZE, 'auth-init-throws');

    // rest_for_one: the event manager is the first child, so all three restart.
    await eventually(() => {
      const after = incarnations(csms, 'X');
      for (let i = 0; i < 3; i++) {
        expect(after[i]).toBeGreaterThan(0);
        expect(after[i]).not.toBe(before[i]);
      }
    });
    expect((await closed).code).toBe(4003);
    expect(inits).toEqual(['fresh', 'threw', 'fresh']);
    const view = await csms.station('X');
    expect(view.stats).toMatchObject({ handlerCrashes: 1, stationStarts: 2 });
    expect(view.bootStatus).toBe('Accepted');

    const again = new MemoryStation(csms, 'X').connect();
    expect(await again.heartbeat()).toMatchObject({ type: 3 });
    expect((await csms.station('X')).status).toBe('idle');
  });

  // Regression (found with issue 17): when the reinstall's init threw, the event manager crashed
  // before it answered the request that crashed the handler, so the station got no InternalError.
  it('answers the request that crashed the handler with InternalError even when the reinstall\'s init throws', async () => {
    const { handler } = reinstallFails();
    csms = await startCsms();
    await csms.addStation('X', { handler: handler as OcppHandler });
    const station = new MemoryStation(csms, 'X').connect();
    await station.bootAccepted();
    const closed = station.closedByCsms();
    void station.call('Authorize', AUTHORIZE, 'auth-init-throws');
    await closed;
    expect(station.received.filter((frame) => frame[1] === 'auth-init-throws')).toEqual([[4, 'auth-init-throws', 'InternalError', expect.any(String), {}]]);
  });

  it.each<[string, (handler: OcppHandler<{ generation: number }>) => void, (station: MemoryStation) => Promise<MemoryStation>, RegExp]>([
    [
      'handleInfo throws on an event',
      (handler) => {
        handler.handleInfo = (event) => {
          if (event.type === 'disconnected') throw new Error('event log unavailable');
        };
      },
      async (station) => {
        station.disconnect();
        return new MemoryStation(csms, 'X').connect();
      },
      /^handleInfo failed: event log unavailable/,
    ],
    [
      'handleAsyncReply throws on an answer',
      (handler) => {
        handler.handleAsyncReply = () => {
          throw new Error('reply store unavailable');
        };
      },
      async (station) => {
        csms.callAsync('X', 'ClearCache', {});
        station.answer(await station.nextCall(), { status: 'Accepted' });
        return station;
      },
      /^handleAsyncReply failed: reply store unavailable/,
    ],
  ])('counts a crash and reinstalls the handler, told why, when %s; the actors stay', async (_what, arm, provoke, reason) => {
    const faulty = faultyHandler();
    arm(faulty.handler);
    csms = await startCsms();
    await csms.addStation('X', { handler: faulty.handler as OcppHandler });
    const station = new MemoryStation(csms, 'X').connect();
    await station.bootAccepted();
    const before = incarnations(csms, 'X');

    const next = await provoke(station);

    await eventually(() => expect(faulty.inits).toHaveLength(2));
    expect(faulty.inits[1]).toMatchObject({ stationId: 'X', crash: { count: 1 } });
    expect(faulty.inits[1]!.crash!.reason).toMatch(reason);
    expect((await csms.station('X')).stats.handlerCrashes).toBe(1);
    expect(incarnations(csms, 'X')).toEqual(before);
    // The reinstalled handler answers as before.
    expect(await next.call('Authorize', AUTHORIZE)).toEqual({ type: 3, payload: { idTokenInfo: { status: 'Accepted' } } });
  });
});
