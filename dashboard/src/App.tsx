/**
 * The dashboard's shell: the token (asked for when the server wants one, checked with
 * GET /api/dashboard/session, kept in sessionStorage), the refused-token state, the navigation,
 * the live feed every page shares, and a hash router (#/, #/stations/ID, #/stations/ID/call/Action,
 * #/transactions, #/tokens, #/tariffs, #/sites).
 */
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { ApiError, api, forgetToken, messageOf, onUnauthorized, storeToken, storedToken } from './api';
import { ErrorNote } from './components';
import { openFeed, type FeedState } from './live';
import { CallForm } from './pages/CallForm';
import { Sites, Tariffs, Tokens } from './pages/Lists';
import { Overview } from './pages/Overview';
import { Station } from './pages/Station';
import { Transactions } from './pages/Transactions';
import type { FeedEvent, FleetCounters, FrameCapture, StationSummary } from './types';

type Auth = { readonly kind: 'checking' } | { readonly kind: 'login'; readonly problem?: string } | { readonly kind: 'refused' } | { readonly kind: 'ok'; readonly capture: FrameCapture };

type Route =
  | { readonly page: 'overview' }
  | { readonly page: 'station'; readonly id: string }
  | { readonly page: 'call'; readonly id: string; readonly action: string }
  | { readonly page: 'transactions'; readonly stationId: string }
  | { readonly page: 'tokens' | 'tariffs' | 'sites' };

function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'stations' && parts[1] !== undefined) {
    if (parts[2] === 'call') return { page: 'call', id: parts[1], action: parts[3] ?? 'Reset' };
    return { page: 'station', id: parts[1] };
  }
  if (parts[0] === 'transactions') return { page: 'transactions', stationId: new URLSearchParams(query).get('stationId') ?? '' };
  if (parts[0] === 'tokens' || parts[0] === 'tariffs' || parts[0] === 'sites') return { page: parts[0] };
  return { page: 'overview' };
}

function useRoute(): Route {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const changed = () => setHash(location.hash);
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return parseRoute(hash);
}

const TITLES: Record<Route['page'], string> = {
  overview: 'Fleet overview',
  station: 'Station',
  call: 'Send a call',
  transactions: 'Transactions',
  tokens: 'Tokens',
  tariffs: 'Tariffs',
  sites: 'Sites',
};

/** The main navigation: each link is the current one on the pages it leads to. */
const NAVIGATION: readonly { readonly href: string; readonly label: string; readonly pages: readonly Route['page'][] }[] = [
  { href: '#/', label: 'Overview', pages: ['overview', 'station', 'call'] },
  { href: '#/transactions', label: 'Transactions', pages: ['transactions'] },
  { href: '#/tokens', label: 'Tokens', pages: ['tokens'] },
  { href: '#/tariffs', label: 'Tariffs', pages: ['tariffs'] },
  { href: '#/sites', label: 'Sites', pages: ['sites'] },
];

export function App(): ReactNode {
  const [auth, setAuth] = useState<Auth>({ kind: 'checking' });

  // Does the stored token (or none) open the API?
  const check = async (): Promise<void> => {
    try {
      const session = await api<{ frameCapture: FrameCapture }>('/api/dashboard/session');
      setAuth({ kind: 'ok', capture: session.frameCapture });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) setAuth(storedToken() ? { kind: 'refused' } : { kind: 'login' });
      else setAuth({ kind: 'login', problem: `The admin API did not answer: ${messageOf(error)}` });
    }
  };

  useEffect(() => {
    onUnauthorized(() => setAuth((current) => (current.kind === 'ok' || current.kind === 'checking' ? { kind: storedToken() ? 'refused' : 'login' } : current)));
    void check();
  }, []);

  if (auth.kind === 'checking') return <p className="muted center">Connecting to the admin API…</p>;
  if (auth.kind === 'login')
    return (
      <Login
        problem={auth.problem}
        onToken={(token) => {
          storeToken(token);
          setAuth({ kind: 'checking' });
          void check();
        }}
      />
    );
  if (auth.kind === 'refused')
    return (
      <Refused
        onRetry={() => {
          forgetToken();
          setAuth({ kind: 'login' });
        }}
      />
    );
  return <Shell capture={auth.capture} onCapture={(capture) => setAuth({ kind: 'ok', capture })} />;
}

