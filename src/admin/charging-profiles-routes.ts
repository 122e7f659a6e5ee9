/**
 * Charging profiles over the admin API (issue 12; OCPP 2.0.1 K01–K10, K12), served by the standard
 * CSMS's charging profile service through the station's call queue:
 *
 *     GET    /api/stations/:id/charging-profiles           the profiles the CSMS set or learned (?evseId, ?purpose)
 *     POST   /api/stations/:id/charging-profiles           a SetChargingProfileRequest: send it, record the answer
 *     DELETE /api/stations/:id/charging-profiles           ClearChargingProfile (?id, or ?evseId ?purpose ?stackLevel)
 *     POST   /api/stations/:id/charging-profiles/refresh   GetChargingProfiles, then reconcile with the reports
 *     GET    /api/stations/:id/charging-limits             the external limits the station reported (NotifyChargingLimit)
 *     GET    /api/stations/:id/charging-needs              ISO 15118 charging needs per EVSE, the grant and the vehicle's schedule
 *     GET    /api/stations/:id/composite-schedule          the latest GetCompositeSchedule answer per EVSE (?evseId)
 *     POST   /api/stations/:id/composite-schedule          ask the station for one ({ evseId, duration, chargingRateUnit? })
 *
 * A profile that breaks the SetChargingProfileRequest schema, or a K01 rule the schema cannot say,
 * is a 400 naming the field (`body/chargingProfile.chargingSchedule[0].chargingSchedulePeriod[0].limit`).
 */
import { UnknownStationError } from '../errors';
import type { ClearCriteria } from '../services/charging/profile-service';
import { checkSetChargingProfile } from '../services/charging/profile-check';
import type { AdminRoute, RouteContext } from './routes';
import { STATION_ID_PARAMS } from './route-schemas';
import { serviceAnswer, servicesOf } from './services-hooks';

const PURPOSES = ['ChargingStationExternalConstraints', 'ChargingStationMaxProfile', 'TxDefaultProfile', 'TxProfile'] as const;

const SCHEDULE_PERIODS = {
  type: 'array',
  items: { type: 'object', properties: { startPeriod: { type: 'integer' }, limit: { type: 'number' }, numberPhases: { type: 'integer' }, phaseToUse: { type: 'integer' } } },
} as const;

const PROFILE_DOC = {
  type: 'object',
  description: 'An OCPP 2.0.1 ChargingProfileType (components/schemas/SetChargingProfileRequest has the full schema the body is checked against).',
  properties: {
    id: { type: 'integer' },
    stackLevel: { type: 'integer' },
    chargingProfilePurpose: { enum: [...PURPOSES] },
    chargingProfileKind: { enum: ['Absolute', 'Recurring', 'Relative'] },
    recurrencyKind: { enum: ['Daily', 'Weekly'] },
    validFrom: { type: 'string' },
    validTo: { type: 'string' },
    transactionId: { type: 'string' },
    chargingSchedule: {
      type: 'array',
      items: {
        type: 'object',
        properties: { id: { type: 'integer' }, startSchedule: { type: 'string' }, duration: { type: 'integer' }, chargingRateUnit: { enum: ['A', 'W'] }, minChargingRate: { type: 'number' }, chargingSchedulePeriod: SCHEDULE_PERIODS },
      },
    },
  },
} as const;

const STORED_PROFILE = {
  type: 'object',
  properties: {
    stationId: { type: 'string' },
    evseId: { type: 'integer', description: '0: the whole station.' },
    profile: PROFILE_DOC,
    source: { enum: ['csms', 'station-report', 'site'], description: 'Who set it: the CSMS (operator, ISO 15118 planning), site load management, or learned from the station\u2019s report.' },
    status: { enum: ['Accepted', 'Rejected', 'Pending'], description: 'The station\u2019s answer; Pending while unanswered or when the answer was lost (a refresh settles it).' },
    statusInfo: { type: 'object', additionalProperties: true, description: 'The station\u2019s statusInfo, or why the outcome is unknown.' },
    limitSource: { type: 'string', description: 'For a reported profile: the report\u2019s chargingLimitSource.' },
    updatedAt: { type: 'string' },
  },
} as const;

const PROFILE_EXAMPLE = {
  id: 12,
  stackLevel: 0,
  chargingProfilePurpose: 'TxDefaultProfile',
  chargingProfileKind: 'Recurring',
  recurrencyKind: 'Daily',
  chargingSchedule: [{ id: 1, startSchedule: '2026-12-08T17:00:00.000Z', duration: 14400, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 10 }] }],
};

const SET_BODY = {
  type: 'object',
  required: ['evseId', 'chargingProfile'],
  description: 'A SetChargingProfileRequest (OCPP 2.0.1), checked against its official schema and the K01 rules.',
  properties: { evseId: { type: 'integer', description: '0: the whole station (ChargingStationMaxProfile, or a profile for every EVSE).' }, chargingProfile: PROFILE_DOC },
} as const;

/** A whole number in a query string (query values are text: the admin server does not coerce types). */
const whole = (description: string) => ({ type: 'string', pattern: '^[0-9]{1,9}$', description }) as const;

