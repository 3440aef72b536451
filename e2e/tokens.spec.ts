import { ALICE, addAndSignIn, addServer, createToken, expect, expectNoAxeViolations, signInWithPassword, test, sessionPanel } from './fixtures';

test.describe('EDS tokens', () => {
  test('signs in, creates a token shown once, copies it, and revokes it', async ({ app, eds }) => {
    const { page } = app;
    eds.createApiToken('alice', 'made-by-hatcher');
    await addAndSignIn(page, eds);
    await expect(sessionPanel(page).getByText(ALICE.email)).toBeVisible();

    // The account's existing tokens, with created and last-used columns.
    const table = page.getByRole('table', { name: 'API tokens on Enthought' });
    await expect(table.getByRole('rowheader', { name: 'made-by-hatcher' })).toBeVisible();
    await expect(table.getByRole('columnheader', { name: 'Last used' })).toBeVisible();

    const value = await createToken(page, 'ci-laptop');
    expect(eds.hasApiToken('alice', 'ci-laptop')).toBe(true);
    expect(eds.isApiTokenValid(value)).toBe(true);
    const shown = page.getByRole('alertdialog', { name: 'API token “ci-laptop” created' });
    await expect(shown).toContainText('this is the only time Keyport shows this token');

    // Copy from the show-once dialog: done in main, in the chosen format.
    await shown.getByLabel('Copy format for ci-laptop').selectOption('raw');
    await shown.getByRole('button', { name: 'Copy ci-laptop' }).click();
    await expect.poll(() => app.clipboard.text).toBe(value);
    await expect(page.getByRole('status').filter({ hasText: 'Clipboard clears in' })).toBeVisible();
    await shown.getByRole('button', { name: 'Done' }).click();
    // Once closed, the value is nowhere in the page.
    expect(await page.content()).not.toContain(value);

    await expect(table.getByRole('rowheader', { name: 'ci-laptop' })).toBeVisible();
    await table.getByRole('button', { name: 'Revoke ci-laptop' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Revoke “ci-laptop”?' });
    await expect(confirm).toContainText('Scripts and machines that use “ci-laptop” will lose access to Enthought.');
    await confirm.getByRole('button', { name: 'Revoke token' }).click();
    await expect(table.getByRole('rowheader', { name: 'ci-laptop' })).toBeHidden();
    expect(eds.hasApiToken('alice', 'ci-laptop')).toBe(false);
    // The revoked token really is refused by the server.
    const session = await fetch(`${eds.url}/api/v1/json/auth/tokens/auth`, { method: 'POST', headers: { authorization: `Bearer ${value}` } });
    expect(session.status).toBe(401);
    expect(await app.call('secrets.list')).toEqual([]);
  });

  test('a saved copy whose token was replaced elsewhere by one of the same name is shown as gone, never as the new token\'s, and can be forgotten', async ({ app, eds }) => {
    const { page } = app;
    await addAndSignIn(page, eds);
    await createToken(page, 'dup');
    await page.getByRole('button', { name: 'Done' }).click();
    const table = page.getByRole('table', { name: 'API tokens on Enthought' });
    await expect(table.getByRole('button', { name: 'Copy dup' })).toBeVisible();

    eds.revokeApiToken('alice', 'dup');
    await new Promise((resolve) => setTimeout(resolve, 5));
    eds.createApiToken('alice', 'dup');
    await page.getByRole('button', { name: 'Reload' }).click();
    await expect(table.getByRole('rowheader', { name: 'dup' })).toBeVisible();
    await expect(table.getByRole('button', { name: 'Copy dup' })).toBeHidden();
    const gone = page.getByRole('list', { name: 'Saved in Keyport, no longer on the server' });
    await expect(gone.getByRole('listitem')).toHaveText(/dup/);
    for (const theme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: theme });
      await expectNoAxeViolations(page, `gone-saved-copy-${theme}`);
    }
    await gone.getByRole('button', { name: 'Forget the saved copy of dup' }).click();
    await expect(gone).toBeHidden();
    expect(await app.call('secrets.list')).toEqual([]);
    expect(eds.hasApiToken('alice', 'dup')).toBe(true); // the new token is untouched
  });

  test('a token name with a space at its end is sent as typed, with a warning first', async ({ app, eds }) => {
    const { page } = app;
    eds.createApiToken('alice', 'dup');
    await addAndSignIn(page, eds);
    await page.getByRole('button', { name: 'Create token' }).click();
    const dialog = page.getByRole('dialog', { name: /Create api token/i });
    await dialog.getByLabel('Token name').fill('dup ');
    await expect(dialog.getByRole('status')).toHaveText('The name ends with a space; it is sent as typed.');
    for (const theme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: theme });
      await expectNoAxeViolations(page, `token-name-space-${theme}`);
    }
    await dialog.getByRole('button', { name: 'Create token' }).click();
    await expect(page.getByRole('alertdialog', { name: 'API token “dup ” created' })).toBeVisible();
    expect(eds.hasApiToken('alice', 'dup ')).toBe(true);
    expect(eds.hasApiToken('alice', 'dup')).toBe(true);
  });

  test('a server URL with a path is warned about when added and where its tokens are copied (hatcher calls the API at the root)', async ({ app, eds }) => {
    const { page } = app;
    await page.getByRole('button', { name: 'Add server' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Add server' });
    await dialog.getByLabel('Name').fill('Pathed');
    await dialog.getByLabel('Server URL').fill(`${eds.url}/eds`);
    const note = `hatcher signs in at this address but calls the API at ${eds.url}/api/…, without /eds`;
    await expect(dialog.getByRole('note')).toContainText(note);
    for (const theme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: theme });
      await expectNoAxeViolations(page, `url-path-warning-${theme}`);
    }
    await dialog.getByLabel('Server URL').fill(eds.url);
    await expect(dialog.getByRole('note')).toBeHidden();
    await dialog.getByLabel('Server URL').fill(`${eds.url}/eds`);
    await dialog.getByRole('button', { name: 'Add server' }).click();
    // The reference server serves EDS at its root only, so the check finds nothing under /eds.
    await expect(dialog.getByLabel('Server URL')).toHaveAccessibleDescription(/nothing is there \(HTTP 404\)/);
    await dialog.getByRole('button', { name: 'Add anyway' }).click();
    await expect(page.getByRole('heading', { level: 2, name: 'Pathed' })).toBeVisible();
    await expect(page.getByRole('note').filter({ hasText: note })).toBeVisible();
  });

  test('copies a saved token in every format of the hatcher CLI', async ({ app, eds }) => {
    const { page } = app;
    await addAndSignIn(page, eds);
    const value = await createToken(page, 'build-box');
    await page.getByRole('button', { name: 'Done' }).click();
    const row = page.getByRole('row', { name: /build-box/ });
    const expected: Record<string, string> = {
      raw: value,
      shell: `export HATCHER_URL=${eds.url} HATCHER_TOKEN=${value}`,
      powershell: `$Env:HATCHER_URL = '${eds.url}'\n$Env:HATCHER_TOKEN = '${value}'`,
      cmd: `set "HATCHER_URL=${eds.url}"\r\nset "HATCHER_TOKEN=${value}"`,
      dotenv: `HATCHER_URL=${eds.url}\nHATCHER_TOKEN=${value}`,
    };
    for (const [format, text] of Object.entries(expected)) {
      await row.getByLabel('Copy format for build-box').selectOption(format);
      await row.getByRole('button', { name: 'Copy build-box' }).click();
      await expect.poll(() => app.clipboard.text).toBe(text);
    }
  });

  test('clears the clipboard after the configured delay, only if it still holds the token', async ({ app, eds }) => {
    const { page } = app;
    await page.getByRole('button', { name: 'Settings' }).click();
    const settings = page.getByRole('dialog', { name: 'Settings' });
    await settings.getByLabel('Clear the clipboard after (seconds)').fill('5');
    await settings.getByRole('button', { name: 'Save settings' }).click();
    await expect(settings).toBeHidden();

    await addAndSignIn(page, eds);
    const value = await createToken(page, 'short-lived-copy');
    await page.getByRole('button', { name: 'Done' }).click();
    const row = page.getByRole('row', { name: /short-lived-copy/ });
    await row.getByLabel('Copy format for short-lived-copy').selectOption('raw');
    await row.getByRole('button', { name: 'Copy short-lived-copy' }).click();
    await expect.poll(() => app.clipboard.text).toBe(value);
    await expect(page.getByRole('status').filter({ hasText: /Clipboard clears in [45] s/ })).toBeVisible();
    await expect(page.getByRole('status').filter({ hasText: 'Clipboard cleared.' })).toBeVisible({ timeout: 8_000 });
    expect(app.clipboard.text).toBe('');

    // Copy again, then the person copies something else: Keyport leaves it alone.
    await row.getByRole('button', { name: 'Copy short-lived-copy' }).click();
    await expect.poll(() => app.clipboard.text).toBe(value);
    await app.clipboard.writeText('something the person copied');
    await expect(page.getByRole('status').filter({ hasText: 'Clipboard left as is' })).toBeVisible({ timeout: 8_000 });
    expect(app.clipboard.text).toBe('something the person copied');
  });

  test('signs in with an existing API token, and signs out', async ({ app, eds }) => {
    const { page } = app;
    const token = eds.createApiToken('alice', 'pasted');
    await addServer(page, { name: 'Enthought', url: eds.url });
    await page.getByRole('radio', { name: 'Existing API token' }).check();
    await page.getByLabel('API token', { exact: true }).fill(token);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(sessionPanel(page).getByText('Signed in as alice')).toBeVisible();
    await expect(sessionPanel(page).getByText('with an API token')).toBeVisible();
    await expect(page.getByRole('rowheader', { name: 'pasted' })).toBeVisible();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByRole('button', { name: 'Sign in', exact: true })).toBeVisible();
    const [server] = (await app.call('servers.list')) as Array<{ session: { state: string } }>;
    expect(server?.session.state).toBe('signed-out');
    // Nothing of the session or the pasted token is left in the vault (the removal compacts
    // the log in the background, dropping its history).
    const { readFile } = await import('node:fs/promises');
    await expect.poll(async () => /"purpose": *"(session|credential)"/.test(await readFile(app.vaultPath, 'utf8'))).toBe(false);
    const vault = await readFile(app.vaultPath, 'utf8');
    expect(vault).not.toMatch(/"purpose": *"session"/);
    expect(vault).not.toMatch(/"purpose": *"credential"/);
    expect(vault).toMatch(/"servers"/);
  });

  test('a wrong password says authentication failed and keeps the form', async ({ app, eds }) => {
    const { page } = app;
    await addServer(page, { name: 'Enthought', url: eds.url });
    await signInWithPassword(page, 'alice', 'not-her-password');
    await expect(page.getByRole('alert')).toContainText('Authentication failed.');
    await expect(page.getByRole('alert')).not.toContainText('not-her-password');
    await expect(page.getByLabel('Password', { exact: true })).toHaveValue('');
  });

  test('a session the server ends becomes "sign in again"; a pasted token renews it silently', async ({ app, eds }) => {
    const { page } = app;
    await addAndSignIn(page, eds, 'With password');
    eds.expireSessions();
    await page.getByRole('button', { name: 'Reload' }).click();
    await expect(page.getByText('Your session on With password has ended. Sign in again.')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Sign in', exact: true })).toBeVisible();

    const token = eds.createApiToken('alice', 'renewal');
    await addServer(page, { name: 'With token', url: eds.url });
    await page.getByRole('radio', { name: 'Existing API token' }).check();
    await page.getByLabel('API token', { exact: true }).fill(token);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.getByRole('rowheader', { name: 'renewal' })).toBeVisible();
    eds.expireSessions();
    const before = eds.requestLog.filter((r) => r.path.endsWith('/auth/tokens/auth')).length;
    await page.getByRole('button', { name: 'Reload' }).click();
    await expect(page.getByRole('rowheader', { name: 'renewal' })).toBeVisible();
    await expect(sessionPanel(page).getByText('Signed in as alice')).toBeVisible();
    // Exactly one renewal.
    await expect.poll(() => eds.requestLog.filter((r) => r.path.endsWith('/auth/tokens/auth')).length).toBe(before + 1);
  });

  test('a duplicate name and a server without API tokens give actionable errors', async ({ app, eds }) => {
    const { page } = app;
    eds.createApiToken('alice', 'taken');
    await addAndSignIn(page, eds);
    await page.getByRole('button', { name: 'Create token' }).click();
    const dialog = page.getByRole('dialog', { name: /Create api token/i });
    await dialog.getByLabel('Token name').fill('taken');
    await dialog.getByRole('button', { name: 'Create token' }).click();
    await expect(dialog.getByLabel('Token name')).toHaveAccessibleDescription(/A token named “taken” already exists on Enthought\./);
    await expect(dialog.getByLabel('Token name')).toHaveAttribute('aria-invalid', 'true');

    for (const status of [403, 404]) {
      eds.faults.add({ match: /\/auth\/tokens\/api$/, times: 1, kind: 'status', status, body: '{"error": "Forbidden"}', contentType: 'application/json' });
      await dialog.getByLabel('Token name').fill(`on-site-${status}`);
      await dialog.getByRole('button', { name: 'Create token' }).click();
      await expect(dialog.getByRole('alert')).toContainText('does not offer API tokens');
      await expect(dialog.getByRole('alert')).toContainText('API tokens are available only on Enthought-hosted EDS');
    }
    expect(eds.tokenNames('alice')).toEqual(['taken']);
  });

  test('closing a shown-once token that was neither saved nor copied asks first; copied or saved, it closes at once', async ({ app, eds }) => {
    const { page } = app;
    await addAndSignIn(page, eds);
    await createToken(page, 'not-copied', { save: false });
    const shown = page.getByRole('alertdialog', { name: 'API token “not-copied” created' });
    const ask = page.getByRole('alertdialog', { name: 'Close without copying?' });
    // Escape asks; Escape again (or Cancel) goes back to the token, still on show.
    await page.keyboard.press('Escape');
    await expect(ask).toContainText('You have not copied this token. Close anyway?');
    await page.keyboard.press('Escape');
    await expect(ask).toBeHidden();
    await expect(shown.getByLabel('New token')).not.toHaveValue('');
    await page.keyboard.press('Escape');
    await expect(ask).toBeVisible();
    await ask.getByRole('button', { name: 'Cancel' }).click();
    await expect(ask).toBeHidden();
    await shown.getByRole('button', { name: 'Done' }).click();
    await ask.getByRole('button', { name: 'Close anyway' }).click();
    await expect(shown).toBeHidden();

    // Copied: Escape closes without asking.
    const value = await createToken(page, 'copied', { save: false });
    const copiedDialog = page.getByRole('alertdialog', { name: 'API token “copied” created' });
    await copiedDialog.getByLabel('Copy format for copied').selectOption('raw');
    await copiedDialog.getByRole('button', { name: 'Copy copied' }).click();
    await expect.poll(() => app.clipboard.text).toBe(value);
    await page.keyboard.press('Escape');
    await expect(copiedDialog).toBeHidden();
    await expect(ask).toBeHidden();

    // Saved in Keyport: nothing is lost, so nothing is asked.
    await createToken(page, 'saved');
    await page.keyboard.press('Escape');
    await expect(page.getByRole('alertdialog', { name: 'API token “saved” created' })).toBeHidden();
    await expect(ask).toBeHidden();
  });
});
