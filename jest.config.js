/**
 * Tests transpile without type checking (isolatedModules, fast); `npm run typecheck` checks
 * the types of everything, tests included.
 * @type {import('jest').Config}
 */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.jest.json' }],
  },
  // Unhandled rejections and uncaught exceptions fail the running test (see the file).
  setupFilesAfterEnv: ['<rootDir>/test/support/jest-setup.ts'],
  testTimeout: 20000,
  // Two workers on the two-core CI machine: most suites wait on sockets and child processes,
  // so two files in flight roughly halve the wall time (jest's default would be one).
  maxWorkers: 2,
};
