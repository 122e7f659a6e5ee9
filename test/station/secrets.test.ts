/**
 * Secrets a station's messages carry never land in the models, the read models or the logs
 * (regressions: a BasicAuthPassword set with SetVariables was kept in plain text; a NotifyReport
 * carrying a WriteOnly value was logged in full at debug level). The log tests read the log
 * lines the connection writes, not the redaction function alone.
 */
import acceptAll from '../../handlers/accept-all';
import { forLog } from '../../src/connection/frame-log';
import { startCsms, type Csms } from '../../src/csms';
import { captureLogs, type LogCapture } from '../support/log-capture';
import { MemoryStation, eventually } from '../support/memory-station';

const SECRET = 'NewSecretPassw0rd-1234';
/** SetNetworkProfile's VPN and APN passwords are at most 20 characters; its SIM PIN a number. */
const NETWORK_SECRET = 'Vpn-Secret-0042';
const SIM_PIN = 918273;
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

  describe('in the debug log of every frame', () => {
    let logs: LogCapture;
    beforeEach(() => {
      logs = captureLogs('debug');
    });
    afterEach(() => {
      logs.restore();
    });

    /** The logged frames (in or out) that carry `marker`, which must be there: a test that finds none proves nothing. */
    function loggedFrames(marker: string): string[] {
      const frames = [...logs.named('frame'), ...logs.named('bad frame')].map((line) => String(line.frame)).filter((frame) => frame.includes(marker));
      expect(frames).not.toEqual([]);
      return frames;
    }

    afterEach(() => {
      expect(JSON.stringify(logs.lines)).not.toContain(SECRET);
      expect(JSON.stringify(logs.lines)).not.toContain(NETWORK_SECRET);
    });

    it('should log a NotifyReport with the values of WriteOnly attributes and of the Basic-auth password redacted, and the others shown', async () => {
      const station = new MemoryStation(csms, 'CP').connect();
      await station.boot();
      const report = csms.getBaseReport('CP', { requestId: 1, reportBase: 'FullInventory' });
      station.answer(await station.nextCall(), { status: 'Accepted' });
      await station.call('NotifyReport', {
        requestId: 1,
        seqNo: 0,
        generatedAt: new Date().toISOString(),
        reportData: [
          { component: { name: 'VendorCtrlr' }, variable: { name: 'Colour' }, variableAttribute: [{ type: 'Actual', value: 'visible-value', mutability: 'ReadWrite' }] },
          { component: { name: 'VendorCtrlr' }, variable: { name: 'ApiKey' }, variableAttribute: [{ type: 'Actual', value: SECRET, mutability: 'WriteOnly' }] },
          { ...PASSWORD_VARIABLE, variableAttribute: [{ type: 'Actual', value: SECRET, mutability: 'ReadWrite' }] },
        ],
      });
      await report;
      const [frame] = loggedFrames('NotifyReport');
      expect(frame).toContain('"value":"[redacted]"');
      expect(frame).toContain('"value":"visible-value"');
    });

    it('should log a SetVariables request for the Basic-auth password with its value redacted', async () => {
      const station = new MemoryStation(csms, 'CP').connect();
      await station.boot();
      const pending = csms.call('CP', 'SetVariables', { setVariableData: [{ attributeValue: SECRET, ...PASSWORD_VARIABLE }] });
      station.answer(await station.nextCall(), { setVariableResult: [{ attributeStatus: 'Accepted', ...PASSWORD_VARIABLE }] });
      await pending;
      expect(loggedFrames('SetVariables')[0]).toContain('"attributeValue":"[redacted]"');
    });

    it('should log a GetVariables result that carries the Basic-auth password with its value redacted', async () => {
      const station = new MemoryStation(csms, 'CP').connect();
      await station.boot();
      const pending = csms.call('CP', 'GetVariables', { getVariableData: [PASSWORD_VARIABLE] });
      station.answer(await station.nextCall(), { getVariableResult: [{ attributeStatus: 'Accepted', attributeValue: SECRET, ...PASSWORD_VARIABLE }] });
      await pending;
      expect(loggedFrames('getVariableResult')[0]).toContain('"attributeValue":"[redacted]"');
    });

    it('should log a SetNetworkProfile request with its VPN and APN credentials redacted', async () => {
      const station = new MemoryStation(csms, 'CP').connect();
      await station.boot();
      const pending = csms.call('CP', 'SetNetworkProfile', {
        configurationSlot: 1,
        connectionData: {
          ocppVersion: 'OCPP20',
          ocppTransport: 'JSON',
          ocppCsmsUrl: 'wss://csms.example.com/ocpp',
          messageTimeout: 30,
          securityProfile: 2,
          ocppInterface: 'Wireless0',
          vpn: { server: 'vpn.example.com', user: 'cp', password: NETWORK_SECRET, key: NETWORK_SECRET, type: 'IKEv2' },
          apn: { apn: 'internet', apnPassword: NETWORK_SECRET, simPin: SIM_PIN, apnAuthentication: 'AUTO' },
        },
      });
      station.answer(await station.nextCall(), { status: 'Accepted' });
      await pending;
      const [frame] = loggedFrames('SetNetworkProfile');
      expect(frame).toContain('"password":"[redacted]"');
      expect(frame).toContain('"apnPassword":"[redacted]"');
      expect(frame).toContain('"key":"[redacted]"');
      expect(frame).not.toContain(NETWORK_SECRET);
      expect(frame).not.toContain(String(SIM_PIN));
    });

    it('should log a frame that is not JSON with the values it names redacted', async () => {
      const station = new MemoryStation(csms, 'CP').connect();
      await station.boot();
      station.raw(`[2,"r1","NotifyReport",{"reportData":[{"variableAttribute":[{"mutability":"WriteOnly","value":"${SECRET}"}]}]`);
      await eventually(() => expect(logs.named('bad frame')).toHaveLength(1));
      expect(loggedFrames('NotifyReport')[0]).toContain('"value":"[redacted]"');
    });
  });

  it('should cut a logged frame to 512 characters and leave one without secrets as it came', () => {
    expect(forLog('[2,"id","Heartbeat",{}]')).toBe('[2,"id","Heartbeat",{}]');
    expect(forLog('x'.repeat(600))).toHaveLength(513);
  });

  it('should redact a secret whose name or mutability a station spelled with JSON escapes', () => {
    const escaped = `[3,"id",{"getVariableResult":[{"attributeStatus":"Accepted","attributeValue":"${SECRET}","component":{"name":"SecurityCtrlr"},"variable":{"name":"BasicAuth\\u0050assword"}}]}]`;
    expect(forLog(escaped)).not.toContain(SECRET);
    const writeOnly = `[2,"id","NotifyReport",{"reportData":[{"component":{"name":"C"},"variable":{"name":"V"},"variableAttribute":[{"value":"${SECRET}","mutability":"Write\\u004fnly"}]}]}]`;
    expect(forLog(writeOnly)).not.toContain(SECRET);
  });
});
