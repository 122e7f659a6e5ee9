/**
 * The standard CSMS's settings (DESIGN.md §8): the configuration file's sections `authorization`,
 * `tokens`, `tariffs`, `bootPolicy` and `transactions`, as JSON schemas (src/config/schema.ts
 * spreads them into the file's schema, ajv strict: every option documented here with its default)
 * and their TypeScript types. The token, tariff and boot-policy schemas are the same objects the
 * admin API validates its bodies with (src/admin/tokens-routes.ts ...), so a field means the same
 * thing wherever it is written. They use only keywords common to JSON Schema and OpenAPI 3.0.
 */
import type {
  AttributeEnumType,
  AuthorizationStatusEnumType,
  IdTokenEnumType,
  MessageFormatEnumType,
  ReportBaseEnumType,
} from '../../schemas/types.generated';
import { DEFAULT_SITES_CONFIG, SITES_CONFIG_SCHEMA, type SitesConfig } from './sites/config';
import { DEFAULT_SECURITY_EVENTS_RETENTION, SECURITY_EVENTS_CONFIG_SCHEMA, type SecurityEventsRetention } from './certificates/security-events';
import { DEFAULT_SMART_CHARGING_CONFIG, SMART_CHARGING_CONFIG_SCHEMA, type SmartChargingConfig } from './charging/config';

/** IdTokenEnumType (OCPP 2.0.1 Part 2, IdTokenType.type). */
export const ID_TOKEN_TYPES: readonly IdTokenEnumType[] = ['Central', 'eMAID', 'ISO14443', 'ISO15693', 'KeyCode', 'Local', 'MacAddress', 'NoAuthorization'];

/** The statuses a stored token may have (AuthorizationStatusEnumType without the per-session ConcurrentTx). */
export const TOKEN_STATUSES: readonly AuthorizationStatusEnumType[] = [
  'Accepted',
  'Blocked',
  'Expired',
  'Invalid',
  'NoCredit',
  'NotAllowedTypeEVSE',
  'NotAtThisLocation',
  'NotAtThisTime',
  'Unknown',
];

/** RFC 3339 date-time (what OCPP's date-time fields carry); checked again with Date.parse. */
export const DATE_TIME_PATTERN = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:\\d{2})$';
/** A price or percentage: a non-negative decimal, as text ("0.35") or a JSON number (0.35). */
export const DECIMAL_PATTERN = '^\\d{1,12}(\\.\\d{1,9})?$';
/** Tariff ids appear in URLs: letters, digits and `.`, `_`, `-`. */
export const TARIFF_ID_PATTERN = '^[A-Za-z0-9._-]{1,64}$';

const ID_TOKEN_VALUE = { type: 'string', minLength: 1, maxLength: 36, description: 'the identifier (IdTokenType.idToken, at most 36 characters)' } as const;
const ID_TOKEN_TYPE = { enum: [...ID_TOKEN_TYPES], description: 'IdTokenEnumType: ISO14443 (RFID), eMAID, KeyCode, Central, Local ...' } as const;

const PERSONAL_MESSAGE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['format', 'content'],
  description: 'shown by the station when the token is used (MessageContentType)',
  properties: {
    format: { enum: ['ASCII', 'HTML', 'URI', 'UTF8'], description: 'MessageFormatEnumType' },
    language: { type: 'string', maxLength: 8, description: 'RFC 5646 language code' },
    content: { type: 'string', maxLength: 512, description: 'the message' },
  },
} as const;

/** The fields of a token besides its key (idToken, type): PUT body, and part of a file entry. */
export const TOKEN_FIELDS = {
  status: { enum: [...TOKEN_STATUSES], description: 'what Authorize answers while the token has not expired (default Accepted)' },
  expiresAt: { type: 'string', pattern: DATE_TIME_PATTERN, description: 'after this time the token is answered Expired (RFC 3339)' },
  groupIdToken: {
    type: 'object',
    additionalProperties: false,
    required: ['idToken', 'type'],
    description: 'the group: any token of the same group may stop the transaction (C09); the master pass group may stop any (C16)',
    properties: { idToken: ID_TOKEN_VALUE, type: ID_TOKEN_TYPE },
  },
  language1: { type: 'string', maxLength: 8, description: 'preferred language of the driver (RFC 5646)' },
  language2: { type: 'string', maxLength: 8, description: 'second language (only with language1)' },
  personalMessage: PERSONAL_MESSAGE_SCHEMA,
  evseIds: {
    type: 'array',
    minItems: 1,
    maxItems: 64,
    items: { type: 'integer', minimum: 1 },
    description: 'the EVSEs the token may charge at; absent = every EVSE',
  },
} as const;

