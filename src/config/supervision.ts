/**
 * The `supervision` section of the configuration file: restart strategy, intensity and
 * period for each level of the tree (DESIGN.md §2). Defaults follow the Erlang original:
 *
 *   app       one_for_all          3 restarts in 10 s   the core's few long-lived children
 *   stations  simple_one_for_one 100 restarts in 10 s   one child per station; many stations,
 *                                                       so a higher budget before giving up
 *   station   rest_for_one         3 restarts in  5 s   handler → station → connection, in
 *                                                       dependency order
 *
 * More than `intensity` restarts within `period` seconds and that supervisor stops its
 * children and fails, so its parent restarts it (a station's subtree) or, at the top, the
 * application stops. The stations level must stay simple_one_for_one (its children are
 * added at run time), and the strategy of the fixed levels is one of the three static ones.
 *
 *     "supervision": {
 *       "station":  { "intensity": 5, "period": 10 },
 *       "stations": { "intensity": 500 }
 *     }
 */
import Ajv, { type ErrorObject } from 'ajv';
import { ConfigError } from '../errors';

export const STATIC_STRATEGIES = ['one_for_one', 'one_for_all', 'rest_for_one'] as const;
export const DYNAMIC_STRATEGIES = ['simple_one_for_one'] as const;

export interface SupervisionLevel<S extends string> {
  readonly strategy: S;
  /** Restarts allowed within `period` (integer >= 0). */
  readonly intensity: number;
  /** Seconds (> 0). */
  readonly period: number;
}

export interface SupervisionConfig {
  readonly app: SupervisionLevel<(typeof STATIC_STRATEGIES)[number]>;
  readonly stations: SupervisionLevel<(typeof DYNAMIC_STRATEGIES)[number]>;
  readonly station: SupervisionLevel<(typeof STATIC_STRATEGIES)[number]>;
}

export const DEFAULT_SUPERVISION: SupervisionConfig = Object.freeze({
  app: Object.freeze({ strategy: 'one_for_all', intensity: 3, period: 10 }),
  stations: Object.freeze({ strategy: 'simple_one_for_one', intensity: 100, period: 10 }),
  station: Object.freeze({ strategy: 'rest_for_one', intensity: 3, period: 5 }),
});

function levelSchema(
  description: string,
  strategies: readonly string[],
  defaults: SupervisionLevel<string>,
): Record<string, unknown> {
  return {
    type: 'object',
    description,
    additionalProperties: false,
    default: {},
    properties: {
      strategy: {
        enum: [...strategies],
        default: defaults.strategy,
        description: 'which children restart with the one that failed',
      },
      intensity: {
        type: 'integer',
        minimum: 0,
        default: defaults.intensity,
        description: 'restarts allowed within `period` before the supervisor gives up and escalates',
      },
      period: {
        type: 'number',
        exclusiveMinimum: 0,
        default: defaults.period,
        description: 'length in seconds of the window `intensity` counts restarts in',
      },
    },
  };
}

/** JSON schema fragment for the configuration file's `supervision` property. */
export const supervisionSchema = {
  type: 'object',
  description: 'restart strategy, intensity and period per level of the supervision tree',
  additionalProperties: false,
  default: {},
  properties: {
    app: levelSchema('the application supervisor', STATIC_STRATEGIES, DEFAULT_SUPERVISION.app),
    stations: levelSchema('the supervisor of all stations (dynamic children)', DYNAMIC_STRATEGIES, DEFAULT_SUPERVISION.stations),
    station: levelSchema("each station's own supervisor", STATIC_STRATEGIES, DEFAULT_SUPERVISION.station),
  },
} as const;

const ajv = new Ajv({ useDefaults: true, allErrors: false, strict: true });
// The fragment's own `default` matters once embedded under `supervision`; standalone, ajv
// (strict) refuses a default at the root, and an absent section is handled below.
const { default: _embeddedDefault, ...standalone } = supervisionSchema;
const validate = ajv.compile(standalone);

/**
 * Validate the `supervision` section (undefined means all defaults) and fill in defaults.
 * Throws `ConfigError` naming the first bad field (`supervision.station.strategy`), its
 * value and the allowed values.
 */
export function parseSupervisionConfig(json: unknown): SupervisionConfig {
  const data: unknown = json === undefined ? {} : structuredClone(json);
  if (!validate(data)) throw toConfigError(validate.errors![0]!, data);
  return data as SupervisionConfig;
}

function toConfigError(error: ErrorObject, data: unknown): ConfigError {
  const segments = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const field = ['supervision', ...segments].join('.');
  const value = segments.reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key], data);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'enum':
      return new ConfigError(field, value, `allowed: ${(params.allowedValues as string[]).join(', ')}`);
    case 'additionalProperties': {
      const extra = String(params.additionalProperty);
      const known = Object.keys(schemaAt(segments)?.properties ?? {}).join(', ');
      return new ConfigError(`${field}.${extra}`, (value as Record<string, unknown>)[extra], `unknown field; allowed: ${known}`);
    }
    case 'type':
      return new ConfigError(field, value, `allowed: ${String(params.type)}`);
    case 'minimum':
      return new ConfigError(field, value, `allowed: >= ${String(params.limit)}`);
    case 'exclusiveMinimum':
      return new ConfigError(field, value, `allowed: > ${String(params.limit)}`);
    default:
      return new ConfigError(field, value, error.message ?? error.keyword);
  }
}

function schemaAt(segments: string[]): { properties?: Record<string, unknown> } | undefined {
  let at: { properties?: Record<string, unknown> } | undefined = supervisionSchema;
  for (const key of segments) at = at?.properties?.[key] as typeof at;
  return at;
}
