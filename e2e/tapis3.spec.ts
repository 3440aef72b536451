// The `tapis3` kind end to end: the real renderer in Chromium, the real core in Node, and the
// reference Tapis v3 server (test/servers/tapis3) whose state every test checks.
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { addServer, ALICE, expect, sessionPanel, test as base } from './fixtures';
import { loopbackContext } from './systemBrowser';
import { startTapis3Server, type Tapis3Server } from '../test/servers/tapis3/tapis3Server';

const test = base.extend<{ tapis3: Tapis3Server }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright fixtures take their dependencies as a destructured first argument.
  tapis3: async ({}, use) => {
    const server = await startTapis3Server({ deviceIntervalSeconds: 1 });
    await use(server);
    await server.close();
  },
});

const SERVER = 'TACC v3';
const KIND = 'Tapis v3 (TACC)';

async function addTapis3(page: Page, tapis3: Tapis3Server, options: Record<string, string> = {}): Promise<void> {
  await addServer(page, { name: SERVER, url: tapis3.url, kind: KIND, urlLabel: 'Tenant base URL', options });
}

async function passwordSignIn(page: Page, password = ALICE.password): Promise<void> {
  await page.getByRole('radio', { name: 'User name and password' }).check();
  await page.getByLabel('User name', { exact: true }).fill(ALICE.username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

async function copySession(page: Page, app: { clipboard: { text: string } }, format: string): Promise<string> {
  await sessionPanel(page).getByLabel('Copy from this session').selectOption(format);
  const before = app.clipboard.text;
  await sessionPanel(page).getByRole('button', { name: 'Copy', exact: true }).click();
  await expect.poll(() => app.clipboard.text).not.toBe(before);
  return app.clipboard.text;
}

test.describe('Tapis v3', () => {
  test('adds a tenant by its base URL (the tenant id is found), signs in with a password through a new client, copies for tapipy', async ({ app, tapis3 }) => {
    const { page } = app;
    await addTapis3(page, tapis3);
    await passwordSignIn(page);
    await expect(sessionPanel(page).getByText(`Signed in as ${ALICE.username}`)).toBeVisible();
    const [client] = tapis3.clientIds('alice');
    expect(client).toMatch(/^keyport-/);
    await expect(sessionPanel(page)).toContainText(`through OAuth client “${client}”`);
    await expect(sessionPanel(page)).toContainText(/Access token expires in (3 h 59 min|4 h 0 min)/);

    const table = page.getByRole('table', { name: `OAuth clients on ${SERVER}` });
    await expect(table.getByRole('row', { name: new RegExp(client ?? 'missing') })).toContainText('Keyport’s session');

    const token = await copySession(page, app, 'access-token');
    expect(tapis3.isAccessTokenValid(token)).toBe(true);
    expect(await copySession(page, app, 'access-token-header')).toBe(`X-Tapis-Token: ${token}`);
    expect(await copySession(page, app, 'access-token-shell')).toBe(`export TAPIS_BASE_URL=${tapis3.url} TAPIS_TENANT_ID=keyport TAPIS_TOKEN=${token}`);
    expect(await copySession(page, app, 'python')).toContain(`Tapis(base_url="${tapis3.url}", tenant_id="keyport", access_token=os.environ["TAPIS_TOKEN"])`);
    expect(await page.content()).not.toContain(ALICE.password);
  });

  test('an unknown tenant is refused when the server is added; a wrong password is a clear error and creates nothing', async ({ app, tapis3 }) => {
    const { page } = app;
    await page.getByRole('button', { name: 'Add server' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Add server' });
    await dialog.getByLabel('Name').fill(SERVER);
    await dialog.getByLabel('Kind').selectOption({ label: KIND });
    await dialog.getByLabel('Tenant base URL').fill(tapis3.url);
    await dialog.getByLabel('Tenant id').fill('nope');
    await dialog.getByRole('button', { name: 'Add server' }).click();
    await expect(dialog).toContainText(`${SERVER} has no tenant “nope”.`);
    await dialog.getByLabel('Tenant id').fill('keyport');
    await dialog.getByRole('button', { name: 'Add server' }).click();
    await expect(dialog).toBeHidden();

    await passwordSignIn(page, 'wrong-password');
    await expect(page.getByRole('alert')).toContainText('Authentication failed.');
    expect(tapis3.clientIds('alice')).toEqual([]);
  });

  test('device sign-in: the code is approved in a browser; denial is clear; without a client the settings are named', async ({ app, tapis3, browser }) => {
    const { page } = app;
    const client = tapis3.createClient('alice', 'my-laptop');
    // Without a client in the settings, a code cannot be asked for.
    await addTapis3(page, tapis3);
    await page.getByRole('radio', { name: 'Code on another device' }).check();
    await page.getByRole('button', { name: 'Get a code' }).click();
    await expect(page.getByRole('alert')).toContainText('Signing in with a code needs an OAuth client.');
    // The client goes into the server's settings (the key is kept encrypted, never shown again).
    const [added] = (await app.call('servers.list')) as Array<{ id: string; name: string; kind: string; url: string }>;
    if (!added) throw new Error('no server');
    await app.call('servers.update', { id: added.id, changes: { name: added.name, kind: added.kind, url: added.url, options: { clientId: client.clientId, clientKey: client.clientKey } } });
    await page.reload();
    await page.getByRole('button', { name: SERVER }).first().click();
    const approve = async (action: 'Approve' | 'Deny') => {
      await page.getByRole('radio', { name: 'Code on another device' }).check();
      await page.getByRole('button', { name: 'Get a code' }).click();
      const code = await page.getByLabel('Code', { exact: true }).inputValue();
      const address = await page.getByLabel('Address').inputValue();
      expect(address).toBe(`${tapis3.url}/v3/oauth2/device`);
      const context = await loopbackContext(browser);
      const other = await context.newPage();
      await other.goto(address);
      await other.getByLabel('User code').fill(code);
      await other.getByLabel('User name').fill(ALICE.username);
      await other.getByLabel('Password').fill(ALICE.password);
      await other.getByRole('button', { name: action }).click();
      await other.getByRole('status').waitFor();
      await context.close();
    };
    await approve('Deny');
    await expect(page.getByRole('alert')).toContainText('The sign-in was denied on the other device.');
    await approve('Approve');
    await expect(sessionPanel(page).getByText(`Signed in as ${ALICE.username}`)).toBeVisible();
    await expect(sessionPanel(page)).toContainText('through OAuth client “my-laptop”');
  });

  test('OAuth clients: create (key shown once, copied as tapipy variables), delete after confirmation; sign out revokes the tokens', async ({ app, tapis3 }) => {
    const { page } = app;
    await addTapis3(page, tapis3);
    await passwordSignIn(page);
    await expect(sessionPanel(page).getByText(`Signed in as ${ALICE.username}`)).toBeVisible();
    const token = await copySession(page, app, 'access-token');
    const refreshExports = await copySession(page, app, 'refresh-shell');
    const refreshToken = /TAPIS_REFRESH_TOKEN=(\S+)/.exec(refreshExports)?.[1] ?? '';
    tapis3.createClient('alice', 'old-laptop');
    await page.getByRole('button', { name: 'Reload' }).click();
    const table = page.getByRole('table', { name: `OAuth clients on ${SERVER}` });
    await expect(table.getByRole('rowheader', { name: 'old-laptop' })).toBeVisible();

    await page.getByRole('button', { name: 'Create OAuth client' }).click();
    const dialog = page.getByRole('dialog', { name: /Create oauth client/i });
    await dialog.getByLabel('OAuth client name').fill('build-box');
    await dialog.getByLabel('Description').fill('CI runner');
    await dialog.getByRole('button', { name: 'Create OAuth client' }).click();
    const shown = page.getByRole('alertdialog', { name: 'OAuth client “build-box” created' });
    await expect(shown).toContainText('this is the only time Keyport shows this secret');
    const key = await shown.getByLabel('Secret').inputValue();
    expect(tapis3.hasClient('build-box')).toBe(true);
    await shown.getByLabel('Copy format for build-box').selectOption('shell');
    await shown.getByRole('button', { name: 'Copy build-box' }).click();
    await expect.poll(() => app.clipboard.text).toBe(`export TAPIS_BASE_URL=${tapis3.url} TAPIS_CLIENT_ID=build-box TAPIS_CLIENT_KEY=${key}`);
    await shown.getByRole('button', { name: 'Done' }).click();
    await expect(table.getByRole('row', { name: /build-box/ })).toContainText('CI runner');

    await table.getByRole('button', { name: 'Delete old-laptop' }).click();
    await page.getByRole('alertdialog', { name: 'Delete “old-laptop”?' }).getByRole('button', { name: 'Delete OAuth client' }).click();
    await expect(table.getByRole('rowheader', { name: 'old-laptop' })).toBeHidden();
    expect(tapis3.hasClient('old-laptop')).toBe(false);

    await sessionPanel(page).getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    expect(tapis3.isAccessTokenValid(token)).toBe(false);
    expect(tapis3.isRefreshTokenValid(refreshToken)).toBe(false);
  });

  test('signs in with a password through a client id and key the person pastes; a wrong key is named', async ({ app, tapis3 }) => {
    const { page } = app;
    const client = tapis3.createClient('alice', 'pasted-client');
    await addTapis3(page, tapis3);
    await page.getByRole('radio', { name: 'User name and password' }).check();
    await page.getByLabel('Sign in through').selectOption('existing');
    await page.getByLabel('Client id').fill(client.clientId);
    await page.getByLabel('Client key').fill('not-the-key');
    await passwordSignIn(page);
    await expect(page.getByRole('alert')).toContainText('did not accept the OAuth client’s id and key');
    await page.getByLabel('Client key').fill(client.clientKey);
    await passwordSignIn(page);
    await expect(sessionPanel(page)).toContainText('through OAuth client “pasted-client”');
    expect(tapis3.clientIds('alice')).toEqual(['pasted-client']);
  });

  test('a refresh token revoked elsewhere ends in “sign in again”, the server and its clients kept', async ({ app, tapis3 }) => {
    const { page } = app;
    await addTapis3(page, tapis3);
    await passwordSignIn(page);
    await expect(sessionPanel(page).getByText(`Signed in as ${ALICE.username}`)).toBeVisible();
    tapis3.revokeRefreshTokens('alice');
    tapis3.expireAccessTokens('alice');
    await page.getByRole('button', { name: 'Reload' }).click();
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    await expect(page.getByText(/sign in again/i).first()).toBeVisible();
    expect(tapis3.clientIds('alice')).toHaveLength(1);
    await expect(page.getByRole('heading', { level: 2, name: SERVER })).toBeVisible();
  });

  test('the sign-in and signed-in screens have no axe violations, light and dark', async ({ app, tapis3 }) => {
    const { page } = app;
    await addTapis3(page, tapis3);
    const check = async (label: string) => {
      for (const theme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: theme });
        const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
        expect(results.violations.map((v) => v.id), `${label} ${theme}`).toEqual([]);
        await page.screenshot({ path: test.info().outputPath(`tapis3-${label}-${theme}.png`), fullPage: true });
      }
    };
    await check('sign-in');
    await passwordSignIn(page);
    await expect(sessionPanel(page).getByText(`Signed in as ${ALICE.username}`)).toBeVisible();
    await check('signed-in');
  });
});
