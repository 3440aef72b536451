// The `jupyterhub` kind end to end: the real renderer in Chromium, the real core in Node, and a
// real JupyterHub 6.1.1 (test/servers/jupyterhub, its own Python venv, installed by the fixture
// when missing), shared by the tests of this file. Every test checks what it did through the
// hub's own API.
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { addServer, expect, sessionPanel, test as base } from './fixtures';
import { ensureHubEnv, startJupyterHub, type HubServer } from '../test/servers/jupyterhub/jupyterhubServer';

const test = base.extend<object, { hub: HubServer }>({
  hub: [
    // eslint-disable-next-line no-empty-pattern -- Playwright fixtures take their dependencies as a destructured first argument.
    async ({}, use) => {
      // The venv is built once per machine (a few minutes); later runs reuse it.
      await ensureHubEnv();
      const server = await startJupyterHub({ admins: ['alice'] });
      await use(server);
      await server.close();
    },
    { scope: 'worker', timeout: 600_000 },
  ],
});

const SERVER = 'Team hub';
const password = (hub: HubServer, user: string) => hub.users.find((u) => u.username === user)!.password;

/** Who the hub says a token belongs to, or the HTTP status when it refuses it. */
async function whoIs(hub: HubServer, token: string): Promise<string | number> {
  const res = await fetch(`${hub.apiUrl}/user`, { headers: { Authorization: `token ${token}` } });
  if (!res.ok) return res.status;
  return ((await res.json()) as { name: string }).name;
}

/** The scopes the hub gave a token (what it asked for, expanded by the hub). */
async function scopesOf(hub: HubServer, token: string): Promise<string[]> {
  const res = await fetch(`${hub.apiUrl}/user`, { headers: { Authorization: `token ${token}` } });
  return ((await res.json()) as { scopes: string[] }).scopes;
}

/** A token made with the hub's own API, as the hub's /hub/token page or a script makes one. */
async function tokenMadeByHub(hub: HubServer, user: string, note: string): Promise<string> {
  const res = await fetch(`${hub.apiUrl}/users/${user}/tokens`, { method: 'POST', body: JSON.stringify({ auth: { username: user, password: password(hub, user) }, note }) });
  return ((await res.json()) as { token: string }).token;
}

async function addHub(page: Page, hub: HubServer): Promise<void> {
  // The API address a person might paste is taken back to the hub's base.
  await addServer(page, { name: SERVER, url: `${hub.url}/hub/api`, kind: 'JupyterHub', urlLabel: 'Hub URL' });
  await expect(page.getByText(hub.url, { exact: true }).first()).toBeVisible();
}

async function signIn(page: Page, username: string, pass: string): Promise<void> {
  await page.getByLabel('User name', { exact: true }).fill(username);
  await page.getByLabel('Password', { exact: true }).fill(pass);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

async function expectNoAxeViolations(page: Page, name: string): Promise<void> {
  for (const theme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: theme });
    const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), theme).toEqual([]);
    await page.screenshot({ path: `test-results/screenshots/${name}-${theme}.png`, fullPage: true });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