/** One token, as written in the configuration file, a JSON import, or listed by the API. */
export const TOKEN_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['idToken', 'type'],
  properties: { idToken: ID_TOKEN_VALUE, type: ID_TOKEN_TYPE, ...TOKEN_FIELDS },
} as const;

const decimal = (description: string) => ({
  anyOf: [
    { type: 'string', pattern: DECIMAL_PATTERN },
    { type: 'number', minimum: 0, maximum: 1e12 },
  ],
  description,
});

/** The prices of a tariff (everything but its id). */
export const TARIFF_FIELDS = {
  currency: { type: 'string', pattern: '^[A-Z]{3}$', description: 'ISO 4217 code (EUR, USD, JPY ...); the minor unit follows it' },
  energyPrice: decimal('per kWh delivered'),
  chargingTimePrice: decimal('per hour while the EV charges'),
  parkingTimePrice: decimal('per hour while the EV is connected without charging'),
  sessionFee: decimal('once per transaction'),
  taxPercent: decimal('percent added on top of the sum (21 = 21 %)'),
  description: { type: 'string', maxLength: 200, description: 'free text for the operator' },
} as const;

export const TARIFF_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'currency'],
  properties: { id: { type: 'string', pattern: TARIFF_ID_PATTERN, description: 'the tariff id (letters, digits, . _ -)' }, ...TARIFF_FIELDS },
} as const;

const SET_VARIABLE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['component', 'variable', 'attributeValue'],
  properties: {
    component: {
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      properties: {
        name: { type: 'string', maxLength: 50 },
        instance: { type: 'string', maxLength: 50 },
        evse: {
          type: 'object',
          additionalProperties: false,
          required: ['id'],
          properties: { id: { type: 'integer', minimum: 0 }, connectorId: { type: 'integer', minimum: 0 } },
        },
      },
    },
    variable: {
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      properties: { name: { type: 'string', maxLength: 50 }, instance: { type: 'string', maxLength: 50 } },
    },
    attributeType: { enum: ['Actual', 'Target', 'MinSet', 'MaxSet'] },
    attributeValue: { type: 'string', maxLength: 1000 },
  },
} as const;

/** What the CSMS answers a station's BootNotification (B01–B03). */
export const BOOT_POLICY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['status'],
  properties: {
    status: { enum: ['Accepted', 'Pending', 'Rejected'], description: 'the BootNotification answer' },
    interval: {
      type: 'integer',
      minimum: 1,
      maximum: 86_400,
      description: 'seconds: the heartbeat interval when Accepted (default 300), when to retry the boot when Pending or Rejected (default 60)',
    },
    heartbeatInterval: { type: 'integer', minimum: 1, maximum: 86_400, description: 'Pending with provisioning: the heartbeat interval once accepted (default 300)' },
    provisioning: {
      type: 'object',
      additionalProperties: false,
      description: 'Pending only: what the CSMS does while the station waits, then (accept, default true) it accepts the station',
      properties: {
        getBaseReport: { enum: ['ConfigurationInventory', 'FullInventory', 'SummaryInventory'], description: 'ask for this report first' },
        setVariables: { type: 'array', minItems: 1, maxItems: 200, items: SET_VARIABLE_SCHEMA, description: 'then set these variables' },
        accept: { type: 'boolean', description: 'then trigger a new BootNotification and accept it (default true)' },
      },
    },
  },
} as const;

