/**
 * A real browser for the dashboard's tests: Debian's chromium (or CSMS_TEST_CHROMIUM) driven by
 * playwright-core, headless, with a fresh profile per launch. In CI (CI set) a missing browser
 * fails the run — the browser tests never skip there (.ci/run installs chromium); elsewhere they
 * skip with a line saying how to run them.
 *
 * `ensureDashboardBuilt` runs the Vite build when dashboard/dist is missing (`npm ci` builds it
 * through `prepare`; a checkout without it still tests the page the server really serves).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const ROOT = join(__dirname, '..', '..');
export const CHROMIUM = process.env.CSMS_TEST_CHROMIUM || '/usr/bin/chromium';
export const HAS_CHROMIUM = existsSync(CHROMIUM);

if (!HAS_CHROMIUM && process.env.CI) {
  throw new Error(`no chromium at ${CHROMIUM}: in CI the dashboard's browser tests must run (.ci/run installs Debian's chromium; or set CSMS_TEST_CHROMIUM)`);
}

/** `describe` when chromium is there, else a skipped block that says why. */
export const describeBrowser: jest.Describe = HAS_CHROMIUM
  ? describe
  : (((name: string, fn: () => void) => {
      describe.skip(`${name} (skipped: no chromium at ${CHROMIUM}; install Debian's chromium or set CSMS_TEST_CHROMIUM)`, fn);
    }) as unknown as jest.Describe);

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** A headless chromium with a profile of its own (removed on close), a laptop-sized window. */
export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'csms-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1366, height: 768 },
    acceptDownloads: true,
    timeout: 120_000,
  });
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export const DASHBOARD_DIST = join(ROOT, 'dashboard', 'dist');

/**
 * Build the dashboard (vite build) unless dashboard/dist holds a build already. Built aside and
 * renamed into place, so two test files building at once (two jest workers) never serve a half
 * build: the first rename wins, the other build is dropped.
 */
export function ensureDashboardBuilt(): void {
  if (existsSync(join(DASHBOARD_DIST, 'index.html'))) return;
  const aside = `${DASHBOARD_DIST}.build-${process.pid}`;
  try {
    execFileSync(
      process.execPath,
      [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', join(ROOT, 'dashboard', 'vite.config.ts'), '--outDir', aside],
      { cwd: ROOT, stdio: 'pipe', timeout: 300_000 },
    );
    if (!existsSync(join(DASHBOARD_DIST, 'index.html'))) {
      rmSync(DASHBOARD_DIST, { recursive: true, force: true });
      renameSync(aside, DASHBOARD_DIST);
    }
  } finally {
    rmSync(aside, { recursive: true, force: true });
  }
}
