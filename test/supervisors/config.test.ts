import { ConfigError } from '../../src/errors';
import {
  DEFAULT_SUPERVISION,
  DYNAMIC_STRATEGIES,
  STATIC_STRATEGIES,
  parseSupervisionConfig,
  supervisionSchema,
  type SupervisionConfig,
} from '../../src/config/supervision';
import { STRATEGIES, type StaticStrategy, type Strategy } from '../../supervisors';

function errorOf(json: unknown): ConfigError {
  try {
    parseSupervisionConfig(json);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('no ConfigError');
}

describe('supervision configuration', () => {
  it('should fill in the OTP-like defaults when the section is absent or empty', () => {
    const expected = {
      app: { strategy: 'one_for_all', intensity: 3, period: 10 },
      stations: { strategy: 'simple_one_for_one', intensity: 100, period: 10 },
      station: { strategy: 'rest_for_one', intensity: 3, period: 5 },
    };
    expect(parseSupervisionConfig(undefined)).toEqual(expected);
    expect(parseSupervisionConfig({})).toEqual(expected);
    expect(DEFAULT_SUPERVISION).toEqual(expected);
  });

  it('should keep the given values and default only the missing ones, without touching the input', () => {
    const input = { station: { intensity: 5 }, app: { strategy: 'one_for_one', period: 2.5 } };
    const config = parseSupervisionConfig(input);
    expect(config.station).toEqual({ strategy: 'rest_for_one', intensity: 5, period: 5 });
    expect(config.app).toEqual({ strategy: 'one_for_one', intensity: 3, period: 2.5 });
    expect(input).toEqual({ station: { intensity: 5 }, app: { strategy: 'one_for_one', period: 2.5 } });
  });

  it('should name the field, the value and the allowed strategies for an unknown strategy', () => {
    const error = errorOf({ station: { strategy: 'one_for_some' } });
    expect(error.field).toBe('supervision.station.strategy');
    expect(error.value).toBe('one_for_some');
    expect(error.allowed).toBe('allowed: one_for_one, one_for_all, rest_for_one');
    expect(error.message).toBe(
      'invalid configuration at supervision.station.strategy: "one_for_some" (allowed: one_for_one, one_for_all, rest_for_one)',
    );
  });

  it('should refuse a static strategy for the stations level, whose children are dynamic', () => {
    expect(errorOf({ stations: { strategy: 'one_for_one' } })).toMatchObject({
      field: 'supervision.stations.strategy',
      allowed: 'allowed: simple_one_for_one',
    });
  });

  it('should refuse simple_one_for_one for the fixed levels', () => {
    expect(errorOf({ app: { strategy: 'simple_one_for_one' } })).toMatchObject({ field: 'supervision.app.strategy' });
  });

  it('should refuse a negative or fractional intensity', () => {
    expect(errorOf({ station: { intensity: -1 } })).toMatchObject({
      field: 'supervision.station.intensity',
      value: -1,
      allowed: 'allowed: >= 0',
    });
    expect(errorOf({ station: { intensity: 1.5 } })).toMatchObject({ value: 1.5, allowed: 'allowed: integer' });
  });

  it('should refuse a period that is not a positive number of seconds', () => {
    expect(errorOf({ app: { period: 0 } })).toMatchObject({ field: 'supervision.app.period', value: 0, allowed: 'allowed: > 0' });
    expect(errorOf({ app: { period: '5s' } })).toMatchObject({ value: '5s', allowed: 'allowed: number' });
  });

  it('should refuse unknown fields and list the known ones', () => {
    expect(errorOf({ station: { intensty: 3 } })).toMatchObject({
      field: 'supervision.station.intensty',
      value: 3,
      allowed: 'unknown field; allowed: strategy, intensity, period',
    });
    expect(errorOf({ listener: {} })).toMatchObject({
      field: 'supervision.listener',
      allowed: 'unknown field; allowed: app, stations, station',
    });
  });

  it('should refuse a section that is not an object', () => {
    expect(errorOf('one_for_all')).toMatchObject({ field: 'supervision', allowed: 'allowed: object' });
  });

  it('should only offer strategies the supervisor behaviour implements', () => {
    expect([...STATIC_STRATEGIES, ...DYNAMIC_STRATEGIES].sort()).toEqual([...STRATEGIES].sort());
    const config: SupervisionConfig = parseSupervisionConfig({});
    // compile-time: each level's strategy is a supervisor strategy
    const app: StaticStrategy = config.app.strategy;
    const stations: Strategy = config.stations.strategy;
    const station: StaticStrategy = config.station.strategy;
    expect([app, stations, station]).toEqual(['one_for_all', 'simple_one_for_one', 'rest_for_one']);
  });

  it('should be a schema fragment with defaults and descriptions for the configuration file', () => {
    expect(supervisionSchema.properties.station.properties).toMatchObject({
      strategy: { default: 'rest_for_one', description: expect.any(String) },
      intensity: { default: 3, minimum: 0 },
      period: { default: 5, exclusiveMinimum: 0 },
    });
  });
});
