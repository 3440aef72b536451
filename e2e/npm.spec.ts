// The `npm` kind end to end: the real renderer in Chromium, the real core in Node, and a real
// Verdaccio 6 registry (test/servers/npm), shared by the tests of this file, whose answers every
// test checks through the same API the npm CLI uses.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from '@playwright/test';
import { addServer, expect, sessionPanel, test as base } from './fixtures';
import { startVerdaccio, type VerdaccioServer } from '../test/servers/npm/verdaccioServer';

const test = base.extend<object, { registry: VerdaccioServer }>({
  registry: [
    // eslint-disable-next-line no-empty-pattern -- Playwright fixtures take their dependencies as a destructured first argument.
    async ({}, use) => {
      const server = await startVerdaccio();
      await use(server);
      await server.close();
    },
    { scope: 'worker' },
  ],
});

const SERVER = 'Verdaccio';

const alice = (registry: VerdaccioServer) => registry.users[0]!;

async function addRegistry(page: Page, registry: VerdaccioServer): Promise<void> {
  await addServer(page, { name: SERVER, url: registry.url, kind: 'npm registry', urlLabel: 'Registry URL' });
}

async function signIn(page: Page, username: string, password: string, options: { remember?: boolean } = {}): Promise<void> {
  // The browser (npm's web login) comes first; Verdaccio has none, so the person picks the password.
  await page.getByRole('radio', { name: 'User name and password' }).check();
  await page.getByLabel('User name', { exact: true }).fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  if (options.remember) await page.getByLabel(/Remember my password/).check();
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** Who the registry says a token belongs to, or the HTTP status when it refuses it. */
async function whoami(registry: VerdaccioServer, token: string): Promise<string | number> {
  const res = await fetch(`${registry.url}/-/whoami`, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) return res.status;
  const body = (await res.json()) as { username?: string };
  return body.username ?? res.status;
}

/** A token made the way `npm token create` makes it, outside Keyport. */
async function tokenMadeByNpm(registry: VerdaccioServer): Promise<string> {
  const { username, password } = alice(registry);
  const login = await fetch(`${registry.url}/-/user/org.couchdb.user:${username}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` },
    body: JSON.stringify({ name: username, password }),
  });
  const { token: session } = (await login.json()) as { token: string };
  const created = await fetch(`${registry.url}/-/npm/v1/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${session}` },
    body: JSON.stringify({ password, readonly: false, cidr_whitelist: [] }),
  });
  return ((await created.json()) as { token: string }).token;
}

/** A registry with two-factor authentication, which Verdaccio does not have: it asks for a
 * one-time password the way registry.npmjs.org does (401, `WWW-Authenticate: OTP`) until the
 * `npm-otp` header carries the right code. */