function Login({ problem, onToken }: { problem?: string; onToken: (token: string) => void }): ReactNode {
  const [token, setToken] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (token.trim() !== '') onToken(token.trim());
  };
  return (
    <main className="login">
      <h1>OCPP CSMS dashboard</h1>
      <form onSubmit={submit}>
        <p>This server's admin API needs its token (admin.token in the configuration file).</p>
        <div className="field">
          <label htmlFor="admin-token">Admin token</label>
          <input id="admin-token" type="password" autoComplete="current-password" value={token} onChange={(e) => setToken(e.target.value)} autoFocus required />
          <small className="hint">Kept in this browser tab only (sessionStorage), sent as Authorization: Bearer.</small>
        </div>
        <ErrorNote error={problem} />
        <button type="submit">Sign in</button>
      </form>
    </main>
  );
}

function Refused({ onRetry }: { onRetry: () => void }): ReactNode {
  return (
    <main className="login" aria-labelledby="refused-title">
      <h1 id="refused-title">401 — token refused</h1>
      <p role="alert">The admin API refused this token (HTTP 401 Unauthorized). Nothing is shown without a valid token.</p>
      <p>Check admin.token in the server's configuration file and sign in again.</p>
      <button type="button" onClick={onRetry}>
        Sign in with another token
      </button>
    </main>
  );
}

function Shell({ capture, onCapture }: { capture: FrameCapture; onCapture: (capture: FrameCapture) => void }): ReactNode {
  const route = useRoute();
  const [feedState, setFeedState] = useState<FeedState>('connecting');
  const [stations, setStations] = useState<ReadonlyMap<string, StationSummary>>();
  const [fleet, setFleet] = useState<FleetCounters>();

  useEffect(
    () =>
      openFeed((event: FeedEvent) => {
        switch (event.type) {
          case 'snapshot':
            setStations(new Map(event.stations.map((s) => [s.id, s])));
            setFleet(event.fleet);
            break;
          case 'station':
            setStations((before) => new Map(before).set(event.station.id, event.station));
            break;
          case 'removed':
            setStations((before) => {
              const next = new Map(before);
              next.delete(event.id);
              return next;
            });
            break;
          case 'fleet':
            setFleet(event.fleet);
            break;
        }
      }, setFeedState),
    [],
  );

  useEffect(() => {
    document.title = `${TITLES[route.page]}${'id' in route ? ` ${route.id}` : ''} — OCPP CSMS`;
  }, [route]);

  const list = stations ? [...stations.values()].sort((a, b) => a.id.localeCompare(b.id)) : undefined;
  const current = (pages: readonly Route['page'][]) => (pages.includes(route.page) ? 'page' : undefined);

  return (
    <>
      {/* Not a hash link: the hash is the router's, so the link moves the focus itself. */}
      <a
        className="skip"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">OCPP CSMS</span>
        <nav aria-label="Main">
          {NAVIGATION.map(({ href, label, pages }) => (
            <a key={href} href={href} aria-current={current(pages)}>
              {label}
            </a>
          ))}
        </nav>
        <span className={`feed feed-${feedState}`} role="status" aria-live="polite">
          {feedState === 'live' ? '● live' : feedState === 'reconnecting' ? '○ reconnecting…' : feedState === 'connecting' ? '○ connecting…' : '○ offline'}
        </span>
        {storedToken() ? (
          <button
            type="button"
            className="secondary"
            onClick={() => {
              forgetToken();
              location.reload();
            }}
          >
            Sign out
          </button>
        ) : null}
      </header>
      <main id="main" tabIndex={-1}>
        {route.page === 'overview' ? <Overview fleet={fleet} stations={list} /> : null}
        {route.page === 'station' ? <Station key={route.id} id={route.id} summary={stations?.get(route.id)} capture={capture} onCapture={onCapture} /> : null}
        {route.page === 'call' ? <CallForm key={route.id} stationId={route.id} action={route.action} /> : null}
        {route.page === 'transactions' ? <Transactions key={route.stationId} initialStation={route.stationId} /> : null}
        {route.page === 'tokens' ? <Tokens /> : null}
        {route.page === 'tariffs' ? <Tariffs /> : null}
        {route.page === 'sites' ? <Sites /> : null}
      </main>
    </>
  );
}
