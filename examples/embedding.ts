/**
 * Embedding the core in an application: start it, register a station with a handler, serve it
 * over WebSocket, call it, read its models, stop (Ctrl-C). Run, from the repository's root:
 *
 *     npx ts-node --transpile-only examples/embedding.ts      (PORT=9200 … for another port than 9100)
 *
 * and connect a station from a second terminal (the README says the same):
 *
 *     npm start -- simulate --url ws://127.0.0.1:9100/ocpp --id-prefix CP --stations 1 --linger 10000
 */
import { startCsmsServer } from '../src/csms-server';
import { hashPassword } from '../src/server/credentials';
import { CallErrorResponse, StationOfflineError } from '../src/errors';
import myHandler from './my-handler';

async function main(): Promise<void> {
  const server = await startCsmsServer({
    core: { settings: { callTimeoutMs: 10_000 } },
    // PORT picks another port than 9100 (the tests do, to run beside other servers).
    listener: { endpoints: [{ port: Number(process.env.PORT ?? 9100), host: '127.0.0.1' }] },
    stations: [
      { id: 'CP00001', registration: { handler: myHandler, handlerArgs: { site: 'north' }, evse: [{ id: 1, connectors: 2 }], securityProfile: 0 } },
    ],
  });
  const { csms } = server;
  // A station with Basic auth (profile 1): only the hash of its password is kept.
  await csms.addStation('CP00002', { handler: myHandler, securityProfile: 1, passwordHash: await hashPassword('Example-Password-0001') });
  csms.on('frame', (e) => process.stderr.write(`${e.stationId} ${e.direction} ${e.text}${e.error ? ` (${e.error})` : ''}\n`));

  const stop = async (): Promise<void> => {
    await server.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());

  // Once the station is connected and booted, ask it for its heartbeat interval.
  const timer = setInterval(() => {
    void (async () => {
      try {
        const view = await csms.station('CP00001');
        if (view.status !== 'idle' && view.status !== 'provisioning') return;
        clearInterval(timer);
        const answer = await csms.call('CP00001', 'GetVariables', {
          getVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }],
        });
        process.stderr.write(`GetVariables: ${JSON.stringify(answer)}\n`);
        process.stderr.write(`device model says: ${String(await csms.lookupVariable('CP00001', { component: 'OCPPCommCtrlr', variable: 'HeartbeatInterval' }).catch((e: Error) => e.message))}\n`);
      } catch (error) {
        if (error instanceof StationOfflineError) return;
        if (error instanceof CallErrorResponse) process.stderr.write(`station refused: ${error.ocppCode}\n`);
        else throw error;
      }
    })();
  }, 500);
}

void main();