async function startOtpRegistry(code: string): Promise<{ url: string; otpsSeen: string[]; close(): Promise<void> }> {
  const otpsSeen: string[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      };
      const otp = req.headers['npm-otp'];
      if (typeof otp === 'string') otpsSeen.push(otp);
      if (req.url === '/-/ping') return json(200, {});
      if (req.url === '/-/whoami') return json(200, { username: 'carol' });
      if (req.url === '/-/npm/v1/tokens') return json(200, { objects: [], urls: { next: '' } });
      if (req.method === 'PUT' && req.url === '/-/user/org.couchdb.user:carol') {
        if (otp !== code) return json(401, { error: 'You must provide a one-time pass.' }, { 'www-authenticate': 'OTP' });
        return json(201, { ok: "you are authenticated as 'carol'", token: 'npm_otpFakeLoginToken' });
      }
      return json(404, { error: 'not found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    otpsSeen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const masked = (token: string) => `${token.slice(0, 5)}...${token.slice(-5)}`;

async function createToken(page: Page, name: string, options: { access: 'read-only' | 'publish'; cidr?: string; password?: string }): Promise<string> {
  await page.getByRole('button', { name: 'Create token' }).click();
  const dialog = page.getByRole('dialog', { name: `Create access token on ${SERVER}` });
  await expect(dialog).toContainText('registries with legacy tokens only (Verdaccio) do not');
  await dialog.getByLabel('Token name').fill(name);
  await dialog.getByLabel('Access', { exact: true }).selectOption(options.access);
  if (options.cidr) await dialog.getByLabel('Allowed IP ranges (optional)').fill(options.cidr);
  if (options.password !== undefined) await dialog.getByLabel('Account password').fill(options.password);
  await dialog.getByRole('button', { name: 'Create token' }).click();
  const shown = page.getByRole('alertdialog', { name: `Access token “${name}” created` });
  await expect(shown).toBeVisible();
  await expect(shown).toContainText('this is the only time Keyport shows this token');
  // The whole token is in view in its box: nothing scrolls out of sight.
  const box = shown.getByLabel('New token');
  expect(await box.evaluate((el) => el.scrollHeight <= el.clientHeight + 1 && el.scrollWidth <= el.clientWidth + 1)).toBe(true);
  return box.inputValue();
}

test.describe('npm registry (Verdaccio)', () => {
  test('signs in with a password, creates read-only and publish tokens shown once, copies the .npmrc line, revokes after confirmation', async ({ app, registry }) => {
    const { page } = app;
    const { username, password } = alice(registry);
    await addRegistry(page, registry);
    await signIn(page, username, password);
    await expect(sessionPanel(page).getByText(`Signed in as ${username}`)).toBeVisible();
    const table = page.getByRole('table', { name: `Access tokens on ${SERVER}` });

    // Creating asks for the account password (npm's token API needs it); a wrong one is said.
    await page.getByRole('button', { name: 'Create token' }).click();
    const dialog = page.getByRole('dialog', { name: `Create access token on ${SERVER}` });
    await dialog.getByLabel('Token name').fill('wrong-password');
    await dialog.getByLabel('Account password').fill('not-the-password');
    await dialog.getByRole('button', { name: 'Create token' }).click();
    await expect(dialog.getByRole('alert')).toContainText(`${SERVER} did not accept your password.`);
    await expect(dialog.getByLabel('Account password')).toHaveAttribute('aria-invalid', 'true');
    // A range npm would refuse is refused before anything is sent.
    await dialog.getByLabel('Allowed IP ranges (optional)').fill('10.0.0.0');
    await dialog.getByLabel('Account password').fill(password);
    await dialog.getByRole('button', { name: 'Create token' }).click();
    await expect(dialog.getByRole('alert')).toContainText('“10.0.0.0” is not an IPv4 range in CIDR form.');
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    const readOnly = await createToken(page, 'laptop', { access: 'read-only', password });
    expect(await whoami(registry, readOnly)).toBe(username);
    const shown = page.getByRole('alertdialog', { name: 'Access token “laptop” created' });
    // The default copy format is the .npmrc line for this registry.
    await shown.getByRole('button', { name: 'Copy laptop' }).click();
    const host = new URL(registry.url).host;
    await expect.poll(() => app.clipboard.text).toBe(`//${host}/:_authToken=${readOnly}`);
    await shown.getByRole('button', { name: 'Done' }).click();
    expect(await page.content()).not.toContain(readOnly);

    const publish = await createToken(page, 'ci', { access: 'publish', cidr: '127.0.0.1/32', password });
    await page.getByRole('button', { name: 'Done' }).click();
    expect(await whoami(registry, publish)).toBe(username);

    // The list: the registry keeps no names, so saved tokens are listed under the names given
    // here, unsaved ones under their masked value; access and allowed ranges.
    const readOnlyRow = table.getByRole('row', { name: new RegExp(masked(readOnly).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) });
    await expect(readOnlyRow).toContainText('Read-only');
    await expect(readOnlyRow).toContainText('Any address');
    const publishRow = table.getByRole('row', { name: new RegExp(masked(publish).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) });
    await expect(publishRow).toContainText('Publish');
    await expect(publishRow).toContainText('127.0.0.1/32');
    for (const column of ['Token', 'Access', 'Allowed addresses', 'Created']) await expect(table.getByRole('columnheader', { name: column, exact: true })).toBeVisible();
    await expect(readOnlyRow.getByRole('rowheader')).toHaveText('laptop');
    await expect(publishRow.getByRole('rowheader')).toHaveText('ci');
    await page.screenshot({ path: 'test-results/screenshots/npm-tokens.png' });

    // The saved copy can be copied again, as an export of NPM_TOKEN.
    await publishRow.getByLabel('Copy format for ci').selectOption('shell');
    await publishRow.getByRole('button', { name: 'Copy ci' }).click();
    await expect.poll(() => app.clipboard.text).toBe(`export NPM_TOKEN=${publish}`);

    // Revoke after confirmation: the registry refuses the token from then on.
    await readOnlyRow.getByRole('button', { name: 'Revoke laptop' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Revoke “laptop”?' });
    await expect(confirm).toContainText(`will lose access to ${SERVER}`);
    await confirm.getByRole('button', { name: 'Revoke token' }).click();
    await expect(readOnlyRow).toBeHidden();
    expect(await whoami(registry, readOnly)).toBe(403);
    expect(await whoami(registry, publish)).toBe(username);

    // Nothing in the page or the vault file holds the password.
    expect(await page.content()).not.toContain(password);
  });

  test('the browser comes first; Verdaccio has no web login, and Keyport says to use the password', async ({ app, registry }) => {
    const { page } = app;
    await addRegistry(page, registry);
    await expect(page.getByRole('radio', { name: 'Browser' })).toBeChecked();
    await page.getByRole('button', { name: 'Sign in with browser' }).click();
    await expect(page.getByRole('alert')).toContainText(`${SERVER} does not offer sign-in with the browser.`);
    await expect(page.getByRole('alert')).toContainText('Sign in with your user name and password instead');
    expect(app.opened).toEqual([]);
  });

  test('a wrong password is refused on the password field', async ({ app, registry }) => {
    const { page } = app;
    await addRegistry(page, registry);
    await signIn(page, alice(registry).username, 'not-the-password');
    await expect(page.getByRole('alert')).toContainText('Authentication failed.');
    await expect(page.getByLabel('Password', { exact: true })).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByLabel('Password', { exact: true })).toHaveValue('');
    await expect(page.getByLabel('One-time password')).toBeHidden();
  });

  test('signs in with an existing token checked with whoami; revoking that token signs out; with a remembered password, creating does not ask', async ({ app, registry }) => {
    const { page } = app;
    const token = await tokenMadeByNpm(registry);
    await addRegistry(page, registry);
    // npm calls it an access token, and so does every word about it here.
    await expect(page.getByRole('radio', { name: /API token/ })).toHaveCount(0);
    await page.getByRole('radio', { name: 'Existing access token' }).check();
    await page.getByLabel('Access token', { exact: true }).fill('bm90LWEtdG9rZW4=');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.getByRole('alert')).toContainText(`${SERVER} did not accept this token.`);
    await page.getByLabel('Access token', { exact: true }).fill(token);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(sessionPanel(page).getByText(`Signed in as ${alice(registry).username}`)).toBeVisible();
    await expect(sessionPanel(page)).toContainText('with an access token');
    await expect(page.getByRole('table', { name: `Access tokens on ${SERVER}` }).getByRole('rowheader', { name: masked(token) })).toBeVisible();

    // Revoking the very token Keyport's session uses says so, and signs out cleanly.
    await page.getByRole('button', { name: `Revoke ${masked(token)}` }).click();
    const confirm = page.getByRole('alertdialog', { name: `Revoke “${masked(token)}”?` });
    await expect(confirm).toContainText(`Keyport’s own session uses this access token: you will be signed out of ${SERVER}.`);
    await confirm.getByRole('button', { name: 'Revoke token' }).click();
    await expect(page.getByRole('radio', { name: 'User name and password' })).toBeVisible();
    expect(await whoami(registry, token)).toBe(403);

    // Signing in again with "remember my password": the create dialog no longer asks.
    await page.getByRole('radio', { name: 'User name and password' }).check();
    await signIn(page, alice(registry).username, alice(registry).password, { remember: true });
    await expect(sessionPanel(page).getByText(`Signed in as ${alice(registry).username}`)).toBeVisible();
    await page.getByRole('button', { name: 'Create token' }).click();
    const dialog = page.getByRole('dialog', { name: `Create access token on ${SERVER}` });
    await expect(dialog.getByLabel('Account password')).toBeHidden();
    await dialog.getByLabel('Token name').fill('remembered');
    await dialog.getByRole('button', { name: 'Create token' }).click();
    const value = await page.getByRole('alertdialog', { name: 'Access token “remembered” created' }).getByLabel('New token').inputValue();
    expect(await whoami(registry, value)).toBe(alice(registry).username);
  });

  test('asks for a one-time password when the registry wants one, then signs in with it', async ({ app }) => {
    const { page } = app;
    const otpRegistry = await startOtpRegistry('123456');
    try {
      await addServer(page, { name: 'Two-factor registry', url: otpRegistry.url, kind: 'npm registry', urlLabel: 'Registry URL' });
      await expect(page.getByLabel('One-time password')).toBeHidden();
      await signIn(page, 'carol', 'carol-password');
      await expect(page.getByRole('alert')).toContainText('Two-factor registry asks for a one-time password to sign in.');
      // The password stays for the second try; only the code is new.
      await expect(page.getByLabel('Password', { exact: true })).toHaveValue('carol-password');
      await page.getByLabel('One-time password').fill('000000');
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await expect(page.getByRole('alert')).toContainText('did not accept the one-time password');
      await expect(page.getByLabel('One-time password')).toHaveAttribute('aria-invalid', 'true');
      await page.getByLabel('One-time password').fill('123456');
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await expect(sessionPanel(page).getByText('Signed in as carol')).toBeVisible();
      expect(otpRegistry.otpsSeen).toEqual(['000000', '123456']);
      expect(await page.content()).not.toContain('carol-password');
    } finally {
      await otpRegistry.close();
    }
  });
});
