/**
 * The admin HTTP API over a real listener: every route, each error body, the bearer token when
 * bound beyond loopback, and CSMS-initiated calls that reach an ocpp-rpc station and come back.
 */
import { request as httpRequest } from 'node:http';
import { createRPCError } from 'ocpp-rpc';
import { createAdminServer } from '../../src/admin';
import { ConfigError } from '../../src/errors';
import { BOOT, PASSWORD, api, bootedClient, onCall, resolveHandler, startHarness, stationClient, type Harness } from './harness';

let h: Harness;
const get = (path: string) => api(h.base, 'GET', path);
const post = (path: string, body?: unknown) => api(h.base, 'POST', path, body);

beforeEach(async () => {
  // queueLimit 2: the queue-full test needs a small bound; every other test sends one call at a time.
  h = await startHarness({ settings: { queueLimit: 2 }, stations: [{ id: 'CP-1' }, { id: 'CP-2' }] });
});
afterEach(async () => {
  await h.stop();
});

describe('GET /api/stations and /api/stations/{id}', () => {
  it('lists every station with its state, EVSE/connector status and connection', async () => {
    const client = await bootedClient(h.ocppUrl, 'CP-1');
    try {
      await client.call('StatusNotification', { timestamp: new Date().toISOString(), connectorStatus: 'Available', evseId: 1, connectorId: 1 });
      const { status, body } = await get('/api/stations');
      expect(status).toBe(200);
      const byId = Object.fromEntries((body.stations as { id: string }[]).map((s) => [s.id, s]));
      expect(Object.keys(byId).sort()).toEqual(['CP-1', 'CP-2']);
      expect(byId['CP-1']).toMatchObject({
        connected: true,
        remoteAddress: expect.stringContaining('127.0.0.1'),
        bootStatus: 'Accepted',
        chargingStation: BOOT.chargingStation,
        securityProfile: 1,
        evse: { evses: [{ id: 1, connectors: [{ id: 1, status: 'Available' }] }] },
      });
      expect(byId['CP-2']).toMatchObject({ status: 'disconnected', connected: false });
    } finally {
      await client.close();
    }
  });

  it('answers one station, and 404 unknown_station for an identity nobody registered', async () => {
    expect(await get('/api/stations/CP-2')).toMatchObject({ status: 200, body: { id: 'CP-2', status: 'disconnected', openTransactions: [] } });
    const missing = await get('/api/stations/NOPE');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: { code: 'unknown_station', message: expect.stringContaining('NOPE'), stationId: 'NOPE' } });
  });
});

describe('POST /api/stations', () => {
  it('registers a station whose password (stored hashed) lets it connect, with Location and its view', async () => {
    const added = await post('/api/stations', { id: 'NEW-1', securityProfile: 1, password: 'Brand-New-Password-42', evse: 2 });
    expect(added.status).toBe(201);
    expect(added.headers.get('location')).toBe('/api/stations/NEW-1');
    expect(added.body).toMatchObject({ id: 'NEW-1', status: 'disconnected', securityProfile: 1, evse: { evses: [{ id: 1 }, { id: 2 }] } });
    expect(h.server.csms.registration('NEW-1')?.passwordHash).toMatch(/^scrypt\$/);
    const client = await bootedClient(h.ocppUrl, 'NEW-1', 'Brand-New-Password-42');
    await client.close();
  });

  it('refuses an identity outside identifierString with 400 invalid_identity and its reason', async () => {
    const answer = await post('/api/stations', { id: 'bad:id', password: PASSWORD });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ code: 'invalid_identity', reason: 'colon' });
  });

  it('refuses a registered identity with 409 station_exists', async () => {
    const answer = await post('/api/stations', { id: 'CP-1', password: PASSWORD });
    expect(answer.status).toBe(409);
    expect(answer.body.error).toMatchObject({ code: 'station_exists', stationId: 'CP-1' });
  });

  it('refuses a password outside passwordString with 400 invalid_password, without echoing it', async () => {
    const answer = await post('/api/stations', { id: 'NEW-2', password: 'has spaces in it, 1234' });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ code: 'invalid_password', reason: 'invalid_character' });
    expect(JSON.stringify(answer.body)).not.toContain('has spaces');
  });

  it('refuses profile 1 without a password, and a password with profile 0, with 400 invalid_request', async () => {
    expect((await post('/api/stations', { id: 'NEW-3', securityProfile: 1 })).body.error.code).toBe('invalid_request');
    expect((await post('/api/stations', { id: 'NEW-3', securityProfile: 0, password: PASSWORD })).body.error.code).toBe('invalid_request');
    expect(h.server.csms.hasStation('NEW-3')).toBe(false);
  });

  it('refuses a body that breaks the schema (unknown property, wrong type) with 400 invalid_request and the errors', async () => {
    const extra = await post('/api/stations', { id: 'NEW-4', password: PASSWORD, colour: 'red' });
    expect(extra.status).toBe(400);
    expect(extra.body.error).toMatchObject({ code: 'invalid_request', details: { errors: expect.any(Array) } });
    const wrongType = await post('/api/stations', { id: 'NEW-4', securityProfile: '1', password: PASSWORD });
    expect(wrongType.body.error.code).toBe('invalid_request');
  });

  it('refuses a handler name the server does not know with 400 unknown_handler', async () => {
    const answer = await post('/api/stations', { id: 'NEW-5', password: PASSWORD, handler: 'no-such-handler' });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ code: 'unknown_handler', message: expect.stringContaining('no-such-handler') });
  });
});

