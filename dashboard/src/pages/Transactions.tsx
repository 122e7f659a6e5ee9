/**
 * The transaction history (GET /api/transactions), newest first, page by page, filtered by
 * station and state; the same filters exported as CSV (the route's Accept: text/csv answer).
 */
import { useEffect, useState, type ReactNode } from 'react';
import { ApiError, api, messageOf, request } from '../api';
import { ErrorNote, Loading } from '../components';
import type { Transaction, TransactionPage } from '../types';
import { TransactionTable } from './Station';

const PAGE_SIZE = 50;

export function Transactions({ initialStation }: { initialStation: string }): ReactNode {
  const [stationId, setStationId] = useState(initialStation);
  const [state, setState] = useState('');
  const [items, setItems] = useState<readonly Transaction[]>([]);
  const [next, setNext] = useState<string>();
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>();
  const [exportNote, setExportNote] = useState<string>();

  const filters = (): URLSearchParams => new URLSearchParams({ ...(stationId.trim() ? { stationId: stationId.trim() } : {}), ...(state ? { state } : {}) });

  const load = async (cursor?: string): Promise<void> => {
    setLoading(true);
    setError(undefined);
    try {
      const query = filters();
      query.set('limit', String(PAGE_SIZE));
      if (cursor) query.set('cursor', cursor);
      const page = await api<TransactionPage>(`/api/transactions?${query.toString()}`);
      setItems((before) => (cursor ? [...before, ...page.items] : page.items));
      setNext(page.nextCursor);
    } catch (problem) {
      setError(problem);
    } finally {
      setLoading(false);
    }
  };

  // Read again when a filter changes (a typed station id after a short pause).
  useEffect(() => {
    const timer = setTimeout(() => void load(), 250);
    return () => clearTimeout(timer);
  }, [stationId, state]);

  const exportCsv = async (): Promise<void> => {
    setExportNote(undefined);
    try {
      const response = await request(`/api/transactions?${filters().toString()}`, { headers: { accept: 'text/csv' } });
      if (!response.ok) throw new ApiError(response.status, `http_${response.status}`, await response.text(), undefined);
      const blob = await response.blob();
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = stationId.trim() ? `transactions-${stationId.trim()}.csv` : 'transactions.csv';
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setExportNote(`Exported ${link.download}.`);
    } catch (problem) {
      setExportNote(`Export failed: ${messageOf(problem)}`);
    }
  };

  return (
    <>
      <h1>Transaction history</h1>
      <form className="toolbar" onSubmit={(e) => e.preventDefault()}>
        <div className="field inline">
          <label htmlFor="tx-station">Station</label>
          <input id="tx-station" type="search" value={stationId} onChange={(e) => setStationId(e.target.value)} placeholder="every station" />
        </div>
        <div className="field inline">
          <label htmlFor="tx-state">State</label>
          <select id="tx-state" value={state} onChange={(e) => setState(e.target.value)}>
            <option value="">open and ended</option>
            <option value="open">open</option>
            <option value="ended">ended</option>
          </select>
        </div>
        <button type="button" onClick={() => void exportCsv()}>
          Export CSV
        </button>
        <button type="button" className="secondary" onClick={() => void load()}>
          Refresh
        </button>
      </form>
      <p role="status" aria-live="polite" className="muted">
        {exportNote ?? ''}
      </p>
      <ErrorNote error={error} />
      {loading && items.length === 0 ? <Loading what="transactions" /> : null}
      <TransactionTable items={items} />
      {next ? (
        <button type="button" className="secondary" onClick={() => void load(next)} disabled={loading}>
          Load {PAGE_SIZE} more
        </button>
      ) : null}
    </>
  );
}
