/** Small pieces every page uses: status badges, loading and error notes, formatting. */
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { ApiError, api, messageOf } from './api';

/** A status word with a colour that matches its meaning (and the word itself, for screen readers). */
export function Badge({ value, title }: { value: string | undefined; title?: string }): ReactNode {
  const text = value ?? 'unknown';
  return (
    <span className={`badge badge-${toneOf(text)}`} title={title}>
      {text}
    </span>
  );
}

function toneOf(value: string): 'good' | 'busy' | 'bad' | 'idle' {
  switch (value) {
    case 'Available':
    case 'Accepted':
    case 'idle':
    case 'provisioning':
    case 'connected':
    case 'ended':
      return 'good';
    case 'Occupied':
    case 'Reserved':
    case 'Charging':
    case 'open':
    case 'charging':
    case 'booting':
    case 'boot_pending':
    case 'reconnecting':
    case 'resetting':
    case 'Pending':
      return 'busy';
    case 'Faulted':
    case 'failed':
    case 'Rejected':
    case 'Blocked':
    case 'Invalid':
    case 'Expired':
    case 'faulted':
      return 'bad';
    default:
      return 'idle';
  }
}

/** An error (an ApiError, an Error or a message) as an alert; nothing when there is none. */
export function ErrorNote({ error }: { error: unknown }): ReactNode {
  if (error === undefined || error === null || error === '') return null;
  return (
    <p className="error" role="alert">
      {messageOf(error)}
    </p>
  );
}

/** A table's header row: one column header a name. */
export function ColumnHeads({ columns }: { columns: readonly string[] }): ReactNode {
  return (
    <thead>
      <tr>
        {columns.map((column) => (
          <th key={column} scope="col">
            {column}
          </th>
        ))}
      </tr>
    </thead>
  );
}

export function Loading({ what }: { what: string }): ReactNode {
  return <p className="muted">Loading {what}…</p>;
}

export type Loaded<T> = { readonly data?: T; readonly error?: unknown; readonly loading: boolean; readonly reload: () => void };

/** GET a path of the API; `deps` changing (or `reload`) reads it again, keeping the last answer on screen meanwhile. */
export function useApi<T>(path: string | undefined, deps: readonly unknown[] = []): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: path !== undefined });
  const [round, setRound] = useState(0);
  const reload = useCallback(() => setRound((n) => n + 1), []);
  useEffect(() => {
    if (path === undefined) return;
    let current = true;
    setState((before) => ({ ...before, loading: true }));
    api<T>(path).then(
      (data) => current && setState({ data, loading: false }),
      (error: unknown) => current && setState({ error, loading: false }),
    );
    return () => {
      current = false;
    };
    // `deps` are the caller's reasons to read again.
  }, [path, round, ...deps]);
  return { ...state, reload };
}

/** Whether an error means the server has no such feature (route missing, or its service not running). */
export function isUnavailable(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 404 || error.status === 503);
}

export function formatTime(value: string | null | undefined): string {
  if (!value) return '—';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' });
}

export function formatEnergy(wh: number | null | undefined): string {
  if (wh === null || wh === undefined) return '—';
  return wh >= 1000 ? `${(wh / 1000).toFixed(2)} kWh` : `${Math.round(wh)} Wh`;
}

export function formatCost(total: string | null | undefined, currency: string | null | undefined): string {
  if (total === null || total === undefined) return '—';
  return `${total} ${currency ?? ''}`.trim();
}

export function stationHref(id: string): string {
  return `#/stations/${encodeURIComponent(id)}`;
}