describe('PATCH /api/stations/{id}', () => {
  it('changes the Basic-auth password: the old one is refused at the next upgrade, the new one accepted', async () => {
    const changed = await api(h.base, 'PATCH', '/api/stations/CP-1', { password: 'Rotated-Password-9876' });
    expect(changed).toMatchObject({ status: 200, body: { id: 'CP-1', securityProfile: 1 } });
    expect(h.credentialsChanged).toEqual(['CP-1']);
    await expect(stationClient(h.ocppUrl, 'CP-1', PASSWORD).connect()).rejects.toMatchObject({ code: 401 });
    const client = await bootedClient(h.ocppUrl, 'CP-1', 'Rotated-Password-9876');
    await client.close();
  });

  it('changes the security profile and closes the connection admitted under the old one', async () => {
    const client = await bootedClient(h.ocppUrl, 'CP-1');
    const closed = new Promise<{ code: number }>((resolve) => client.once('close', resolve as never));
    const changed = await api(h.base, 'PATCH', '/api/stations/CP-1', { securityProfile: 0 });
    expect(changed).toMatchObject({ status: 200, body: { securityProfile: 0 } });
    expect((await closed).code).toBe(1008);
    expect(h.server.csms.registration('CP-1')).toMatchObject({ securityProfile: 0, passwordHash: undefined });
  });

  it('answers 404 unknown_station, and 400 invalid_request for an empty change', async () => {
    expect((await api(h.base, 'PATCH', '/api/stations/NOPE', { password: PASSWORD })).body.error.code).toBe('unknown_station');
    const empty = await api(h.base, 'PATCH', '/api/stations/CP-1', {});
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe('invalid_request');
  });
});

describe('DELETE /api/stations/{id}', () => {
  it('removes the station (204), after which it is unknown (404)', async () => {
    const removed = await api(h.base, 'DELETE', '/api/stations/CP-2');
    expect(removed.status).toBe(204);
    expect(removed.body).toBeUndefined();
    expect(h.credentialsChanged).toEqual(['CP-2']);
    expect((await get('/api/stations/CP-2')).status).toBe(404);
    expect((await api(h.base, 'DELETE', '/api/stations/CP-2')).body.error.code).toBe('unknown_station');
  });
});

describe('GET /api/stations/{id}/device-model', () => {
  it('lists the variables the CSMS learnt from the station\u2019s GetVariables answer', async () => {
    const client = await bootedClient(h.ocppUrl, 'CP-1');
    try {
      onCall(client, 'GetVariables', () => ({
        getVariableResult: [{ attributeStatus: 'Accepted', attributeValue: '300', component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }],
      }));
      expect((await get('/api/stations/CP-1/device-model')).body).toEqual({ stationId: 'CP-1', variables: [] });
      const call = await post('/api/stations/CP-1/calls/GetVariables', {
        getVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }],
      });
      expect(call.status).toBe(200);
      const model = await get('/api/stations/CP-1/device-model');
      expect(model.status).toBe(200);
      expect(model.body.variables).toEqual([
        expect.objectContaining({ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, attributes: { Actual: expect.objectContaining({ value: '300' }) } }),
      ]);
    } finally {
      await client.close();
    }
  });

  it('answers 404 unknown_station for an unknown identity', async () => {
    expect((await get('/api/stations/NOPE/device-model')).body.error.code).toBe('unknown_station');
  });
});

