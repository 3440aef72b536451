import { readFile } from 'node:fs/promises';
import { startHost } from '../test/host/host';
import { addAndSignIn, createToken, expect, sessionPanel, test } from './fixtures';

const PASSPHRASE = 'correct horse battery staple';

test.describe('secrets at rest', () => {
  test('without a keyring: Keyport explains, saves nothing secret until the person chooses a passphrase, then asks for it at start', async ({ browser, eds }) => {
    const first = await startHost(browser, { cipher: 'unavailable' });
    const { page } = first;
    await expect(page.getByRole('alert').filter({ hasText: 'cannot use your system’s keyring' })).toContainText('basic_text');
    await addAndSignIn(page, eds);
    await expect(page.getByText('This session lasts until you quit Keyport.')).toBeVisible();

    // Undecided: tokens cannot be saved, and main refuses before the server creates anything.
    await page.getByRole('button', { name: 'Create token' }).click();
    const dialog = page.getByRole('dialog', { name: /Create api token/i });
    await expect(dialog.getByLabel(/Save in Keyport/)).toBeDisabled();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    const servers = (await first.call('servers.list')) as Array<{ id: string }>;
    const refused = await first.core.handle('tokens.create', { serverId: servers[0]?.id, name: 'must-not-exist', save: true });
    expect(refused).toMatchObject({ ok: false, error: { code: 'STORAGE_UNAVAILABLE' } });
    expect(eds.hasApiToken('alice', 'must-not-exist')).toBe(false);
    expect(await readFile(first.vaultPath, 'utf8')).not.toContain('"purpose"');

    // Choose a passphrase: the live session is encrypted and written, nothing in clear.
    await page.getByRole('button', { name: 'Use a passphrase' }).click();
    const choose = page.getByRole('dialog', { name: 'Protect Keyport with a passphrase' });
    await choose.getByLabel('Passphrase', { exact: true }).fill('short');
    await choose.getByLabel('Passphrase again').fill('short');
    await choose.getByRole('button', { name: 'Use this passphrase' }).click();
    await expect(choose.getByRole('alert')).toContainText('Use at least 8 characters.');
    await choose.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
    await choose.getByLabel('Passphrase again').fill(PASSPHRASE);
    await choose.getByRole('button', { name: 'Use this passphrase' }).click();
    await expect(choose).toBeHidden();
    await expect(page.getByRole('alert').filter({ hasText: 'keyring' })).toBeHidden();
    // The session is kept on disk now: its "until you quit" note goes at once, without a reload.
    await expect(page.getByText('This session lasts until you quit Keyport.')).toBeHidden();
    const value = await createToken(page, 'kept-with-passphrase');
    await page.getByRole('button', { name: 'Done' }).click();
    await first.close({ keepData: true });

    const file = await readFile(first.vaultPath, 'utf8');
    expect(file).toMatch(/"mode": *"passphrase"/);
    expect(file).not.toContain(value);
    expect(file).not.toContain(PASSPHRASE);

    // Next start: only the lock screen, until the right passphrase.
    const second = await startHost(browser, { cipher: 'unavailable', dataDir: first.dataDir });
    try {
      const next = second.page;
      await expect(next.getByRole('heading', { name: 'Keyport is locked' })).toBeVisible();
      expect(await next.content()).not.toContain('kept-with-passphrase');
      await next.getByLabel('Passphrase').fill('not the passphrase');
      await next.getByRole('button', { name: 'Unlock' }).click();
      await expect(next.getByRole('alert')).toContainText('That passphrase is not correct.');
      expect((await second.core.handle('tokens.list', { serverId: servers[0]?.id })).ok).toBe(false);
      await next.getByLabel('Passphrase').fill(PASSPHRASE);
      await next.getByRole('button', { name: 'Unlock' }).click();
      await expect(sessionPanel(next).getByText('Signed in as alice')).toBeVisible();
      const row = next.getByRole('row', { name: /kept-with-passphrase/ });
      await row.getByLabel('Copy format for kept-with-passphrase').selectOption('raw');
      await row.getByRole('button', { name: 'Copy kept-with-passphrase' }).click();
      await expect.poll(() => second.clipboard.text).toBe(value);
    } finally {
      await second.close();
    }
  });

  test('"this session only" keeps secrets out of the file and forgets them at quit', async ({ browser, eds }) => {
    const first = await startHost(browser, { cipher: 'unavailable' });
    await first.page.getByRole('button', { name: 'Keep secrets for this session only' }).click();
    await expect(first.page.getByRole('status').filter({ hasText: 'Secrets are kept for this session only.' })).toBeVisible();
    await addAndSignIn(first.page, eds);
    await first.close({ keepData: true });
    const file = await readFile(first.vaultPath, 'utf8');
    expect(file).toMatch(/"mode": *"session"/);
    expect(file).not.toContain('"purpose"');

    const second = await startHost(browser, { cipher: 'unavailable', dataDir: first.dataDir });
    try {
      await expect(second.page.getByRole('heading', { level: 2, name: 'Enthought' })).toBeVisible();
      await expect(second.page.getByRole('button', { name: 'Sign in', exact: true })).toBeVisible();
    } finally {
      await second.close();
    }
  });

  test('without an unlock PIN, "Clear secrets from memory" hides everything and drops secrets, and claims no lock', async ({ app, eds }) => {
    const { page } = app;
    await addAndSignIn(page, eds);
    await createToken(page, 'while-unlocked');
    await page.getByRole('button', { name: 'Done' }).click();
    await expect(page.getByRole('button', { name: 'Lock now' })).toHaveCount(0);
    await page.getByRole('button', { name: 'Clear secrets from memory' }).click();
    await expect(page.getByRole('heading', { name: 'Secrets cleared from memory' })).toBeVisible();
    await expect(page.getByText('Anyone at this computer can open it again')).toBeVisible();
    await expect(page.getByText(/Keyport is locked/)).toHaveCount(0);
    const html = await page.content();
    expect(html).not.toContain('Enthought');
    expect(html).not.toContain('while-unlocked');
    const saved = (await app.core.handle('secrets.list', undefined)) as { ok: boolean; error?: { code: string } };
    expect(saved).toMatchObject({ ok: false, error: { code: 'LOCKED' } });
    await page.getByRole('button', { name: 'Open Keyport' }).click();
    await expect(page.getByRole('rowheader', { name: 'while-unlocked' })).toBeVisible();
  });

  test('after a restart the server, the session and the saved token are back; the file holds only ciphertext', async ({ browser, eds }) => {
    const first = await startHost(browser);
    await addAndSignIn(first.page, eds);
    const value = await createToken(first.page, 'kept');
    await first.page.getByRole('button', { name: 'Done' }).click();
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
