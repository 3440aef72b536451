import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { readVaultContents } from '../src/main/core/vault/vaultFile';
import { startHost } from '../test/host/host';
import { expect, test } from './fixtures';

/** A vault file with one good server and two entries that no longer validate (a server without
 * its fields, a secret whose metadata is damaged), as a hand edit or a newer Keyport leaves it. */
const GOOD_SERVER = { id: 'good', name: 'Good EDS', kind: 'eds', url: 'https://eds.example.com', allowInsecureTls: false, caCertificatePath: null, options: {}, createdAt: '2025-01-01T00:00:00.000Z' };
const BAD_SERVER = { id: 'bad', name: 'Half a server' };
const BAD_SECRET = { meta: { id: 'broken', serverId: 'good', purpose: 'from-the-future' }, ciphertext: 'v1.aaaa.bbbb.cccc' };

test.describe('saved items that cannot be read', () => {
  test('are kept, counted in a banner, exported as stored and deleted only when asked', async ({ browser }) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'keyport-host-'));
    await mkdir(join(dataDir, 'home'));
    const vaultPath = join(dataDir, 'vault.json');
    // In the format before the log (one JSON object): migrated at open, the bad entries kept.
    await writeFile(vaultPath, JSON.stringify({ version: 1, servers: [GOOD_SERVER, BAD_SERVER], secrets: { broken: BAD_SECRET } }), { mode: 0o600 });
    const host = await startHost(browser, { dataDir });
    try {
      const { page } = host;
      const banner = page.getByRole('status').filter({ hasText: 'could not be read' });
      await expect(banner).toContainText('2 saved items could not be read.');
      await expect(page.getByRole('button', { name: /Good EDS/ })).toBeVisible();

      // An ordinary write keeps them.
      await host.call('settings.update', { clipboardClearSeconds: 45 });
      await host.call('servers.add', { name: 'Another EDS', kind: 'eds', url: 'https://other.example.com' });
      const written = readVaultContents(vaultPath) as { unreadable: unknown[] };
      expect(written.unreadable).toEqual([
        { from: 'servers', value: BAD_SERVER },
        { from: 'secrets', key: 'broken', value: BAD_SECRET },
      ]);

      await banner.getByRole('button', { name: 'Review…' }).click();
      const dialog = page.getByRole('dialog', { name: '2 saved items could not be read' });
      await expect(dialog).toContainText('nothing is decrypted');
      for (const theme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: theme });
        expect((await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze()).violations.map((v) => v.id), theme).toEqual([]);
        await page.screenshot({ path: `test-results/screenshots/unreadable-items-${theme}.png` });
      }

      await dialog.getByRole('button', { name: 'Export' }).click();
      const saved = dialog.getByRole('status');
      await expect(saved).toContainText(`Saved to ${join(dataDir, 'home', 'keyport-unreadable-items-')}`);
      const exportPath = ((await saved.locator('code').textContent()) ?? '').trim();
      expect(JSON.parse(await readFile(exportPath, 'utf8'))).toEqual({ unreadable: written.unreadable });

      await dialog.getByRole('button', { name: 'Delete…' }).click();
      await expect(dialog.getByRole('alert')).toContainText('Delete 2 unreadable items for good? This cannot be undone.');
      await dialog.getByRole('button', { name: 'Delete for good' }).click();
      await expect(dialog).toBeHidden();
      await expect(banner).toBeHidden();
      expect(readVaultContents(vaultPath)).toMatchObject({ unreadable: [], servers: [GOOD_SERVER, expect.objectContaining({ name: 'Another EDS' })] });
    } finally {
      await host.close();
    }
  });
});
