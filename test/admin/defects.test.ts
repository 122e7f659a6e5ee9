/**
 * Regression tests for the admin API defects a new user met (issue 16 items 8, 9, 15, 16): error
 * codes as the README's table says, messages that name the field once, one validation shared
 * with the configuration file and the CLI, 405 for a wrong method, PATCH of EVSEs and handler.
 * Real sockets: the harness's CSMS and admin API on 127.0.0.1 port 0, ocpp-rpc as the station.
 */
import allowList from '../../handlers/allow-list';
import acceptAll from '../../handlers/accept-all';
import type { OcppHandler } from '../../handlers/behaviour';
import { HandlerModuleError } from '../../src/errors';
import { captureLogs } from '../support/log-capture';
import { PASSWORD, api, bootedClient, startHarness, stationClient, type Harness } from './harness';

/** accept-all and allow-list by name, as a configuration that uses both would allow. */
function resolveShipped(name: string | undefined): OcppHandler {
  if (name === undefined || name === 'accept-all') return acceptAll as OcppHandler;
  if (name === 'allow-list') return allowList as OcppHandler;
  throw new HandlerModuleError(name, 'no handler of that name');
}

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ stations: [{ id: 'CP-1' }, { id: 'CP-0', securityProfile: 0 }], admin: { resolveHandler: resolveShipped } });
});
afterEach(async () => {
  await h.stop();
});

const call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => api(h.base, method, path, body, headers);

describe('admin API error codes and messages (issue 16 item 9)', () => {
  it('answers a password shorter than 16 characters with invalid_password naming body/password once', async () => {
    const answer = await call('POST', '/api/stations', { id: 'NEW-1', securityProfile: 1, password: 'too-short' });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({
      code: 'invalid_password',
      message: 'body/password: password has 9 characters, at least 16 required',
      reason: 'too_short',
      field: 'body/password',
    });
    expect(JSON.stringify(answer.body)).not.toContain('too-short');
  });

  it('answers a 49-character identity with invalid_identity, in the body and in the path', async () => {
    const id = 'A'.repeat(49);
    const added = await call('POST', '/api/stations', { id, securityProfile: 0 });
    expect(added.status).toBe(400);
    expect(added.body.error).toMatchObject({ code: 'invalid_identity', reason: 'too_long', message: 'body/id: station identity is longer than 48 characters (49)' });
    const read = await call('GET', `/api/stations/${id}`);
    expect(read.status).toBe(400);
    expect(read.body.error).toMatchObject({ code: 'invalid_identity', reason: 'too_long', message: 'params/id: station identity is longer than 48 characters (49)' });
  });

  it('names an unknown body field and the fields allowed, without showing its value', async () => {
    const answer = await call('POST', '/api/stations', { id: 'NEW-2', securityProfile: 1, pasword: 'Secret-Password-0123' });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('invalid_request');
    expect(answer.body.error.message).toBe('body/pasword: unknown field (allowed: id, securityProfile, password, evse, handler, handlerArgs)');
    expect(answer.body.error.message).not.toContain('Secret-Password-0123');
  });

  it('gives one error for "securityProfile": "1" that lists the allowed values', async () => {
    const answer = await call('POST', '/api/stations', { id: 'NEW-3', securityProfile: '1', password: PASSWORD });
    expect(answer.status).toBe(400);
    expect(answer.body.error.message).toBe('body/securityProfile: "1" (allowed: 0, 1, 2, 3; a number, not a string)');
  });

  it('never repeats the part of the request in a message (no "body body", "querystring querystring", "params params")', async () => {
    const answers = [
      await call('POST', '/api/stations', { id: 'NEW-4', securityProfile: 9 }),
      await call('POST', '/api/stations/CP-1/calls/Reset?timeout=0', { type: 'Immediate' }),
      await call('GET', `/api/stations/${'B'.repeat(60)}`),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(400);
      expect(answer.body.error.message).not.toMatch(/\b(body|querystring|params) \1\b|\b(body|querystring|params)\/?\S* \2\//);
      expect(answer.body.error.message).toMatch(/^(body|querystring|params)\/\S+: /);
    }
  });
});

describe('one rule for query parameters (issue 16 item 15)', () => {
  it('refuses an unknown query parameter on the station list as on /calls, naming it', async () => {
    const list = await call('GET', '/api/stations?limit=5');
    expect(list.status).toBe(400);
    expect(list.body.error).toMatchObject({ code: 'invalid_request', message: 'querystring/limit: unknown parameter (this route takes no parameters)' });
    const calls = await call('POST', '/api/stations/CP-1/calls/Reset?limit=5', { type: 'Immediate' });
    expect(calls.status).toBe(400);
    expect(calls.body.error.message).toBe('querystring/limit: unknown parameter (allowed: timeout)');
  });
});

describe('HTTP methods and bodies (issue 16 item 15)', () => {
  it('answers a wrong method on an existing path with 405 and an Allow header, an unknown path with 404', async () => {
    const wrong = await call('PUT', '/api/stations/CP-1', { securityProfile: 1 });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, HEAD, PATCH, DELETE');
    expect(wrong.body.error).toMatchObject({ code: 'method_not_allowed', allowed: ['GET', 'HEAD', 'PATCH', 'DELETE'] });
    expect((await call('DELETE', '/api/stations')).status).toBe(405);
    expect((await call('GET', '/api/nothing-here')).status).toBe(404);
  });

  it('accepts a DELETE that says application/json and sends no body', async () => {
    const answer = await call('DELETE', '/api/stations/CP-0', undefined, { 'content-type': 'application/json' });
    expect(answer.status).toBe(204);
    expect(h.server.csms.hasStation('CP-0')).toBe(false);
  });
});

describe('one validation for the admin API, the CLI and the configuration file (issue 16 item 8)', () => {
  it('refuses a password for a profile-0 station, an EVSE count of 0 and allow-list arguments without idTokens', async () => {
    const password = await call('POST', '/api/stations', { id: 'NEW-5', securityProfile: 0, password: PASSWORD });
    expect(password.body.error).toMatchObject({ code: 'invalid_request', message: 'body/password: security profile 0 uses no password; leave it out' });
    const evse = await call('POST', '/api/stations', { id: 'NEW-6', securityProfile: 0, evse: 0 });
    expect(evse.status).toBe(400);
    expect(evse.body.error.message).toBe('body/evse: 0 (a count of 1 to 64 EVSEs, or a list of { id, connectors })');
    const args = await call('POST', '/api/stations', { id: 'NEW-7', securityProfile: 0, handler: 'allow-list', handlerArgs: { idToken: ['A'] } });
    expect(args.status).toBe(400);
    expect(args.body.error.message).toBe('body/handlerArgs/idToken: unknown field; allowed: idTokens, heartbeatInterval');
    const missing = await call('POST', '/api/stations', { id: 'NEW-8', securityProfile: 0, handler: 'allow-list' });
    expect(missing.body.error.message).toBe('body/handlerArgs/idTokens: required: the list of idTokens to authorise');
    for (const id of ['NEW-5', 'NEW-6', 'NEW-7', 'NEW-8']) expect(h.server.csms.hasStation(id)).toBe(false);
  });
});

describe('PATCH /api/stations/{id} (issue 16 item 15)', () => {
  it('answers a profile change with connected: false, the socket it closes being gone', async () => {
    const client = await bootedClient(h.ocppUrl, 'CP-1');
    const closed = new Promise<number>((resolve) => client.once('close', ({ code }: { code: number }) => resolve(code)));
    try {
      const answer = await call('PATCH', '/api/stations/CP-1', { securityProfile: 0 });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ id: 'CP-1', securityProfile: 0, connected: false });
      expect(answer.body.remoteAddress).toBeUndefined();
      expect(await closed).toBe(1008);
    } finally {
      await client.close({ force: true } as never);
    }
  });

  it('changes the EVSEs and the handler, keeping the station’s id and credentials', async () => {
    const answer = await call('PATCH', '/api/stations/CP-1', { evse: [{ id: 1, connectors: 2 }, { id: 2 }], handler: 'allow-list', handlerArgs: { idTokens: ['TOKEN-1'] } });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ id: 'CP-1', securityProfile: 1, evse: { evses: [{ id: 1, connectors: [{ id: 1 }, { id: 2 }] }, { id: 2 }] } });
    expect(h.server.csms.registration('CP-1')).toMatchObject({ handler: allowList, handlerArgs: { idTokens: ['TOKEN-1'] }, passwordHash: expect.stringMatching(/^scrypt\$/) });
    // The old password still admits it, and the new handler decides its idTokens.
    const client = await bootedClient(h.ocppUrl, 'CP-1');
    try {
      expect(await client.call('Authorize', { idToken: { idToken: 'TOKEN-1', type: 'ISO14443' } })).toEqual({ idTokenInfo: { status: 'Accepted' } });
      expect(await client.call('Authorize', { idToken: { idToken: 'OTHER', type: 'ISO14443' } })).toEqual({ idTokenInfo: { status: 'Invalid' } });
    } finally {
      await client.close();
    }
  });

  it('refuses a handler change whose arguments the handler rejects, leaving the station as it was', async () => {
    const answer = await call('PATCH', '/api/stations/CP-1', { handler: 'allow-list' });
    expect(answer.status).toBe(400);
    expect(answer.body.error.message).toBe('body/handlerArgs/idTokens: required: the list of idTokens to authorise');
    expect(h.server.csms.registration('CP-1')?.handler).toBe(acceptAll);
  });
});

