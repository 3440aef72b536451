import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { addAndSignIn, createToken, expect, test } from './fixtures';
import { writeAnacondaKeyring } from '../test/servers/anaconda/keyringFile';

/** Words that were replaced by plain language, as a person reads them (innerText, so upper-case
 * headers are read as shown). None may come back on any of these screens. */
const RETIRED: ReadonlyArray<[RegExp, string]> = [
  [/\bapi token\b/, 'API token in lower case'],
  [/\bApi token\b/, 'API token half capitalised'],
  [/IN KEYPORT/, 'the “In Keyport” header'],
  [/Copy tokens first as/, 'the old copy-format setting'],
  [/Give up on a server after/, 'the old timeout setting'],
  [/Signed in as API key/, 'a key for a user name'],
  [/\bKey [0-9a-f]{6,}/, 'a key named by its id alone'],
];

async function expectPlainWords(page: Page, screen: string): Promise<void> {
  const text = await page.locator('body').innerText();
  for (const [pattern, what] of RETIRED) expect(text, `${screen}: ${what}`).not.toMatch(pattern);
}

test('the words on every everyday screen are the plain ones', async ({ app, eds, anaconda }) => {
  const { page } = app;
  eds.createApiToken('alice', 'laptop');
  await addAndSignIn(page, eds);
  await createToken(page, 'deploy');
  await expectPlainWords(page, 'token shown once');
  await page.getByRole('button', { name: 'Done' }).click();
  await expectPlainWords(page, 'server page');

  // An Anaconda key from the keyring, without a user name, and a key without a name on the site.
  anaconda.mintApiKey('alice', {});
  const { apiKey } = anaconda.mintApiKey('alice', { lifetimeSeconds: 5 * 24 * 3600 });
  writeAnacondaKeyring(join(app.dataDir, 'home'), anaconda.url, apiKey);
  await app.call('sessionFiles.import', { kind: 'anaconda' });
  await page.reload();
  await page.getByRole('button', { name: /^Anaconda/ }).click();
  await expect(page.getByRole('table', { name: /API keys on Anaconda/ })).toBeVisible();
  await expectPlainWords(page, 'anaconda keys');

  await page.getByRole('button', { name: 'Overview' }).click();
  await expectPlainWords(page, 'overview');
  await page.getByRole('button', { name: 'Settings' }).click();
  await expect(page.getByRole('dialog', { name: 'Settings' })).toBeVisible();
  await expectPlainWords(page, 'settings');
});
