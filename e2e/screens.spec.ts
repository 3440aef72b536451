import { ALICE, addAndSignIn, addServer, createToken, expect, sessionPanel, test } from './fixtures';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startHost } from '../test/host/host';
import { checkScreen } from './screenCheck';
import { freePort } from '../test/servers/common/freePort';
import { startAnacondaServer } from '../test/servers/anaconda/anacondaServer';
import { startTapisServer } from '../test/servers/tapis/tapisServer';

// Every screen, in both themes: no axe violations, keyboard focus visible, and a screenshot
// (test-results/screenshots; `npm run screenshots` refreshes the README's in docs/).
const check = checkScreen;

for (const theme of ['light', 'dark'] as const) {
  test(`every screen is accessible and looks right (${theme})`, async ({ app, eds }) => {
    const { page } = app;
    await page.setViewportSize({ width: 1180, height: 760 });
    await page.emulateMedia({ colorScheme: theme });
    eds.createApiToken('alice', 'laptop');
    eds.createApiToken('alice', 'build-server');

    await expect(page.getByRole('heading', { name: 'Add your first server' })).toBeVisible();
    await check(page, 'empty', theme);

    await page.getByRole('button', { name: 'Add server' }).first().click();
    const add = page.getByRole('dialog', { name: 'Add server' });
    await add.getByLabel('Name').fill('Enthought');
    await add.getByLabel('Server URL').fill(eds.url);
    await add.getByLabel(/Allow insecure TLS/).check();
    await check(page, 'add-server', theme);
    await add.getByLabel(/Allow insecure TLS/).uncheck();
    // A wrong port first: the check's error on the URL field, with "Add anyway".
    await add.getByLabel('Server URL').fill(`http://127.0.0.1:${await freePort()}`);
    await add.getByRole('button', { name: 'Add server' }).click();
    await expect(add.getByRole('button', { name: 'Add anyway' })).toBeVisible();
    await check(page, 'add-server-check', theme);
    await add.getByLabel('Server URL').fill(eds.url);
    await add.getByRole('button', { name: 'Add server' }).click();
    await expect(add).toBeHidden();

    await page.getByLabel('User name', { exact: true }).fill(ALICE.username);
    await check(page, 'sign-in', theme);
    await page.getByLabel('Password', { exact: true }).fill('wrong');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.getByRole('alert')).toContainText('Authentication failed.');
    await check(page, 'sign-in-error', theme);
    await page.getByLabel('Password', { exact: true }).fill(ALICE.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(sessionPanel(page)).toBeVisible();
    await expect(page.getByRole('rowheader', { name: 'laptop' })).toBeVisible();

    await createToken(page, 'ci-runner');
    await check(page, 'token-created', theme);
    await page.getByRole('button', { name: 'Done' }).click();
    const row = page.getByRole('row', { name: /ci-runner/ });
    await row.getByRole('button', { name: 'Copy ci-runner' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Clipboard clears in' })).toBeVisible();
    // Keyboard focus is visible: the focused button has an outline.
    await row.getByRole('button', { name: 'Copy ci-runner' }).focus();
    await page.keyboard.press('Tab');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement as Element).outlineStyle);
    expect(outline).not.toBe('none');
    await check(page, 'main', theme);

    await page.getByRole('button', { name: 'Revoke laptop' }).click();
    await expect(page.getByRole('alertdialog', { name: 'Revoke “laptop”?' })).toBeVisible();
    await check(page, 'revoke', theme);
    await page.keyboard.press('Escape');

    await page.getByRole('button', { name: 'Settings' }).click();
    await expect(page.getByRole('dialog', { name: 'Settings' })).toBeVisible();
    await check(page, 'settings', theme);
    await page.keyboard.press('Escape');

    await page.getByRole('button', { name: 'Activity' }).click();
    await expect(page.getByRole('dialog', { name: 'Activity' }).getByRole('cell', { name: 'ci-runner' }).first()).toBeVisible();
    await check(page, 'activity', theme);
    await page.keyboard.press('Escape');

    await page.keyboard.press('Control+k');
    await page.getByRole('combobox', { name: 'Search servers and tokens' }).fill('ci');
    await expect(page.getByRole('listbox', { name: 'Results' }).getByRole('option').first()).toContainText('ci-runner');
    await check(page, 'search', theme);
  });
}

