/**
 * The station context outlives the station's actors and its registration can be replaced while
 * they run (Csms.updateCredentials): what the actors read from it must be the current spec.
 */
import acceptAll from '../../handlers/accept-all';
import { startCsms } from '../../src/csms';
import { createStationContext, DEFAULT_STATION_SETTINGS, type StationSpec } from '../../src/station/station-context';
import { MemoryStationStore } from '../../src/station/store';
import { MemoryStation, errorCode } from '../support/memory-station';

const BAD_AUTHORIZE = { idToken: { idToken: 'TOKEN', type: 'NotAType' } };

describe('station context', () => {
  it('should apply the validation policy of the spec that replaced the one it was created with', () => {
    const spec: StationSpec = { id: 'CP', evse: 1, handler: acceptAll, securityProfile: 0 };
    const context = createStationContext({ spec, settings: DEFAULT_STATION_SETTINGS, store: new MemoryStationStore() });
    expect(context.validationMode('MeterValues')).toBe('strict');

    context.spec = { ...spec, validation: { mode: 'log-only', actions: { Authorize: 'strict' } } };
    expect(context.validationMode('MeterValues')).toBe('log-only');
    expect(context.validationMode('Authorize')).toBe('strict');

    context.spec = spec;
    expect(context.validationMode('MeterValues')).toBe('strict');
  });

  it('should keep a station relaxed to log-only after its credentials change', async () => {
    const csms = await startCsms();
    try {
      await csms.addStation('LAX', { handler: acceptAll, validation: { mode: 'log-only' } });
      csms.updateCredentials('LAX', { securityProfile: 0 });
      const station = new MemoryStation(csms, 'LAX').connect();
      await station.boot();
      const answer = await station.call('Authorize', BAD_AUTHORIZE);
      expect(errorCode(answer)).toBeUndefined();
      expect(answer.type).toBe(3);
    } finally {
      await csms.stop();
    }
  });
});
