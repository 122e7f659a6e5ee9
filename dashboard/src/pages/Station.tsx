/**
 * One station: state and boot data, EVSEs and connectors, open and past transactions with energy
 * and cost, the device model with a search, security events, and its recent frames while frame
 * capture is on. Read again whenever the live feed says the station changed.
 */
import { useState, type ReactNode } from 'react';
import { api } from '../api';
import { Badge, ColumnHeads, ErrorNote, Loading, formatCost, formatEnergy, formatTime, isUnavailable, stationHref, useApi } from '../components';
import type { CapturedFrame, FrameCapture, SecurityEvent, StationSummary, StationView, TransactionPage, VariableEntry } from '../types';

const MODEL_ROWS = 200;

export function Station({ id, summary, capture, onCapture }: { id: string; summary: StationSummary | undefined; capture: FrameCapture | undefined; onCapture: (next: FrameCapture) => void }): ReactNode {
  // The live feed's summary changes whenever something happened to the station: read again then.
  const change = JSON.stringify(summary ?? null);
  const base = `/api/stations/${encodeURIComponent(id)}`;
  const view = useApi<StationView>(base, [change]);
  const history = useApi<TransactionPage>(`${base}/transactions?limit=20`, [change]);
  const station = view.data;

  return (
    <>
      <p>
        <a href="#/">← Fleet overview</a>
      </p>
      <div className="title-row">
        <h1>Station {id}</h1>
        <a className="button" href={`${stationHref(id)}/call/Reset`}>
          Send a call…
        </a>
      </div>
      {view.loading && !station ? <Loading what="the station" /> : null}
      <ErrorNote error={view.error} />
      {station ? (
        <>
          <section aria-labelledby="state-title" className="cards">
            <div className="card">
              <h2 id="state-title">State</h2>
              <dl className="facts">
                <dt>Connection</dt>
                <dd>
                  <Badge value={station.connected ? 'connected' : 'disconnected'} /> {station.remoteAddress ?? ''}
                </dd>
                <dt>State</dt>
                <dd>
                  <Badge value={station.status} />
                  {station.failure ? ` ${station.failure.reason} (since ${formatTime(station.failure.at)})` : ''}
                </dd>
                <dt>Security profile</dt>
                <dd>{station.securityProfile}</dd>
                <dt>Frames in / out</dt>
                <dd>
                  {station.stats.framesIn ?? 0} / {station.stats.framesOut ?? 0} ({station.stats.badFrames ?? 0} bad)
                </dd>
                <dt>Handler crashes</dt>
                <dd>{station.stats.handlerCrashes ?? 0}</dd>
              </dl>
            </div>
            <div className="card">
              <h2>Boot data</h2>
              {station.chargingStation ? (
                <dl className="facts">
                  <dt>Boot status</dt>
                  <dd>
                    <Badge value={station.bootStatus} />
                  </dd>
                  <dt>Vendor</dt>
                  <dd>{station.chargingStation.vendorName}</dd>
                  <dt>Model</dt>
                  <dd>{station.chargingStation.model}</dd>
                  <dt>Serial number</dt>
                  <dd>{station.chargingStation.serialNumber ?? '—'}</dd>
                  <dt>Firmware</dt>
                  <dd>{station.chargingStation.firmwareVersion ?? '—'}</dd>
                  {station.localList?.version !== undefined ? (
                    <>
                      <dt>Local list version</dt>
                      <dd>{station.localList.version}</dd>
                    </>
                  ) : null}
                  {station.certificate?.notAfter ? (
                    <>
                      <dt>Certificate expires</dt>
                      <dd>{formatTime(station.certificate.notAfter)}</dd>
                    </>
                  ) : null}
                </dl>
              ) : (
                <p className="muted">The station has not booted yet.</p>
              )}
            </div>
          </section>

          <section aria-labelledby="evse-title">
            <h2 id="evse-title">EVSEs and connectors</h2>
            <table>
              <ColumnHeads columns={['EVSE', 'Connector', 'Status', 'Reported', 'Availability']} />
              <tbody>
                {station.evse.evses.flatMap((evse) =>
                  evse.connectors.map((connector) => (
                    <tr key={`${evse.id}/${connector.id}`}>
                      <td>{evse.id}</td>
                      <td>{connector.id}</td>
                      <td>
                        <Badge value={connector.status} />
                      </td>
                      <td>
                        {formatTime(connector.statusAt)} {connector.statusFrom ? <span className="muted">({connector.statusFrom})</span> : null}
                      </td>
                      <td>{connector.availability ?? evse.availability ?? station.evse.availability ?? 'Operative'}</td>
                    </tr>
                  )),
                )}
              </tbody>
            </table>
          </section>

          <section aria-labelledby="open-title">
            <h2 id="open-title">Open transactions</h2>
            {station.openTransactions.length === 0 ? (
              <p className="muted">None.</p>
            ) : (
              <table>
                <ColumnHeads columns={['Transaction', 'EVSE / connector', 'Token', 'Started', 'Charging state', 'Energy']} />
                <tbody>
                  {station.openTransactions.map((tx) => (
                    <tr key={tx.transactionId}>
                      <td>{tx.transactionId}</td>
                      <td>
                        {tx.evseId ?? '—'} / {tx.connectorId ?? '—'}
                      </td>
                      <td>{tx.idToken ?? '—'}</td>
                      <td>{formatTime(tx.startedAt)}</td>
                      <td>{tx.chargingState ? <Badge value={tx.chargingState} /> : '—'}</td>
                      <td>{formatEnergy(tx.energyWh)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        </>
      ) : null}

      <section aria-labelledby="history-title">
        <h2 id="history-title">Transactions (latest 20)</h2>
        <ErrorNote error={history.error} />
        {history.data ? <TransactionTable items={history.data.items} /> : null}
        <p>
          <a href={`#/transactions?stationId=${encodeURIComponent(id)}`}>All of {id}’s transactions, with CSV export</a>
        </p>
      </section>

      <DeviceModel id={id} change={change} />
      <SecurityEvents id={id} change={change} />
      <Frames id={id} change={change} capture={capture} onCapture={onCapture} />
    </>
  );
}

export function TransactionTable({ items }: { items: TransactionPage['items'] }): ReactNode {
  if (items.length === 0) return <p className="muted">No transactions.</p>;
  return (
    <table className="transactions">
      <ColumnHeads columns={['Transaction', 'Station', 'EVSE', 'Token', 'State', 'Started', 'Ended', 'Reason', 'Energy', 'Cost']} />
      <tbody>
        {items.map((tx) => (
          <tr key={`${tx.stationId}/${tx.transactionId}`} data-transaction={tx.transactionId}>
            <td>{tx.transactionId}</td>
            <td>
              <a href={stationHref(tx.stationId)}>{tx.stationId}</a>
            </td>
            <td>{tx.evseId ?? '—'}</td>
            <td>{tx.idToken ?? '—'}</td>
            <td>
              <Badge value={tx.state} />
            </td>
            <td>{formatTime(tx.startedAt)}</td>
            <td>{formatTime(tx.endedAt)}</td>
            <td>{tx.stoppedReason ?? '—'}</td>
            <td>{formatEnergy(tx.energyWh)}</td>
            <td className="cost">{formatCost(tx.totalCost, tx.currency)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function DeviceModel({ id, change }: { id: string; change: string }): ReactNode {
  const model = useApi<{ variables: VariableEntry[] }>(`/api/stations/${encodeURIComponent(id)}/device-model`, [change]);
  const [search, setSearch] = useState('');
  const needle = search.trim().toLowerCase();
  const rows = (model.data?.variables ?? []).filter((entry) => needle === '' || describe(entry).toLowerCase().includes(needle));
  return (
    <section aria-labelledby="model-title">
      <h2 id="model-title">Device model</h2>
      <div className="toolbar">
        <div className="field inline">
          <label htmlFor="model-search">Search variables</label>
          <input id="model-search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="component, variable or value" />
        </div>
        {/* A report (GetBaseReport) fills the model part by part, which the live feed does not announce. */}
        <button type="button" className="secondary" onClick={model.reload} disabled={model.loading}>
          Reload the device model
        </button>
      </div>
      <ErrorNote error={model.error} />
      {model.data ? (
        <>
          <p className="muted">
            {rows.length} of {model.data.variables.length} variables{rows.length > MODEL_ROWS ? `, the first ${MODEL_ROWS} shown` : ''}.
          </p>
          {rows.length > 0 ? (
            <table>
              <ColumnHeads columns={['Component', 'Variable', 'Actual', 'Target', 'Mutability', 'Type']} />
              <tbody>
                {rows.slice(0, MODEL_ROWS).map((entry) => (
                  <tr key={describe(entry)}>
                    <td>{componentOf(entry)}</td>
                    <td>
                      {entry.variable.name}
                      {entry.variable.instance ? `[${entry.variable.instance}]` : ''}
                    </td>
                    <td>{entry.attributes.Actual?.value ?? '—'}</td>
                    <td>{entry.attributes.Target?.value ?? '—'}</td>
                    <td>{entry.attributes.Actual?.mutability ?? '—'}</td>
                    <td>
                      {entry.characteristics?.dataType ?? '—'}
                      {entry.characteristics?.unit ? ` (${entry.characteristics.unit})` : ''}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </>
      ) : null}
    </section>
  );
}

function componentOf(entry: VariableEntry): string {
  const c = entry.component;
  const evse = c.evse ? ` EVSE ${c.evse.id}${c.evse.connectorId !== undefined ? `/${c.evse.connectorId}` : ''}` : '';
  return `${c.name}${c.instance ? `[${c.instance}]` : ''}${evse}`;
}

function describe(entry: VariableEntry): string {
  return `${componentOf(entry)} ${entry.variable.name}${entry.variable.instance ? `[${entry.variable.instance}]` : ''} ${entry.attributes.Actual?.value ?? ''}`;
}

function SecurityEvents({ id, change }: { id: string; change: string }): ReactNode {
  const events = useApi<{ items: SecurityEvent[] }>(`/api/stations/${encodeURIComponent(id)}/security-events?limit=20`, [change]);
  return (
    <section aria-labelledby="security-title">
      <h2 id="security-title">Security events</h2>
      {isUnavailable(events.error) ? <p className="muted">Security events are not available on this server.</p> : <ErrorNote error={events.error} />}
      {events.data ? (
        events.data.items.length === 0 ? (
          <p className="muted">None.</p>
        ) : (
          <table>
            <ColumnHeads columns={['When', 'Source', 'Type', 'Details']} />
            <tbody>
              {events.data.items.map((event) => (
                <tr key={event.id}>
                  <td>{formatTime(event.timestamp)}</td>
                  <td>{event.source}</td>
                  <td>{event.type}</td>
                  <td>{event.techInfo ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      ) : null}
    </section>
  );
}

function Frames({ id, change, capture, onCapture }: { id: string; change: string; capture: FrameCapture | undefined; onCapture: (next: FrameCapture) => void }): ReactNode {
  const frames = useApi<{ capture: boolean; frames: CapturedFrame[] }>(capture?.enabled ? `/api/stations/${encodeURIComponent(id)}/frames` : undefined, [change]);
  const [problem, setProblem] = useState<unknown>();
  // The switch shows the new setting at once, and the server's answer once it came.
  const [pending, setPending] = useState<boolean>();
  const toggle = async (enabled: boolean) => {
    setProblem(undefined);
    setPending(enabled);
    try {
      onCapture(await api<FrameCapture>('/api/dashboard/frame-capture', { method: 'PUT', json: { enabled } }));
    } catch (error) {
      setProblem(error);
    } finally {
      setPending(undefined);
    }
  };
  return (
    <section aria-labelledby="frames-title">
      <h2 id="frames-title">Recent frames</h2>
      <div className="field inline">
        <input id="frame-capture" type="checkbox" checked={pending ?? capture?.enabled ?? false} disabled={pending !== undefined} onChange={(e) => void toggle(e.target.checked)} />
        <label htmlFor="frame-capture">Capture recent frames (every station, the last {capture?.framesPerStation ?? 200} each, in memory)</label>
      </div>
      <ErrorNote error={problem} />
      {capture?.enabled ? (
        // A frame that changes nothing the list shows (a Heartbeat) is not announced by the feed.
        <button type="button" className="secondary" onClick={frames.reload} disabled={frames.loading}>
          Reload the frames
        </button>
      ) : (
        <p className="muted">Frame capture is off: switch it on to see what the station sends and receives from now on.</p>
      )}
      <ErrorNote error={frames.error} />
      {capture?.enabled && frames.data ? (
        frames.data.frames.length === 0 ? (
          <p className="muted">No frame since capture was switched on.</p>
        ) : (
          <ol className="frames" reversed>
            {[...frames.data.frames].reverse().map((frame, index) => (
              <li key={`${frame.at}-${index}`} className={`frame frame-${frame.direction}`}>
                <span className="frame-meta">
                  {frame.direction === 'in' ? '⇦ from station' : '⇨ to station'} {formatTime(frame.at)}
                  {frame.error ? ` — refused: ${frame.error}` : ''}
                  {frame.truncated ? ' — cut at 16 KiB' : ''}
                </span>
                <code>{frame.text}</code>
              </li>
            ))}
          </ol>
        )
      ) : null}
    </section>
  );
}
