import AxeBuilder from '@axe-core/playwright';
import { join } from 'node:path';
import { addAndSignIn, addServer, createToken, expect, test } from './fixtures';
import { writeAnacondaKeyring } from '../test/servers/anaconda/keyringFile';

test('the overview shows every server with its session and token counts, and the keys that expire soon', async ({ app, eds, anaconda }) => {
  const { page } = app;
  eds.createApiToken('alice', 'laptop');
  await addAndSignIn(page, eds, 'Enthought');
  await createToken(page, 'deploy');
  await page.getByRole('button', { name: 'Done' }).click();
  await expect(page.getByRole('rowheader', { name: 'deploy' })).toBeVisible();
  await addServer(page, { name: 'Staging', url: eds.url });

  // An Anaconda key, imported from the keyring, that expires in 3 days.
  const { apiKey } = anaconda.mintApiKey('alice', { lifetimeSeconds: 3 * 24 * 3600 });
  writeAnacondaKeyring(join(app.dataDir, 'home'), anaconda.url, apiKey);
  const domain = new URL(anaconda.url).host;
  await app.call('sessionFiles.import', { kind: 'anaconda' });
  await page.reload();

  await page.getByRole('button', { name: 'Overview' }).click();
  const overview = page.getByRole('region', { name: 'Overview' });
  await expect(overview).toBeVisible();
  const table = overview.getByRole('table', { name: 'All servers' });
  const row = (name: string) => table.getByRole('row').filter({ has: page.getByRole('rowheader', { name }) });
  await expect(row('Enthought')).toContainText('Signed in as alice');
  // Its list was loaded when it opened after the reload: the server's own count shows too.
  await expect(row('Enthought')).toContainText('2 on the server, 1 saved in Keyport');
  await expect(row('Staging')).toContainText('Signed out');
  // Never listed: only what Keyport holds is counted, not a guess about the server.
  await expect(row('Staging').getByRole('cell').last()).toHaveText('0 saved in Keyport');
  await expect(row(`Anaconda ${domain}`)).toContainText('Keyport’s API key expires in 3 days');

  const soon = overview.getByRole('region', { name: 'Expiring soon' });
  await expect(soon.getByRole('listitem')).toHaveCount(1);
  await expect(soon).toContainText(`Anaconda ${domain}: Keyport’s API key expires in 3 days`);
  for (const theme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: theme });
    expect((await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze()).violations.map((v) => v.id), theme).toEqual([]);
    await page.screenshot({ path: `test-results/screenshots/overview-${theme}.png` });
  }

  // From the overview to a server, and back.
  await row('Enthought').getByRole('button', { name: 'Enthought' }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'Enthought' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'API tokens on Enthought' }).getByRole('rowheader', { name: 'laptop' })).toBeVisible();
  await page.getByRole('button', { name: 'Overview' }).click();
  await expect(overview).toBeVisible();
  await expect(page.getByRole('button', { name: 'Overview' })).toHaveAttribute('aria-current', 'page');
});
