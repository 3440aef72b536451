import { readFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import { startHost } from '../test/host/host';
import { checkScreen } from './screenCheck';
import { addAndSignIn, createToken, expect, sessionPanel, test } from './fixtures';

// The lock with an unlock PIN (OS-keyring mode): set in Settings, asked for by the lock screen
// and at the next start, never written in clear. Screens in both themes, with axe.
const PIN = '482193';
const check = checkScreen;

async function setPin(page: Page, theme?: string): Promise<void> {
  await page.getByRole('button', { name: 'Settings' }).click();
  const settings = page.getByRole('dialog', { name: 'Settings' });
  await expect(settings.getByText('No unlock PIN: locking only clears secrets from memory')).toBeVisible();
  if (theme) await check(page, 'settings-unlock', theme);
  await settings.getByRole('button', { name: 'Set unlock PIN…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Set an unlock PIN' });
  await dialog.getByLabel('New PIN or passphrase', { exact: true }).fill(PIN);
  await dialog.getByLabel('New PIN or passphrase again').fill('482194');
  await dialog.getByRole('button', { name: 'Use this PIN' }).click();
  await expect(dialog.getByRole('alert')).toContainText('The two are not the same.');
  await dialog.getByLabel('New PIN or passphrase again').fill(PIN);
  if (theme) await check(page, 'set-unlock-pin', theme);
  await dialog.getByRole('button', { name: 'Use this PIN' }).click();
  await expect(dialog).toBeHidden();
  await expect(settings.getByText('Keyport asks for your unlock PIN when it starts and when it is locked.')).toBeVisible();
  await settings.getByRole('button', { name: 'Cancel' }).click();
  await expect(settings).toBeHidden();
}

test('with an unlock PIN the lock screen asks for it, refuses a wrong one, and Keyport starts locked', async ({ browser, eds }) => {
  const first = await startHost(browser);
  const { page } = first;
  await addAndSignIn(page, eds);
  const value = await createToken(page, 'behind-the-pin');
  await page.getByRole('button', { name: 'Done' }).click();
  await setPin(page);

  await page.getByRole('button', { name: 'Lock now' }).click();
  await expect(page.getByRole('heading', { name: 'Keyport is locked' })).toBeVisible();
  // No button opens it without the PIN.
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByRole('alert')).toContainText('Enter your unlock PIN or passphrase.');
  await page.getByLabel('Unlock PIN or passphrase').fill('000000');
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByRole('alert')).toContainText('That unlock PIN or passphrase is not correct.');
  expect(await page.content()).not.toContain('behind-the-pin');
  await page.getByLabel('Unlock PIN or passphrase').fill(PIN);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByRole('rowheader', { name: 'behind-the-pin' })).toBeVisible();
  await first.close({ keepData: true });

  const file = await readFile(first.vaultPath, 'utf8');
  expect(file).toContain('"unlockVerifier"');
  expect(file).not.toContain(PIN);
  expect(file).not.toContain(value);

  // Quitting and starting again does not open the lock.
  const second = await startHost(browser, { dataDir: first.dataDir });
  try {
    const next = second.page;
    await expect(next.getByRole('heading', { name: 'Keyport is locked' })).toBeVisible();
    await next.getByLabel('Unlock PIN or passphrase').fill(PIN);
    await next.getByRole('button', { name: 'Unlock' }).click();
    await expect(sessionPanel(next).getByText('Signed in as alice')).toBeVisible();
    // Removing it needs the PIN; then the action is named for what it does again.
    await next.getByRole('button', { name: 'Settings' }).click();
    await next.getByRole('dialog', { name: 'Settings' }).getByRole('button', { name: 'Remove unlock PIN…' }).click();
    const remove = next.getByRole('dialog', { name: 'Remove the unlock PIN' });
    await remove.getByLabel('Current PIN or passphrase').fill('111111');
    await remove.getByRole('button', { name: 'Remove unlock PIN' }).click();
    await expect(remove.getByRole('alert')).toContainText('not correct');
    await remove.getByLabel('Current PIN or passphrase').fill(PIN);
    await remove.getByRole('button', { name: 'Remove unlock PIN' }).click();
    await expect(remove).toBeHidden();
    await next.getByRole('dialog', { name: 'Settings' }).getByRole('button', { name: 'Cancel' }).click();
    await expect(next.getByRole('button', { name: 'Clear secrets from memory' })).toBeVisible();
  } finally {
    await second.close();
  }
});

for (const theme of ['light', 'dark'] as const) {
  test(`the unlock settings and both lock screens are accessible and look right (${theme})`, async ({ app }) => {
    const { page } = app;
    await page.setViewportSize({ width: 1180, height: 760 });
    await page.emulateMedia({ colorScheme: theme });
    await expect(page.getByRole('heading', { name: 'Add your first server' })).toBeVisible();
    await page.getByRole('button', { name: 'Clear secrets from memory' }).click();
    await expect(page.getByRole('heading', { name: 'Secrets cleared from memory' })).toBeVisible();
    await check(page, 'cleared', theme);
    await page.getByRole('button', { name: 'Open Keyport' }).click();
    await setPin(page, theme);
    await page.getByRole('button', { name: 'Lock now' }).click();
    await page.getByLabel('Unlock PIN or passphrase').fill('0000');
    await page.getByRole('button', { name: 'Unlock' }).click();
    await expect(page.getByRole('alert')).toContainText('not correct');
    await check(page, 'locked-pin', theme);
  });
}
