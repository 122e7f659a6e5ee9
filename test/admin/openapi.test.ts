/**
 * The OpenAPI document served at /api/openapi.json: valid OpenAPI 3 (checked by
 * @apidevtools/swagger-parser, which validates against the OpenAPI 3 schema and resolves every
 * $ref), covering every route fastify serves, with the OCPP 2.0.1 schemas for the calls.
 */
import SwaggerParser from '@apidevtools/swagger-parser';
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
    const served = new Set([...ADMIN_ROUTES.filter((r) => !r.url.includes(':action')).map((r) => openApiPath(r.url)), OPENAPI_PATH]);
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
