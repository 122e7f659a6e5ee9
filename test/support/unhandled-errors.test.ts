/**
 * The guarantee test/support/jest-setup.ts documents, checked for real: a child jest runs a
 * fixture file whose tests leak a rejection or an exception, and must report exactly those
 * tests as failed, with the leaked error. If the runner or its configuration ever swallowed
 * them, every "no unhandled rejection" claim in this suite would be void; this test says so.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

interface JestJson {
  testResults: { assertionResults: { title: string; status: string; failureMessages: string[] }[] }[];
}

describe('unhandled errors in a test', () => {
  it('should fail the test that leaked a rejection or an exception, and only that test', () => {
    const config = {
      rootDir: ROOT,
      roots: ['<rootDir>/test/support/fixtures'],
      testMatch: ['**/unhandled-errors.fixture.ts'],
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(ROOT, 'tsconfig.jest.json') }] },
      setupFilesAfterEnv: ['<rootDir>/test/support/jest-setup.ts'],
    };
    const run = spawnSync(process.execPath, [require.resolve('jest/bin/jest'), '--config', JSON.stringify(config), '--json', '--ci', '--runInBand'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, FORCE_COLOR: '0' },
    });
    expect(run.status).toBe(1);
    const result = JSON.parse(run.stdout) as JestJson;
    const outcomes = Object.fromEntries(result.testResults[0]!.assertionResults.map((test) => [test.title, { status: test.status, failure: test.failureMessages.join('\n') }]));
    expect(outcomes['leaks a rejection from inside the test']).toEqual({ status: 'failed', failure: expect.stringContaining('leaked-rejection') });
    expect(outcomes['leaks an exception from an emitter with no error listener, after the test body returned']).toEqual({
      status: 'failed',
      failure: expect.stringContaining('leaked-exception'),
    });
    expect(outcomes['leaks a rejection from a timer, after the test body returned']).toEqual({ status: 'failed', failure: expect.stringContaining('late-rejection') });
    expect(outcomes['passes when nothing leaks']).toEqual({ status: 'passed', failure: '' });
  });
});
