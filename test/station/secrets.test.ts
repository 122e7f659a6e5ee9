/**
 * Secrets a station's messages carry never land in the models, the read models or the logs
 * (regression: a BasicAuthPassword set with SetVariables was kept in plain text).
 */
import acceptAll from '../../handlers/accept-all';
import { forLog } from '../../src/connection/frame-log';
import { startCsms, type Csms } from '../../src/csms';
import { MemoryStation } from '../support/memory-station';

const SECRET = 'NewSecretPassw0rd-1234';
const PASSWORD_VARIABLE = { component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } };

describe('secrets', () => {
  let csms: Csms;
  beforeEach(async () => {
    csms = await startCsms();
    await csms.addStation('CP', { handler: acceptAll });
  });
  afterEach(async () => {
    await csms.stop();
  });

  it('should record a Basic-auth password the station accepted as defined, never its value', async () => {
    const station = new MemoryStation(csms, 'CP').connect();
    await station.boot();
    const pending = csms.call('CP', 'SetVariables', { setVariableData: [{ attributeValue: SECRET, ...PASSWORD_VARIABLE }] });
    station.answer(await station.nextCall(), { setVariableResult: [{ attributeStatus: 'Accepted', ...PASSWORD_VARIABLE }] });
    await pending;
    await expect(csms.lookupVariable('CP', { component: 'SecurityCtrlr', variable: 'BasicAuthPassword' })).rejects.toMatchObject({ reason: 'no_value' });
    expect(JSON.stringify(await csms.deviceModel('CP'))).not.toContain(SECRET);
  });

  it('should keep no value of a WriteOnly attribute a report carries', async () => {
    const station = new MemoryStation(csms, 'CP').connect();
    await station.boot();
    const report = csms.getBaseReport('CP', { requestId: 1, reportBase: 'FullInventory' });
    station.answer(await station.nextCall(), { status: 'Accepted' });
    await station.call('NotifyReport', {
      requestId: 1,
      seqNo: 0,
      generatedAt: new Date().toISOString(),
      reportData: [
        {
          component: { name: 'VendorCtrlr' },
          variable: { name: 'ApiKey' },
          variableAttribute: [{ type: 'Actual', value: SECRET, mutability: 'WriteOnly' }],
        },
      ],
    });
    await report;
    expect(JSON.stringify(await csms.deviceModel('CP'))).not.toContain(SECRET);
  });

  it('should redact attribute values in the log line of a frame about the Basic-auth password', () => {
    const frame = JSON.stringify([2, 'id', 'SetVariables', { setVariableData: [{ attributeValue: SECRET, ...PASSWORD_VARIABLE }] }]);
    expect(forLog(frame)).not.toContain(SECRET);
    expect(forLog(frame)).toContain('"attributeValue":"[redacted]"');
    expect(forLog('[2,"id","Heartbeat",{}]')).toBe('[2,"id","Heartbeat",{}]');
    expect(forLog('x'.repeat(600))).toHaveLength(513);
  });
});