describe('admin 401s at warn, rate-limited (issue 16 item 16)', () => {
  it('logs the first refused token at warn and the repeats from the same address at debug', async () => {
    await h.stop();
    h = await startHarness({ admin: { token: 'a-token-of-sixteen-chars' } });
    const logs = captureLogs('debug');
    try {
      for (let i = 0; i < 3; i++) {
        expect((await call('GET', '/api/stations', undefined, { authorization: 'Bearer wrong-token-wrong-token' })).status).toBe(401);
      }
      const lines = logs.named('admin request refused: no or wrong bearer token');
      expect(lines.map((line) => line.level)).toEqual(['warn', 'debug', 'debug']);
      expect(lines[0]).toMatchObject({ remote: '127.0.0.1', method: 'GET', url: '/api/stations' });
      expect(JSON.stringify(lines)).not.toContain('wrong-token-wrong-token');
    } finally {
      logs.restore();
    }
  });
});

describe('wrong-password refusals at warn, rate-limited (issue 16 item 16)', () => {
  it('logs the first wrong password of a station at warn and its retries at debug', async () => {
    const logs = captureLogs('debug');
    try {
      for (let i = 0; i < 3; i++) {
        const client = stationClient(h.ocppUrl, 'CP-1', 'Not-The-Password-000');
        await expect(client.connect()).rejects.toThrow();
      }
      const lines = logs.named('upgrade refused: station failed authentication');
      expect(lines.map((line) => line.level)).toEqual(['warn', 'debug', 'debug']);
      expect(lines[0]).toMatchObject({ station: 'CP-1', status: 401, reason: 'wrong_password', detail: 'wrong password' });
      expect(JSON.stringify(logs.lines)).not.toContain('Not-The-Password-000');
    } finally {
      logs.restore();
    }
  });
});
