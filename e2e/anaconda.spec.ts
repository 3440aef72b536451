// The `anaconda` kind end to end: the real renderer and core, the reference Anaconda server
// (oidc-provider + API), and "the system browser" as a second, separate browser context in which
// the test logs in as a person would.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { pythonJsonDumps } from '../src/main/core/providers/tapis/agaveCurrent';
import { addServer, ALICE, expect, sessionPanel, test as base } from './fixtures';
import { startHost, type KeyportHost } from '../test/host/host';
import { startAnacondaServer, type AnacondaServer } from '../test/servers/anaconda/anacondaServer';
import { loopbackContext, personAt, type SystemBrowser } from './systemBrowser';

const test = base.extend<{ anaconda: AnacondaServer; person: SystemBrowser; app: KeyportHost }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright fixtures take their dependencies as a destructured first argument.
  anaconda: async ({}, use) => {
    const server = await startAnacondaServer({ deviceCodeTtlSeconds: 30 });
    await use(server);
    await server.close();
  },
  person: async ({ browser }, use) => {
    const person = personAt(browser);
    await use(person);
    await person.close();
  },
  app: async ({ browser, person }, use) => {
    const host = await startHost(browser, { openBrowser: (url) => person.open(url), signInTimeoutMs: 8000 });
    await use(host);
    await host.close();
  },
});

const SITE = 'Anaconda test';

async function addSite(page: Page, anaconda: AnacondaServer): Promise<void> {
  await addServer(page, { name: SITE, url: anaconda.url, kind: 'Anaconda', urlLabel: 'Site' });
}

async function browserSignIn(page: Page): Promise<void> {
  await page.getByRole('radio', { name: 'Browser' }).check();
  await page.getByRole('button', { name: 'Sign in with browser' }).click();
}

const signedIn = async (page: Page) => expect(sessionPanel(page).getByText(`Signed in as ${ALICE.username}`)).toBeVisible();

