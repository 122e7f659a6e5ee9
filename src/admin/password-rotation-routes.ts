/**
 * Basic-auth password rotation over the admin API (issue 11; OCPP 2.0.1 A01, TC_A_09/TC_A_10_CSMS):
 *
 *     POST /api/stations/:id/rotate-password        { length?: 16..40 }  (default 32)
 *
 * The CSMS draws a new password, sets SecurityCtrlr.BasicAuthPassword on the connected station
 * through its call queue, and the stored hash follows only when the station answers Accepted
 * (src/services/certificates/password-rotation.ts; the core's own switch). The new password is in
 * this answer, once, and nowhere else: it is not logged, and cannot be read back. A station that
 * refuses keeps its old password (200 with its status and no password); one that does not answer
 * is the call's error (409 offline, 504 timeout ...), and nothing changed either.
 */
import { UnknownStationError } from '../errors';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../server/credentials';
import { rotatePassword } from '../services/certificates';
import type { ServicesRouteHooks } from './services-hooks';
import { AdminHttpError } from './error-body';
import type { AdminRoute } from './routes';
import { STATION_ID_PARAMS } from './route-schemas';

const ROTATE_BODY = {
  type: 'object',
  additionalProperties: false,
  description: 'Example: {} or {"length":40}',
  properties: { length: { type: 'integer', minimum: MIN_PASSWORD_LENGTH, maximum: MAX_PASSWORD_LENGTH, description: 'Characters of the new password (default 32).' } },
} as const;

const ROTATE_VIEW = {
  type: 'object',
  properties: {
    status: {
      enum: ['Accepted', 'Rejected', 'UnknownComponent', 'UnknownVariable', 'NotSupportedAttributeType', 'RebootRequired', 'NoResult'],
      description: 'The station\u2019s SetVariables answer for BasicAuthPassword; only Accepted changes the stored password.',
    },
    password: { type: 'string', description: 'Accepted only: the new password, shown this once. It applies from the station\u2019s next connection.' },
  },
} as const;

export const PASSWORD_ROTATION_ROUTES: readonly AdminRoute[] = [
  {
    method: 'POST',
    url: '/api/stations/:id/rotate-password',
    operationId: 'rotateStationPassword',
    summary: 'Give a profile 1/2 station a new random Basic-auth password (SetVariables SecurityCtrlr.BasicAuthPassword, A01).',
    params: STATION_ID_PARAMS,
    body: ROTATE_BODY,
    bodyExample: { length: 32 },
    answers: {
      200: {
        description: 'The station\u2019s answer, and the new password when it accepted it.',
        schema: ROTATE_VIEW,
        example: { status: 'Accepted', password: 'k3V.9q|xR7-mZ2@tB8=wN5+pL1*sD6_h' },
      },
    },
    errors: [404, 409, 429, 502, 503, 504],
    async handle(ctx, request, reply) {
      const id = (request.params as { id: string }).id;
      const registration = ctx.csms.registration(id);
      if (!registration) throw new UnknownStationError(id);
      if (registration.securityProfile !== 1 && registration.securityProfile !== 2) {
        throw new AdminHttpError(409, 'invalid_request', `station ${id} is at security profile ${registration.securityProfile}, which uses no password`, { stationId: id });
      }
      const { length } = (request.body ?? {}) as { length?: number };
      const services = (ctx.hooks as ServicesRouteHooks).services;
      const outcome = await rotatePassword(ctx.csms, id, { ...(length !== undefined ? { length } : {}), ...(services ? { securityEvents: services.securityEvents } : {}) });
      // The listener's cache of verified credentials must not admit the old password a moment longer.
      if (outcome.status === 'Accepted') ctx.hooks.onCredentialsChanged?.(id);
      // The answer carries a secret: never cached on the way.
      void reply.header('cache-control', 'no-store');
      return outcome;
    },
  },
];
