/**
 * Certificates installed on a station over the admin API (issue 11 item 6; OCPP 2.0.1 M03–M05),
 * served by the standard CSMS's installed-certificates service (src/services/certificates/installed.ts):
 *
 *     GET    /api/stations/:id/installed-certificates            what the station holds as recorded, and the latest operations
 *     POST   /api/stations/:id/installed-certificates/refresh    GetInstalledCertificateIds (body: optional certificateType list)
 *     POST   /api/stations/:id/installed-certificates            InstallCertificate of a PEM root (checked first: 400 and nothing sent when it does not verify)
 *     DELETE /api/stations/:id/installed-certificates/:serial    DeleteCertificate of a recorded certificate, by serial number (hex)
 *
 * The station's answer is returned as `answer` (its status is data: a Rejected install is a 200),
 * with the recorded state after it.
 */
import { InvalidInputError, NotFoundError, UnknownStationError } from '../errors';
import type { InstallCertificateUseEnumType, GetCertificateIdUseEnumType } from '../../schemas/types.generated';
import { CERTIFICATE_ID_TYPES, INSTALL_CERTIFICATE_TYPES } from '../services/certificates/installed';
import { AdminHttpError } from './error-body';
import type { AdminRoute, RouteContext } from './routes';
import { STATION_ID_PARAMS } from './route-schemas';
import { serviceAnswer, servicesOf } from './services-hooks';

const INSTALLED_CERTIFICATE = {
  type: 'object',
  properties: {
    certificateType: { type: 'string', description: 'GetCertificateIdUseEnumType: V2GRootCertificate, MORootCertificate, CSMSRootCertificate, V2GCertificateChain, ManufacturerRootCertificate.' },
    hashAlgorithm: { type: 'string', description: 'SHA256, SHA384 or SHA512.' },
    issuerNameHash: { type: 'string', description: 'Hex.' },
    issuerKeyHash: { type: 'string', description: 'Hex.' },
    serialNumber: { type: 'string', description: 'Hex, no leading zeroes.' },
    parentSerialNumber: { type: 'string', description: 'For a sub-CA of a V2GCertificateChain: the serial number of the chain\u2019s certificate.' },
    source: { enum: ['report', 'install'], description: 'report: listed by the station (GetInstalledCertificateIds); install: installed through the CSMS.' },
    subject: { type: 'string', description: 'Known when installed through the CSMS.' },
    notAfter: { type: 'string', description: 'Known when installed through the CSMS.' },
    recordedAt: { type: 'string' },
  },
} as const;

const OPERATION = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    action: { enum: ['InstallCertificate', 'DeleteCertificate', 'GetInstalledCertificateIds'] },
    certificateType: { type: 'string' },
    serialNumber: { type: 'string' },
    status: { type: 'string', description: 'The station\u2019s status, or `error: \u2026` when it gave none (offline, timeout).' },
    reason: { type: 'string', description: 'The station\u2019s statusInfo (reasonCode: additionalInfo).' },
    at: { type: 'string' },
  },
} as const;

const VIEW_PROPERTIES = {
  stationId: { type: 'string' },
  certificates: { type: 'array', items: INSTALLED_CERTIFICATE, description: 'What the station holds as far as the CSMS knows.' },
  operations: { type: 'array', items: OPERATION, description: 'The latest operations, newest first (at most 50).' },
} as const;

const VIEW = { type: 'object', properties: VIEW_PROPERTIES } as const;

const ANSWERED_VIEW = {
  type: 'object',
  properties: {
    answer: { type: 'object', additionalProperties: true, description: 'The station\u2019s CALLRESULT payload (status, statusInfo, certificateHashDataChain).' },
    ...VIEW_PROPERTIES,
  },
} as const;

const REFRESH_BODY = {
  type: 'object',
  // No body at all asks for every type.
  nullable: true,
  additionalProperties: false,
  properties: {
    certificateType: { type: 'array', minItems: 1, maxItems: CERTIFICATE_ID_TYPES.length, items: { enum: [...CERTIFICATE_ID_TYPES] }, description: 'Only these types (default: all).' },
  },
} as const;

const INSTALL_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['certificateType', 'certificate'],
  properties: {
    certificateType: { enum: [...INSTALL_CERTIFICATE_TYPES], description: 'InstallCertificateUseEnumType.' },
    certificate: { type: 'string', minLength: 1, maxLength: 5500, description: 'PEM: a root, or a CA certificate followed by its issuers up to a self-signed root.' },
  },
} as const;

const SERIAL_PARAMS = {
  type: 'object',
  required: ['id', 'serial'],
  properties: {
    ...STATION_ID_PARAMS.properties,
    serial: { type: 'string', pattern: '^[0-9A-Fa-f]{1,40}$', description: 'Serial number of a recorded certificate, hex.' },
  },
} as const;

