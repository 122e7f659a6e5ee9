/**
 * The services stop the work they started by themselves when the server stops (`close()`,
 * called by ocpp-csms once the stations have stopped): a site whose station cannot be reached
 * retries its TxDefaultProfile on a timer, and after `close()` it tries no more.
 */
import { StationOfflineError } from '../../src/errors';
import type { StationCalls } from '../../src/events/contract';
import { standardCsmsConfig, startCsmsServices, type CsmsServices } from '../../src/services';
import { openStore, type Store } from '../../src/store';

const RETRY_MS = 20;

describe('closing the services', () => {
  let store: Store | undefined;
  let services: CsmsServices | undefined;

  afterEach(async () => {
    services?.close();
    await store?.close();
  });

  it('stops a site retrying a station it cannot reach', async () => {
    store = await openStore({ driver: 'memory' });
    let attempts = 0;
    const unreachable = (stationId: string): StationCalls => ({
      call: (() => {
        attempts += 1;
        return Promise.reject(new StationOfflineError(stationId, 'not connected'));
      }) as StationCalls['call'],
      callAsync: () => {
        throw new StationOfflineError(stationId, 'not connected');
      },
    });
    const config = standardCsmsConfig({
      sites: {
        retryInitialMs: RETRY_MS,
        retryMaxMs: RETRY_MS,
        definitions: [{ id: 'depot', name: 'Depot', stations: ['CP-AWAY'], limit: 32, maxPerEvse: 16 }],
      },
    });
    services = await startCsmsServices({ store, config, callsFor: unreachable });

    // The site keeps asking while it runs...
    await waitUntil(() => attempts >= 3);

    services.close();
    const atClose = attempts;
    // ...and after close() it does not ask again, however long we wait (ten retry periods).
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS * 10));
    expect(attempts).toBe(atClose);
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
