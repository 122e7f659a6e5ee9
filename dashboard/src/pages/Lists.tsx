/** The standard CSMS's tokens (/api/tokens), tariffs (/api/tariffs) and sites (/api/sites). */
import { useState, type ReactNode } from 'react';
import type { TariffPrices } from '../../../src/services/tariffs/cost';
import { Badge, ColumnHeads, ErrorNote, Loading, formatTime, isUnavailable, stationHref, useApi, type Loaded } from '../components';

interface Token {
  readonly idToken: string;
  readonly type: string;
  readonly status: string;
  readonly expiresAt?: string;
  readonly groupIdToken?: { readonly idToken: string; readonly type: string };
  readonly source?: string;
  readonly updatedAt?: string;
}

/** A tariff as GET /api/tariffs lists it: the server's prices (decimal text), its id and where it came from. */
interface Tariff extends TariffPrices {
  readonly id: string;
  readonly source?: string;
}

const TOKEN_STATUSES = ['Accepted', 'Blocked', 'ConcurrentTx', 'Expired', 'Invalid', 'NoCredit', 'NotAllowedTypeEVSE', 'NotAtThisLocation', 'NotAtThisTime', 'Unknown'];

export function Tokens(): ReactNode {
  const [prefix, setPrefix] = useState('');
  const [status, setStatus] = useState('');
  const query = new URLSearchParams({ limit: '200', ...(prefix ? { prefix } : {}), ...(status ? { status } : {}) });
  const tokens = useApi<{ items: Token[]; total: number }>(`/api/tokens?${query.toString()}`);
  return (
    <>
      <h1>Tokens</h1>
      <form className="toolbar" onSubmit={(e) => e.preventDefault()}>
        <div className="field inline">
          <label htmlFor="token-prefix">idToken starts with</label>
          <input id="token-prefix" type="search" value={prefix} onChange={(e) => setPrefix(e.target.value)} />
        </div>
        <div className="field inline">
          <label htmlFor="token-status">Status</label>
          <select id="token-status" value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">any</option>
            {TOKEN_STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </div>
      </form>
      <LoadNotes title="Tokens" loaded={tokens} />
      {tokens.data ? (
        <>
          <p className="muted">
            {tokens.data.items.length} of {tokens.data.total} tokens.
          </p>
          <table>
            <ColumnHeads columns={['idToken', 'Type', 'Status', 'Group', 'Expires', 'Source', 'Updated']} />
            <tbody>
              {tokens.data.items.map((t) => (
                <tr key={`${t.type}/${t.idToken}`}>
                  <td>{t.idToken}</td>
                  <td>{t.type}</td>
                  <td>
                    <Badge value={t.status} />
                  </td>
                  <td>{t.groupIdToken ? `${t.groupIdToken.idToken} (${t.groupIdToken.type})` : '—'}</td>
                  <td>{formatTime(t.expiresAt)}</td>
                  <td>{t.source ?? '—'}</td>
                  <td>{formatTime(t.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </>
  );
}

export function Tariffs(): ReactNode {
  const tariffs = useApi<{ items: Tariff[] }>('/api/tariffs');
  return (
    <>
      <h1>Tariffs</h1>
      <LoadNotes title="Tariffs" loaded={tariffs} />
      {tariffs.data ? (
        tariffs.data.items.length === 0 ? (
          <p className="muted">No tariff defined.</p>
        ) : (
          <table>
            <ColumnHeads columns={['Tariff', 'Currency', 'Energy (per kWh)', 'Charging time (per hour)', 'Parking time (per hour)', 'Session fee', 'Tax %', 'Source']} />
            <tbody>
              {tariffs.data.items.map((t) => (
                <tr key={t.id}>
                  <td>{t.id}</td>
                  <td>{t.currency}</td>
                  <td>{t.energyPrice ?? '—'}</td>
                  <td>{t.chargingTimePrice ?? '—'}</td>
                  <td>{t.parkingTimePrice ?? '—'}</td>
                  <td>{t.sessionFee ?? '—'}</td>
                  <td>{t.taxPercent ?? '—'}</td>
                  <td>{t.source ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      ) : null}
    </>
  );
}

/**
 * Sites (load management): GET /api/sites lists each site with its id, name, limit, stations and
 * allocations (per charging EVSE). The fields named here are laid out; any other is listed as it
 * comes, so a newer server's additions still show.
 */
export function Sites(): ReactNode {
  const sites = useApi<unknown>('/api/sites');
  const items = sitesOf(sites.data);
  return (
    <>
      <h1>Sites</h1>
      <LoadNotes title="Sites" loaded={sites} />
      {sites.data !== undefined ? items.length === 0 ? <p className="muted">No site defined.</p> : items.map((site, index) => <SiteCard key={String(site.id ?? index)} site={site} />) : null}
    </>
  );
}

const SITE_FIELDS_SHOWN = new Set(['id', 'name', 'limit', 'unit', 'policy', 'stations', 'counted', 'load', 'allocations', 'stationDefaults']);

interface Allocation {
  readonly stationId?: string;
  readonly evseId?: number;
  readonly transactionId?: string;
  readonly limit?: number;
  readonly status?: string;
  readonly priority?: number;
  readonly reason?: string;
}

function SiteCard({ site }: { site: Record<string, unknown> }): ReactNode {
  const name = String(site.name ?? site.id ?? 'site');
  const unit = typeof site.unit === 'string' ? ` ${site.unit}` : '';
  const stations = Array.isArray(site.stations) ? site.stations.map(String) : [];
  const allocations = (Array.isArray(site.allocations) ? site.allocations : []) as Allocation[];
  const load = site.load as { currentA?: number; powerW?: number } | undefined;
  const others = Object.entries(site).filter(([key]) => !SITE_FIELDS_SHOWN.has(key));
  return (
    <section className="card" aria-label={`Site ${name}`}>
      <h2>
        {name} {site.id !== undefined && site.name !== undefined ? <span className="muted">({String(site.id)})</span> : null}
      </h2>
      <dl className="facts">
        <dt>Limit</dt>
        <dd>{site.limit !== undefined ? `${String(site.limit)}${unit}` : '—'}</dd>
        <dt>Counted now</dt>
        <dd>{site.counted !== undefined ? `${String(site.counted)}${unit}` : '—'}</dd>
        {load ? (
          <>
            <dt>Measured load</dt>
            <dd>
              {load.currentA !== undefined ? `${load.currentA} A` : '—'}
              {load.powerW !== undefined ? `, ${load.powerW} W` : ''}
            </dd>
          </>
        ) : null}
        <dt>Policy</dt>
        <dd>{site.policy !== undefined ? String(site.policy) : '—'}</dd>
        <dt>Stations</dt>
        <dd>
          {stations.length === 0
            ? '—'
            : stations.map((id, i) => (
                <span key={id}>
                  {i > 0 ? ', ' : ''}
                  <a href={stationHref(id)}>{id}</a>
                </span>
              ))}
        </dd>
        {others.map(([key, value]) => (
          <div key={key} className="fact">
            <dt>{key}</dt>
            <dd>{typeof value === 'object' && value !== null ? <code>{JSON.stringify(value)}</code> : String(value)}</dd>
          </div>
        ))}
      </dl>
      <h3>Allocations</h3>
      {allocations.length === 0 ? (
        <p className="muted">No EVSE of this site is charging.</p>
      ) : (
        <table>
          <ColumnHeads columns={['Station', 'EVSE', 'Transaction', 'Limit', 'Status', 'Priority']} />
          <tbody>
            {allocations.map((a) => (
              <tr key={`${a.stationId}/${a.evseId}`}>
                <td>{a.stationId ? <a href={stationHref(a.stationId)}>{a.stationId}</a> : '—'}</td>
                <td>{a.evseId ?? '—'}</td>
                <td>{a.transactionId ?? '—'}</td>
                <td>{a.limit !== undefined ? `${a.limit}${unit}` : '—'}</td>
                <td>
                  <Badge value={a.status} title={a.reason} />
                </td>
                <td>{a.priority ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function sitesOf(data: unknown): Record<string, unknown>[] {
  const list = Array.isArray(data) ? data : ((data as { items?: unknown; sites?: unknown } | undefined)?.items ?? (data as { sites?: unknown } | undefined)?.sites);
  return Array.isArray(list) ? list.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null) : [];
}

/** What a list's read says before its data: not on this server, failed, or still loading. */
function LoadNotes({ title, loaded }: { title: string; loaded: Loaded<unknown> }): ReactNode {
  return (
    <>
      {isUnavailable(loaded.error) ? <NotAvailable what={title} error={loaded.error} /> : <ErrorNote error={loaded.error} />}
      {loaded.loading && loaded.data === undefined ? <Loading what={title.toLowerCase()} /> : null}
    </>
  );
}

function NotAvailable({ what, error }: { what: string; error: unknown }): ReactNode {
  const status = (error as { status?: number }).status;
  return (
    <p className="notice" role="status">
      {what} are not available on this server ({status === 404 ? 'the route is not there: an older server' : 'its service is not running'}, HTTP {status}).
    </p>
  );
}