describe('POST /api/stations/{id}/calls/{Action}', () => {
  it('delivers the call to the connected station and answers with the station\u2019s response', async () => {
    const client = await bootedClient(h.ocppUrl, 'CP-1');
    try {
      const seen: unknown[] = [];
      onCall(client, 'Reset', ({ params }) => {
        seen.push(params);
        return { status: 'Scheduled' };
      });
      const answer = await post('/api/stations/CP-1/calls/Reset', { type: 'OnIdle', evseId: 1 });
      expect(answer).toMatchObject({ status: 200, body: { status: 'Scheduled' } });
      expect(seen).toEqual([{ type: 'OnIdle', evseId: 1 }]);
    } finally {
      await client.close();
    }
  });

  it('fails fast with 409 offline for a registered station that is not connected', async () => {
    // Fast: answered offline, not left to the call timeout (longer than the test's).
    const answer = await post('/api/stations/CP-2/calls/Reset?timeout=600000', { type: 'Immediate' });
    expect(answer.status).toBe(409);
    expect(answer.body.error).toMatchObject({ code: 'offline', stationId: 'CP-2', state: 'disconnected' });
  });

  it('answers 409 not_allowed for a connected station that has not booted', async () => {
    const client = stationClient(h.ocppUrl, 'CP-1');
    await client.connect();
    try {
      const answer = await post('/api/stations/CP-1/calls/Reset', { type: 'Immediate' });
      expect(answer.status).toBe(409);
      expect(answer.body.error).toMatchObject({ code: 'not_allowed', action: 'Reset', state: 'connected' });
    } finally {
      await client.close();
    }
  });

  it('answers 404 unknown_station, 404 unknown_action and 400 not_csms_action', async () => {
    expect(await post('/api/stations/NOPE/calls/Reset', { type: 'Immediate' })).toMatchObject({ status: 404, body: { error: { code: 'unknown_station' } } });
    expect(await post('/api/stations/CP-1/calls/Teleport', {})).toMatchObject({ status: 404, body: { error: { code: 'unknown_action', action: 'Teleport' } } });
    expect(await post('/api/stations/CP-1/calls/Heartbeat', {})).toMatchObject({
      status: 400,
      body: { error: { code: 'not_csms_action', action: 'Heartbeat', ocppCode: 'NotSupported' } },
    });
  });

  it('refuses a schema-invalid payload with 400 invalid_payload carrying the OCPP error code, description and details', async () => {
    const answer = await post('/api/stations/CP-2/calls/Reset', { type: 'Sometime' });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({
      code: 'invalid_payload',
      ocppCode: 'PropertyConstraintViolation',
      description: expect.stringContaining('/type'),
      details: { errors: [expect.objectContaining({ path: '/type', keyword: 'enum' })], errorCount: 1 },
    });
    const missing = await post('/api/stations/CP-2/calls/Reset', {});
    expect(missing.body.error).toMatchObject({ code: 'invalid_payload', ocppCode: 'OccurrenceConstraintViolation' });
  });

  it('answers 502 call_error with the code and description of the station\u2019s CALLERROR', async () => {
    const client = await bootedClient(h.ocppUrl, 'CP-1');
    try {
      onCall(client, 'ClearCache', () => {
        throw createRPCError('SecurityError', 'not from you');
      });
      const answer = await post('/api/stations/CP-1/calls/ClearCache', {});
      expect(answer.status).toBe(502);
      expect(answer.body.error).toMatchObject({ code: 'call_error', stationId: 'CP-1', action: 'ClearCache', ocppCode: 'SecurityError', description: 'not from you' });
    } finally {
      await client.close();
    }
  });

  it('answers 504 timeout when the station does not answer within ?timeout', async () => {
    const client = await bootedClient(h.ocppUrl, 'CP-1');
    try {
      onCall(client, 'ClearCache', () => new Promise(() => undefined));
      const answer = await post('/api/stations/CP-1/calls/ClearCache?timeout=200', {});
      expect(answer.status).toBe(504);
      expect(answer.body.error).toMatchObject({ code: 'timeout', action: 'ClearCache', timeoutMs: 200 });
    } finally {
      // The station never answers: close without waiting for its pending handler.
      await client.close({ force: true } as never);
    }
  });

  it('answers 429 queue_full with Retry-After once the station\u2019s outbound queue is full', async () => {
    const client = await bootedClient(h.ocppUrl, 'CP-1');
    try {
      onCall(client, 'ClearCache', () => new Promise(() => undefined));
      // One on the wire, two queued (queueLimit 2), the fourth refused.
      const answers = await Promise.all([1, 2, 3, 4].map(() => post('/api/stations/CP-1/calls/ClearCache?timeout=300', {})));
      const full = answers.filter((a) => a.status === 429);
      expect(full).toHaveLength(1);
      expect(full[0]!.headers.get('retry-after')).toBe('1');
      expect(full[0]!.body.error).toMatchObject({ code: 'queue_full', stationId: 'CP-1', limit: 2 });
      expect(answers.filter((a) => a.status === 504)).toHaveLength(3);
    } finally {
      // The station never answers: close without waiting for its pending handler.
      await client.close({ force: true } as never);
    }
  });

  it('refuses a ?timeout that is not a positive integer with 400 invalid_request', async () => {
    expect((await post('/api/stations/CP-2/calls/ClearCache?timeout=soon', {})).body.error.code).toBe('invalid_request');
  });
});