test.describe('Anaconda', () => {
  test('browser login with PKCE: an API key is minted, the page says you can close the tab, keys are listed', async ({ app, anaconda, person }) => {
    const { page } = app;
    await addSite(page, anaconda);
    await browserSignIn(page);
    await signedIn(page);
    await expect(sessionPanel(page)).toContainText(ALICE.email);
    const [url] = app.opened;
    const auth = new URL(url ?? '');
    expect(auth.origin).toBe(anaconda.url);
    expect(auth.searchParams.get('code_challenge_method')).toBe('S256');
    expect(auth.searchParams.get('state')).toMatch(/.{20,}/);
    expect(auth.searchParams.get('nonce')).toMatch(/.{20,}/);
    expect(auth.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/auth\/oidc$/);
    expect(auth.searchParams.get('scope')).toBe('openid email profile offline_access');
    await expect(person.pages[0]!.getByRole('heading', { name: 'Signed in' })).toBeVisible();
    await expect(person.pages[0]!.getByText('You can close this tab and return to Keyport.')).toBeVisible();
    // The listener is gone once the browser came back.
    await expect(fetch(auth.searchParams.get('redirect_uri') ?? '')).rejects.toThrow();
    expect(anaconda.stats.minted.auth).toBe(1);
    const [key] = anaconda.apiKeys('alice');
    expect(key?.scopes).toEqual(['cloud:read', 'cloud:write', 'repo:read']);

    const table = page.getByRole('table', { name: `API keys on ${SITE}` });
    await expect(table.getByRole('row')).toHaveCount(2);
    await expect(table.getByRole('columnheader', { name: 'Expires' })).toBeVisible();

    // Already signed in with a valid key: no new browser round trip unless asked.
    await sessionPanel(page).getByRole('button', { name: 'Sign in again' }).click();
    await expect.poll(() => anaconda.apiKeys('alice').length).toBe(2);
    expect(app.opened).toHaveLength(2);
  });

  test('the person cancels in the browser; the login page is left open until the timeout', async ({ app, anaconda, person }) => {
    const { page } = app;
    await addSite(page, anaconda);
    person.set('cancel');
    await browserSignIn(page);
    await expect(page.getByRole('alert')).toContainText('The sign-in was cancelled in the browser.');
    expect(anaconda.apiKeys('alice')).toEqual([]);

    person.set('ignore');
    await page.getByRole('button', { name: 'Sign in with browser' }).click();
    await expect(page.getByText('Waiting for you to finish signing in in your browser')).toBeVisible();
    await expect(page.getByRole('alert')).toContainText('The browser sign-in was not finished within', { timeout: 15_000 });
    const redirect = new URL(app.opened[1] ?? '').searchParams.get('redirect_uri') ?? '';
    await expect(fetch(redirect)).rejects.toThrow();

    // Cancel in Keyport closes the listener at once.
    await page.getByRole('button', { name: 'Sign in with browser' }).click();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect(page.getByRole('alert')).toContainText('The sign-in was cancelled.');
    const third = new URL(app.opened[2] ?? '').searchParams.get('redirect_uri') ?? '';
    await expect(fetch(third)).rejects.toThrow();
  });

  test('a tampered state is refused while Keyport keeps waiting for the real answer; a wrong PKCE verifier is refused by the server', async ({ app, anaconda, person }) => {
    const { page } = app;
    await addSite(page, anaconda);
    person.set((url) => {
      const u = new URL(url);
      u.searchParams.set('state', 'forged-state-from-elsewhere');
      return u.href;
    });
    await browserSignIn(page);
    await expect.poll(() => person.pages.length).toBeGreaterThan(0);
    await expect(person.pages[0]!.getByRole('heading', { name: 'Sign-in not accepted' })).toBeVisible();
    // A page that knows the port cannot end (or finish) the person's sign-in: Keyport still waits.
    await expect(page.getByText('Waiting for you to finish signing in in your browser')).toBeVisible();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect(page.getByRole('alert')).toContainText('The sign-in was cancelled.');
    expect(anaconda.apiKeys('alice')).toEqual([]);

    // Someone swaps the PKCE challenge: the code cannot be redeemed with Keyport's verifier.
    person.set((url) => {
      const u = new URL(url);
      u.searchParams.set('code_challenge', 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
      return u.href;
    });
    await page.getByRole('button', { name: 'Sign in with browser' }).click();
    await expect(page.getByRole('alert')).toContainText('refused to finish the sign-in (invalid_grant)');
    expect(anaconda.apiKeys('alice')).toEqual([]);
  });

  test('device login: the code is shown, entered in a browser, and approved; denial and expiry are clear', async ({ app, anaconda, browser }) => {
    const { page } = app;
    await addSite(page, anaconda);
    const approve = async (action: 'Continue' | 'Abort') => {
      await page.getByRole('radio', { name: 'Code on another device' }).check();
      await page.getByRole('button', { name: 'Get a code' }).click();
      const code = await page.getByLabel('Code', { exact: true }).inputValue();
      const address = await page.getByLabel('Address').inputValue();
      expect(address).toMatch(new RegExp(`^${anaconda.url}/`));
      const context = await loopbackContext(browser);
      const other = await context.newPage();
      await other.goto(address);
      await other.getByLabel('Code').fill(code);
      await other.getByRole('button', { name: 'Continue' }).click();
      await other.getByRole('button', { name: action }).click();
      if (action === 'Continue') {
        await other.getByLabel('User name').fill(ALICE.username);
        await other.getByLabel('Password').fill(ALICE.password);
        await other.getByRole('button', { name: 'Sign in' }).click();
        await other.getByRole('heading', { name: 'Device signed in' }).waitFor();
      }
      await context.close();
    };
    await approve('Abort');
    await expect(page.getByRole('alert')).toContainText('The sign-in was denied in the browser.');
    await approve('Continue');
    await signedIn(page);
    await expect(sessionPanel(page)).toContainText('with a code');
    expect(anaconda.apiKeys('alice')).toHaveLength(1);
  });

  test('a device code left unused expires with a clear message', async ({ browser }) => {
    const anaconda = await startAnacondaServer({ deviceCodeTtlSeconds: 2 });
    const app = await startHost(browser, { signInTimeoutMs: 20_000 });
    try {
      await addSite(app.page, anaconda);
      await app.page.getByRole('radio', { name: 'Code on another device' }).check();
      await app.page.getByRole('button', { name: 'Get a code' }).click();
      await expect(app.page.getByLabel('Code', { exact: true })).not.toHaveValue('');
      await expect(app.page.getByRole('alert')).toContainText('The sign-in code expired before it was used.', { timeout: 15_000 });
    } finally {
      await app.close();
      await anaconda.close();
    }
  });

  test('API keys: create (shown once), copy as the anaconda tools read it, revoke; keys expiring soon are marked', async ({ app, anaconda }) => {
    const { page } = app;
    await addSite(page, anaconda);
    await browserSignIn(page);
    await signedIn(page);
    anaconda.mintApiKey('alice', { name: 'old-laptop', lifetimeSeconds: 10 * 24 * 3600 });
    await page.getByRole('button', { name: 'Reload' }).click();
    const table = page.getByRole('table', { name: `API keys on ${SITE}` });
    await expect(table.getByRole('row', { name: /old-laptop/ })).toContainText('Expires soon');

    await page.getByRole('button', { name: 'Create API key' }).click();
    const dialog = page.getByRole('dialog', { name: /Create api key/i });
    await dialog.getByLabel('API key name').fill('ci-runner');
    await dialog.getByRole('button', { name: 'Create API key' }).click();
    const shown = page.getByRole('alertdialog', { name: 'API key “ci-runner” created' });
    const value = await shown.getByLabel('New token').inputValue();
    expect(anaconda.isApiKeyValid(value)).toBe(true);
    await shown.getByLabel('Copy format for ci-runner').selectOption('shell');
    await shown.getByRole('button', { name: 'Copy ci-runner' }).click();
    const domain = new URL(anaconda.url).host;
    await expect.poll(() => app.clipboard.text).toBe(`export ANACONDA_AUTH_DOMAIN=${domain} ANACONDA_AUTH_API_KEY=${value}`);
    await shown.getByRole('button', { name: 'Done' }).click();
    await expect(table.getByRole('row', { name: /ci-runner/ })).not.toContainText('Expires soon');

    await table.getByRole('button', { name: 'Revoke ci-runner' }).click();
    await page.getByRole('alertdialog', { name: 'Revoke “ci-runner”?' }).getByRole('button', { name: 'Revoke API key' }).click();
    await expect(table.getByRole('rowheader', { name: 'ci-runner' })).toBeHidden();
    expect(anaconda.isApiKeyValid(value)).toBe(false);
  });

  test('keyring: export keeps other entries byte for byte, import round-trips, sign-out can remove the entry, malformed files are refused', async ({ app, anaconda }) => {
    const { page } = app;
    const dir = join(app.dataDir, 'home', '.anaconda');
    const file = join(dir, 'keyring');
    await mkdir(dir, { recursive: true });
    // Another site's entry, as anaconda-auth wrote it (its exact bytes must survive).
    const otherEntry = Buffer.from('{"domain":"anaconda.com","api_key":"eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjE4MjY5NzYwMDAsInN1YiI6ImFsaWNlIn0.c2ln","repo_tokens":[],"version":2}').toString('base64');
    const original = pythonJsonDumps({ 'Anaconda Cloud': { 'anaconda.com': otherEntry } }, false);
    await writeFile(file, original);

    await addSite(page, anaconda);
    await browserSignIn(page);
    await signedIn(page);
    await sessionPanel(page).getByRole('button', { name: 'Export to ~/.anaconda/keyring…' }).click();
    await page.getByRole('dialog', { name: `Export the session of ${SITE}` }).getByRole('button', { name: 'Export' }).click();
    await page.getByRole('alertdialog', { name: `Replace ${file}?` }).getByRole('button', { name: 'Back up and replace' }).click();
    await page.getByRole('dialog', { name: 'Session exported' }).getByRole('button', { name: 'Done' }).click();
    const written = await readFile(file, 'utf8');
    const domain = new URL(anaconda.url).host;
    expect(written.startsWith(`{"Anaconda Cloud": {"anaconda.com": "${otherEntry}", "${domain}": "`)).toBe(true);
    const parsed = JSON.parse(written) as Record<string, Record<string, string>>;
    const mine = JSON.parse(Buffer.from(parsed['Anaconda Cloud']?.[domain] ?? '', 'base64').toString('utf8')) as Record<string, unknown>;
    expect(Object.keys(mine)).toEqual(['domain', 'api_key', 'repo_tokens', 'version']);
    expect(mine).toMatchObject({ domain, repo_tokens: [], version: 2 });
    expect(anaconda.isApiKeyValid(String(mine.api_key))).toBe(true);

    // Sign out and remove the keyring entry too: the other site's entry stays as it was.
    await sessionPanel(page).getByRole('button', { name: 'Sign out' }).click();
    const ask = page.getByRole('alertdialog', { name: `Sign out of ${SITE}?` });
    await ask.getByLabel(/Also remove this site from/).check();
    await ask.getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    expect(await readFile(file, 'utf8')).toBe(original);

    // Import: a keyring with this site's key signs Keyport in.
    await writeFile(file, written);
    await page.getByRole('button', { name: 'Import session…' }).click();
    const importing = page.getByRole('dialog', { name: 'Import a session' });
    await importing.getByLabel('Kind').selectOption({ label: 'Anaconda' });
    await expect(importing.getByLabel('Session file')).toHaveValue(file);
    await importing.getByRole('button', { name: 'Import' }).click();
    await expect(page.getByRole('heading', { level: 2, name: SITE })).toBeVisible();
    await expect(sessionPanel(page)).toContainText('(imported session)');
    expect(((await app.call('servers.list')) as unknown[]).filter(Boolean)).toHaveLength(2);

    // A malformed keyring: clear error, nothing changed.
    await writeFile(file, '{"Anaconda Cloud": {"x.example": "not base64!"}}');
    await page.getByRole('button', { name: 'Import session…' }).click();
    const again = page.getByRole('dialog', { name: 'Import a session' });
    await again.getByLabel('Kind').selectOption({ label: 'Anaconda' });
    await again.getByRole('button', { name: 'Import' }).click();
    await expect(again.getByRole('alert')).toContainText('This is not an Anaconda keyring file that Keyport can use: the entry for x.example is not base64.');
    expect(await readFile(file, 'utf8')).toBe('{"Anaconda Cloud": {"x.example": "not base64!"}}');
  });
});
