import type { Page } from '@playwright/test';
import { addAndSignIn, createToken, expect, test } from './fixtures';

const LIGHT_BACKGROUND = 'rgb(246, 247, 249)';
const DARK_BACKGROUND = 'rgb(20, 23, 28)';
const background = (page: Page) => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);

async function chooseTheme(page: Page, label: string): Promise<void> {
  await page.getByRole('button', { name: 'Settings' }).click();
  const dialog = page.getByRole('dialog', { name: 'Settings' });
  await dialog.getByLabel('Appearance').selectOption({ label });
  await dialog.getByRole('button', { name: 'Save settings' }).click();
  await expect(dialog).toBeHidden();
}

test.describe('settings', () => {
  test('the theme follows the system by default, can be fixed to light or dark, and is kept across restarts', async ({ app }) => {
    const { page } = app;
    await page.emulateMedia({ colorScheme: 'light' });
    await expect.poll(() => background(page)).toBe(LIGHT_BACKGROUND);
    await page.emulateMedia({ colorScheme: 'dark' });
    await expect.poll(() => background(page)).toBe(DARK_BACKGROUND);

    // Fixed to light, the system's dark mode no longer applies, also after a restart.
    await chooseTheme(page, 'Light');
    await expect.poll(() => background(page)).toBe(LIGHT_BACKGROUND);
    await page.reload();
    await expect(page.getByRole('button', { name: 'Settings' })).toBeEnabled();
    await expect.poll(() => background(page)).toBe(LIGHT_BACKGROUND);
    expect(await app.call('settings.get')).toMatchObject({ theme: 'light' });

    await page.emulateMedia({ colorScheme: 'light' });
    await chooseTheme(page, 'Dark');
    await expect.poll(() => background(page)).toBe(DARK_BACKGROUND);

    await chooseTheme(page, 'Follow the system');
    await expect.poll(() => background(page)).toBe(LIGHT_BACKGROUND);
  });

  test('a setting out of range is refused beside its field, and nothing is saved', async ({ app }) => {
    const { page } = app;
    await page.getByRole('button', { name: 'Settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Settings' });
    await dialog.getByLabel('Lock after idle (minutes)').fill('5000');
    await dialog.getByLabel('Appearance').selectOption({ label: 'Dark' });
    await dialog.getByRole('button', { name: 'Save settings' }).click();
    await expect(dialog.getByRole('alert')).toContainText('At most 24 hours.');
    await expect(dialog.getByLabel('Lock after idle (minutes)')).toHaveAttribute('aria-invalid', 'true');
    expect(await app.call('settings.get')).toMatchObject({ idleLockMinutes: 15, theme: 'system' });
  });
});

test('the copy format chosen first is a setting per kind: copy buttons and search start with it', async ({ app, eds }) => {
  const { page } = app;
  await addAndSignIn(page, eds);
  const value = await createToken(page, 'deploy');
  await page.getByRole('button', { name: 'Done' }).click();

  await page.getByRole('button', { name: 'Settings' }).click();
  const dialog = page.getByRole('dialog', { name: 'Settings' });
  const copyFirst = dialog.getByRole('group', { name: 'Default copy format' });
  await expect(copyFirst.getByLabel('Enthought Deployment Server')).toHaveValue('shell');
  await copyFirst.getByLabel('Enthought Deployment Server').selectOption({ label: '.env file' });
  await dialog.getByRole('button', { name: 'Save settings' }).click();
  await expect(dialog).toBeHidden();
  expect(await app.call('settings.get')).toMatchObject({ defaultCopyFormats: { eds: 'dotenv' } });

  // A copy control drawn from now on starts with the .env file.
  await page.reload();
  const row = page.getByRole('row', { name: /deploy/ });
  await expect(row.getByLabel('Copy format for deploy')).toHaveValue('dotenv');
  await page.keyboard.press('Control+k');
  await page.getByRole('combobox', { name: 'Search servers and tokens' }).fill('deploy');
  await page.keyboard.press('Enter');
  await expect.poll(() => app.clipboard.text).toBe(`HATCHER_URL=${eds.url}\nHATCHER_TOKEN=${value}`);

  // A format the kind does not offer is refused.
  await expect(app.call('settings.update', { defaultCopyFormats: { eds: 'npmrc' } })).rejects.toThrow('Enthought Deployment Server tokens have no copy format “npmrc”.');
  await expect(app.call('settings.update', { defaultCopyFormats: { gitlab: 'raw' } })).rejects.toThrow('Keyport does not know servers of kind “gitlab”.');
});
