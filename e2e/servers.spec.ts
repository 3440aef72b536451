import { addServer, expect, test } from './fixtures';

test.describe('servers', () => {
  test('the first screen explains the first step', async ({ app }) => {
    await expect(app.page.getByRole('heading', { name: 'Add your first server' })).toBeVisible();
  });

  test('adds an EDS server, edits it and removes it after confirming', async ({ app, eds }) => {
    const { page } = app;
    await addServer(page, { name: 'Enthought', url: `${eds.url}/` });
    await expect(page.getByRole('navigation', { name: 'Servers' }).getByRole('button', { name: /Enthought/ })).toContainText('Signed out');
    // The trailing slash is normalized away.
    await expect(page.locator('.detail .url')).toHaveText(eds.url);

    await page.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit Enthought' });
    await edit.getByLabel('Name').fill('Enthought (staging)');
    await edit.getByRole('button', { name: 'Save changes' }).click();
    // The dialog's own title ("Edit Enthought (staging)") can show a moment before it closes.
    await expect(edit).toBeHidden();
    await expect(page.getByRole('heading', { level: 2, name: 'Enthought (staging)', exact: true })).toBeVisible();

    await page.getByRole('button', { name: 'Remove' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Remove “Enthought (staging)”?' });
    await expect(confirm.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await confirm.getByRole('button', { name: 'Remove server' }).click();
    await expect(page.getByRole('heading', { name: 'Add your first server' })).toBeVisible();
    expect(await app.call('servers.list')).toEqual([]);
  });

  const badUrls: Array<[string, RegExp]> = [
    ['', /Enter the server URL/],
    ['ftp://files.example.com', /Only http and https URLs are allowed, not ftp/],
    ['javascript:alert(1)', /Only http and https URLs are allowed/],
    ['file:///etc/passwd', /Only http and https URLs are allowed, not file/],
    ['https://user:pw@example.com', /Do not put a user name or password in the URL/],
    ['http://exa mple.com', /cannot contain spaces/],
    ['packages.example.com', /Enter a full URL/],
  ];
  for (const [url, message] of badUrls) {
    test(`refuses the URL "${url}" with a reason`, async ({ app }) => {
      const { page } = app;
      await page.getByRole('button', { name: 'Add server' }).first().click();
      const dialog = page.getByRole('dialog', { name: 'Add server' });
      await dialog.getByLabel('Name').fill('Bad');
      await dialog.getByLabel('Server URL').fill(url);
      await dialog.getByRole('button', { name: 'Add server' }).click();
      // The reason is under the field and read with it; focus goes there.
      const field = dialog.getByLabel('Server URL');
      await expect(field).toHaveAccessibleDescription(message);
      await expect(field).toHaveAttribute('aria-invalid', 'true');
      await expect(field).toBeFocused();
      expect(await app.call('servers.list')).toEqual([]);
    });
  }

  test('refuses a duplicate name and a CA file that is not a certificate', async ({ app, eds }) => {
    const { page } = app;
    await addServer(page, { name: 'Enthought', url: eds.url });
    await page.getByRole('button', { name: 'Add server' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Add server' });
    await dialog.getByLabel('Name').fill('enthought');
    await dialog.getByLabel('Server URL').fill(eds.url);
    await dialog.getByRole('button', { name: 'Add server' }).click();
    await expect(dialog.getByLabel('Name')).toHaveAccessibleDescription(/A server named “enthought” is already in Keyport\./);
    await dialog.getByLabel('Name').fill('Other');
    await dialog.getByLabel('CA certificate file (optional)').fill('/etc/hostname');
    await dialog.getByRole('button', { name: 'Add server' }).click();
    await expect(dialog.getByRole('alert')).toContainText('The CA certificate file holds no PEM certificate.');
    expect(await app.call('servers.list')).toHaveLength(1);
  });

  test('allowing insecure TLS shows a warning in the form and on the server', async ({ app, eds }) => {
    const { page } = app;
    await page.getByRole('button', { name: 'Add server' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Add server' });
    await dialog.getByLabel(/Allow insecure TLS/).check();
    await expect(dialog.getByRole('note')).toContainText('Anyone on the network path can read and change traffic');
    await dialog.getByLabel('Name').fill('Lab');
    await dialog.getByLabel('Server URL').fill(eds.url);
    await dialog.getByRole('button', { name: 'Add server' }).click();
    // The server's page can show its warning a moment before the dialog (with its own) closes.
    await expect(dialog).toBeHidden();
    await expect(page.getByRole('main').getByRole('note')).toContainText('Insecure TLS is allowed');
  });
});
