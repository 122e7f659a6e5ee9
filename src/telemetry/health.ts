/**
 * Liveness and readiness, as Kubernetes probes ask them: cheap (no station is asked anything),
 * and answered by checks the server composes (src/admin/health-routes.ts `serverHealth`).
 *
 * - live: the process runs and its supervision tree is up. A failing liveness probe restarts
 *   the container, so it says no only when the tree has stopped (it gave up) or is missing.
 * - ready: live, the listeners are bound, and the store answers a ping within a bound. A failing
 *   readiness probe only takes the pod out of the service's endpoints, e.g. while the database
 *   is unreachable.
 */

export interface CheckResult {
  readonly ok: boolean;
  /** Why not, for the operator (never a secret). */
  readonly detail?: string;
}

export interface HealthReport {
  readonly status: 'ok' | 'unavailable';
  readonly checks: Readonly<Record<string, CheckResult>>;
}

export interface HealthChecks {
  live(): HealthReport;
  ready(): Promise<HealthReport>;
}

export interface HealthSources {
  /** The supervision tree runs (root and stations supervisor alive). */
  readonly supervision: () => CheckResult;
  /** The station listeners are bound and accepting. */
  readonly listeners: () => CheckResult;
  /** The store, when there is one: resolves when its database answers. */
  readonly store?: { ping(): Promise<void> };
  /** How long a store ping may take before the store counts as unreachable. Default 2000 ms. */
  readonly pingTimeoutMs?: number;
}

export const DEFAULT_PING_TIMEOUT_MS = 2_000;

export function createHealthChecks(sources: HealthSources): HealthChecks {
  const timeoutMs = sources.pingTimeoutMs ?? DEFAULT_PING_TIMEOUT_MS;
  const live = (): HealthReport => report({ supervision: sources.supervision() });
  return {
    live,
    async ready() {
      const checks: Record<string, CheckResult> = { supervision: sources.supervision(), listeners: sources.listeners() };
      if (sources.store) checks.store = await ping(sources.store, timeoutMs);
      return report(checks);
    },
  };
}

function report(checks: Record<string, CheckResult>): HealthReport {
  return { status: Object.values(checks).every((c) => c.ok) ? 'ok' : 'unavailable', checks };
}

async function ping(store: { ping(): Promise<void> }, timeoutMs: number): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, detail: `no answer within ${timeoutMs} ms` }), timeoutMs);
  });
  try {
    return await Promise.race([
      store.ping().then(
        (): CheckResult => ({ ok: true }),
        (error: unknown): CheckResult => ({ ok: false, detail: error instanceof Error ? error.message : String(error) }),
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
