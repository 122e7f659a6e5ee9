/**
 * The web dashboard end to end, in a real browser (issue 14): `ocpp-csms --config <file>` as a
 * child process (a temporary SQLite store, the standard CSMS, an admin token), a simulated station
 * (src/simulator) against it, and Debian's chromium driven by playwright-core. Sign in with the
 * token (and be refused with a wrong one), see the station appear connected without a reload,
 * open it, send a Reset through the form built from the OCPP schema (a payload the schema refuses
 * is caught before sending), see the finished transaction's cost in the history and export it as
 * CSV. Screenshots of the main pages go to docs/images/ for the README.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { simulate } from '../../src/simulator';
import { logLineOf, runCli, waitForOutput, type Run } from '../support/cli-process';
import { startHarness } from '../admin/harness';
import { rootLogger } from '../../src/log';
import { ROOT, describeBrowser, ensureDashboardBuilt, launchBrowser, type Browser } from './browser';

// A child process started from source, a browser, a simulated charging session: minutes on a busy machine.
jest.setTimeout(600_000);

const TOKEN = 'dashboard-e2e-token-0123456789abc';
const STATION = 'SIM-DASH-1';
/** Every wait in the browser: long, since a loaded CI machine is slow; never an assertion about time. */
const WAIT = { timeout: 60_000 };
const IMAGES = join(ROOT, 'docs', 'images');

let dir: string;
let csms: Run;
let base: string;
let ocppUrl: string;
let browser: Browser;
const simulation = new AbortController();
let simulated: Promise<unknown> | undefined;