const LIST_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: { evseId: whole('Only this EVSE (0: the whole station).'), purpose: { enum: [...PURPOSES] } },
} as const;

const CLEAR_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    id: whole('The profile id (the station then ignores the other criteria, K10).'),
    evseId: whole('Profiles of this EVSE (0: the whole station).'),
    // External constraints are the external system's to clear (K12), not the CSMS's.
    purpose: { enum: PURPOSES.filter((p) => p !== 'ChargingStationExternalConstraints') },
    stackLevel: whole('Profiles of this stack level.'),
  },
} as const;

const COMPOSITE_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['evseId', 'duration'],
  properties: {
    evseId: { type: 'integer', minimum: 0, description: '0: the grid connection of the whole station.' },
    duration: { type: 'integer', minimum: 1, description: 'Seconds from now.' },
    chargingRateUnit: { enum: ['A', 'W'] },
  },
} as const;

const COMPOSITE_VIEW = {
  type: 'object',
  properties: {
    stationId: { type: 'string' },
    evseId: { type: 'integer' },
    status: { type: 'string', description: 'The station\u2019s answer (Accepted, Rejected).' },
    statusInfo: { type: 'object', additionalProperties: true },
    schedule: { type: 'object', additionalProperties: true, description: 'The CompositeScheduleType the station answered.' },
    duration: { type: 'integer' },
    chargingRateUnit: { type: 'string' },
    askedAt: { type: 'string' },
  },
} as const;

const LIMIT_VIEW = {
  type: 'object',
  properties: {
    stationId: { type: 'string' },
    evseId: { type: 'integer', description: '0: the whole station.' },
    limitSource: { type: 'string', description: 'EMS, Other, SO, CSO.' },
    gridCritical: { type: 'boolean' },
    schedules: { type: 'array', items: { type: 'object', additionalProperties: true } },
    updatedAt: { type: 'string' },
  },
} as const;

const NEEDS_VIEW = {
  type: 'object',
  properties: {
    stationId: { type: 'string' },
    evseId: { type: 'integer' },
    needs: { type: 'object', additionalProperties: true, description: 'The vehicle\u2019s ChargingNeedsType (NotifyEVChargingNeeds).' },
    maxScheduleTuples: { type: 'integer' },
    transactionId: { type: 'string' },
    grantedProfileId: { type: 'integer', description: 'The TxProfile the CSMS granted for them (see charging-profiles).' },
    evSchedule: { type: 'object', additionalProperties: true, description: 'The vehicle\u2019s latest schedule (NotifyEVChargingSchedule): timeBase, chargingSchedule, and the CSMS\u2019s answer.' },
    receivedAt: { type: 'string' },
  },
} as const;

const idOf = (params: unknown) => (params as { id: string }).id;

/** The query's whole numbers as numbers (validated as digits by the route's schema). */
function numbersOf<K extends string>(query: unknown, names: readonly K[]): { [P in K]?: number } {
  const out: { [P in K]?: number } = {};
  for (const name of names) {
    const value = (query as Record<string, string | undefined>)[name];
    if (value !== undefined) out[name] = Number(value);
  }
  return out;
}

const purposeOf = (query: unknown) => {
  const purpose = (query as { purpose?: ClearCriteria['purpose'] }).purpose;
  return purpose !== undefined ? { purpose } : {};
};

/** The station must be one the CSMS knows (a call to an unknown one is a 404, not a timeout). */
function known(ctx: RouteContext, id: string): string {
  if (!ctx.csms.hasStation(id)) throw new UnknownStationError(id);
  return id;
}

