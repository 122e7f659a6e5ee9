/**
 * The server as operators run it (a child process started from source), with the telemetry
 * section on: the telemetry listener answers the probes and /metrics, and the traces reach an
 * OTLP/HTTP collector (a small HTTP server of the test's own) by the end of the shutdown.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RPCClient } from 'ocpp-rpc';
import { parsePrometheusText, valueOf } from './prometheus-text';
import { runCli as run, type Run } from '../support/cli-process';


/** The JSON log line with `message`, once the server has written it. */
async function logLine(runInfo: Run, message: string): Promise<Record<string, unknown>> {
  for (;;) {
    const line = runInfo
      .output()
      .split('\n')
      .find((l) => l.includes(`"message":"${message}"`));
    if (line) return JSON.parse(line) as Record<string, unknown>;
    if (runInfo.child.exitCode !== null) throw new Error(`exited without "${message}":\n${runInfo.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// A child process compiled from source on a loaded machine takes a while to start.
jest.setTimeout(180_000);

describe('ocpp-csms with the telemetry section on', () => {
  let dir: string;
  let collector: Server;
  const exports: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'csms-telemetry-'));
    collector = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        if (request.url === '/v1/traces') exports.push(body);
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => collector.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  test('serves /readyz and /metrics on its own port, and exports the spans to the OTLP endpoint', async () => {
    const { port: collectorPort } = collector.address() as AddressInfo;
    const config = join(dir, 'csms.json');
    writeFileSync(
      config,
      JSON.stringify({
        listeners: [{ port: 0, host: '127.0.0.1' }],
        storage: { driver: 'memory' },
        stations: [{ id: 'CP1', securityProfile: 0 }],
        telemetry: {
          listener: { host: '127.0.0.1', port: 0 },
          tracing: { endpoint: `http://127.0.0.1:${collectorPort}/v1/traces`, serviceName: 'csms-under-test' },
        },
      }),
    );
    const server = run(['--config', config]);
    try {
      const { port } = await logLine(server, 'telemetry listening');
      const started = await logLine(server, 'CSMS started');
      const base = `http://127.0.0.1:${port as number}`;

      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ok', checks: { store: { ok: true } } });

      const station = new RPCClient({ endpoint: (started.endpoints as string[])[0]!, identity: 'CP1', protocols: ['ocpp2.0.1'], strictMode: true, reconnect: false } as never);
      await station.connect();
      await station.call('BootNotification', { reason: 'PowerUp', chargingStation: { model: 'M1', vendorName: 'V' } });
      await station.call('Heartbeat', {});
      await station.close();

      const samples = parsePrometheusText(await (await fetch(`${base}/metrics`)).text());
      expect(valueOf(samples, 'csms_station_requests_total', { action: 'Heartbeat', outcome: 'callresult' })).toBe(1);
      expect(valueOf(samples, 'csms_station_requests_total', { action: 'BootNotification', outcome: 'callresult' })).toBe(1);
      expect(valueOf(samples, 'csms_stations_registered')).toBe(1);
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exited).toBe(0);
    // The batch still buffered was exported before the process ended.
    const sent = exports.join('\n');
    expect(sent).toContain('ocpp.request Heartbeat');
    expect(sent).toContain('ocpp.request BootNotification');
    expect(sent).toContain('csms-under-test');
    expect(sent).toContain('CP1');
  });
});
