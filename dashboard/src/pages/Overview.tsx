/** The fleet at a glance and the live station list, both from the live feed (no polling). */
import { useState, type ReactNode } from 'react';
import { Badge, ColumnHeads, formatEnergy, stationHref } from '../components';
import type { FleetCounters, StationSummary } from '../types';

/** Rows drawn at most: a fleet of thousands stays responsive; the filter finds the rest. */
const MAX_ROWS = 500;

export function Overview({ fleet, stations }: { fleet: FleetCounters | undefined; stations: readonly StationSummary[] | undefined }): ReactNode {
  const [filter, setFilter] = useState('');
  const [onlyConnected, setOnlyConnected] = useState(false);
  // Counted from the list itself, so the counters and the rows never disagree between two fleet
  // events; the rates and errors come from the server's fleet counters.
  const counts = stations
    ? {
        registered: stations.length,
        connected: stations.filter((s) => s.connected).length,
        charging: stations.filter((s) => s.charging).length,
        faulted: stations.filter((s) => s.faulted).length,
      }
    : fleet;
  const needle = filter.trim().toLowerCase();
  const shown = (stations ?? []).filter(
    (s) => (!onlyConnected || s.connected) && (needle === '' || `${s.id} ${s.vendorName ?? ''} ${s.model ?? ''} ${s.status}`.toLowerCase().includes(needle)),
  );
  return (
    <>
      <h1>Fleet overview</h1>
      <section aria-labelledby="fleet-title">
        <h2 id="fleet-title" className="visually-hidden">
          Fleet counters
        </h2>
        <dl className="counters">
          <Counter label="Registered" value={counts?.registered} />
          <Counter label="Connected" value={counts?.connected} />
          <Counter label="Charging" value={counts?.charging} />
          <Counter label="Faulted" value={counts?.faulted} tone={counts && counts.faulted > 0 ? 'bad' : undefined} />
          <Counter label="Messages in / s" value={fleet?.messagesInPerSecond} />
          <Counter label="Messages out / s" value={fleet?.messagesOutPerSecond} />
          <Counter label="Errors" value={fleet?.errors} tone={fleet && fleet.errors > 0 ? 'bad' : undefined} detail={fleet ? `${fleet.errorsPerSecond} / s now` : undefined} />
        </dl>
      </section>
      <section aria-labelledby="stations-title">
        <h2 id="stations-title">Stations</h2>
        <div className="toolbar">
          <div className="field inline">
            <label htmlFor="station-filter">Filter stations</label>
            <input id="station-filter" type="search" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="id, vendor, model or state" />
          </div>
          <div className="field inline">
            <input id="only-connected" type="checkbox" checked={onlyConnected} onChange={(e) => setOnlyConnected(e.target.checked)} />
            <label htmlFor="only-connected">Connected only</label>
          </div>
        </div>
        {stations === undefined ? (
          <p className="muted">Waiting for the live feed…</p>
        ) : (
          <table className="stations">
            <caption className="visually-hidden">Stations, updated live</caption>
            <ColumnHeads columns={['Station', 'Connection', 'State', 'Vendor / model', 'Connectors', 'Open transactions']} />
            <tbody>
              {shown.slice(0, MAX_ROWS).map((s) => (
                <tr key={s.id} data-station={s.id}>
                  <th scope="row">
                    <a href={stationHref(s.id)}>{s.id}</a>
                  </th>
                  <td className="connection">
                    <Badge value={s.connected ? 'connected' : 'disconnected'} />
                  </td>
                  <td className="state">
                    <Badge value={s.status} />
                    {s.faulted ? <Badge value="faulted" /> : null}
                  </td>
                  <td>{s.vendorName ? `${s.vendorName} / ${s.model ?? ''}` : <span className="muted">not booted</span>}</td>
                  <td>
                    {s.connectors.map((c) => (
                      <Badge key={`${c.evseId}/${c.connectorId}`} value={c.status} title={`EVSE ${c.evseId}, connector ${c.connectorId}`} />
                    ))}
                  </td>
                  <td>
                    {s.openTransactions}
                    {s.charging ? ' (charging)' : ''}
                    {s.energyWh !== undefined ? `, ${formatEnergy(s.energyWh)}` : ''}
                  </td>
                </tr>
              ))}
              {shown.length > MAX_ROWS ? (
                <tr>
                  <td colSpan={6} className="muted">
                    {shown.length - MAX_ROWS} more stations: filter to narrow the list.
                  </td>
                </tr>
              ) : null}
              {shown.length === 0 ? (
                <tr>
                  <td colSpan={6} className="muted">
                    No station matches.
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}

function Counter({ label, value, tone, detail }: { label: string; value: number | undefined; tone?: 'bad'; detail?: string }): ReactNode {
  return (
    <div className={`counter${tone ? ` counter-${tone}` : ''}`}>
      <dt>{label}</dt>
      <dd>
        {value ?? '—'}
        {detail ? <small>{detail}</small> : null}
      </dd>
    </div>
  );
}