export const CHARGING_PROFILE_ROUTES: readonly AdminRoute[] = [
  {
    method: 'GET',
    url: '/api/stations/:id/charging-profiles',
    operationId: 'listChargingProfiles',
    summary: 'The charging profiles the CSMS set on the station or learned from its reports (TxProfiles of ended transactions left out).',
    params: STATION_ID_PARAMS,
    querystring: LIST_QUERY,
    answers: { 200: { description: 'The profiles, by EVSE, purpose, stack level and id.', schema: { type: 'object', properties: { items: { type: 'array', items: STORED_PROFILE } } } } },
    errors: [503],
    handle: async (ctx, request) => ({
      items: await servicesOf(ctx).chargingProfiles.list(idOf(request.params), { ...numbersOf(request.query, ['evseId']), ...purposeOf(request.query) }),
    }),
  },
  {
    method: 'POST',
    url: '/api/stations/:id/charging-profiles',
    operationId: 'setChargingProfile',
    summary: 'Send a charging profile (SetChargingProfile) and record it with the station\u2019s answer.',
    params: STATION_ID_PARAMS,
    body: SET_BODY,
    bodyExample: { evseId: 0, chargingProfile: PROFILE_EXAMPLE },
    answers: {
      200: {
        description: 'The station\u2019s answer (Accepted or Rejected, both recorded) and the record.',
        schema: { type: 'object', properties: { status: { enum: ['Accepted', 'Rejected'] }, statusInfo: { type: 'object', additionalProperties: true }, profile: STORED_PROFILE } },
      },
    },
    errors: [404, 409, 429, 502, 503, 504],
    handle: async (ctx, request) => {
      const services = servicesOf(ctx);
      const id = known(ctx, idOf(request.params));
      const checked = await serviceAnswer(() => checkSetChargingProfile(request.body));
      const outcome = await services.chargingProfiles.set(id, checked.evseId, checked.chargingProfile);
      return { ...outcome, profile: await services.chargingProfiles.get(id, checked.chargingProfile.id) };
    },
  },
  {
    method: 'DELETE',
    url: '/api/stations/:id/charging-profiles',
    operationId: 'clearChargingProfiles',
    summary: 'Clear profiles on the station (ClearChargingProfile) by id or criteria; the matching records are dropped when it answers Accepted or Unknown.',
    params: STATION_ID_PARAMS,
    querystring: CLEAR_QUERY,
    answers: { 200: { description: 'The station\u2019s answer and how many records were dropped.', schema: { type: 'object', properties: { status: { enum: ['Accepted', 'Unknown'] }, dropped: { type: 'integer' } } } } },
    errors: [404, 409, 429, 502, 503, 504],
    handle: (ctx, request) =>
      servicesOf(ctx).chargingProfiles.clear(known(ctx, idOf(request.params)), { ...numbersOf(request.query, ['id', 'evseId', 'stackLevel']), ...purposeOf(request.query) }),
  },
  {
    method: 'POST',
    url: '/api/stations/:id/charging-profiles/refresh',
    operationId: 'refreshChargingProfiles',
    summary: 'Ask the station for its profiles (GetChargingProfiles) and make the records what it reports (ReportChargingProfiles).',
    params: STATION_ID_PARAMS,
    querystring: { type: 'object', additionalProperties: false, properties: { evseId: whole('Only this EVSE\u2019s profiles.') } },
    answers: {
      200: {
        description: 'What the station reported.',
        schema: { type: 'object', properties: { status: { enum: ['Accepted', 'NoProfiles'] }, requestId: { type: 'integer' }, reported: { type: 'integer' }, dropped: { type: 'integer' } } },
      },
    },
    errors: [404, 409, 429, 502, 503, 504],
    handle: (ctx, request) => servicesOf(ctx).chargingProfiles.refresh(known(ctx, idOf(request.params)), numbersOf(request.query, ['evseId'])),
  },
  {
    method: 'GET',
    url: '/api/stations/:id/charging-limits',
    operationId: 'listChargingLimits',
    summary: 'The external limits the station reported (NotifyChargingLimit) and not yet cleared.',
    params: STATION_ID_PARAMS,
    answers: { 200: { description: 'The limits, by EVSE and source.', schema: { type: 'object', properties: { items: { type: 'array', items: LIMIT_VIEW } } } } },
    errors: [503],
    handle: async (ctx, request) => ({ items: await servicesOf(ctx).chargingProfiles.limits(idOf(request.params)) }),
  },
  {
    method: 'GET',
    url: '/api/stations/:id/charging-needs',
    operationId: 'listChargingNeeds',
    summary: 'The latest ISO 15118 charging needs per EVSE (K15), with the TxProfile granted for them and the vehicle\u2019s schedule (K17).',
    params: STATION_ID_PARAMS,
    answers: { 200: { description: 'The needs, by EVSE.', schema: { type: 'object', properties: { items: { type: 'array', items: NEEDS_VIEW } } } } },
    errors: [503],
    handle: async (ctx, request) => ({ items: await servicesOf(ctx).evCharging.allNeeds(idOf(request.params)) }),
  },
  {
    method: 'GET',
    url: '/api/stations/:id/composite-schedule',
    operationId: 'getCompositeSchedules',
    summary: 'The latest composite schedule the station answered, per EVSE asked.',
    params: STATION_ID_PARAMS,
    querystring: { type: 'object', additionalProperties: false, properties: { evseId: whole('Only this EVSE.') } },
    answers: { 200: { description: 'The answers kept.', schema: { type: 'object', properties: { items: { type: 'array', items: COMPOSITE_VIEW } } } } },
    errors: [503],
    handle: async (ctx, request) => ({ items: await servicesOf(ctx).chargingProfiles.compositeSchedules(idOf(request.params), numbersOf(request.query, ['evseId']).evseId) }),
  },
  {
    method: 'POST',
    url: '/api/stations/:id/composite-schedule',
    operationId: 'requestCompositeSchedule',
    summary: 'Ask the station for its composite schedule of one EVSE (GetCompositeSchedule) and keep the answer.',
    params: STATION_ID_PARAMS,
    body: COMPOSITE_BODY,
    bodyExample: { evseId: 1, duration: 3600, chargingRateUnit: 'A' },
    answers: { 200: { description: 'The answer, as kept.', schema: COMPOSITE_VIEW } },
    errors: [404, 409, 429, 502, 503, 504],
    handle: (ctx, request) =>
      servicesOf(ctx).chargingProfiles.requestCompositeSchedule(known(ctx, idOf(request.params)), request.body as { evseId: number; duration: number; chargingRateUnit?: 'A' | 'W' }),
  },
];
