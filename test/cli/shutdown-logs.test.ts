/**
 * What the operator reads when stations are removed or the server stops (issue 16 item 11):
 * no `child shut down` info lines per station (there were four per station: 250 lines for 61
 * stations), one `children shut down` summary at info, the per-station lines still there at
 * debug, and supervisor paths as the README names them (`csms/stations/CP001`).
 */
import acceptAll from '../../handlers/accept-all';
import { startCsmsServer } from '../../src/csms-server';
import { captureLogs, type LogCapture } from '../support/log-capture';

const STATIONS = 20;

async function server() {
  return startCsmsServer({
    listener: { endpoints: [{ port: 0, host: '127.0.0.1' }], pingIntervalMs: 0 },
    stations: Array.from({ length: STATIONS }, (_, i) => ({ id: `CP${String(i).padStart(3, '0')}`, registration: { handler: acceptAll, securityProfile: 0 as const } })),
  });
}

const shutdownLines = (logs: LogCapture, level: string) => logs.named('child shut down').filter((line) => line.level === level);

describe('supervision lines on removal and ordered shutdown', () => {
  it('writes no info line per station when one is removed or the server stops, and one summary with the count', async () => {
    const csms = await server();
    const logs = captureLogs('info');
    try {
      await csms.csms.removeStation('CP000');
      expect(shutdownLines(logs, 'info')).toEqual([]);
      await csms.stop();
      // The root's own two children (listener, stations), and nothing per station.
      expect(shutdownLines(logs, 'info').map((line) => [line.supervisor, line.child])).toEqual([
        ['csms', 'listener'],
        ['csms', 'stations'],
      ]);
      expect(logs.named('children shut down')).toEqual([
        expect.objectContaining({ level: 'info', supervisor: 'csms/stations', count: STATIONS - 1, forced: 0 }),
      ]);
    } finally {
      logs.restore();
    }
  });

  it('still writes every per-station line at debug, under csms/stations and csms/stations/<id>', async () => {
    const csms = await server();
    const logs = captureLogs('debug');
    try {
      await csms.stop();
      const debug = shutdownLines(logs, 'debug');
      expect(debug.filter((line) => line.supervisor === 'csms/stations')).toHaveLength(STATIONS);
      expect(debug.filter((line) => line.supervisor === 'csms/stations/CP001').map((line) => line.child).sort()).toEqual(
        ['connection', 'events', 'station'].sort(),
      );
    } finally {
      logs.restore();
    }
  });
});
