/**
 * Boot policies over the admin API (issue 10 item 3; OCPP 2.0.1 B01–B03), served by the standard
 * CSMS's boot-policy service; a change applies to the station's next BootNotification:
 *
 *     GET    /api/boot-policy                 the default policy
 *     PUT    /api/boot-policy                 set the default
 *     GET    /api/stations/:id/boot-policy    the station's own policy, the one in force, its provisioning
 *     PUT    /api/stations/:id/boot-policy    set the station's own
 *     DELETE /api/stations/:id/boot-policy    remove it (the default applies)
 */
import { BOOT_POLICY_SCHEMA } from '../services/config';
import type { CsmsServices } from '../services';
import type { AdminRoute } from './routes';
import { STATION_ID_PARAMS } from './route-schemas';
import { serviceAnswer, servicesOf } from './services-hooks';

const POLICY_BODY = {
  ...BOOT_POLICY_SCHEMA,
  description:
    'Accepted (interval = heartbeat), Pending (interval = retry; optional provisioning: a base report, variables to set, then accept) or Rejected (interval = retry).',
} as const;

const POLICY_VIEW = {
  type: 'object',
  properties: {
    stationId: { type: 'string', description: 'The station; "" for the default.' },
    own: { ...BOOT_POLICY_SCHEMA, nullable: true, description: 'The station\u2019s own policy (null: none, the default applies).' },
    effective: { ...BOOT_POLICY_SCHEMA, description: 'The policy its next boot is answered with.' },
    provisioning: {
      type: 'object',
      description: 'Pending with provisioning: when it finished under the policy in force (the next boot is accepted), or why it failed.',
      properties: { provisionedAt: { type: 'string' }, error: { type: 'string' } },
    },
  },
} as const;

const POLICY_EXAMPLE = {
  status: 'Pending',
  interval: 30,
  provisioning: {
    getBaseReport: 'FullInventory',
    setVariables: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, attributeValue: '600' }],
  },
};
const VIEW_EXAMPLE = { stationId: 'CP002', own: POLICY_EXAMPLE, effective: POLICY_EXAMPLE, provisioning: { provisionedAt: '2026-11-29T21:00:05.000Z' } };

async function view(services: CsmsServices, stationId: string): Promise<object> {
  const own = await services.bootPolicy.get(stationId);
  const effective = await services.bootPolicy.effective(stationId);
  return { stationId, own: own?.policy ?? null, effective: effective.policy, provisioning: await services.bootPolicy.provisioning(stationId, effective.policy) };
}

export const BOOT_POLICY_ROUTES: readonly AdminRoute[] = [
  {
    method: 'GET',
    url: '/api/boot-policy',
    operationId: 'getDefaultBootPolicy',
    summary: 'The default boot policy (stations without their own).',
    answers: { 200: { description: 'The default.', schema: POLICY_VIEW, example: { stationId: '', own: { status: 'Accepted', interval: 300 }, effective: { status: 'Accepted', interval: 300 }, provisioning: {} } } },
    errors: [503],
    handle: (ctx) => view(servicesOf(ctx), ''),
  },
  {
    method: 'PUT',
    url: '/api/boot-policy',
    operationId: 'setDefaultBootPolicy',
    summary: 'Set the default boot policy (applies to each station\u2019s next boot).',
    body: POLICY_BODY,
    bodyExample: POLICY_EXAMPLE,
    answers: { 200: { description: 'Set.', schema: POLICY_VIEW, example: VIEW_EXAMPLE } },
    errors: [503],
    handle: (ctx, request) =>
      serviceAnswer(async () => {
        const services = servicesOf(ctx);
        await services.bootPolicy.set('', request.body).ticket.promise;
        return view(services, '');
      }),
  },
  {
    method: 'GET',
    url: '/api/stations/:id/boot-policy',
    operationId: 'getBootPolicy',
    summary: 'The station\u2019s boot policy: its own, the one in force, and its provisioning.',
    params: STATION_ID_PARAMS,
    answers: { 200: { description: 'The policy.', schema: POLICY_VIEW, example: VIEW_EXAMPLE } },
    errors: [503],
    handle: (ctx, request) => view(servicesOf(ctx), (request.params as { id: string }).id),
  },
  {
    method: 'PUT',
    url: '/api/stations/:id/boot-policy',
    operationId: 'setBootPolicy',
    summary: 'Set the station\u2019s own boot policy (applies to its next boot).',
    params: STATION_ID_PARAMS,
    body: POLICY_BODY,
    bodyExample: POLICY_EXAMPLE,
    answers: { 200: { description: 'Set.', schema: POLICY_VIEW, example: VIEW_EXAMPLE } },
    errors: [503],
    handle: (ctx, request) =>
      serviceAnswer(async () => {
        const { id } = request.params as { id: string };
        const services = servicesOf(ctx);
        await services.bootPolicy.set(id, request.body).ticket.promise;
        return view(services, id);
      }),
  },
  {
    method: 'DELETE',
    url: '/api/stations/:id/boot-policy',
    operationId: 'removeBootPolicy',
    summary: 'Remove the station\u2019s own boot policy: the default applies to its next boot.',
    params: STATION_ID_PARAMS,
    answers: { 200: { description: 'Removed; the policy now in force.', schema: POLICY_VIEW } },
    errors: [503],
    async handle(ctx, request) {
      const { id } = request.params as { id: string };
      const services = servicesOf(ctx);
      await services.bootPolicy.remove(id).promise;
      return view(services, id);
    },
  },
];