test.describe('JupyterHub (a real hub 6.1.1)', () => {
  test('signs in with a password, lists, creates with expiry and scopes, copies, revokes', async ({ app, hub }) => {
    const { page } = app;
    await addHub(page, hub);

    // A wrong password is said on the password field, with where hubs behind OAuth give tokens.
    await signIn(page, 'bob', 'not-the-password');
    await expect(page.getByRole('alert')).toContainText(`${SERVER} did not accept this user name and password.`);
    await expect(page.getByRole('alert')).toContainText('/hub/token');
    await expect(page.getByLabel('Password', { exact: true })).toHaveAttribute('aria-invalid', 'true');

    await signIn(page, 'bob', password(hub, 'bob'));
    await expect(sessionPanel(page).getByText('Signed in as bob')).toBeVisible();
    await expect(sessionPanel(page)).toContainText('tokens!user=bob');
    const table = page.getByRole('table', { name: `API tokens on ${SERVER}` });
    await expect(table.getByRole('rowheader', { name: 'Keyport session' })).toBeVisible();
    for (const column of ['Id', 'Issued by', 'Created', 'Expires']) await expect(table.getByRole('columnheader', { name: column, exact: true })).toBeVisible();

    // The scopes offered are bob's own, those of his session; an admin's are not among them.
    await page.getByRole('button', { name: 'Create token' }).click();
    const dialog = page.getByRole('dialog', { name: `Create api token on ${SERVER}` });
    await dialog.getByLabel('Token name').fill('laptop');
    const scopes = dialog.getByRole('group', { name: 'Scopes (optional)' });
    await expect(scopes.getByRole('checkbox', { name: 'tokens!user=bob', exact: true })).toBeVisible();
    await expect(scopes.getByRole('checkbox', { name: 'admin:users' })).toHaveCount(0);
    await scopes.getByRole('checkbox', { name: 'read:users!user=bob', exact: true }).check();
    // A bad expiry is refused before the hub sees it.
    await dialog.getByLabel('Expires in (optional)').fill('0');
    await dialog.getByRole('button', { name: 'Create token' }).click();
    await expect(dialog.getByRole('alert')).toContainText('is not a time the token can last');
    await expect(dialog.getByLabel('Expires in (optional)')).toHaveAttribute('aria-invalid', 'true');
    await dialog.getByLabel('Expires in (optional)').fill('7d');
    await expectNoAxeViolations(page, 'jupyterhub-create');
    await dialog.getByRole('button', { name: 'Create token' }).click();

    const shown = page.getByRole('alertdialog', { name: 'API token “laptop” created' });
    await expect(shown).toContainText('this is the only time Keyport shows this token');
    const secret = await shown.getByLabel('New token').inputValue();
    expect(await whoIs(hub, secret)).toBe('bob');
    expect(await scopesOf(hub, secret)).toEqual(['read:users!user=bob', 'read:users:activity!user=bob', 'read:users:groups!user=bob', 'read:users:name!user=bob']);
    // The default copy: both variables HubAuth reads.
    await shown.getByRole('button', { name: 'Copy laptop' }).click();
    await expect.poll(() => app.clipboard.text).toBe(`export JUPYTERHUB_API_TOKEN=${secret} JUPYTERHUB_API_URL=${hub.apiUrl}`);
    await shown.getByRole('button', { name: 'Done' }).click();
    expect(await page.content()).not.toContain(secret);

    const row = table.getByRole('row', { name: /laptop/ });
    await expect(row).toContainText('read:users!user=bob');
    await expect(row).toContainText('JupyterHub');
    await row.getByLabel('Copy format for laptop').selectOption('curl-header');
    await row.getByRole('button', { name: 'Copy laptop' }).click();
    await expect.poll(() => app.clipboard.text).toBe(`Authorization: token ${secret}`);
    await row.getByLabel('Copy format for laptop').selectOption('powershell');
    await row.getByRole('button', { name: 'Copy laptop' }).click();
    await expect.poll(() => app.clipboard.text).toBe(`$Env:JUPYTERHUB_API_TOKEN = '${secret}'\n$Env:JUPYTERHUB_API_URL = '${hub.apiUrl}'`);
    await expectNoAxeViolations(page, 'jupyterhub-tokens');

    // Revoke after confirmation: the hub refuses the token from then on.
    await row.getByRole('button', { name: 'Revoke laptop' }).click();
    await page.getByRole('alertdialog', { name: 'Revoke “laptop”?' }).getByRole('button', { name: 'Revoke token' }).click();
    await expect(row).toBeHidden();
    expect(await whoIs(hub, secret)).toBe(403);
    expect(await page.content()).not.toContain(password(hub, 'bob'));
  });

  test('signs in with a pasted token (the hub’s /hub/token page is named); revoking that token signs out', async ({ app, hub }) => {
    const { page } = app;
    const token = await tokenMadeByHub(hub, 'alice', 'from the token page');
    await addHub(page, hub);
    await page.getByRole('radio', { name: 'Existing API token' }).check();
    await expect(page.getByText('request a token on the hub’s token page (/hub/token) and paste it')).toBeVisible();
    await page.getByLabel('API token', { exact: true }).fill('0123456789abcdef0123456789abcdef');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.getByRole('alert')).toContainText(`${SERVER} did not accept this token.`);
    await expect(page.getByLabel('API token', { exact: true })).toHaveAttribute('aria-invalid', 'true');
    await page.getByLabel('API token', { exact: true }).fill(token);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(sessionPanel(page)).toContainText('Signed in as alice (hub administrator)');
    await expectNoAxeViolations(page, 'jupyterhub-session');

    const row = page.getByRole('table', { name: `API tokens on ${SERVER}` }).getByRole('row', { name: /from the token page/ });
    await row.getByRole('button', { name: 'Revoke from the token page' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Revoke “from the token page”?' });
    await expect(confirm).toContainText(`Keyport’s own session uses this API token: you will be signed out of ${SERVER}.`);
    await confirm.getByRole('button', { name: 'Revoke token' }).click();
    await expect(page.getByRole('button', { name: 'Sign in', exact: true })).toBeVisible();
    expect(await whoIs(hub, token)).toBe(403);
  });
});
