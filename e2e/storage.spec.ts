import { readFile } from 'node:fs/promises';
import { startHost } from './host/host';
import { addAndSignIn, createToken, expect, test, sessionPanel } from './fixtures';

test.describe('secrets at rest', () => {
  test('without a real keyring, Keyport says so, keeps sessions in memory and refuses to save tokens', async ({ browser, eds }) => {
    const host = await startHost(browser, { cipher: 'unavailable' });
    try {
      const { page } = host;
      await expect(page.getByRole('alert').filter({ hasText: 'Secrets are not saved on this computer.' })).toContainText('basic_text');
      await addAndSignIn(page, eds);
      await expect(page.getByText('This session lasts until you quit Keyport.')).toBeVisible();

      await page.getByRole('button', { name: 'Create token' }).click();
      const dialog = page.getByRole('dialog', { name: /Create api token/i });
      await expect(dialog.getByLabel(/Save in Keyport/)).toBeDisabled();
      await expect(dialog.getByLabel(/Save in Keyport/)).not.toBeChecked();
      await dialog.getByLabel('Token name').fill('not-kept');
      await dialog.getByRole('button', { name: 'Create token' }).click();
      const shown = page.getByRole('alertdialog', { name: 'API token “not-kept” created' });
      await expect(shown).toContainText('It was not saved in Keyport.');
      const value = await shown.getByLabel('New token').inputValue();

      // Asked directly, main refuses to save, before anything is created on the server.
      const servers = (await host.call('servers.list')) as Array<{ id: string }>;
      const refused = await host.core.handle('tokens.create', { serverId: servers[0]?.id, name: 'must-not-exist', save: true });
      expect(refused).toMatchObject({ ok: false, error: { code: 'STORAGE_UNAVAILABLE' } });
      expect(eds.hasApiToken('alice', 'must-not-exist')).toBe(false);

      const file = await readFile(host.vaultPath, 'utf8');
      expect(file).not.toContain(value);
      expect(file).not.toContain('"purpose"');
    } finally {
      await host.close();
    }
  });

  test('after a restart the server, the session and the saved token are back; the file holds only ciphertext', async ({ browser, eds }) => {
    const first = await startHost(browser);
    const value = await (async () => {
      await addAndSignIn(first.page, eds);
      const token = await createToken(first.page, 'kept');
      await first.page.getByRole('button', { name: 'Done' }).click();
      return token;
    })();
    await first.close({ keepData: true });

    const file = await readFile(first.vaultPath, 'utf8');
    expect(file).not.toContain(value);
    expect(file).not.toContain('wonderland-secret');

    const second = await startHost(browser, { dataDir: first.dataDir });
    try {
      const { page } = second;
      await expect(sessionPanel(page).getByText('Signed in as alice')).toBeVisible();
      const row = page.getByRole('row', { name: /kept/ });
      await row.getByLabel('Copy format for kept').selectOption('raw');
      await row.getByRole('button', { name: 'Copy kept' }).click();
      await expect.poll(() => second.clipboard.text).toBe(value);
      expect(second.logs).toEqual([]);
    } finally {
      await second.close();
    }
  });
});
