/**
 * The OpenAPI document served at /api/openapi.json: valid OpenAPI 3 (checked by
 * @apidevtools/swagger-parser, which validates against the OpenAPI 3 schema and resolves every
 * $ref), covering every route fastify serves, with the OCPP 2.0.1 schemas for the calls.
 */
import SwaggerParser from '@apidevtools/swagger-parser';
import Ajv from 'ajv';
import { createAdminServer } from '../../src/admin';
import { serverHealth } from '../../src/admin/health-routes';
import { CsmsMetrics } from '../../src/telemetry/metrics';
import { CSMS_ACTIONS } from '../../schemas';
import { ADMIN_ROUTES, OPENAPI_PATH } from '../../src/admin';
import { openApiPath } from '../../src/admin/openapi';
import { api, startHarness, type Harness } from './harness';

let h: Harness;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- an OpenAPI document, walked by the tests
let doc: any;

beforeAll(async () => {
  h = await startHarness();
  const answer = await api(h.base, 'GET', OPENAPI_PATH);
  expect(answer.status).toBe(200);
  doc = answer.body;
});
afterAll(async () => {
  await h.stop();
});

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3 with every $ref resolvable', async () => {
    expect(doc.openapi).toMatch(/^3\./);
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeDefined();
  });

  it('documents every route the server registers, with its method', () => {
    for (const route of ADMIN_ROUTES) {
      if (route.url.includes(':action')) continue;
      expect(doc.paths[openApiPath(route.url)]?.[route.method.toLowerCase()]).toBeDefined();
    }
    expect(doc.paths[OPENAPI_PATH].get).toBeDefined();
  });

  it('documents the call route once per CSMS-initiated action, with that action\u2019s OCPP request and response schemas', () => {
    for (const action of CSMS_ACTIONS) {
      const op = doc.paths[`/api/stations/{id}/calls/${action}`]?.post;
      expect(op).toBeDefined();
      expect(op.requestBody.content['application/json'].schema).toEqual({ $ref: `#/components/schemas/${action}Request` });
      expect(op.responses['200'].content['application/json'].schema).toEqual({ $ref: `#/components/schemas/${action}Response` });
      for (const status of ['400', '404', '409', '429', '502', '504']) expect(op.responses[status]).toBeDefined();
    }
  });

  it('lists no path the server does not serve', () => {
    const telemetry = ['/metrics', '/healthz', '/readyz'];
    const served = new Set([...ADMIN_ROUTES.filter((r) => !r.url.includes(':action')).map((r) => openApiPath(r.url)), OPENAPI_PATH, ...telemetry]);
    for (const path of Object.keys(doc.paths)) {
      if (path.startsWith('/api/stations/{id}/calls/')) expect(CSMS_ACTIONS).toContain(path.split('/').at(-1));
      else expect(served.has(path)).toBe(true);
    }
  });

  it('keeps the OCPP schemas\u2019 constraints (enum of ResetRequest.type) and drops the draft-06 keywords OpenAPI 3.0 lacks', () => {
    const reset = doc.components.schemas.ResetRequest;
    const typeRef = reset.properties.type.$ref as string;
    expect(doc.components.schemas[typeRef.split('/').at(-1)!].enum).toEqual(['Immediate', 'OnIdle']);
    const text = JSON.stringify(doc.components.schemas);
    for (const keyword of ['"$schema"', '"$id"', '"javaType"', '"definitions"', '#/definitions/']) expect(text).not.toContain(keyword);
  });
});

describe('the OpenAPI document: metrics and probes', () => {
  it('documents GET /healthz and GET /readyz without a token, answering the health report with 200 or 503', () => {
    for (const path of ['/healthz', '/readyz']) {
      const op = doc.paths[path]?.get;
      expect(op).toBeDefined();
      expect(op.security).toEqual([]);
      expect(Object.keys(op.responses).sort()).toEqual(['200', '503']);
      expect(op.responses['200'].content['application/json'].schema.properties.status.enum).toEqual(['ok', 'unavailable']);
    }
  });

  it('documents GET /metrics as Prometheus text behind the admin token', () => {
    const op = doc.paths['/metrics']?.get;
    expect(op).toBeDefined();
    expect(op.security).toBeUndefined();
    expect(Object.keys(op.responses['200'].content)).toEqual(['text/plain']);
    expect(op.responses['401']).toBeDefined();
  });

  it('describes what an admin server with telemetry actually answers on those paths', async () => {
    const metrics = new CsmsMetrics(() => [], { defaultMetrics: false });
    const admin = createAdminServer(h.server.csms, {
      host: '127.0.0.1',
      port: 0,
      resolveHandler: () => {
        throw new Error('no handler is resolved in this test');
      },
      telemetry: { metrics, health: serverHealth(h.server) },
    });
    const { port } = await admin.listen();
    try {
      const validate = new Ajv({ strict: false }).compile(doc.paths['/readyz'].get.responses['200'].content['application/json'].schema);
      for (const path of ['/healthz', '/readyz']) {
        const answer = await fetch(`http://127.0.0.1:${port}${path}`);
        expect(Object.keys(doc.paths[path].get.responses)).toContain(String(answer.status));
        const body: unknown = await answer.json();
        expect(validate(body)).toBe(true);
      }
      const scrape = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(scrape.status).toBe(200);
      expect(scrape.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await scrape.text()).toContain('csms_stations_connected');
    } finally {
      await admin.close();
    }
  });
});
