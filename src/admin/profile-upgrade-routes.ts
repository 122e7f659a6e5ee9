/**
 * Security profile upgrade over the admin API (issue 11; OCPP 2.0.1 A05, TC_A_19_CSMS):
 *
 *     POST /api/stations/:id/upgrade-profile    { targetProfile: 3, ocppCsmsUrl?, configurationSlot?, ocppInterface?, signTimeoutMs?, method? }
 *
 * Moves a connected station from profile 1 or 2 to 3 (src/services/certificates/upgrade.ts):
 * root certificate if needed, a new station certificate, a network profile with the wss:// URL,
 * its priority, a reset when the station needs one, then the registration (the lower profile is
 * refused from then on). The answer is the report of every step: 200 when upgraded; when a step
 * failed, the steps before it are undone and the answer is an error naming the step
 * (`profile_upgrade_failed`: 502 the station refused, 409 offline, 504 timeout; 409
 * `profile_upgrade_refused` when the upgrade cannot start), with the same report.
 */
import type { FastifyReply } from 'fastify';
import { UnknownStationError } from '../errors';
import { isUpgrading, upgradeProfile, type ProfileUpgradeOptions, type ProfileUpgradeReport } from '../services/certificates/upgrade';
import { AdminHttpError } from './error-body';
import type { AdminRoute } from './routes';
import { STATION_ID_PARAMS } from './route-schemas';
import { servicesOf } from './services-hooks';

export interface ProfileUpgradeRouteHooks {
  /** The configuration's `security.profileUpgrade` (its root certificate read as PEM); defaults when absent. */
  readonly profileUpgrade?: Partial<Omit<ProfileUpgradeOptions, 'configurationSlot'>>;
}

const INTERFACES = ['Wired0', 'Wired1', 'Wired2', 'Wired3', 'Wireless0', 'Wireless1', 'Wireless2', 'Wireless3'] as const;

const UPGRADE_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['targetProfile'],
  description: 'Example: {"targetProfile":3}',
  properties: {
    targetProfile: { enum: [3], description: 'The profile to move to: 3 (TLS with a client certificate).' },
    ocppCsmsUrl: { type: 'string', pattern: '^wss://', maxLength: 512, description: 'The wss:// URL (without the identity) for the new network profile; default security.profileUpgrade.ocppCsmsUrl.' },
    configurationSlot: { type: 'integer', minimum: 1, maximum: 100, description: 'Slot of the new network profile; default the lowest one not in NetworkConfigurationPriority.' },
    ocppInterface: { enum: [...INTERFACES], description: 'connectionData.ocppInterface; default security.profileUpgrade.ocppInterface (Wired0).' },
    signTimeoutMs: { type: 'integer', minimum: 1000, maximum: 3_600_000, description: 'How long to wait for the station\u2019s SignCertificate and CertificateSigned answer.' },
    method: {
      enum: ['networkProfile', 'securityProfileVariable'],
      description:
        'networkProfile (default, A05): SetNetworkProfile and NetworkConfigurationPriority; securityProfileVariable: SetVariables SecurityCtrlr.SecurityProfile = 3, for firmware that switches by that variable.',
    },
  },
} as const;

const STEP = {
  type: 'object',
  properties: {
    step: { enum: ['check', 'root-certificate', 'sign', 'network-profile', 'priority', 'security-profile', 'reset', 'registry'] },
    status: { enum: ['done', 'skipped', 'failed', 'rolled-back', 'rollback-failed'] },
    detail: { type: 'string' },
  },
} as const;

const REPORT = {
  type: 'object',
  properties: {
    stationId: { type: 'string' },
    from: { type: 'integer' },
    to: { type: 'integer' },
    status: { enum: ['Upgraded', 'Failed'] },
    failedStep: { type: 'string' },
    reason: { type: 'string' },
    failure: { enum: ['refused', 'offline', 'timeout', 'error'] },
    steps: { type: 'array', items: STEP },
    configurationSlot: { type: 'integer' },
    certificate: { type: 'object', properties: { serial: { type: 'string' }, notAfter: { type: 'string' } } },
  },
} as const;

