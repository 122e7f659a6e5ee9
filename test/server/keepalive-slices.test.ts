/**
 * Keep-alive pings are spread over the interval (DESIGN.md §4; issue 13: 20,000 sockets pinged
 * in one timer turn stall every station for that turn). Each tick pings one slice of the sockets;
 * over one interval every socket is pinged exactly once, and one that did not answer its last
 * ping is terminated at its own slice's next tick. The ticks are driven by hand (the listener's
 * timer is stopped), so nothing here depends on the clock.
 */
import WebSocket from 'ws';
import { OcppListener, type StationDirectory } from '../../src/server/listener';

const INTERVAL_MS = 800; // 16 slices of 50 ms
const SLICES = 16;
const CLIENTS = 32;

interface Internals {
  keepAlive?: NodeJS.Timeout;
  ping(): void;
}

describe('keep-alive pings spread over the interval', () => {
  let listener: OcppListener;
  let url: string;
  const clients: WebSocket[] = [];

  beforeEach(async () => {
    const directory: StationDirectory = {
      registration: () => ({ securityProfile: 0 }),
      hasStation: () => true,
      addStation: async () => undefined,
      connect: (stationId) => ({ stationId, frame: () => undefined, closed: () => undefined }),
    };
    listener = new OcppListener({ endpoints: [{ port: 0, host: '127.0.0.1' }], pingIntervalMs: INTERVAL_MS }, () => directory);
    const [address] = await listener.listen();
    url = address!.url;
    clearInterval((listener as unknown as Internals).keepAlive);
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.terminate();
    await listener.close();
  });

  async function connect(identity: string, options: WebSocket.ClientOptions = {}): Promise<WebSocket> {
    const client = new WebSocket(`${url}/${identity}`, ['ocpp2.0.1'], options);
    clients.push(client);
    await new Promise<void>((resolve, reject) => {
      client.once('open', () => resolve());
      client.once('error', reject);
    });
    return client;
  }

  /** One keep-alive tick, then a round trip on every client so the pings it sent have arrived. */
  async function tick(): Promise<void> {
    (listener as unknown as Internals).ping();
    await Promise.all(
      clients
        .filter((client) => client.readyState === WebSocket.OPEN)
        .map(
          (client) =>
            new Promise<void>((resolve) => {
              // A socket terminated by this tick answers nothing more: its close ends the wait.
              client.once('pong', () => resolve());
              client.once('close', () => resolve());
              client.ping();
            }),
        ),
    );
  }

  it('pings each socket once per interval, a slice of them per tick', async () => {
    const pings = new Map<number, number>();
    for (let i = 0; i < CLIENTS; i += 1) {
      const client = await connect(`CP${i}`);
      pings.set(i, 0);
      client.on('ping', () => pings.set(i, pings.get(i)! + 1));
    }
    const perTick: number[] = [];
    for (let t = 0; t < SLICES; t += 1) {
      const before = [...pings.values()].reduce((a, b) => a + b, 0);
      await tick();
      perTick.push([...pings.values()].reduce((a, b) => a + b, 0) - before);
    }
    expect(perTick).toEqual(new Array(SLICES).fill(CLIENTS / SLICES));
    expect([...pings.values()]).toEqual(new Array(CLIENTS).fill(1));
  });

  it('terminates a socket that did not answer its last ping, at its own slice, and no other', async () => {
    const silent = await connect('SILENT', { autoPong: false });
    const closed = new Promise<number>((resolve) => silent.once('close', (code) => resolve(code)));
    const others = [await connect('CP1'), await connect('CP2')];
    // Its slice pings it (unanswered), the rest of the interval passes, its slice comes again.
    for (let t = 0; t < SLICES + 1; t += 1) await tick();
    expect(await closed).toBe(1006);
    expect(others.every((client) => client.readyState === WebSocket.OPEN)).toBe(true);
  });
});
