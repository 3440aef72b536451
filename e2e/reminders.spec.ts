import { join } from 'node:path';
import { expect, test } from './fixtures';
import { writeAnacondaKeyring } from '../test/servers/anaconda/keyringFile';

const DAY_SECONDS = 24 * 60 * 60;

test.describe('expiry reminders', () => {
  test('a key that expires in 5 days: one desktop notification, a badge in the list, nothing repeated after a restart', async ({ app, anaconda }) => {
    const { page } = app;
    const { apiKey } = anaconda.mintApiKey('alice', { lifetimeSeconds: 5 * DAY_SECONDS - 60 });
    writeAnacondaKeyring(join(app.dataDir, 'home'), anaconda.url, apiKey);

    await page.getByRole('button', { name: 'Import session…' }).click();
    const importing = page.getByRole('dialog', { name: 'Import a session' });
    await importing.getByLabel('Kind').selectOption({ label: 'Anaconda' });
    await importing.getByRole('button', { name: 'Import' }).click();
    await expect(importing).toBeHidden();

    const servers = page.getByRole('navigation', { name: 'Servers' });
    await expect(servers.getByText('Keyport’s API key expires in 5 days')).toBeVisible();
    await page.screenshot({ path: 'test-results/screenshots/expiry-badge.png' });
    expect(app.notifications).toEqual([
      {
        title: 'Keyport’s API key expires in 5 days',
        body: expect.stringMatching(/^Keyport’s API key on Anaconda 127\.0\.0\.1:\d+ expires on \d{4}-\d{2}-\d{2}\. Create a new one before then/),
      },
    ]);
    expect(JSON.stringify(app.notifications)).not.toContain(apiKey);

    // Checks run again after other calls and after a restart of the window: not repeated.
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByRole('dialog', { name: 'Settings' }).getByRole('button', { name: 'Save settings' }).click();
    await page.reload();
    await expect(servers.getByText('Keyport’s API key expires in 5 days')).toBeVisible();
    expect(app.notifications).toHaveLength(1);
  });

  test('the reminder days are a setting: a key 40 days out is not "soon" by default, and is with 60', async ({ app, anaconda }) => {
    const { page } = app;
    const { apiKey } = anaconda.mintApiKey('alice', { lifetimeSeconds: 40 * DAY_SECONDS });
    writeAnacondaKeyring(join(app.dataDir, 'home'), anaconda.url, apiKey);
    await app.call('sessionFiles.import', { kind: 'anaconda' });
    await page.reload();
    const servers = page.getByRole('navigation', { name: 'Servers' });
    await expect(servers.getByRole('button', { name: /Anaconda/ })).toBeVisible();
    await expect(servers.getByText(/expires in/)).toHaveCount(0);
    expect(app.notifications).toEqual([]);

    await page.getByRole('button', { name: 'Settings' }).click();
    const settings = page.getByRole('dialog', { name: 'Settings' });
    await settings.getByLabel('Remind me before a saved key expires (days)').fill('60, seven');
    await settings.getByRole('button', { name: 'Save settings' }).click();
    await expect(settings.getByRole('alert')).toContainText('Use whole days, such as 30, 7.');
    await settings.getByLabel('Remind me before a saved key expires (days)').fill('60, 7');
    await settings.getByRole('button', { name: 'Save settings' }).click();
    await expect(settings).toBeHidden();
    await expect(servers.getByText('Keyport’s API key expires in 40 days')).toBeVisible();
    expect(app.notifications.map((n) => n.title)).toEqual(['Keyport’s API key expires in 40 days']);
  });
});
