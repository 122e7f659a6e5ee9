/**
 * The handlers a new user starts from (issue 16 items 4 and 13): the README's typed handler,
 * pasted into a file as the README says, and examples/my-handler.ts, named from `config/` by the
 * path the README and the example's own comment give, each serve a whole charging session to a
 * strict ocpp-rpc station without a single NotSupported, with no handlerArgs configured.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RPCClient } from 'ocpp-rpc';
import type { OcppHandler } from '../../handlers/behaviour';
import { loadHandler } from '../../src/config/handlers';
import { startCsmsServer } from '../../src/csms-server';

const ROOT = join(__dirname, '..', '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** Every station message of one charging session, in order. */
async function chargingSession(handler: OcppHandler): Promise<unknown[]> {
  const server = await startCsmsServer({
    listener: { endpoints: [{ port: 0, host: '127.0.0.1' }], pingIntervalMs: 0 },
    stations: [{ id: 'CP1', registration: { handler, securityProfile: 0 } }],
  });
  const client = new RPCClient({ endpoint: server.addresses[0]!.url, identity: 'CP1', protocols: ['ocpp2.0.1'], strictMode: true, reconnect: false } as never);
  try {
    await client.connect();
    const now = () => new Date().toISOString();
    const idToken = { idToken: 'TOKEN1', type: 'ISO14443' };
    const messages: [string, unknown][] = [
      ['BootNotification', { reason: 'PowerUp', chargingStation: { model: 'M', vendorName: 'V' } }],
      ['StatusNotification', { timestamp: now(), connectorStatus: 'Occupied', evseId: 1, connectorId: 1 }],
      ['Authorize', { idToken }],
      ['TransactionEvent', { eventType: 'Started', timestamp: now(), triggerReason: 'Authorized', seqNo: 0, transactionInfo: { transactionId: 'T1' }, idToken, evse: { id: 1, connectorId: 1 } }],
      ['MeterValues', { evseId: 1, meterValue: [{ timestamp: now(), sampledValue: [{ value: 10 }] }] }],
      ['TransactionEvent', { eventType: 'Updated', timestamp: now(), triggerReason: 'MeterValuePeriodic', seqNo: 1, transactionInfo: { transactionId: 'T1' } }],
      ['TransactionEvent', { eventType: 'Ended', timestamp: now(), triggerReason: 'EVCommunicationLost', seqNo: 2, transactionInfo: { transactionId: 'T1', stoppedReason: 'EVDisconnected' } }],
      ['SecurityEventNotification', { type: 'StartupOfTheDevice', timestamp: now() }],
      ['StatusNotification', { timestamp: now(), connectorStatus: 'Available', evseId: 1, connectorId: 1 }],
    ];
    const answers: unknown[] = [];
    // Each call rejects on a CALLERROR (NotSupported included), failing the test with its code.
    for (const [action, payload] of messages) answers.push(await client.call(action, payload));
    return answers;
  } finally {
    await client.close({ force: true } as never);
    await server.stop();
  }
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ocpp-readme-handler-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the README’s typed handler example', () => {
  it('serves a whole charging session when pasted into a file at the repository’s root, without handlerArgs', async () => {
    const block = /```ts\n(import \{ defineHandler[\s\S]*?)```/.exec(README)?.[1];
    expect(block).toContain('...acknowledgements<State>()');
    // Pasted at the repository's root, its imports are ./handlers/...: here they point there.
    const path = join(dir, 'my-handler.ts');
    writeFileSync(path, block!.replace(/'\.\/handlers\//g, `'${join(ROOT, 'handlers')}/`));
    const answers = await chargingSession(loadHandler(path, dir));
    expect(answers[0]).toMatchObject({ status: 'Accepted', interval: 300 });
    expect(answers[3]).toEqual({ idTokenInfo: { status: 'Accepted' } });
  });
});

describe('examples/my-handler.ts', () => {
  it('is named from config/ by the path the README and its own comment give, and serves a whole charging session', async () => {
    const reference = '../examples/my-handler.ts';
    expect(README).toContain(`from a file in\n\`config/\`, \`"handler": "${reference}"\``);
    expect(readFileSync(join(ROOT, 'examples', 'my-handler.ts'), 'utf8')).toContain(`"handler": "${reference}"`);
    const answers = await chargingSession(loadHandler(reference, join(ROOT, 'config')));
    expect(answers[0]).toMatchObject({ status: 'Accepted', interval: 300 });
    expect(answers[2]).toEqual({ idTokenInfo: { status: 'Accepted' } });
  });
});
