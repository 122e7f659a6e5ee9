/**
 * CSMS nodes of a cluster as real `ocpp-csms` processes (test/support/cli-process.ts), each with
 * a configuration file of its own: the same PostgreSQL database, the same Redis, the same
 * stations (profile 0, accept-all), a WebSocket listener and the admin API on free ports of
 * 127.0.0.1.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logLineOf, runCli, waitForOutput, type Run } from '../../support/cli-process';

export interface NodeConfig {
  readonly nodeId: string;
  readonly redis: string;
  readonly postgres: string;
  readonly stations: readonly string[];
  readonly leaseMs?: number;
  readonly renewMs?: number;
  readonly callTimeoutMs?: number;
}

export interface CsmsNode {
  readonly nodeId: string;
  readonly run: Run;
  /** ws://127.0.0.1:<port>/ocpp */
  readonly wsUrl: string;
  /** http://127.0.0.1:<port> */
  readonly adminUrl: string;
  readonly pid: number;
}

export function writeNodeConfig(config: NodeConfig): string {
  const dir = mkdtempSync(join(tmpdir(), `csms-${config.nodeId}-`));
  const path = join(dir, 'csms.json');
  const file = {
    logging: { level: 'info', format: 'json' },
    listeners: [{ port: 0, host: '127.0.0.1' }],
    server: { pingIntervalMs: 0, closeTimeoutMs: 2_000 },
    core: { callTimeoutMs: config.callTimeoutMs ?? 10_000 },
    storage: { driver: 'postgres', url: config.postgres, poolSize: 4 },
    admin: { enabled: true, host: '127.0.0.1', port: 0 },
    telemetry: { metrics: { enabled: false } },
    cluster: {
      redis: config.redis,
      nodeId: config.nodeId,
      // Long enough that a loaded machine never lets a live station's lease lapse mid-test.
      leaseMs: config.leaseMs ?? 15_000,
      renewMs: config.renewMs ?? 500,
      remoteGraceMs: 2_000,
      claimTimeoutMs: 5_000,
    },
    defaults: { securityProfile: 0, handler: 'accept-all' },
    stations: config.stations.map((id) => ({ id })),
  };
  writeFileSync(path, JSON.stringify(file, null, 2));
  return path;
}

export async function startNode(config: NodeConfig): Promise<CsmsNode> {
  const run = runCli(['--config', writeNodeConfig(config)]);
  try {
    await Promise.race([
      waitForOutput(run, /"message":"CSMS started"/, 240_000),
      run.exited.then((code) => {
        throw new Error(`node ${config.nodeId} exited (${code}) before it started:\n${run.output()}`);
      }),
    ]);
  } catch (error) {
    run.child.kill('SIGKILL');
    throw error;
  }
  const started = logLineOf(run, 'CSMS started');
  const admin = logLineOf(run, 'admin API listening');
  return {
    nodeId: config.nodeId,
    run,
    wsUrl: (started.endpoints as string[])[0]!,
    adminUrl: `http://127.0.0.1:${String(admin.port)}`,
    pid: run.child.pid!,
  };
}

/** Stop a node with SIGTERM and wait for its exit (killed after `timeoutMs`). */
export async function stopNode(node: CsmsNode, timeoutMs = 60_000): Promise<number | null> {
  if (node.run.child.exitCode !== null) return node.run.child.exitCode;
  node.run.child.kill('SIGTERM');
  const timer = setTimeout(() => node.run.child.kill('SIGKILL'), timeoutMs);
  try {
    return await node.run.exited;
  } finally {
    clearTimeout(timer);
  }
}

export interface AdminAnswer {
  readonly status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies, checked by each test
  readonly body: any;
}

export async function admin(node: CsmsNode, method: string, path: string, body?: unknown): Promise<AdminAnswer> {
  const response = await fetch(`${node.adminUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(120_000),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}