const VIEW_EXAMPLE = {
  stationId: 'CP001',
  certificates: [
    {
      certificateType: 'CSMSRootCertificate',
      hashAlgorithm: 'SHA256',
      issuerNameHash: '5a3f1c…',
      issuerKeyHash: '9be04d…',
      serialNumber: '4f1c2a9e0b7d3c5a',
      source: 'install',
      subject: 'CN=ocpp-csms-core CSMS CA',
      notAfter: '2046-11-29T21:00:00.000Z',
      recordedAt: '2026-12-08T01:00:00.000Z',
    },
  ],
  operations: [{ id: 1, action: 'InstallCertificate', certificateType: 'CSMSRootCertificate', serialNumber: '4f1c2a9e0b7d3c5a', status: 'Accepted', at: '2026-12-08T01:00:00.000Z' }],
};

const idOf = (params: unknown) => (params as { id: string }).id;

function knownStation(ctx: RouteContext, id: string): void {
  if (!ctx.csms.hasStation(id)) throw new UnknownStationError(id);
}

export const INSTALLED_CERTIFICATE_ROUTES: readonly AdminRoute[] = [
  {
    method: 'GET',
    url: '/api/stations/:id/installed-certificates',
    operationId: 'getInstalledCertificates',
    summary: 'The certificates installed on a station as the CSMS recorded them (M03\u2013M05), and the latest install, delete and refresh operations.',
    params: STATION_ID_PARAMS,
    answers: { 200: { description: 'The recorded certificates.', schema: VIEW, example: VIEW_EXAMPLE } },
    errors: [404, 503],
    async handle(ctx, request) {
      const id = idOf(request.params);
      const view = await servicesOf(ctx).installedCertificates.view(id);
      if (!ctx.csms.hasStation(id) && view.certificates.length === 0 && view.operations.length === 0) throw new UnknownStationError(id);
      return view;
    },
  },
  {
    method: 'POST',
    url: '/api/stations/:id/installed-certificates/refresh',
    operationId: 'refreshInstalledCertificates',
    summary: 'Ask the station which certificates it holds (GetInstalledCertificateIds, M03) and record its answer.',
    params: STATION_ID_PARAMS,
    body: REFRESH_BODY,
    bodyExample: { certificateType: ['CSMSRootCertificate', 'V2GRootCertificate'] },
    answers: { 200: { description: 'The station\u2019s answer and the recorded certificates after it.', schema: ANSWERED_VIEW } },
    errors: [404, 409, 429, 502, 503, 504],
    async handle(ctx, request) {
      const id = idOf(request.params);
      knownStation(ctx, id);
      const body = (request.body ?? {}) as { certificateType?: GetCertificateIdUseEnumType[] };
      const service = servicesOf(ctx).installedCertificates;
      const answer = await service.refresh(id, body.certificateType);
      return { answer, ...(await service.view(id)) };
    },
  },
  {
    method: 'POST',
    url: '/api/stations/:id/installed-certificates',
    operationId: 'installCertificate',
    summary: 'Install a root certificate on the station (InstallCertificate, M05); a PEM that does not parse or verify is refused with 400 and never sent.',
    params: STATION_ID_PARAMS,
    body: INSTALL_BODY,
    bodyExample: { certificateType: 'CSMSRootCertificate', certificate: '-----BEGIN CERTIFICATE-----\nMIIBjTCCATOgAwIBAgIQ\u2026\n-----END CERTIFICATE-----' },
    answers: { 200: { description: 'The station\u2019s answer (Accepted, Rejected, Failed) and the recorded certificates after it.', schema: ANSWERED_VIEW } },
    errors: [404, 409, 429, 502, 503, 504],
    async handle(ctx, request) {
      const id = idOf(request.params);
      knownStation(ctx, id);
      const body = request.body as { certificateType: InstallCertificateUseEnumType; certificate: string };
      const service = servicesOf(ctx).installedCertificates;
      const answer = await serviceAnswer(() => service.install(id, body.certificateType, body.certificate));
      return { answer, ...(await service.view(id)) };
    },
  },
  {
    method: 'DELETE',
    url: '/api/stations/:id/installed-certificates/:serial',
    operationId: 'deleteInstalledCertificate',
    summary: 'Delete a recorded certificate from the station by its serial number (DeleteCertificate with its hash data, M04).',
    params: SERIAL_PARAMS,
    answers: { 200: { description: 'The station\u2019s answer (Accepted, Failed, NotFound) and the recorded certificates after it.', schema: ANSWERED_VIEW } },
    errors: [404, 409, 429, 502, 503, 504],
    async handle(ctx, request) {
      const { id, serial } = request.params as { id: string; serial: string };
      knownStation(ctx, id);
      const service = servicesOf(ctx).installedCertificates;
      let answer;
      try {
        answer = await service.remove(id, serial);
      } catch (error) {
        if (error instanceof NotFoundError) throw new AdminHttpError(404, 'not_found', `no certificate with serial number ${serial} is recorded for ${id} (refresh first)`, { serial });
        // A serial shared by certificates of several issuers does not name one.
        if (error instanceof InvalidInputError) throw new AdminHttpError(400, 'invalid_request', `params/serial: ${error.reason}`, { field: 'params/serial' });
        throw error;
      }
      return { answer, ...(await service.view(id)) };
    },
  },
];