describe('requests the API does not route', () => {
  it('answers 404 not_found for an unknown path and 400 invalid_request for malformed JSON', async () => {
    expect(await get('/api/nothing-here')).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    const malformed = await api(h.base, 'POST', '/api/stations', '{"id":');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('invalid_request');
  });
});

describe('the bearer token', () => {
  it('refuses to create a server bound beyond loopback without a token, with a ConfigError naming admin.token', () => {
    expect(() => createAdminServer(h.server.csms, { host: '0.0.0.0', port: 0, resolveHandler })).toThrow(ConfigError);
    expect(() => createAdminServer(h.server.csms, { host: '0.0.0.0', port: 0, resolveHandler })).toThrow(/admin\.token/);
  });

  it('bound to 0.0.0.0, answers 401 without the right token and serves with it', async () => {
    const token = 'tok-' + 'x'.repeat(28);
    const exposed = createAdminServer(h.server.csms, { host: '0.0.0.0', port: 0, token, resolveHandler });
    const { port } = await exposed.listen();
    const base = `http://127.0.0.1:${port}`;
    try {
      for (const headers of <Record<string, string>[]>[{}, { authorization: `Bearer ${token}x` }, { authorization: `Bearer ${token.slice(0, -1)}` }, { authorization: `Basic ${token}` }]) {
        const refused = await api(base, 'GET', '/api/stations', undefined, headers);
        expect(refused.status).toBe(401);
        expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer/);
        expect(refused.body.error.code).toBe('unauthorized');
      }
      expect((await api(base, 'GET', '/api/openapi.json')).status).toBe(401);
      expect((await api(base, 'POST', '/api/stations/CP-2/calls/Reset', { type: 'Immediate' })).status).toBe(401);
      const ok = await api(base, 'GET', '/api/stations', undefined, { authorization: `Bearer ${token}` });
      expect(ok.status).toBe(200);
      expect(ok.body.stations).toHaveLength(2);
    } finally {
      await exposed.close();
    }
  });
});

describe('the Host check without a token (DNS rebinding)', () => {
  function getWithHost(host: string): Promise<number> {
    const url = new URL(h.base);
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: Number(url.port), path: '/api/stations', headers: { host } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('answers requests addressed to localhost, 127.0.0.1 or [::1], and refuses any other host name with 403', async () => {
    const port = new URL(h.base).port;
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, 'localhost']) expect(await getWithHost(host)).toBe(200);
    for (const host of [`attacker.example:${port}`, 'attacker.example', `127.0.0.1.attacker.example:${port}`]) expect(await getWithHost(host)).toBe(403);
  });
});
