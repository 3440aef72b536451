// The `oidc` kind end to end: the real renderer and core, the reference OpenID Connect provider
// (oidc-provider over HTTPS with a CA made for the test, configured on the server entry), and
// "the system browser" as a second browser context in which the test logs in as a person would.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { addServer, ALICE, expect, sessionPanel, test as base } from './fixtures';
import { startHost, type KeyportHost } from '../test/host/host';
import { startOidcServer, type OidcServer } from '../test/servers/oidc/oidcServer';
import { loopbackContext, personAt, type SystemBrowser } from './systemBrowser';

/** 20 s access tokens: Keyport renews them in the background about halfway through. */
const ACCESS_TOKEN_SECONDS = 20;

const test = base.extend<{ idp: OidcServer; caPath: string; person: SystemBrowser; app: KeyportHost }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright fixtures take their dependencies as a destructured first argument.
  idp: async ({}, use) => {
    const server = await startOidcServer({ accessTokenTtlSeconds: ACCESS_TOKEN_SECONDS, deviceCodeTtlSeconds: 60 });
    await use(server);
    await server.close();
  },
  caPath: async ({ idp }, use) => {
    const dir = await mkdtemp(join(tmpdir(), 'keyport-oidc-ca-'));
    const path = join(dir, 'idp-ca.pem');
    await writeFile(path, idp.caPem ?? '');
    await use(path);
    await rm(dir, { recursive: true, force: true });
  },
  person: async ({ browser }, use) => {
    const person = personAt(browser, { ignoreHTTPSErrors: true });
    await use(person);
    await person.close();
  },
  app: async ({ browser, person }, use) => {
    const host = await startHost(browser, { openBrowser: (url) => person.open(url), signInTimeoutMs: 15_000 });
    await use(host);
    await host.close();
  },
});

const NAME = 'Test IdP';

async function addIssuer(page: Page, idp: OidcServer, caPath: string, options: Record<string, string> = { 'Client id': idp.publicClientId }): Promise<void> {
  await addServer(page, { name: NAME, url: idp.url, kind: 'OpenID Connect', urlLabel: 'Issuer', caPath, options });
}

async function browserSignIn(page: Page): Promise<void> {
  await page.getByRole('radio', { name: 'Browser' }).check();
  await page.getByRole('button', { name: 'Sign in with browser' }).click();
}

const signedIn = async (page: Page) => expect(sessionPanel(page).getByText(`Signed in as ${ALICE.username}`)).toBeVisible();

async function copySession(page: Page, app: KeyportHost, label: string): Promise<string> {
  const before = app.clipboard.text;
  await sessionPanel(page).getByLabel('Copy from this session').selectOption({ label });
  await sessionPanel(page).getByRole('button', { name: 'Copy', exact: true }).click();
  await expect.poll(() => app.clipboard.text).not.toBe(before);
  return app.clipboard.text;
}

