// The `tapis` kind end to end: the real renderer in Chromium, the real core in Node, and the
// reference Tapis server (test/servers/tapis) whose state every test checks.
import { chmod, chown, mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { pythonJsonDumps } from '../src/main/core/providers/tapis/agaveCurrent';
import { addServer, ALICE, expect, expectNoAxeViolations, sessionPanel, test as base } from './fixtures';
import { startTapisServer, type TapisServer } from '../test/servers/tapis/tapisServer';

const test = base.extend<{ tapis: TapisServer }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright fixtures take their dependencies as a destructured first argument.
  tapis: async ({}, use) => {
    const server = await startTapisServer();
    await use(server);
    await server.close();
  },
});

const SERVER = 'TACC';

async function addTapis(page: Page, tapis: TapisServer, name = SERVER): Promise<void> {
  await addServer(page, { name, url: tapis.url, kind: 'Tapis (TACC Agave v2)', urlLabel: 'API server', options: { 'Tenant id': tapis.tenantId } });
}

async function signIn(page: Page, options: { remember?: boolean; clientName?: string; password?: string } = {}): Promise<void> {
  await page.getByLabel('User name', { exact: true }).fill(ALICE.username);
  await page.getByLabel('Password', { exact: true }).fill(options.password ?? ALICE.password);
  if (options.clientName) await page.getByLabel('Client name (optional)').fill(options.clientName);
  if (options.remember) await page.getByLabel(/Remember my password/).check();
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

async function signedIn(page: Page, tapis: TapisServer, options: { remember?: boolean } = {}): Promise<string> {
  await addTapis(page, tapis);
  await signIn(page, options);
  await expect(sessionPanel(page).getByText(`Signed in as ${ALICE.username}`)).toBeVisible();
  const [client] = tapis.clientNames('alice');
  if (!client) throw new Error('Keyport created no client');
  return client;
}

const serverId = async (app: { call(p: string, i?: unknown): Promise<unknown> }): Promise<string> => {
  const servers = (await app.call('servers.list')) as Array<{ id: string }>;
  if (!servers[0]) throw new Error('no server');
  return servers[0].id;
};

test.describe('Tapis', () => {
  test('the remember-password checkbox keeps its size when its label wraps; the session copy menu has a visible label and shows its choice whole', async ({ app, tapis }) => {
    const { page } = app;
    await page.setViewportSize({ width: 1280, height: 800 });
    await addTapis(page, tapis);
    const remember = page.getByLabel(/Remember my password/);
    const size = () => remember.evaluate((el) => { const r = el.getBoundingClientRect(); return [Math.round(r.width), Math.round(r.height)]; });
    const wide = await size();
    await page.setViewportSize({ width: 640, height: 800 });
    const label = page.locator('label.check').filter({ has: remember });
    // The label wraps onto several lines; the box stays the same square.
    expect(await label.evaluate((el) => el.getBoundingClientRect().height)).toBeGreaterThan(30);
    expect(await size()).toEqual(wide);
    await page.setViewportSize({ width: 1280, height: 800 });

    await signIn(page);
    await expect(sessionPanel(page)).toContainText('Signed in as alice');
    await expect(sessionPanel(page).getByText('Copy from this session', { exact: true })).toBeVisible();
    const menu = sessionPanel(page).getByLabel('Copy from this session');
    expect(await menu.evaluate((el) => el.scrollWidth <= el.clientWidth && el.getBoundingClientRect().width > 100)).toBe(true);
  });

  test('adds a server with its tenant, signs in through a new OAuth client, lists clients with the password', async ({ app, tapis }) => {
    const { page } = app;
    const client = await signedIn(page, tapis);
    // The default client name: keyport-<this computer>-<random>.
    expect(client).toMatch(/^keyport-[A-Za-z0-9-]+-[0-9a-f]{6}$/);
    await expect(page.getByText(`Tenant id: ${tapis.tenantId}`)).toBeVisible();
    await expect(sessionPanel(page)).toContainText(`through OAuth client “${client}”`);
    await expect(sessionPanel(page)).toContainText(/Access token expires in 3 h 59 min|Access token expires in 4 h 0 min/);
    // The password was used once: the clients API needs it again, and Keyport asks.
    await expect(page.getByText(`${SERVER} needs your password for this.`)).toBeVisible();
    await page.getByLabel('Account password').fill(ALICE.password);
    await page.getByRole('button', { name: 'Show OAuth clients' }).click();
    const table = page.getByRole('table', { name: `OAuth clients on ${SERVER}` });
    const row = table.getByRole('row', { name: new RegExp(client) });
    await expect(row).toContainText('Keyport’s session');
    await expect(row).toContainText('Unlimited');
    await expect(row).toContainText(tapis.getClient('alice', client)?.consumerKey ?? 'missing');
    for (const column of ['Description', 'Tier', 'Key']) await expect(table.getByRole('columnheader', { name: column, exact: true })).toBeVisible();
    // Nothing in the page or the vault file holds the password.
    expect(await page.content()).not.toContain(ALICE.password);
    expect(await readFile(app.vaultPath, 'utf8')).not.toContain(ALICE.password);
  });

  test('OAuth clients Keyport made for earlier sign-ins and no longer uses are offered for deletion together; its own session\'s client and others stay', async ({ app, tapis }) => {
    const { page } = app;
    tapis.createClient('alice', 'keyport-old-laptop-aaaaaa');
    tapis.createClient('alice', 'keyport-old-laptop-bbbbbb');
    tapis.createClient('alice', 'my-script');
    await signedIn(page, tapis);
    const client = tapis.clientNames('alice').find((n) => !['keyport-old-laptop-aaaaaa', 'keyport-old-laptop-bbbbbb', 'my-script'].includes(n)) ?? '';
    expect(client).toMatch(/^keyport-/);
    await page.getByLabel('Account password').fill(ALICE.password);
    await page.getByRole('button', { name: 'Show OAuth clients' }).click();
    await page.getByRole('button', { name: 'Delete 2 unused OAuth clients…' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Delete 2 unused OAuth clients?' });
    await expect(confirm).toContainText('“keyport-old-laptop-aaaaaa”, “keyport-old-laptop-bbbbbb”');
    for (const theme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: theme });
      await expectNoAxeViolations(page, `unused-own-clients-${theme}`);
    }
    await confirm.getByLabel('Account password').fill(ALICE.password);
    await confirm.getByRole('button', { name: 'Delete 2' }).click();
    await expect(confirm).toBeHidden();
    await expect.poll(() => tapis.clientNames('alice').sort()).toEqual([client, 'my-script'].sort());
    await expect(page.getByRole('button', { name: /unused OAuth client/ })).toBeHidden();
    await expect(sessionPanel(page).getByText(`Signed in as ${ALICE.username}`)).toBeVisible();
  });

  test('creates a client shown once with key and secret, copies it as key:secret, deletes another after confirmation', async ({ app, tapis }) => {
    const { page } = app;
    await signedIn(page, tapis, { remember: true });
    tapis.createClient('alice', 'old-laptop', 'to delete');
    await page.getByRole('button', { name: 'Reload' }).click();
    const table = page.getByRole('table', { name: `OAuth clients on ${SERVER}` });
    await expect(table.getByRole('rowheader', { name: 'old-laptop' })).toBeVisible();

    await page.getByRole('button', { name: 'Create OAuth client' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create oauth client on TACC' });
    await dialog.getByLabel('OAuth client name').fill('build-box');
    await dialog.getByLabel('Description').fill('CI runner');
    await dialog.getByRole('button', { name: 'Create OAuth client' }).click();
    const shown = page.getByRole('alertdialog', { name: 'OAuth client “build-box” created' });
    await expect(shown).toContainText('this is the only time Keyport shows this secret');
    const key = await shown.getByLabel('Key').inputValue();
    const secret = await shown.getByLabel('Secret').inputValue();
    expect(tapis.getClient('alice', 'build-box')).toMatchObject({ consumerKey: key, description: 'CI runner' });
    // The new client really works: a password grant with its key and secret succeeds.
    const grant = await fetch(`${tapis.url}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', username: 'alice', password: ALICE.password, scope: 'PRODUCTION' }),
    });
    expect(grant.status).toBe(200);
    await shown.getByRole('button', { name: 'Done' }).click();

    const row = table.getByRole('row', { name: /build-box/ });
    await expect(row).toContainText('CI runner');
    await row.getByRole('button', { name: 'Copy build-box' }).click();
    await expect.poll(() => app.clipboard.text).toBe(`${key}:${secret}`);
    await row.getByLabel('Copy format for build-box').selectOption('shell');
    await row.getByRole('button', { name: 'Copy build-box' }).click();
    await expect.poll(() => app.clipboard.text).toBe(`export AGAVE_API_SERVER=${tapis.url} AGAVE_TENANT_ID=${tapis.tenantId} AGAVE_API_KEY=${key} AGAVE_API_SECRET=${secret}`);

    await table.getByRole('button', { name: 'Delete old-laptop' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Delete “old-laptop”?' });
    await expect(confirm).not.toContainText('signed out');
    await confirm.getByRole('button', { name: 'Delete OAuth client' }).click();
    await expect(table.getByRole('rowheader', { name: 'old-laptop' })).toBeHidden();
    expect(tapis.hasClient('alice', 'old-laptop')).toBe(false);
  });

  test('deleting the client of Keyport’s own session says so and signs out cleanly', async ({ app, tapis }) => {
    const { page } = app;
    const client = await signedIn(page, tapis);
    await page.getByLabel('Account password').fill(ALICE.password);
    await page.getByRole('button', { name: 'Show OAuth clients' }).click();
    await page.getByRole('button', { name: `Delete ${client}` }).click();
    const confirm = page.getByRole('alertdialog', { name: `Delete “${client}”?` });
    await expect(confirm).toContainText('Keyport’s own session uses this OAuth client: you will be signed out of TACC.');
    await confirm.getByLabel('Account password').fill(ALICE.password);
    await confirm.getByRole('button', { name: 'Delete OAuth client' }).click();
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    expect(tapis.hasClient('alice', client)).toBe(false);
    const [server] = (await app.call('servers.list')) as Array<{ session: { state: string } }>;
    expect(server?.session.state).toBe('signed-out');
  });

  test('a token that expires during the test is refreshed without the person noticing; Refresh now renews at once', async ({ app, browser }) => {
    const tapis = await startTapisServer({ accessTokenLifetimeSeconds: 20 });
    try {
      const { page } = app;
      await signedIn(page, tapis);
      const before = tapis.tokenRequests.refresh;
      // 20 s tokens are renewed in the background a tenth of their life (2 s) before they expire.
      await expect.poll(() => tapis.tokenRequests.refresh, { timeout: 30_000 }).toBe(before + 1);
      await sessionPanel(page).getByLabel('Copy from this session').selectOption('access-token');
      await sessionPanel(page).getByRole('button', { name: 'Copy', exact: true }).click();
      await expect.poll(() => app.clipboard.text).not.toBe('');
      expect(tapis.tokenRequests.refresh).toBe(before + 1);
      expect(tapis.isAccessTokenValid(app.clipboard.text)).toBe(true);
      await expect(page.getByRole('alert')).toHaveCount(0);

      // A token the server ended early is renewed too (Keyport checks it before handing it out).
      tapis.expireAccessTokens('alice');
      await sessionPanel(page).getByRole('button', { name: 'Copy', exact: true }).click();
      await expect.poll(() => tapis.tokenRequests.refresh).toBe(before + 2);
      await expect.poll(() => tapis.isAccessTokenValid(app.clipboard.text)).toBe(true);

      await sessionPanel(page).getByRole('button', { name: 'Refresh now' }).click();
      await expect.poll(() => tapis.tokenRequests.refresh).toBe(before + 3);
      await expect(sessionPanel(page)).toContainText(/Access token expires in (1\d|20) s/);
    } finally {
      await tapis.close();
    }
    void browser;
  });

  test('a revoked refresh token ends in "sign in again", with one attempt and no loop', async ({ app, tapis }) => {
    const { page } = app;
    await signedIn(page, tapis);
    tapis.revokeRefreshTokens('alice');
    tapis.expireAccessTokens('alice');
    const before = tapis.tokenRequests.total;
    await sessionPanel(page).getByRole('button', { name: 'Copy', exact: true }).click();
    await expect(page.getByText(`Your session on ${SERVER} has ended. Sign in again.`)).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    expect(tapis.tokenRequests.total).toBe(before + 1);
    await page.waitForTimeout(300);
    expect(tapis.tokenRequests.total).toBe(before + 1);
  });

  test('two refreshes racing use one refresh grant, not two', async ({ app, tapis }) => {
    await signedIn(app.page, tapis);
    const id = await serverId(app);
    tapis.expireAccessTokens('alice');
    const before = tapis.tokenRequests.refresh;
    const copies = await Promise.all([
      app.call('clipboard.copySession', { serverId: id, format: 'access-token' }),
      app.call('clipboard.copySession', { serverId: id, format: 'refresh-token' }),
      app.call('auth.refresh', { serverId: id }).catch(() => 'second refresh joined or followed'),
    ]);
    expect(copies).toHaveLength(3);
    // The two copies shared one renewal; "Refresh now" forced at most one more.
    expect(tapis.tokenRequests.refresh - before).toBeLessThanOrEqual(2);
    expect(tapis.tokenRequests.refresh - before).toBeGreaterThanOrEqual(1);
    const again = tapis.tokenRequests.refresh;
    tapis.expireAccessTokens('alice');
    await Promise.all([1, 2, 3, 4].map(() => app.call('clipboard.copySession', { serverId: id, format: 'access-token' })));
    expect(tapis.tokenRequests.refresh).toBe(again + 1);
    expect(tapis.isAccessTokenValid(app.clipboard.text)).toBe(true);
  });

  test('copies the access token, header, export, refresh token, client and a whole current file', async ({ app, tapis }) => {
    const { page } = app;
    const client = await signedIn(page, tapis);
    const copy = async (format: string) => {
      await sessionPanel(page).getByLabel('Copy from this session').selectOption(format);
      await sessionPanel(page).getByRole('button', { name: 'Copy', exact: true }).click();
      await expect.poll(() => app.clipboard.text.length).toBeGreaterThan(0);
      const text = app.clipboard.text;
      app.clipboard.text = '';
      return text;
    };
    const access = await copy('access-token');
    expect(tapis.isAccessTokenValid(access)).toBe(true);
    expect(await copy('access-token-header')).toBe(`Authorization: Bearer ${access}`);
    expect(await copy('access-token-shell')).toBe(`export AGAVE_API_SERVER=${tapis.url} AGAVE_ACCESS_TOKEN=${access}`);
    const refresh = await copy('refresh-token');
    expect(tapis.isRefreshTokenValid(refresh)).toBe(true);
    const key = tapis.getClient('alice', client)?.consumerKey;
    expect((await copy('client')).startsWith(`${key}:`)).toBe(true);
    const current = JSON.parse(await copy('agave-current')) as Record<string, unknown>;
    expect(Object.keys(current)).toEqual(['access_token', 'apikey', 'apisecret', 'baseurl', 'created_at', 'devurl', 'expires_at', 'expires_in', 'refresh_token', 'tenantid', 'username']);
    expect(current).toMatchObject({ access_token: access, apikey: key, baseurl: tapis.url, devurl: '', expires_in: 14400, refresh_token: refresh, tenantid: tapis.tenantId, username: 'alice' });
  });

  test('exports ~/.agave/current (0600), asks before replacing, and backs up the old file', async ({ app, tapis }) => {
    const { page } = app;
    await signedIn(page, tapis);
    const agaveDir = join(app.dataDir, 'home', '.agave');
    const file = join(agaveDir, 'current');

    await sessionPanel(page).getByRole('button', { name: 'Export to ~/.agave/current…' }).click();
    const dialog = page.getByRole('dialog', { name: `Export the session of ${SERVER}` });
    await expect(dialog).toContainText('share the refresh token');
    await expect(dialog.getByLabel('File')).toHaveValue(file);
    await dialog.getByRole('button', { name: 'Export' }).click();
    const done = page.getByRole('dialog', { name: 'Session exported' });
    await expect(done).toContainText(`Wrote ${file}`);
    await expect(done).toContainText('only https servers on the default port');
    await done.getByRole('button', { name: 'Done' }).click();
    const first = await readFile(file, 'utf8');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(first.endsWith('}')).toBe(true);
    expect(JSON.parse(first)).toMatchObject({ baseurl: tapis.url, tenantid: tapis.tenantId, username: 'alice' });

    // Again: the file exists, so Keyport asks; Cancel leaves it alone.
    await writeFile(file, '{"hand": "edited"}');
    await sessionPanel(page).getByRole('button', { name: 'Export to ~/.agave/current…' }).click();
    await page.getByRole('dialog', { name: `Export the session of ${SERVER}` }).getByRole('button', { name: 'Export' }).click();
    const ask = page.getByRole('alertdialog', { name: `Replace ${file}?` });
    await ask.getByRole('button', { name: 'Cancel' }).click();
    expect(await readFile(file, 'utf8')).toBe('{"hand": "edited"}');

    await sessionPanel(page).getByRole('button', { name: 'Export to ~/.agave/current…' }).click();
    await page.getByRole('dialog', { name: `Export the session of ${SERVER}` }).getByRole('button', { name: 'Export' }).click();
    await page.getByRole('alertdialog', { name: `Replace ${file}?` }).getByRole('button', { name: 'Back up and replace' }).click();
    await expect(page.getByRole('dialog', { name: 'Session exported' })).toContainText('The previous file is kept as');
    const backups = (await readdir(agaveDir)).filter((f) => f.startsWith('current.keyport-backup-'));
    expect(backups).toHaveLength(1);
    expect(await readFile(join(agaveDir, backups[0] ?? ''), 'utf8')).toBe('{"hand": "edited"}');
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ username: 'alice' });
  });

  test('imports a current file written by agavepy: the server, client and tokens appear, and the session renews', async ({ app, tapis }) => {
    const { page } = app;
    const { consumerKey, consumerSecret } = tapis.createClient('alice', 'agavepy-laptop');
    const tokens = tapis.issueTokens('alice', 'agavepy-laptop');
    const now = Math.floor(Date.now() / 1000);
    // The layout agavepy's Agave._write_client leaves (to_dict: created_at a number, client_name).
    const current = {
      refresh_token: tokens.refreshToken,
      expires_in: tokens.expiresIn,
      expires_at: 'Mon Nov  3 15:34:55 2026',
      created_at: now,
      username: 'alice',
      token_username: null,
      client_name: 'agavepy-laptop',
      use_nonce: false,
      verify: true,
      proxies: {},
      tenantid: tapis.tenantId,
      apisecret: consumerSecret,
      apikey: consumerKey,
      baseurl: tapis.url,
      access_token: tokens.accessToken,
    };
    const dir = join(app.dataDir, 'home', '.agave');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'current'), pythonJsonDumps(current, false));

    await page.getByRole('button', { name: 'Import session…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import a session' });
    await expect(dialog.getByLabel('Session file')).toHaveValue(join(dir, 'current'));
    await dialog.getByRole('button', { name: 'Import' }).click();
    await expect(page.getByRole('heading', { level: 2, name: `Tapis ${tapis.tenantId}` })).toBeVisible();
    await expect(sessionPanel(page)).toContainText('Signed in as alice (imported session) through OAuth client “agavepy-laptop”');

    await sessionPanel(page).getByLabel('Copy from this session').selectOption('access-token');
    await sessionPanel(page).getByRole('button', { name: 'Copy', exact: true }).click();
    await expect.poll(() => app.clipboard.text).toBe(tokens.accessToken);
    await sessionPanel(page).getByRole('button', { name: 'Refresh now' }).click();
    await expect.poll(() => tapis.isRefreshTokenValid(tokens.refreshToken)).toBe(false);
    expect(tapis.tokenRequests.refresh).toBe(1);
  });

  test('a current file its group may change (0664, a shared group): "Make it private (600) and try again" imports it', async ({ app, tapis }) => {
    const { page } = app;
    const { consumerKey, consumerSecret } = tapis.createClient('alice', 'shared-group');
    const tokens = tapis.issueTokens('alice', 'shared-group');
    const current = { access_token: tokens.accessToken, apikey: consumerKey, apisecret: consumerSecret, baseurl: tapis.url, created_at: String(Math.floor(Date.now() / 1000)), devurl: '', expires_at: '', expires_in: tokens.expiresIn, refresh_token: tokens.refreshToken, tenantid: tapis.tenantId, username: 'alice' };
    const dir = join(app.dataDir, 'home', '.agave');
    await mkdir(dir, { recursive: true });
    const file = join(dir, 'current');
    await writeFile(file, pythonJsonDumps(current, true));
    // Group "users" (gid 100): not the person's private group.
    await chown(file, process.getuid?.() ?? 0, 100);
    await chmod(file, 0o664);

    await page.getByRole('button', { name: 'Import session…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import a session' });
    await dialog.getByRole('button', { name: 'Import' }).click();
    await expect(dialog.getByRole('alert')).toContainText('can be changed by other members of its group');
    for (const theme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: theme });
      await expectNoAxeViolations(page, `make-private-${theme}`);
    }
    await dialog.getByRole('button', { name: 'Make it private (600) and try again' }).click();
    await expect(page.getByRole('heading', { level: 2, name: `Tapis ${tapis.tenantId}` })).toBeVisible();
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    await expect(sessionPanel(page)).toContainText('Signed in as alice');
  });

  test('bad inputs: wrong password, wrong client secret, unknown client, malformed current file', async ({ app, tapis }) => {
    const { page } = app;
    await addTapis(page, tapis);
    await signIn(page, { password: 'not-her-password' });
    await expect(page.getByRole('alert')).toContainText('Authentication failed.');
    await expect(page.getByLabel('Password', { exact: true })).toHaveValue('');
    expect(tapis.clientNames('alice')).toEqual([]);

    // An existing client with a wrong secret.
    const { consumerKey } = tapis.createClient('alice', 'mine');
    await page.getByLabel('Sign in through').selectOption('existing');
    await page.getByLabel('Client key').fill(consumerKey);
    await page.getByLabel('Client secret').fill('wrong-secret');
    await signIn(page);
    await expect(page.getByRole('alert')).toContainText('did not accept the OAuth client’s key and secret');
    // A key the server has never seen.
    await page.getByLabel('Client key').fill('no-such-client-key');
    await page.getByLabel('Client secret').fill('whatever');
    await signIn(page);
    await expect(page.getByRole('alert')).toContainText('did not accept the OAuth client’s key and secret');
    // A taken client name for a new client.
    await page.getByLabel('Sign in through').selectOption('new');
    await signIn(page, { clientName: 'mine' });
    await expect(page.getByRole('alert')).toContainText('An OAuth client named “mine” already exists');

    // A malformed session file: clear error, nothing added, the file untouched.
    const dir = join(app.dataDir, 'home', '.agave');
    await mkdir(dir, { recursive: true });
    const bad = '{"baseurl": "https://api.example.org", "apikey": "k"}';
    await writeFile(join(dir, 'current'), bad);
    await page.getByRole('button', { name: 'Import session…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import a session' });
    await dialog.getByRole('button', { name: 'Import' }).click();
    await expect(dialog.getByRole('alert')).toContainText('This is not a Tapis session file that Keyport can use: apisecret, refresh_token are missing or not valid.');
    expect(await readFile(join(dir, 'current'), 'utf8')).toBe(bad);
    expect(((await app.call('servers.list')) as unknown[]).length).toBe(1);
    await dialog.getByLabel('Session file').fill(join(dir, 'nothing-here'));
    await dialog.getByRole('button', { name: 'Import' }).click();
    await expect(dialog.getByRole('alert')).toContainText(`There is no session file at ${join(dir, 'nothing-here')}.`);
  });
});