describeBrowser('the web dashboard in a real browser', () => {
  beforeAll(async () => {
    ensureDashboardBuilt();
    dir = mkdtempSync(join(tmpdir(), 'csms-dashboard-'));
    const config = join(dir, 'csms.json');
    writeFileSync(
      config,
      JSON.stringify({
        listeners: [{ port: 0, host: '127.0.0.1' }],
        server: { pathPrefix: '/ocpp', pingIntervalMs: 0, allowUnknownStations: true },
        storage: { driver: 'sqlite', path: 'csms.sqlite' },
        admin: { enabled: true, host: '127.0.0.1', port: 0, token: TOKEN },
        logging: { format: 'json', level: 'info' },
        tokens: [{ idToken: 'SIMTOKEN01', type: 'ISO14443', status: 'Accepted' }],
        tariffs: {
          definitions: [{ id: 'demo', currency: 'EUR', energyPrice: '0.35', chargingTimePrice: '1.20', sessionFee: '0.50', taxPercent: '21' }],
          default: 'demo',
        },
        bootPolicy: { default: { status: 'Accepted', heartbeatInterval: 300 } },
        defaults: { handler: 'standard', securityProfile: 0, evse: 1 },
        stations: [{ id: 'CP-DASH-0', securityProfile: 0, evse: 2 }],
      }),
    );
    csms = runCli(['--config', config]);
    await waitForOutput(csms, /"message":"CSMS started"/);
    ocppUrl = (logLineOf(csms, 'CSMS started').endpoints as string[])[0]!;
    base = `http://127.0.0.1:${String(logLineOf(csms, 'admin API listening').port)}`;
    browser = await launchBrowser();
    mkdirSync(IMAGES, { recursive: true });
  });

  afterAll(async () => {
    simulation.abort();
    await simulated?.catch(() => undefined);
    await browser?.close();
    if (csms && csms.child.exitCode === null) {
      csms.child.kill('SIGTERM');
      await csms.exited;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function signIn(page: Page, token: string): Promise<void> {
    await page.goto(`${base}/`);
    const field = page.getByLabel('Admin token');
    await field.waitFor(WAIT);
    // Keyboard only: the field has the focus, Enter submits.
    await page.keyboard.type(token);
    await page.keyboard.press('Enter');
  }

  /** Every form control of the page has a label (a <label for>, or aria-label), or the list of those that have none. */
  async function unlabelled(page: Page): Promise<string[]> {
    // A string, run in the page: this project's TypeScript has no DOM types.
    return page.evaluate(`[...document.querySelectorAll('input, select, textarea')]
      .filter((el) => el.labels.length === 0 && !el.getAttribute('aria-label'))
      .map((el) => el.outerHTML.slice(0, 120))`);
  }

  it('shows the 401 state for a wrong token, shows nothing of the fleet, and lets the user try another', async () => {
    const page = await browser.context.newPage();
    try {
      await signIn(page, 'a-wrong-token-of-enough-length');
      await page.getByRole('heading', { name: '401 — token refused' }).waitFor(WAIT);
      expect(await page.getByRole('alert').innerText()).toContain('HTTP 401');
      expect(await page.getByRole('heading', { name: 'Fleet overview' }).count()).toBe(0);
      await page.getByRole('button', { name: 'Sign in with another token' }).click();
      await page.getByLabel('Admin token').waitFor(WAIT);
      expect(await page.evaluate('sessionStorage.length')).toBe(0);

      // A token that stops working later (rotated on the server): the next call shows the 401 state.
      await page.keyboard.type(TOKEN);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Fleet overview' }).waitFor(WAIT);
      await page.evaluate(`sessionStorage.setItem(sessionStorage.key(0), 'a-rotated-token-no-longer-valid')`);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tokens' }).click();
      await page.getByRole('heading', { name: '401 — token refused' }).waitFor(WAIT);
      expect(await page.getByRole('cell', { name: 'SIMTOKEN01' }).count()).toBe(0);
    } finally {
      await page.close();
    }
  });

  it('signs in with the token, shows a simulated station connecting live, sends it a Reset through the form, and shows the session\u2019s cost in the history', async () => {
    const page = await browser.context.newPage();
    try {
      await signIn(page, TOKEN);
      await page.getByRole('heading', { name: 'Fleet overview' }).waitFor(WAIT);
      await page.locator('tr[data-station="CP-DASH-0"] td.connection').getByText('disconnected', { exact: true }).waitFor(WAIT);
      expect(await unlabelled(page)).toEqual([]);
      // Keyboard: the first Tab reaches "Skip to content", Enter moves the focus to the page, not to another page.
      await page.keyboard.press('Tab');
      expect(await page.evaluate('document.activeElement.textContent')).toBe('Skip to content');
      await page.keyboard.press('Enter');
      expect(await page.evaluate('document.activeElement.id')).toBe('main');
      await page.getByRole('heading', { name: 'Fleet overview' }).waitFor(WAIT);
      // Set on this document: still there afterwards means the station came without a reload.
      await page.evaluate(`window.marker = 'same document'`);

      simulated = simulate(
        { url: ocppUrl, identities: [{ identity: STATION }], meterUpdates: 2, meterIntervalMs: 300, lingerMs: 600_000, rebootDelayMs: 300, reconnectWaitMs: 300, reconnectRandomMs: 100 },
        { signal: simulation.signal, interruptOn: [] },
      );
      const row = page.locator(`tr[data-station="${STATION}"]`);
      await row.locator('td.connection').getByText('connected', { exact: true }).waitFor(WAIT);
      expect(await page.evaluate('window.marker')).toBe('same document');

      // The simulated session ends: its transaction is in the history with a cost.
      const transactionId = await endedTransaction(STATION);
      await row.locator('td.state').getByText('idle', { exact: true }).waitFor(WAIT);
      await page.getByText('Messages in / s').waitFor(WAIT);
      // The counters agree with the rows: one of the two stations connected.
      expect(await page.locator('.counter').filter({ hasText: 'Registered' }).locator('dd').innerText()).toBe('2');
      expect(await page.locator('.counter').filter({ hasText: 'Connected' }).locator('dd').innerText()).toBe('1');
      await page.screenshot({ path: join(IMAGES, 'dashboard-overview.png') });

      // The station page, with frame capture switched on.
      await row.getByRole('link', { name: STATION }).click();
      await page.getByRole('heading', { name: `Station ${STATION}` }).waitFor(WAIT);
      await page.getByRole('heading', { name: 'Boot data' }).waitFor(WAIT);
      await page.locator(`tr[data-transaction="${transactionId}"] td.cost`).filter({ hasText: /EUR/ }).waitFor(WAIT);
      await page.getByLabel(/Capture recent frames/).check();
      // On: the frames section offers its reload (whether the station has sent anything since or not).
      await page.getByRole('button', { name: 'Reload the frames' }).waitFor(WAIT);
      expect(await page.getByLabel(/Capture recent frames/).isChecked()).toBe(true);
      expect(await unlabelled(page)).toEqual([]);

      // The call form: Reset's schema makes the form; a payload without `type` is caught before sending.
      await page.getByRole('link', { name: 'Send a call…' }).click();
      await page.getByRole('heading', { name: `Send a call to ${STATION}` }).waitFor(WAIT);
      expect(await page.getByLabel('Action').inputValue()).toBe('Reset');
      await page.getByLabel('type (required)').waitFor(WAIT);
      await page.getByRole('button', { name: 'Send Reset' }).click();
      await page.getByRole('alert').filter({ hasText: 'type: required' }).waitFor(WAIT);
      expect(await page.getByTestId('call-answer').count()).toBe(0);
      expect(await unlabelled(page)).toEqual([]);

      await page.getByLabel('type (required)').selectOption('Immediate');
      expect(JSON.parse(await page.getByLabel('Payload (JSON, editable)').inputValue())).toEqual({ type: 'Immediate' });
      await page.getByRole('button', { name: 'Send Reset' }).click();
      const answer = page.getByTestId('call-answer');
      await answer.waitFor(WAIT);
      expect(JSON.parse(await answer.innerText())).toEqual({ status: 'Accepted' });
      await page.screenshot({ path: join(IMAGES, 'dashboard-call-form.png') });

      // The station reboots (RemoteReset) before it can take the next call.
      await rebooted(STATION);

      // A call with an integer and an enum: GetBaseReport, whose report fills the device model.
      await page.getByLabel('Action').selectOption('GetBaseReport');
      await page.getByLabel('requestId (required)').fill('7');
      await page.getByLabel('reportBase (required)').selectOption('FullInventory');
      expect(JSON.parse(await page.getByLabel('Payload (JSON, editable)').inputValue())).toEqual({ requestId: 7, reportBase: 'FullInventory' });
      await page.getByRole('button', { name: 'Send GetBaseReport' }).click();
      await page.getByTestId('call-answer').filter({ hasText: '"Accepted"' }).waitFor(WAIT);

      // An optional nested object (TriggerMessage's evse): included but incomplete, it is caught.
      await page.getByLabel('Action').selectOption('TriggerMessage');
      await page.getByLabel('requestedMessage (required)').selectOption('StatusNotification');
      await page.getByLabel('Include evse').check();
      await page.getByRole('button', { name: 'Send TriggerMessage' }).click();
      await page.getByRole('alert').filter({ hasText: 'evse.id: required' }).waitFor(WAIT);
      await page.getByLabel('id (required)').fill('1');
      expect(JSON.parse(await page.getByLabel('Payload (JSON, editable)').inputValue())).toEqual({ requestedMessage: 'StatusNotification', evse: { id: 1 } });
      await page.getByRole('button', { name: 'Send TriggerMessage' }).click();
      await page.getByTestId('call-answer').filter({ hasText: '"status"' }).waitFor(WAIT);

      // An array (GetVariables' getVariableData) is written as JSON; half-written JSON is said so.
      await page.getByLabel('Action').selectOption('GetVariables');
      const list = page.getByLabel('getVariableData (required) (JSON array)');
      await list.fill('[{"component": {"name": "OCPPCommCtrlr"}');
      await page.getByText('not valid JSON yet').waitFor(WAIT);
      await list.fill('[{"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}}]');
      await page.getByRole('button', { name: 'Send GetVariables' }).click();
      const variables = page.getByTestId('call-answer');
      await variables.waitFor(WAIT);
      expect(JSON.parse(await variables.innerText())).toMatchObject({
        getVariableResult: [{ attributeStatus: 'Accepted', attributeValue: '300', component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }],
      });

      // Back on the station page: the Reset and the reboot that followed are among the captured frames.
      await page.getByRole('link', { name: `← Station ${STATION}` }).click();
      await page.getByRole('heading', { name: 'Recent frames' }).waitFor(WAIT);
      await page.getByRole('button', { name: 'Reload the frames' }).click();
      await page.locator('.frames code').filter({ hasText: '"Reset"' }).first().waitFor(WAIT);
      await page.locator('.frames code').filter({ hasText: '"BootNotification"' }).first().waitFor(WAIT);
      await page.locator('.card').getByText('connected', { exact: true }).waitFor(WAIT);
      // The report arrives in parts after the answer: reload until the model has it, then search it.
      const counted = page.getByText(/^\d+ of \d+ variables/);
      for (const deadline = Date.now() + 60_000; !/^[1-9]\d* of/.test(await counted.innerText()); ) {
        if (Date.now() > deadline) throw new Error(`the device model stayed empty: ${await counted.innerText()}`);
        await page.getByRole('button', { name: 'Reload the device model' }).click();
        await page.waitForTimeout(200);
      }
      await page.getByLabel('Search variables').fill('HeartbeatInterval');
      await page.getByText(/^1 of \d+ variables/).waitFor(WAIT);
      await page.getByRole('cell', { name: 'OCPPCommCtrlr' }).waitFor(WAIT);
      await page.getByLabel('Search variables').fill('');
      await page.screenshot({ path: join(IMAGES, 'dashboard-station.png'), fullPage: true });

      // The history: the session's cost, and the CSV export of it.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Transactions' }).click();
      await page.getByRole('heading', { name: 'Transaction history' }).waitFor(WAIT);
      const cost = page.locator(`tr[data-transaction="${transactionId}"] td.cost`);
      await cost.waitFor(WAIT);
      expect(await cost.innerText()).toMatch(/^\d+(\.\d+)? EUR$/);
      expect(await unlabelled(page)).toEqual([]);
      await page.screenshot({ path: join(IMAGES, 'dashboard-history.png') });
      const [download] = await Promise.all([page.waitForEvent('download', WAIT), page.getByRole('button', { name: 'Export CSV' }).click()]);
      const csv = readFileSync((await download.path())!, 'utf8');
      expect(csv.split('\n')[0]).toMatch(/^transactionId,stationId,/);
      expect(csv).toContain(transactionId);
    } finally {
      await page.close();
    }
  });

  it('opens on the fleet overview without asking for a token when the admin API has none (the embedded demo, bound to 127.0.0.1)', async () => {
    const open = await startHarness({ stations: [{ id: 'CP-OPEN', securityProfile: 0 }] });
    // Its 503s (no standard CSMS) are logged as errors by the admin server: kept out of the test's output.
    const silent = rootLogger.silent;
    rootLogger.silent = true;
    const page = await browser.context.newPage();
    try {
      await page.goto(`${open.base}/`);
      await page.getByRole('heading', { name: 'Fleet overview' }).waitFor(WAIT);
      await page.locator('tr[data-station="CP-OPEN"]').waitFor(WAIT);
      expect(await page.getByLabel('Admin token').count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
      // This server runs no standard CSMS: its sites and tokens routes answer 503, and the pages say so.
      const nav = page.getByRole('navigation', { name: 'Main' });
      await nav.getByRole('link', { name: 'Sites' }).click();
      await page.getByText('Sites are not available on this server').waitFor(WAIT);
      await nav.getByRole('link', { name: 'Tokens' }).click();
      await page.getByText('Tokens are not available on this server').waitFor(WAIT);
    } finally {
      rootLogger.silent = silent;
      await page.close();
      await open.stop();
    }
  });

  it('shows tokens, tariffs, and sites with their limit and stations', async () => {
    const site = await fetch(`${base}/api/sites`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'depot', name: 'Depot', stations: [STATION], limit: 100, unit: 'A', maxPerEvse: 32 }),
    });
    expect(site.status).toBe(201);
    const page = await browser.context.newPage();
    try {
      await signIn(page, TOKEN);
      await page.getByRole('heading', { name: 'Fleet overview' }).waitFor(WAIT);
      const nav = page.getByRole('navigation', { name: 'Main' });
      await nav.getByRole('link', { name: 'Tokens' }).click();
      await page.getByRole('cell', { name: 'SIMTOKEN01' }).waitFor(WAIT);
      await nav.getByRole('link', { name: 'Tariffs' }).click();
      await page.getByRole('cell', { name: 'demo' }).waitFor(WAIT);
      await nav.getByRole('link', { name: 'Sites' }).click();
      const depot = page.getByRole('region', { name: 'Site Depot' });
      await depot.waitFor(WAIT);
      expect(await depot.getByRole('heading', { name: 'Depot (depot)' }).count()).toBe(1);
      await depot.getByText('100 A', { exact: true }).waitFor(WAIT);
      await depot.getByRole('link', { name: STATION }).waitFor(WAIT);
      expect(await unlabelled(page)).toEqual([]);
    } finally {
      await page.close();
    }
  });
});

/** Once the station has booted again after a Reset (its captured frames show it) and is connected. */
async function rebooted(stationId: string): Promise<void> {
  const headers = { authorization: `Bearer ${TOKEN}` };
  const deadline = Date.now() + 120_000;
  for (;;) {
    const frames = (await (await fetch(`${base}/api/stations/${stationId}/frames`, { headers })).json()) as { frames: { text: string }[] };
    const view = (await (await fetch(`${base}/api/stations/${stationId}`, { headers })).json()) as { connected?: boolean; bootStatus?: string; status?: string };
    const booted = frames.frames.some((f) => f.text.includes('"BootNotification"') && f.text.includes('"RemoteReset"'));
    if (booted && view.connected && view.bootStatus === 'Accepted' && view.status !== 'booting') return;
    if (Date.now() > deadline) throw new Error(`${stationId} did not boot again after the Reset: ${JSON.stringify(view)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The id of the station's first ended transaction with a cost, once the admin API has it. */
async function endedTransaction(stationId: string): Promise<string> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const response = await fetch(`${base}/api/transactions?stationId=${stationId}&state=ended`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const page = (await response.json()) as { items?: { transactionId: string; totalCost: string | null }[] };
    const ended = page.items?.find((tx) => tx.totalCost !== null);
    if (ended) return ended.transactionId;
    if (Date.now() > deadline) throw new Error(`no ended transaction with a cost for ${stationId}; last answer ${JSON.stringify(page)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
