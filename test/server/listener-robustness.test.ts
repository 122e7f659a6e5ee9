/**
 * Regressions of the listener's crash isolation: nothing a peer sends, and nothing a station
 * directory throws, may become an uncaught exception (that would take down every station).
 */
import { connect } from 'node:net';
import { OcppListener, type StationDirectory } from '../../src/server/listener';

const UPGRADE =
  'GET /ocpp/CP HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ocpp2.0.1\r\n\r\n';

/** Sends an upgrade request (then `after`, once the server answered) and resolves with what came back. */
function rawUpgrade(port: number, after?: Buffer): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const socket = connect(port, '127.0.0.1', () => socket.write(UPGRADE));
    socket.on('data', (chunk) => {
      const first = text === '';
      text += chunk.toString('latin1');
      if (first && after) socket.write(after);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(text));
    setTimeout(() => socket.destroy(), 500);
  });
}

// An uncaught exception fails the test that is running (test/support/jest-setup.ts): that is what
// these tests rely on, not a listener on their own copy of `process`, which never fires.
describe('listener crash isolation', () => {
  async function withListener(directory: Partial<StationDirectory>, run: (port: number) => Promise<void>): Promise<void> {
    const listener = new OcppListener({ endpoints: [{ port: 0, host: '127.0.0.1' }], pingIntervalMs: 0 }, () => directory as StationDirectory);
    const [address] = await listener.listen();
    try {
      await run(address!.port);
    } finally {
      await listener.close();
    }
  }

  it('should survive a malformed frame on a socket whose station disappeared during the upgrade', async () => {
    const directory = {
      registration: () => ({ securityProfile: 0 }),
      hasStation: () => true,
      addStation: async () => undefined,
      connect: () => {
        throw new Error('station removed meanwhile');
      },
    };
    await withListener(directory, async (port) => {
      // An unmasked client frame (RFC 6455 §5.1 forbids it) right after the 101.
      const answer = await rawUpgrade(port, Buffer.from([0x81, 0x01, 0x61]));
      expect(answer).toMatch(/^HTTP\/1\.1 101/);
    });
  });

  it('should answer 503 when the station directory throws, instead of throwing in the upgrade handler', async () => {
    const directory = {
      registration: () => {
        throw new Error('database down');
      },
      hasStation: () => true,
    };
    await withListener(directory, async (port) => {
      expect(await rawUpgrade(port)).toMatch(/^HTTP\/1\.1 503/);
    });
  });
});