test('the whole app can be used from the keyboard: add a server and sign in', async ({ app, eds }) => {
  const { page } = app;
  await addAndSignIn(page, eds);
  await page.reload();
  await expect(sessionPanel(page)).toBeVisible();
  await page.getByRole('button', { name: 'Sign out' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('button', { name: 'Sign in', exact: true })).toBeVisible();
  await page.getByLabel('User name', { exact: true }).focus();
  await page.keyboard.type(ALICE.username);
  await page.keyboard.press('Tab');
  await page.keyboard.type(ALICE.password);
  await page.keyboard.press('Enter');
  await expect(sessionPanel(page)).toContainText('Signed in as alice');
});

for (const theme of ['light', 'dark'] as const) {
  test(`storage choice, passphrase and lock screens are accessible (${theme})`, async ({ browser }) => {
    const { startHost } = await import('../test/host/host');
    const host = await startHost(browser, { cipher: 'unavailable' });
    try {
      const { page } = host;
      await page.setViewportSize({ width: 1180, height: 760 });
      await page.emulateMedia({ colorScheme: theme });
      await expect(page.getByRole('button', { name: 'Use a passphrase' })).toBeVisible();
      await check(page, 'no-keyring', theme);
      await page.getByRole('button', { name: 'Use a passphrase' }).click();
      const dialog = page.getByRole('dialog', { name: 'Protect Keyport with a passphrase' });
      await check(page, 'passphrase', theme);
      await dialog.getByLabel('Passphrase', { exact: true }).fill('correct horse battery staple');
      await dialog.getByLabel('Passphrase again').fill('correct horse battery staple');
      await dialog.getByRole('button', { name: 'Use this passphrase' }).click();
      await expect(dialog).toBeHidden();
      await page.getByRole('button', { name: 'Lock now' }).click();
      await expect(page.getByRole('heading', { name: 'Keyport is locked' })).toBeVisible();
      await check(page, 'locked', theme);
    } finally {
      await host.close();
    }
  });
}

for (const theme of ['light', 'dark'] as const) {
  test(`the Tapis screens are accessible and look right (${theme})`, async ({ app }) => {
    const tapis = await startTapisServer();
    try {
      const { page } = app;
      await page.setViewportSize({ width: 1180, height: 820 });
      await page.emulateMedia({ colorScheme: theme });
      tapis.createClient('alice', 'laptop', 'My laptop');
      await addServer(page, { name: 'TACC', url: tapis.url, kind: 'Tapis (TACC Agave v2)', urlLabel: 'API server', options: { 'Tenant id': tapis.tenantId } });
      await page.getByLabel('User name', { exact: true }).fill(ALICE.username);
      await page.getByLabel('Password', { exact: true }).fill(ALICE.password);
      await check(page, 'tapis-sign-in', theme);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await expect(sessionPanel(page)).toBeVisible();
      await expect(page.getByLabel('Account password')).toBeVisible();
      await check(page, 'tapis-password', theme);
      await page.getByLabel('Account password').fill(ALICE.password);
      await page.getByRole('button', { name: 'Show OAuth clients' }).click();
      await expect(page.getByRole('rowheader', { name: 'laptop' })).toBeVisible();
      await check(page, 'tapis-clients', theme);

      await page.getByRole('button', { name: 'Create OAuth client' }).click();
      const create = page.getByRole('dialog', { name: 'Create oauth client on TACC' });
      await create.getByLabel('OAuth client name').fill('build-box');
      await create.getByLabel('Account password').fill(ALICE.password);
      await create.getByRole('button', { name: 'Create OAuth client' }).click();
      await expect(page.getByRole('alertdialog', { name: 'OAuth client “build-box” created' })).toBeVisible();
      await check(page, 'tapis-client-created', theme);
      await page.getByRole('button', { name: 'Done' }).click();

      await sessionPanel(page).getByRole('button', { name: 'Export to ~/.agave/current…' }).click();
      await expect(page.getByRole('dialog', { name: 'Export the session of TACC' })).toBeVisible();
      await check(page, 'tapis-export', theme);
      await page.getByRole('button', { name: 'Export', exact: true }).click();
      await expect(page.getByRole('dialog', { name: 'Session exported' })).toBeVisible();
      await check(page, 'tapis-exported', theme);
      await page.getByRole('button', { name: 'Done' }).click();

      await page.getByRole('button', { name: 'Import session…' }).click();
      await expect(page.getByRole('dialog', { name: 'Import a session' })).toBeVisible();
      await check(page, 'tapis-import', theme);
    } finally {
      await tapis.close();
    }
  });
}

for (const theme of ['light', 'dark'] as const) {
  test(`the Anaconda screens are accessible and look right (${theme})`, async ({ browser }) => {
    const anaconda = await startAnacondaServer();
    const app = await startHost(browser, { signInTimeoutMs: 20_000 });
    try {
      const { page } = app;
      await page.setViewportSize({ width: 1180, height: 820 });
      await page.emulateMedia({ colorScheme: theme });
      await addServer(page, { name: 'Anaconda', url: anaconda.url, kind: 'Anaconda', urlLabel: 'Site' });
      await check(page, 'anaconda-sign-in', theme);
      await page.getByRole('radio', { name: 'Code on another device' }).check();
      await page.getByRole('button', { name: 'Get a code' }).click();
      await expect(page.getByLabel('Code', { exact: true })).not.toHaveValue('');
      await check(page, 'anaconda-device-code', theme);
      await page.getByRole('button', { name: 'Cancel' }).click();

      // Signed in from a keyring entry, with one key close to its expiry.
      const { apiKey } = anaconda.mintApiKey('alice');
      anaconda.mintApiKey('alice', { name: 'old-laptop', lifetimeSeconds: 5 * 24 * 3600 });
      const domain = new URL(anaconda.url).host;
      const entry = Buffer.from(JSON.stringify({ domain, api_key: apiKey, repo_tokens: [], version: 2 })).toString('base64');
      await mkdir(join(app.dataDir, 'home', '.anaconda'), { recursive: true });
      await writeFile(join(app.dataDir, 'home', '.anaconda', 'keyring'), JSON.stringify({ 'Anaconda Cloud': { [domain]: entry } }));
      await page.getByRole('button', { name: 'Import session…' }).click();
      const importing = page.getByRole('dialog', { name: 'Import a session' });
      await importing.getByLabel('Kind').selectOption({ label: 'Anaconda' });
      await importing.getByRole('button', { name: 'Import' }).click();
      await expect(page.getByRole('rowheader', { name: /old-laptop/ })).toBeVisible();
      await check(page, 'anaconda-keys', theme);
    } finally {
      await app.close();
      await anaconda.close();
    }
  });
}
