/**
 * Runs before every test file (jest.config.js, setupFilesAfterEnv).
 *
 * Unhandled rejections and uncaught exceptions fail the test that is running: jest-circus listens
 * for them on the real process and records them as that test's errors (a listener a test adds to
 * `process` itself never fires, since each test file gets its own copy of `process`; so no test
 * does that). test/support/unhandled-errors.test.ts proves it on a fixture file in a child jest.
 *
 * What this file adds: after each test, the event loop turns once more before the next test
 * starts, so a rejection or exception the test caused that Node reports a turn later (a promise
 * rejected in a timer, a socket's error event) is blamed on that test, not on the next one or
 * on none.
 */
afterEach(async () => {
  await new Promise((resolve) => setTimeout(resolve, 0));
  await new Promise((resolve) => setImmediate(resolve));
});