const EXAMPLE: ProfileUpgradeReport = {
  stationId: 'CP001',
  from: 2,
  to: 3,
  status: 'Upgraded',
  steps: [
    { step: 'root-certificate', status: 'skipped', detail: 'the station connects over TLS already: it trusts the server certificate\u2019s root' },
    { step: 'sign', status: 'done', detail: 'certificate 4f1c2a9e0b7d3c5a signed and installed (expires 2027-12-08T00:00:00.000Z)' },
    { step: 'network-profile', status: 'done', detail: 'SetNetworkProfile slot 2 (wss://csms.example.com:9443/ocpp, security profile 3) Accepted' },
    { step: 'priority', status: 'done', detail: 'NetworkConfigurationPriority 2,1 Accepted' },
    { step: 'reset', status: 'skipped', detail: 'the station took the new priority without a reboot' },
    { step: 'registry', status: 'done', detail: 'registration switched to security profile 3 and stored; profile 2 is refused from now on' },
  ],
  configurationSlot: 2,
  certificate: { serial: '4f1c2a9e0b7d3c5a', notAfter: '2027-12-08T00:00:00.000Z' },
};

interface UpgradeBody {
  readonly targetProfile: 3;
  readonly ocppCsmsUrl?: string;
  readonly configurationSlot?: number;
  readonly ocppInterface?: ProfileUpgradeOptions['ocppInterface'];
  readonly signTimeoutMs?: number;
  readonly method?: ProfileUpgradeOptions['method'];
}

const STATUS_OF_FAILURE = { refused: 502, offline: 409, timeout: 504, error: 500 } as const;

export const PROFILE_UPGRADE_ROUTES: readonly AdminRoute[] = [
  {
    method: 'POST',
    url: '/api/stations/:id/upgrade-profile',
    operationId: 'upgradeStationProfile',
    summary: 'Move a station from security profile 1 or 2 to 3 (A05): new certificate, network profile, priority, registration; rolled back if a step fails.',
    params: STATION_ID_PARAMS,
    body: UPGRADE_BODY,
    bodyExample: { targetProfile: 3, ocppCsmsUrl: 'wss://csms.example.com:9443/ocpp' },
    answers: { 200: { description: 'Upgraded: the report of every step.', schema: REPORT, example: EXAMPLE } },
    errors: [404, 409, 502, 503, 504],
    async handle(ctx, request, reply: FastifyReply) {
      const id = (request.params as { id: string }).id;
      const body = request.body as UpgradeBody;
      if (!ctx.csms.registration(id)) throw new UnknownStationError(id);
      const services = servicesOf(ctx);
      const configured = (ctx.hooks as ProfileUpgradeRouteHooks).profileUpgrade ?? {};
      const ocppCsmsUrl = body.ocppCsmsUrl ?? configured.ocppCsmsUrl;
      if (ocppCsmsUrl === undefined) {
        throw new AdminHttpError(400, 'invalid_request', 'body/ocppCsmsUrl: required (no security.profileUpgrade.ocppCsmsUrl is configured)', { field: 'body/ocppCsmsUrl' });
      }
      if (isUpgrading(id)) throw new AdminHttpError(409, 'invalid_request', `an upgrade of station ${id} is already running`, { stationId: id });
      const report = await upgradeProfile(ctx.csms, services.certificates, id, {
        ocppCsmsUrl,
        signTimeoutMs: body.signTimeoutMs ?? configured.signTimeoutMs ?? 120_000,
        messageTimeoutSeconds: configured.messageTimeoutSeconds ?? 30,
        ocppInterface: body.ocppInterface ?? configured.ocppInterface ?? 'Wired0',
        ...(configured.csmsRootCertificate !== undefined ? { csmsRootCertificate: configured.csmsRootCertificate } : {}),
        ...(configured.callTimeoutMs !== undefined ? { callTimeoutMs: configured.callTimeoutMs } : {}),
        ...(body.configurationSlot !== undefined ? { configurationSlot: body.configurationSlot } : {}),
        ...(body.method !== undefined ? { method: body.method } : {}),
      });
      if (report.status === 'Upgraded') {
        // The listener's cache of verified passwords must not admit the old profile a moment longer.
        ctx.hooks.onCredentialsChanged?.(id);
        return report;
      }
      const status = report.failedStep === 'check' ? 409 : STATUS_OF_FAILURE[report.failure ?? 'error'];
      void reply.code(status);
      return {
        error: {
          code: report.failedStep === 'check' ? 'profile_upgrade_refused' : 'profile_upgrade_failed',
          message: `security profile upgrade of ${id} failed at ${report.reason ?? report.failedStep}`,
          stationId: id,
          step: report.failedStep,
          report,
        },
      };
    },
  },
];
