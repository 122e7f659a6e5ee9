/**
 * JSON schemas of the admin API's parameters, bodies and answers. fastify validates requests
 * against them (compiled once, at registration) and the OpenAPI document is assembled from the
 * same objects, so the check and the documentation cannot drift apart. They use only keywords
 * common to JSON Schema and OpenAPI 3.0 schema objects.
 */
import { EVSE_SCHEMA, SECURITY_PROFILES } from '../config/station-rules';
import { MAX_IDENTITY_LENGTH } from '../server/identity';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../server/credentials';
import { STATION_STATUSES } from '../station/state-machine';

export const ERROR_BODY_SCHEMA = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      additionalProperties: true,
      properties: {
        code: { type: 'string', description: 'Stable error code (unknown_station, offline, queue_full, timeout, call_error, invalid_payload, …).' },
        message: { type: 'string' },
        stationId: { type: 'string' },
        action: { type: 'string' },
        state: { type: 'string' },
        ocppCode: { type: 'string', description: 'OCPP-J error code (Part 4 §4.3): of the CALLERROR, or of the schema violation.' },
        description: { type: 'string' },
        details: { type: 'object', additionalProperties: true },
        timeoutMs: { type: 'integer' },
        limit: { type: 'integer' },
      },
    },
  },
} as const;

export const STATION_ID_PARAMS = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: MAX_IDENTITY_LENGTH, description: 'Station identity.' } },
} as const;

export const CALL_PARAMS = {
  type: 'object',
  required: ['id', 'action'],
  properties: {
    id: STATION_ID_PARAMS.properties.id,
    action: { type: 'string', minLength: 1, maxLength: 64, description: 'OCPP 2.0.1 action the CSMS initiates, e.g. Reset.' },
  },
} as const;

/** Routes without query parameters refuse any (one rule for every route: an unknown parameter is a 400 naming it). */
export const NO_QUERY = { type: 'object', additionalProperties: false, properties: {} } as const;

export const CALL_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    // A string in the query: requests are validated without type coercion (a body's `1` never
    // passes for `"1"`), so the digits are checked here and converted by the route.
    timeout: {
      type: 'string',
      pattern: '^[1-9][0-9]{0,5}$',
      description: 'Milliseconds (1–999999) to wait for the answer once the call is on the wire (default: the core call timeout, 30 s).',
    },
  },
} as const;

const SECURITY_PROFILE = {
  type: 'integer',
  enum: [...SECURITY_PROFILES],
  description: 'OCPP security profile: 1 Basic auth, 2 Basic auth over TLS, 3 client certificates; 0 no authentication (development only).',
} as const;

const PASSWORD = {
  type: 'string',
  minLength: MIN_PASSWORD_LENGTH,
  maxLength: MAX_PASSWORD_LENGTH,
  description: 'Basic-auth password (SecurityCtrlr.BasicAuthPassword: 16–40 of letters, digits and * - _ = + | @ .). Stored hashed, never returned.',
} as const;

export const ADD_STATION_BODY = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', minLength: 1, maxLength: MAX_IDENTITY_LENGTH, description: 'Station identity (identifierString, OCPP-J Part 4 §3.1.1).' },
    securityProfile: { ...SECURITY_PROFILE, default: 1 },
    password: { ...PASSWORD, description: `${PASSWORD.description} Required for profiles 1 and 2, refused for 0 and 3.` },
    evse: { ...EVSE_SCHEMA, description: `${EVSE_SCHEMA.description}. Default 1.` },
    handler: { type: 'string', minLength: 1, maxLength: 200, description: 'Name of the handler module; the server decides which names exist (default: its default handler).' },
    handlerArgs: { description: 'Arguments given to the handler\u2019s init.' },
  },
} as const;

export const UPDATE_STATION_BODY = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    securityProfile: { ...SECURITY_PROFILE, description: `${SECURITY_PROFILE.description} A change closes the station's current connection.` },
    password: { ...PASSWORD, description: `${PASSWORD.description} Takes effect at the next connection.` },
    evse: {
      ...EVSE_SCHEMA,
      description: `${EVSE_SCHEMA.description}. A change (as one of handler or handlerArgs) restarts the station's subtree and closes its connection (4001).`,
    },
    handler: ADD_STATION_BODY.properties.handler,
    handlerArgs: { description: 'Arguments given to the handler\u2019s init; `{}` when a new handler is given without them.' },
  },
} as const;

const CONNECTOR = {
  type: 'object',
  required: ['id'],
  properties: {
    id: { type: 'integer' },
    status: { type: 'string', description: 'Last ConnectorStatusEnumType reported.' },
    statusAt: { type: 'string', format: 'date-time' },
    statusFrom: { type: 'string', enum: ['StatusNotification', 'NotifyReport'], description: 'What reported `status`.' },
    availability: { type: 'string', enum: ['Operative', 'Inoperative'] },
  },
} as const;

