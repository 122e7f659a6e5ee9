import { Writable } from 'node:stream';
import winston from 'winston';
import { rootLogger } from '../../src/log';
import { dispatch } from '../../src/runtime';
import { startApplication, supervisor, worker } from '../../supervisors';
import { eventually, probe, probeName, restartedIncarnation } from './fixtures';

/** Collects every log line (as the info object winston formats) the supervision code writes. */
function capturing(): { lines: Record<string, unknown>[]; transport: winston.transport } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    objectMode: true,
    write(info: Record<string, unknown>, _encoding, done) {
      lines.push(info);
      done();
    },
  });
  return { lines, transport: new winston.transports.Stream({ stream, level: 'silly' }) };
}

describe('supervision log lines', () => {
  const capture = capturing();
  let level: string;
  let silent: boolean;
  const others = rootLogger.transports.slice();

  beforeAll(() => {
    level = rootLogger.level;
    silent = rootLogger.silent;
    rootLogger.level = 'info';
    rootLogger.silent = false;
    for (const t of others) rootLogger.remove(t);
    rootLogger.add(capture.transport);
  });
  afterAll(() => {
    rootLogger.remove(capture.transport);
    for (const t of others) rootLogger.add(t);
    rootLogger.level = level;
    rootLogger.silent = silent;
  });
  beforeEach(() => {
    capture.lines.length = 0;
  });

  const named = (message: string) => capture.lines.filter((l) => l.message === message);

  it('should write exactly one line for a crash and one for the restart, naming supervisor, child, incarnation and reason', async () => {
    const app = await startApplication(
      {
        strategy: 'one_for_one',
        children: [{ id: 'worker', start: worker(probe, { label: 'w', register: true }) }],
      },
      { name: 'logs' },
    );
    const old = app.registry.whereis(probeName('w'))!;
    dispatch(old, { type: 'crash', message: 'kaboom' });
    const next = await restartedIncarnation(app.registry, 'w', old.id);
    await eventually(() => named('child restarted').length === 1);
    expect(named('child crashed')).toEqual([
      expect.objectContaining({ level: 'error', supervisor: 'logs', child: 'worker', incarnation: old.id, reason: 'error: kaboom' }),
    ]);
    expect(named('child restarted')).toEqual([
      expect.objectContaining({ level: 'warn', supervisor: 'logs', child: 'worker', incarnation: next, reason: 'error: kaboom' }),
    ]);
    capture.lines.length = 0;
    await app.stop();
    expect(named('child shut down')).toEqual([
      expect.objectContaining({ supervisor: 'logs', child: 'worker', incarnation: next, reason: 'shutdown', forced: false }),
    ]);
    expect(named('application stopped')).toEqual([expect.objectContaining({ level: 'info', reason: 'shutdown' })]);
  });

  it('should write exactly one escalation line when the intensity is exceeded, and log the application stop with the reason', async () => {
    const app = await startApplication(
      {
        strategy: 'one_for_one',
        intensity: 0,
        children: [
          {
            id: 'inner',
            type: 'supervisor',
            start: supervisor({
              strategy: 'one_for_one',
              intensity: 0,
              children: [{ id: 'worker', start: worker(probe, { label: 'w', register: true }) }],
            }),
          },
        ],
      },
      { name: 'esc' },
    );
    dispatch(app.registry.whereis(probeName('w'))!, { type: 'crash' });
    await app.stopped;
    expect(named('restart intensity exceeded').map((l) => [l.supervisor, l.child])).toEqual([
      ['esc/inner', 'worker'],
      ['esc', 'inner'],
    ]);
    expect(named('child crashed').map((l) => [l.supervisor, l.child])).toEqual([
      ['esc/inner', 'worker'],
      ['esc', 'inner'],
    ]);
    expect(named('child restarted')).toEqual([]);
    expect(named('application stopped')).toEqual([
      expect.objectContaining({ level: 'error', reason: expect.stringContaining('exceeded 0 restarts in 5 s') }),
    ]);
  });
});