/** The configuration file's sections (spread into src/config/schema.ts). */
export const STANDARD_CSMS_CONFIG_PROPERTIES = {
  authorization: {
    type: 'object',
    additionalProperties: false,
    default: {},
    description: 'the standard CSMS: how idTokens are answered (C01–C16)',
    properties: {
      unknownTokenStatus: { enum: ['Unknown', 'Invalid'], default: 'Unknown', description: 'the answer for a token the CSMS does not know' },
      masterPassGroupId: {
        type: 'string',
        minLength: 1,
        maxLength: 36,
        description: 'the master pass group (C16) of every station that reports none (AuthCtrlr.MasterPassGroupId) and has none set through the API',
      },
      acceptNoAuthorization: { type: 'boolean', default: true, description: 'idToken type NoAuthorization (free vend) is Accepted; false answers Invalid' },
      stopTransactionOnNotAccepted: {
        type: 'boolean',
        default: false,
        description: 'send RequestStopTransaction when a running transaction carries a token that is not Accepted (E05, E07)',
      },
    },
  },
  tokens: {
    type: 'array',
    default: [],
    maxItems: 100_000,
    description: 'tokens provisioned at every start (written over the stored token of the same idToken and type)',
    items: TOKEN_SCHEMA,
  },
  tariffs: {
    type: 'object',
    additionalProperties: false,
    default: {},
    description: 'the standard CSMS: tariffs and cost (I01–I02)',
    properties: {
      definitions: { type: 'array', default: [], maxItems: 10_000, items: TARIFF_SCHEMA, description: 'tariffs provisioned at every start' },
      default: { type: 'string', pattern: TARIFF_ID_PATTERN, description: 'the tariff of stations and EVSEs without one of their own' },
      assignments: {
        type: 'array',
        default: [],
        description: 'tariffs per station, or per EVSE of a station',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['station', 'tariff'],
          properties: {
            station: { type: 'string', minLength: 1, maxLength: 48, description: 'station identity' },
            evse: { type: 'integer', minimum: 1, description: 'one EVSE of it; absent = the whole station' },
            tariff: { type: 'string', pattern: TARIFF_ID_PATTERN, description: 'tariff id' },
          },
        },
      },
      costUpdates: {
        enum: ['response', 'costUpdated', 'off'],
        default: 'response',
        description: 'the running cost: totalCost in every Updated answer, a CostUpdated call (at most every costUpdatedIntervalSeconds), or none; Ended always carries it',
      },
      costUpdatedIntervalSeconds: { type: 'integer', minimum: 1, default: 60, description: 'least time between two CostUpdated calls of one transaction' },
    },
  },
  bootPolicy: {
    type: 'object',
    additionalProperties: false,
    default: {},
    description: 'the standard CSMS: how BootNotifications are answered (B01–B03)',
    properties: {
      default: { ...BOOT_POLICY_SCHEMA, description: 'every station without a policy of its own (default Accepted, interval 300)' },
      stations: {
        type: 'object',
        description: 'per station identity',
        propertyNames: { pattern: '^[A-Za-z0-9*\\-_=+|@. ]{1,48}$' },
        additionalProperties: BOOT_POLICY_SCHEMA,
      },
    },
  },
  transactions: {
    type: 'object',
    additionalProperties: false,
    default: {},
    description: 'the standard CSMS: transactions follow-up (E01–E15)',
    properties: {
      statusAfterOffline: { type: 'boolean', default: true, description: 'send GetTransactionStatus after an event the station queued offline (E14)' },
      statusOnSeqNoGap: { type: 'boolean', default: true, description: 'send GetTransactionStatus when an Ended event leaves a gap in seqNo (E14)' },
      statusOnReconnect: { type: 'boolean', default: true, description: 'send GetTransactionStatus for each open transaction when a station reconnects (TC_E_29/30)' },
    },
  },
  // Site load management (issue 12 item 3): src/services/sites/config.ts.
  sites: SITES_CONFIG_SCHEMA,
  // Security events (A04) kept: src/services/certificates/security-events.ts.
  securityEvents: SECURITY_EVENTS_CONFIG_SCHEMA,
  // Charging profiles and ISO 15118 charging needs (issue 12 items 1–2): src/services/charging/config.ts.
  smartCharging: SMART_CHARGING_CONFIG_SCHEMA,
} as const;

export type TokenStatus = (typeof TOKEN_STATUSES)[number];

export interface IdTokenKey {
  readonly idToken: string;
  readonly type: IdTokenEnumType;
}

export interface PersonalMessage {
  readonly format: MessageFormatEnumType;
  readonly language?: string;
  readonly content: string;
}

/** A token as the API and the file write it. */
export interface TokenInput extends IdTokenKey {
  readonly status?: TokenStatus;
  readonly expiresAt?: string;
  readonly groupIdToken?: IdTokenKey;
  readonly language1?: string;
  readonly language2?: string;
  readonly personalMessage?: PersonalMessage;
  readonly evseIds?: readonly number[];
}

