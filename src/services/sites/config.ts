/**
 * Sites (site load management): the configuration file's `sites` section and the admin API's
 * site body, as one JSON schema (the same object validates both, so a field means the same
 * thing wherever it is written; keywords common to JSON Schema and OpenAPI 3.0 only), with its
 * TypeScript types and defaults.
 */
import type { SitePolicy } from './allocation';

/** Site ids appear in URLs: letters, digits and `.`, `_`, `-`. */
export const SITE_ID_PATTERN = '^[A-Za-z0-9._-]{1,64}$';
const IDENTITY_PATTERN = '^[A-Za-z0-9*\\-_=+|@. ]{1,48}$';

/** Everything of a site but its id: the PUT body, and a file entry with `id`. */
export const SITE_FIELDS = {
  name: { type: 'string', minLength: 1, maxLength: 100, description: 'a name for people' },
  stations: {
    type: 'array',
    minItems: 1,
    maxItems: 5000,
    uniqueItems: true,
    items: { type: 'string', pattern: IDENTITY_PATTERN },
    description: 'the station identities behind the grid connection (each station in one site at most)',
  },
  limit: { type: 'number', minimum: 0.1, maximum: 100_000_000, description: 'the grid connection limit, in unit (A: per phase; W: total)' },
  unit: { enum: ['A', 'W'], description: 'the unit of limit, minPerEvse, maxPerEvse and the profiles sent (chargingRateUnit; default A)' },
  numberPhases: { enum: [1, 3], description: 'phases each EVSE draws on, written in the profiles (default 3)' },
  policy: {
    enum: ['equalShare', 'priority'],
    description: 'equalShare: the limit shared equally among charging EVSEs; priority: by the token group\u2019s priority, highest first (default equalShare)',
  },
  minPerEvse: { type: 'number', minimum: 0, maximum: 100_000_000, description: 'every charging EVSE gets at least this when the limit allows, else 0 (paused) (default 0)' },
  maxPerEvse: { type: 'number', minimum: 0.1, maximum: 100_000_000, description: 'what an EVSE draws at most (its hardware limit); also what a station refusing profiles is counted at' },
  defaultLimit: {
    type: 'number',
    minimum: 0,
    maximum: 100_000_000,
    description: 'the TxDefaultProfile the site sets on its stations: what an EVSE draws between its start and its first allocation (default 0: it waits)',
  },
  priorities: {
    type: 'array',
    maxItems: 1000,
    items: {
      type: 'object',
      additionalProperties: false,
      required: ['groupIdToken', 'priority'],
      properties: {
        groupIdToken: { type: 'string', minLength: 1, maxLength: 36, description: 'the token group (IdTokenInfo.groupIdToken.idToken)' },
        priority: { type: 'integer', minimum: 0, maximum: 1000, description: 'higher is served first' },
      },
    },
    description: 'priority policy: the priority of each token group; tokens without a listed group have priority 0',
  },
  offlineFallback: {
    type: 'object',
    additionalProperties: false,
    required: ['afterSeconds', 'limit'],
    description:
      'a station found offline keeps its last allocation counted; after afterSeconds it is counted at limit instead (what the station itself falls back to). Absent: counted at its last allocation until it is back',
    properties: {
      afterSeconds: { type: 'integer', minimum: 1, maximum: 86_400 },
      limit: { type: 'number', minimum: 0, maximum: 100_000_000 },
    },
  },
  stackLevel: { type: 'integer', minimum: 0, maximum: 1000, description: 'stack level of the profiles the site sends (default 1)' },
} as const;

export const SITE_BODY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'stations', 'limit', 'maxPerEvse'],
  properties: SITE_FIELDS,
} as const;

export const SITE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'stations', 'limit', 'maxPerEvse'],
  properties: { id: { type: 'string', pattern: SITE_ID_PATTERN, description: 'the site id (letters, digits, . _ -)' }, ...SITE_FIELDS },
} as const;

/** The configuration file's `sites` section. */
export const SITES_CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  default: {},
  description: 'site load management: groups of stations kept under their grid connection limit',
  properties: {
    definitions: { type: 'array', default: [], maxItems: 1000, items: SITE_SCHEMA, description: 'sites provisioned at every start (written over the stored site of the same id)' },
    retryInitialMs: { type: 'integer', minimum: 10, maximum: 3_600_000, default: 1000, description: 'first retry after a station refused (or could not take) a profile; doubles after each failure' },
    retryMaxMs: { type: 'integer', minimum: 10, maximum: 3_600_000, default: 60_000, description: 'longest wait between two retries' },
  },
} as const;

/** A site as the file and the API write it. */
export interface SiteInput {
  readonly id: string;
  readonly name: string;
  readonly stations: readonly string[];
  readonly limit: number;
  readonly unit?: 'A' | 'W';
  readonly numberPhases?: 1 | 3;
  readonly policy?: SitePolicy;
  readonly minPerEvse?: number;
  readonly maxPerEvse: number;
  readonly defaultLimit?: number;
  readonly priorities?: readonly { readonly groupIdToken: string; readonly priority: number }[];
  readonly offlineFallback?: { readonly afterSeconds: number; readonly limit: number };
  readonly stackLevel?: number;
}

/** A site with its defaults filled in. */
export interface SiteDefinition extends Required<Omit<SiteInput, 'offlineFallback'>> {
  readonly offlineFallback?: SiteInput['offlineFallback'];
}

export interface SitesConfig {
  readonly definitions: readonly SiteInput[];
  readonly retryInitialMs: number;
  readonly retryMaxMs: number;
}

export const DEFAULT_SITES_CONFIG: SitesConfig = { definitions: [], retryInitialMs: 1000, retryMaxMs: 60_000 };

export function siteDefinition(input: SiteInput): SiteDefinition {
  return {
    id: input.id,
    name: input.name,
    stations: [...input.stations],
    limit: input.limit,
    unit: input.unit ?? 'A',
    numberPhases: input.numberPhases ?? 3,
    policy: input.policy ?? 'equalShare',
    minPerEvse: input.minPerEvse ?? 0,
    maxPerEvse: input.maxPerEvse,
    defaultLimit: input.defaultLimit ?? 0,
    priorities: input.priorities ?? [],
    ...(input.offlineFallback ? { offlineFallback: input.offlineFallback } : {}),
    stackLevel: input.stackLevel ?? 1,
  };
}