export const STATION_VIEW_SCHEMA = {
  type: 'object',
  required: ['id', 'status', 'connected', 'evse', 'openTransactions', 'stats', 'securityProfile'],
  properties: {
    id: { type: 'string' },
    status: { type: 'string', enum: [...STATION_STATUSES, 'failed'], description: 'State of the station state machine; `failed` when its subtree gave up (see `failure`).' },
    failure: {
      type: 'object',
      required: ['reason', 'at'],
      properties: { reason: { type: 'string' }, at: { type: 'string', format: 'date-time' } },
      description: 'Why and when the station’s subtree gave up (its connections are refused with 503 until it is removed and added again).',
    },
    connected: { type: 'boolean' },
    remoteAddress: { type: 'string', description: 'Peer address of the current connection.' },
    bootStatus: { type: 'string', enum: ['Accepted', 'Pending', 'Rejected'] },
    chargingStation: { type: 'object', additionalProperties: true, description: 'From the last BootNotification.' },
    evse: {
      type: 'object',
      required: ['evses'],
      properties: {
        availability: { type: 'string', enum: ['Operative', 'Inoperative'] },
        evses: {
          type: 'array',
          items: {
            type: 'object',
            required: ['id', 'connectors'],
            properties: {
              id: { type: 'integer' },
              status: { type: 'string' },
              statusAt: { type: 'string', format: 'date-time' },
              statusFrom: { type: 'string', enum: ['StatusNotification', 'NotifyReport'] },
              availability: { type: 'string', enum: ['Operative', 'Inoperative'] },
              connectors: { type: 'array', items: CONNECTOR },
            },
          },
        },
      },
    },
    openTransactions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['transactionId', 'startedAt', 'lastEventAt', 'lastSeqNo'],
        properties: {
          transactionId: { type: 'string' },
          evseId: { type: 'integer' },
          connectorId: { type: 'integer' },
          idToken: { type: 'string' },
          startedAt: { type: 'string' },
          lastEventAt: { type: 'string' },
          lastSeqNo: { type: 'integer' },
          chargingState: { type: 'string' },
          energyWh: { type: 'number' },
        },
      },
    },
    stats: { type: 'object', additionalProperties: { type: 'integer' }, description: 'Counters kept across restarts of the station\u2019s actors.' },
    securityProfile: { type: 'integer', enum: [0, 1, 2, 3] },
    localList: {
      type: 'object',
      description: 'The standard CSMS’s local authorization list bookkeeping (D01–D04): the version last sent and accepted, and what the station last reported.',
      properties: {
        version: { type: 'integer' },
        sentAt: { type: 'string' },
        stationVersion: { type: 'integer' },
        checkedAt: { type: 'string' },
      },
    },
    certificate: {
      type: 'object',
      description: 'The station certificate in use as far as the CSMS knows (the latest one it signed and the station accepted), with its expiry.',
      properties: {
        serial: { type: 'string' },
        subject: { type: 'string' },
        issuer: { type: 'string', description: 'The issuer’s distinguished name (the CSMS CA, or the V2G sub-CA), e.g. `CN=ocpp-csms-core CSMS CA`.' },
        notBefore: { type: 'string' },
        notAfter: { type: 'string' },
      },
    },
  },
} as const;

export const STATION_LIST_SCHEMA = {
  type: 'object',
  required: ['stations'],
  properties: { stations: { type: 'array', items: STATION_VIEW_SCHEMA } },
} as const;

export const DEVICE_MODEL_SCHEMA = {
  type: 'object',
  required: ['stationId', 'variables'],
  properties: {
    stationId: { type: 'string' },
    variables: {
      type: 'array',
      description: 'Every variable the CSMS knows of (from reports and Get/SetVariables answers), component then variable order.',
      items: {
        type: 'object',
        required: ['component', 'variable', 'attributes'],
        properties: {
          component: {
            type: 'object',
            required: ['name'],
            properties: {
              name: { type: 'string' },
              instance: { type: 'string' },
              evse: { type: 'object', required: ['id'], properties: { id: { type: 'integer' }, connectorId: { type: 'integer' } } },
            },
          },
          variable: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, instance: { type: 'string' } } },
          characteristics: { type: 'object', additionalProperties: true },
          attributes: {
            type: 'object',
            description: 'By attribute type (Actual, Target, MinSet, MaxSet): value, mutability, persistent, constant.',
            additionalProperties: {
              type: 'object',
              properties: {
                value: { type: 'string' },
                mutability: { type: 'string' },
                persistent: { type: 'boolean' },
                constant: { type: 'boolean' },
              },
            },
          },
        },
      },
    },
  },
} as const;
