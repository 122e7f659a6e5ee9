/**
 * Send any CSMS-initiated OCPP call to a station: the action's form is built from its official
 * request schema (GET /api/schemas/:action), the payload checked in the browser with ajv, then
 * POSTed to /api/stations/:id/calls/:action; the station's answer (or the error) is shown.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { api, messageOf } from '../api';
import { ErrorNote, Loading, stationHref, useApi } from '../components';
import { SchemaForm, describeError, validatePayload, type JsonSchema } from '../schema-form';

interface Schemas {
  readonly action: string;
  readonly request: JsonSchema;
}

type Outcome = { readonly kind: 'answer'; readonly body: unknown; readonly at: string } | { readonly kind: 'failed'; readonly message: string; readonly body?: unknown };

export function CallForm({ stationId, action }: { stationId: string; action: string }): ReactNode {
  const actions = useApi<{ actions: string[] }>('/api/schemas');
  const schemas = useApi<Schemas>(`/api/schemas/${encodeURIComponent(action)}`);
  const [payload, setPayload] = useState<Record<string, unknown>>({});
  const [jsonText, setJsonText] = useState('{}');
  const [jsonProblem, setJsonProblem] = useState<string>();
  const [problems, setProblems] = useState<readonly string[]>([]);
  const [sending, setSending] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>();

  // A new action starts from an empty payload.
  useEffect(() => {
    setPayload({});
    setJsonText('{}');
    setProblems([]);
    setOutcome(undefined);
  }, [action]);

  const change = (next: Record<string, unknown>) => {
    setPayload(next);
    setJsonText(JSON.stringify(next, null, 2));
    setJsonProblem(undefined);
    setProblems([]);
  };

  const send = async () => {
    if (!schemas.data) return;
    const errors = validatePayload(schemas.data.request, payload).map(describeError);
    setProblems(errors);
    if (errors.length > 0) return;
    setSending(true);
    setOutcome(undefined);
    try {
      const body = await api<unknown>(`/api/stations/${encodeURIComponent(stationId)}/calls/${encodeURIComponent(action)}`, { method: 'POST', json: payload });
      setOutcome({ kind: 'answer', body, at: new Date().toISOString() });
    } catch (error) {
      setOutcome({ kind: 'failed', message: messageOf(error), body: (error as { body?: unknown }).body });
    } finally {
      setSending(false);
    }
  };

  return (
    <section aria-labelledby="call-title">
      <p>
        <a href={stationHref(stationId)}>← Station {stationId}</a>
      </p>
      <h1 id="call-title">Send a call to {stationId}</h1>
      <div className="field">
        <label htmlFor="call-action">Action</label>
        <select id="call-action" value={action} onChange={(e) => (location.hash = `${stationHref(stationId)}/call/${encodeURIComponent(e.target.value)}`)}>
          {(actions.data?.actions ?? [action]).map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </div>
      <ErrorNote error={actions.error} />
      {schemas.loading && !schemas.data ? <Loading what={`the ${action} schema`} /> : null}
      <ErrorNote error={schemas.error} />
      {schemas.data && schemas.data.action === action ? (
        <form
          className="call-form"
          onSubmit={(e) => {
            e.preventDefault();
            void send();
          }}
        >
          <div className="columns">
            <fieldset className="field-group">
              <legend>{action}Request</legend>
              <SchemaForm schema={schemas.data.request} payload={payload} onChange={change} />
            </fieldset>
            <div className="field">
              <label htmlFor="call-json">Payload (JSON, editable)</label>
              <textarea
                id="call-json"
                className="code"
                rows={14}
                value={jsonText}
                aria-invalid={jsonProblem !== undefined}
                aria-describedby="call-json-hint"
                onChange={(e) => {
                  setJsonText(e.target.value);
                  try {
                    const parsed: unknown = JSON.parse(e.target.value);
                    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
                    setPayload(parsed as Record<string, unknown>);
                    setJsonProblem(undefined);
                  } catch {
                    setJsonProblem('not a JSON object yet: the form shows the last valid payload');
                  }
                }}
              />
              <small id="call-json-hint" className="hint">
                {jsonProblem ?? 'Checked against the official OCPP 2.0.1 schema before it is sent.'}
              </small>
            </div>
          </div>
          {problems.length > 0 ? (
            <div className="error" role="alert">
              <p>The payload does not match the {action} request schema; nothing was sent:</p>
              <ul>
                {problems.map((problem) => (
                  <li key={problem}>{problem}</li>
                ))}
              </ul>
            </div>
          ) : null}
          <button type="submit" disabled={sending}>
            {sending ? 'Sending…' : `Send ${action}`}
          </button>
        </form>
      ) : null}
      <div role="status" aria-live="polite" className="call-outcome">
        {outcome?.kind === 'answer' ? (
          <>
            <h2>Answer from {stationId}</h2>
            <pre className="code" data-testid="call-answer">
              {JSON.stringify(outcome.body, null, 2)}
            </pre>
          </>
        ) : null}
        {outcome?.kind === 'failed' ? (
          <>
            <h2>The call failed</h2>
            <p className="error">{outcome.message}</p>
            {outcome.body !== undefined ? <pre className="code">{JSON.stringify(outcome.body, null, 2)}</pre> : null}
          </>
        ) : null}
      </div>
    </section>
  );
}