/** A tariff as the API and the file write it (prices as decimal text or JSON numbers). */
export interface TariffInput {
  readonly id: string;
  readonly currency: string;
  readonly energyPrice?: string | number;
  readonly chargingTimePrice?: string | number;
  readonly parkingTimePrice?: string | number;
  readonly sessionFee?: string | number;
  readonly taxPercent?: string | number;
  readonly description?: string;
}

export interface SetVariableSetting {
  readonly component: { readonly name: string; readonly instance?: string; readonly evse?: { readonly id: number; readonly connectorId?: number } };
  readonly variable: { readonly name: string; readonly instance?: string };
  readonly attributeType?: AttributeEnumType;
  readonly attributeValue: string;
}

export interface BootPolicy {
  readonly status: 'Accepted' | 'Pending' | 'Rejected';
  readonly interval?: number;
  readonly heartbeatInterval?: number;
  readonly provisioning?: {
    readonly getBaseReport?: ReportBaseEnumType;
    readonly setVariables?: readonly SetVariableSetting[];
    readonly accept?: boolean;
  };
}

/** The standard CSMS's part of a validated configuration file, defaults filled in. */
export interface StandardCsmsConfig {
  readonly authorization: {
    readonly unknownTokenStatus: 'Unknown' | 'Invalid';
    readonly masterPassGroupId?: string;
    readonly acceptNoAuthorization: boolean;
    readonly stopTransactionOnNotAccepted: boolean;
  };
  readonly tokens: readonly TokenInput[];
  readonly tariffs: {
    readonly definitions: readonly TariffInput[];
    readonly default?: string;
    readonly assignments: readonly { readonly station: string; readonly evse?: number; readonly tariff: string }[];
    readonly costUpdates: 'response' | 'costUpdated' | 'off';
    readonly costUpdatedIntervalSeconds: number;
  };
  readonly bootPolicy: {
    readonly default?: BootPolicy;
    readonly stations?: Readonly<Record<string, BootPolicy>>;
  };
  readonly transactions: {
    readonly statusAfterOffline: boolean;
    readonly statusOnSeqNoGap: boolean;
    readonly statusOnReconnect: boolean;
  };
  /** Site load management; absent: no sites from the file. */
  readonly sites?: SitesConfig;
  /** How many security events are kept and how long; absent: the defaults (100 000, 365 days). */
  readonly securityEvents?: SecurityEventsRetention;
  /** ISO 15118 planning and profile reconciliation; absent: the defaults. */
  readonly smartCharging?: SmartChargingConfig;
}

/** The settings when the configuration names none (embedding, tests). */
export const DEFAULT_STANDARD_CSMS_CONFIG: StandardCsmsConfig = {
  authorization: { unknownTokenStatus: 'Unknown', acceptNoAuthorization: true, stopTransactionOnNotAccepted: false },
  tokens: [],
  tariffs: { definitions: [], assignments: [], costUpdates: 'response', costUpdatedIntervalSeconds: 60 },
  bootPolicy: {},
  transactions: { statusAfterOffline: true, statusOnSeqNoGap: true, statusOnReconnect: true },
};

/** A partial configuration completed with the defaults (for embedders and tests). */
export function standardCsmsConfig(partial: {
  readonly authorization?: Partial<StandardCsmsConfig['authorization']>;
  readonly tokens?: readonly TokenInput[];
  readonly tariffs?: Partial<StandardCsmsConfig['tariffs']>;
  readonly bootPolicy?: StandardCsmsConfig['bootPolicy'];
  readonly transactions?: Partial<StandardCsmsConfig['transactions']>;
  readonly sites?: Partial<SitesConfig>;
  readonly securityEvents?: Partial<SecurityEventsRetention>;
  readonly smartCharging?: Partial<SmartChargingConfig>;
} = {}): StandardCsmsConfig {
  const d = DEFAULT_STANDARD_CSMS_CONFIG;
  return {
    authorization: { ...d.authorization, ...partial.authorization },
    tokens: partial.tokens ?? d.tokens,
    tariffs: { ...d.tariffs, ...partial.tariffs },
    bootPolicy: partial.bootPolicy ?? d.bootPolicy,
    transactions: { ...d.transactions, ...partial.transactions },
    sites: { ...DEFAULT_SITES_CONFIG, ...partial.sites },
    ...(partial.securityEvents ? { securityEvents: { ...DEFAULT_SECURITY_EVENTS_RETENTION, ...partial.securityEvents } } : {}),
    smartCharging: { ...DEFAULT_SMART_CHARGING_CONFIG, ...partial.smartCharging },
  };
}