test.describe('OpenID Connect', () => {
  test('adding an issuer shows its discovery; an address that is not an issuer is a clear error', async ({ app, idp, caPath, eds }) => {
    const { page } = app;
    // The EDS reference server answers, but not as an OpenID Connect issuer.
    await page.getByRole('button', { name: 'Add server' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Add server' });
    await dialog.getByLabel('Name').fill('Not an issuer');
    await dialog.getByLabel('Kind').selectOption({ label: 'OpenID Connect' });
    await dialog.getByLabel('Issuer').fill(eds.url);
    await dialog.getByLabel('Client id').fill('keyport');
    await dialog.getByRole('button', { name: 'Add server' }).click();
    await expect(dialog.getByRole('alert')).toContainText('did not answer as an OpenID Connect sign-in server');
    await expect(dialog.getByRole('alert')).toContainText('.well-known/openid-configuration');
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    await addIssuer(page, idp, caPath);
    await expect(page.getByRole('heading', { name: 'Discovery' })).toBeVisible();
    const facts = page.getByLabel(`Discovery of ${NAME}`);
    await expect(facts).toContainText(`${idp.url}/token`);
    await expect(facts).toContainText(`${idp.url}/device/auth`);
    await expect(facts).toContainText(`${idp.url}/token/revocation`);
    await expect(facts).toContainText('refresh_token');
    await expect(facts).toContainText('urn:ietf:params:oauth:grant-type:device_code');
    // No token table for this kind.
    await expect(page.getByRole('button', { name: /Create/ })).toHaveCount(0);
  });

  test('browser sign-in as a public client: claims and scopes, background refresh, copy access and refresh tokens, sign-out revokes', async ({ app, idp, caPath, person }) => {
    const { page } = app;
    await addIssuer(page, idp, caPath);
    await browserSignIn(page);
    await signedIn(page);
    const auth = new URL(app.opened[0] ?? '');
    expect(auth.origin).toBe(idp.url);
    expect(auth.searchParams.get('code_challenge_method')).toBe('S256');
    expect(auth.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    expect(auth.searchParams.get('scope')).toBe('openid profile email offline_access');
    await expect(person.pages[0]!.getByRole('heading', { name: 'Signed in' })).toBeVisible();

    const panel = sessionPanel(page);
    await expect(panel).toContainText(ALICE.email);
    await expect(panel).toContainText(/Scopes: .*openid/);
    await panel.getByText(`Who ${NAME} says you are (ID token claims)`).click();
    const claims = panel.getByLabel(`ID token claims from ${NAME}`);
    await expect(claims).toContainText('alice@example.com');
    await expect(claims).toContainText('Alice Liddell');
    await expect(panel).toContainText(/Access token expires in \d+ s/);
    await expect(page.getByRole('table')).toHaveCount(0);
    // The session with its claims and the discovery facts, in both themes: no axe violations.
    for (const theme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: theme });
      const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
      expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), theme).toEqual([]);
      await page.screenshot({ path: `test-results/screenshots/oidc-session-${theme}.png` });
    }

    // The access token is renewed in the background before it expires: nobody clicks anything.
    const refreshedBefore = idp.stats.refreshed;
    await expect.poll(() => idp.stats.refreshed, { timeout: ACCESS_TOKEN_SECONDS * 1000 }).toBeGreaterThan(refreshedBefore);
    await page.waitForTimeout(ACCESS_TOKEN_SECONDS * 600);
    await expect(panel).toContainText(/Access token expires in \d+ s/);
    await expect(page.getByRole('alert')).toHaveCount(0);

    const accessToken = await copySession(page, app, 'Access token');
    expect(await idp.accountFor(accessToken)).toBe('alice');
    const refreshToken = await copySession(page, app, 'Refresh token');
    expect(await idp.isRefreshTokenValid(refreshToken)).toBe(true);

    const revokedBefore = idp.stats.revoked;
    await panel.getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    await expect.poll(() => idp.stats.revoked).toBeGreaterThan(revokedBefore);
    expect(await idp.isRefreshTokenValid(refreshToken)).toBe(false);
    await expect(page.getByRole('status').filter({ hasText: 'was not told to revoke' })).toHaveCount(0);
  });

  test('confidential client: a wrong secret is a clear error; the right one signs in; the secret never reaches the renderer', async ({ app, idp, caPath }) => {
    const { page } = app;
    const wrong = 'not-the-client-secret';
    await addIssuer(page, idp, caPath, { 'Client id': idp.confidentialClient.id, 'Client secret (optional)': wrong });
    await browserSignIn(page);
    await expect(page.getByRole('alert')).toContainText('does not accept Keyport’s client id and secret');

    await page.getByRole('button', { name: 'Edit' }).click();
    const dialog = page.getByRole('dialog', { name: `Edit ${NAME}` });
    await expect(dialog.getByLabel('Client secret (optional)')).toHaveValue('');
    await expect(dialog.getByLabel('Client secret (optional)')).toHaveAttribute('placeholder', 'Saved — leave empty to keep it');
    await dialog.getByLabel('Client secret (optional)').fill(idp.confidentialClient.secret);
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await expect(dialog).toBeHidden();

    await browserSignIn(page);
    await signedIn(page);
    const servers = JSON.stringify(await app.call('servers.list'));
    expect(servers).not.toContain(idp.confidentialClient.secret);
    expect(servers).not.toContain(wrong);
    expect(servers).toContain('"savedSecretFields":["clientSecret"]');
    for (const line of app.logs) expect(line).not.toContain(idp.confidentialClient.secret);
  });

  test('device sign-in: the code is entered in another browser and approved', async ({ app, idp, caPath, browser }) => {
    const { page } = app;
    await addIssuer(page, idp, caPath);
    await page.getByRole('radio', { name: 'Code on another device' }).check();
    await page.getByRole('button', { name: 'Get a code' }).click();
    const code = await page.getByLabel('Code', { exact: true }).inputValue();
    const address = await page.getByLabel('Address').inputValue();
    expect(address).toBe(`${idp.url}/device`);
    const context = await loopbackContext(browser, { ignoreHTTPSErrors: true });
    const other = await context.newPage();
    await other.goto(address);
    await other.getByLabel('Code').fill(code);
    await other.getByRole('button', { name: 'Continue' }).click();
    await other.getByRole('button', { name: 'Continue' }).click();
    await other.getByLabel('User name').fill(ALICE.username);
    await other.getByLabel('Password').fill(ALICE.password);
    await other.getByRole('button', { name: 'Sign in' }).click();
    await other.getByRole('heading', { name: 'Device signed in' }).waitFor();
    await context.close();
    await signedIn(page);
    await expect(sessionPanel(page)).toContainText('with a code');
  });

  test('sign-out completes even when the provider cannot revoke, and says so', async ({ app, idp, caPath }) => {
    const { page } = app;
    await addIssuer(page, idp, caPath);
    await browserSignIn(page);
    await signedIn(page);
    idp.faults.add({ match: /^\/token\/revocation$/, kind: 'status', status: 503 });
    await sessionPanel(page).getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByRole('button', { name: 'Sign in with browser' })).toBeVisible();
    await expect(page.getByRole('status').filter({ hasText: `Signed out of Keyport, but ${NAME} was not told to revoke the tokens` })).toContainText('They stay valid until they expire.');
  });

  test('a refresh token revoked at the server ends the session: sign in again', async ({ app, idp, caPath }) => {
    const { page } = app;
    await addIssuer(page, idp, caPath);
    await browserSignIn(page);
    await signedIn(page);
    await idp.revokeGrants('alice');
    await sessionPanel(page).getByRole('button', { name: 'Refresh now' }).click();
    await expect(page.getByText(`Your session on ${NAME} has ended. Sign in again.`)).toBeVisible();
    await expect(page.getByRole('button', { name: 'Sign in with browser' })).toBeVisible();
  });
});
