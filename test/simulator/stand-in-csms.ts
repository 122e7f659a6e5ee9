/**
 * A stand-in CSMS for the simulator tests, built on the independent `ocpp-rpc` server in
 * strict mode: every CALL the simulated stations send, and every answer they give to the
 * stand-in's own calls, is validated against the official OCPP 2.0.1 schemas. Validation
 * failures are collected so a test can assert there were none.
 */
import type { AddressInfo } from 'node:net';
import { RPCServer } from 'ocpp-rpc';

export interface SeenCall {
  action: string;
  params: Record<string, unknown>;
}

/** Stand-in behaviour per station; each returns the response payload for one CALL. */
export interface Behaviour {
  boot?: (identity: string, attempt: number, params: Record<string, unknown>) => Record<string, unknown>;
  authorize?: (identity: string, params: Record<string, unknown>) => Record<string, unknown>;
  transactionEvent?: (identity: string, params: Record<string, unknown>) => Record<string, unknown> | Promise<Record<string, unknown>>;
  heartbeat?: (identity: string) => Record<string, unknown> | Promise<Record<string, unknown>>;
  /** Basic-auth check; reject(401) when it returns false. */
  password?: (identity: string, password: string | undefined) => boolean;
}

type ServerClient = {
  identity: string;
  handle(handler: (call: { method?: string; params?: Record<string, unknown> }) => Promise<Record<string, unknown>>): void;
  call(method: string, params?: unknown, options?: Record<string, unknown>): Promise<unknown>;
  close(options?: Record<string, unknown>): Promise<unknown>;
  on(event: string, listener: (...args: unknown[]) => void): void;
};

export interface StandIn {
  url: string;
  /** Calls each station sent, in order. */
  calls: Map<string, SeenCall[]>;
  /** Every strictValidationFailure the server emitted (both directions). */
  validationFailures: unknown[];
  clients: Map<string, ServerClient>;
  /** Resolves with the client once `identity` sent a CALL with `action` `count` times. */
  waitFor(identity: string, action: string, count?: number): Promise<ServerClient>;
  countsByAction(): Record<string, number>;
  close(): Promise<void>;
}

export async function startStandIn(behaviour: Behaviour = {}): Promise<StandIn> {
  const server = new RPCServer({ protocols: ['ocpp2.0.1'], strictMode: true });
  const calls = new Map<string, SeenCall[]>();
  const clients = new Map<string, ServerClient>();
  const validationFailures: unknown[] = [];
  const waiters: Array<() => void> = [];
  const boots = new Map<string, number>();

  server.auth((accept, reject, handshake) => {
    if (behaviour.password && !behaviour.password(handshake.identity, handshake.password?.toString())) {
      reject(401, 'bad credentials');
      return;
    }
    accept({}, 'ocpp2.0.1');
  });

  server.on('client', (c: unknown) => {
    const client = c as ServerClient;
    const identity = client.identity;
    clients.set(identity, client);
    client.on('strictValidationFailure', (failure) => validationFailures.push(failure));
    client.handle(async ({ method, params }) => {
      const action = method ?? '';
      const payload = params ?? {};
      const seen = calls.get(identity) ?? [];
      seen.push({ action, params: payload });
      calls.set(identity, seen);
      for (const wake of waiters.splice(0)) wake();
      const currentTime = new Date().toISOString();
      switch (action) {
        case 'BootNotification': {
          const attempt = (boots.get(identity) ?? 0) + 1;
          boots.set(identity, attempt);
          return behaviour.boot?.(identity, attempt, payload) ?? { status: 'Accepted', currentTime, interval: 300 };
        }
        case 'Heartbeat':
          return (await behaviour.heartbeat?.(identity)) ?? { currentTime };
        case 'Authorize':
          return behaviour.authorize?.(identity, payload) ?? { idTokenInfo: { status: 'Accepted' } };
        case 'TransactionEvent':
          return (await behaviour.transactionEvent?.(identity, payload)) ?? {};
        default:
          return {};
      }
    });
  });

  const http = await server.listen(0, '127.0.0.1');
  const port = (http.address() as AddressInfo).port;

  const countOf = (identity: string, action: string): number => (calls.get(identity) ?? []).filter((c) => c.action === action).length;

  return {
    url: `ws://127.0.0.1:${port}/ocpp`,
    calls,
    validationFailures,
    clients,
    waitFor(identity, action, count = 1) {
      return new Promise((resolve) => {
        const check = (): void => {
          const client = clients.get(identity);
          if (client && countOf(identity, action) >= count) resolve(client);
          else waiters.push(check);
        };
        check();
      });
    },
    countsByAction() {
      const counts: Record<string, number> = {};
      for (const seen of calls.values()) for (const c of seen) counts[c.action] = (counts[c.action] ?? 0) + 1;
      return counts;
    },
    async close() {
      await server.close({ force: true });
    },
  };
}
