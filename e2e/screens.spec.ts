import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { ALICE, addAndSignIn, createToken, expect, sessionPanel, test } from './fixtures';

// Every screen, in both themes: no axe violations, keyboard focus visible, and a screenshot
// (test-results/screenshots; `npm run screenshots` refreshes the README's in docs/).
const SHOTS = process.env.KEYPORT_SCREENSHOTS_DIR ?? 'test-results/screenshots';

async function check(page: Page, name: string, theme: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const summary = results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(summary, `axe violations on ${name} (${theme})`).toEqual([]);
  await page.screenshot({ path: `${SHOTS}/${name}-${theme}.png` });
}

for (const theme of ['light', 'dark'] as const) {
  test(`every screen is accessible and looks right (${theme})`, async ({ app, eds }) => {
    const { page } = app;
    await page.setViewportSize({ width: 1180, height: 760 });
    await page.emulateMedia({ colorScheme: theme });
    eds.createApiToken('alice', 'laptop');
    eds.createApiToken('alice', 'build-server');

    await expect(page.getByRole('heading', { name: 'Add your first server' })).toBeVisible();
    await check(page, 'empty', theme);

    await page.getByRole('button', { name: 'Add server' }).first().click();
    const add = page.getByRole('dialog', { name: 'Add server' });
    await add.getByLabel('Name').fill('Enthought');
    await add.getByLabel('Server URL').fill(eds.url);
    await add.getByLabel(/Allow insecure TLS/).check();
    await check(page, 'add-server', theme);
    await add.getByLabel(/Allow insecure TLS/).uncheck();
    await add.getByRole('button', { name: 'Add server' }).click();
    await expect(add).toBeHidden();

    await page.getByLabel('User name', { exact: true }).fill(ALICE.username);
    await check(page, 'sign-in', theme);
    await page.getByLabel('Password', { exact: true }).fill('wrong');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.getByRole('alert')).toContainText('Authentication failed.');
    await check(page, 'sign-in-error', theme);
    await page.getByLabel('Password', { exact: true }).fill(ALICE.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(sessionPanel(page)).toBeVisible();
    await expect(page.getByRole('rowheader', { name: 'laptop' })).toBeVisible();

    await createToken(page, 'ci-runner');
    await check(page, 'token-created', theme);
    await page.getByRole('button', { name: 'Done' }).click();
    const row = page.getByRole('row', { name: /ci-runner/ });
    await row.getByRole('button', { name: 'Copy ci-runner' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Clipboard clears in' })).toBeVisible();
    // Keyboard focus is visible: the focused button has an outline.
    await row.getByRole('button', { name: 'Copy ci-runner' }).focus();
    await page.keyboard.press('Tab');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement as Element).outlineStyle);
    expect(outline).not.toBe('none');
    await check(page, 'main', theme);

    await page.getByRole('button', { name: 'Revoke laptop' }).click();
    await expect(page.getByRole('alertdialog', { name: 'Revoke “laptop”?' })).toBeVisible();
    await check(page, 'revoke', theme);
    await page.keyboard.press('Escape');

    await page.getByRole('button', { name: 'Settings' }).click();
    await expect(page.getByRole('dialog', { name: 'Settings' })).toBeVisible();
    await check(page, 'settings', theme);
  });
}

test('the whole app can be used from the keyboard: add a server and sign in', async ({ app, eds }) => {
  const { page } = app;
  await addAndSignIn(page, eds);
  await page.reload();
  await expect(sessionPanel(page)).toBeVisible();
  await page.getByRole('button', { name: 'Sign out' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('button', { name: 'Sign in', exact: true })).toBeVisible();
  await page.getByLabel('User name', { exact: true }).focus();
  await page.keyboard.type(ALICE.username);
  await page.keyboard.press('Tab');
  await page.keyboard.type(ALICE.password);
  await page.keyboard.press('Enter');
  await expect(sessionPanel(page)).toContainText('Signed in as alice');
});

for (const theme of ['light', 'dark'] as const) {
  test(`storage choice, passphrase and lock screens are accessible (${theme})`, async ({ browser }) => {
    const { startHost } = await import('./host/host');
    const host = await startHost(browser, { cipher: 'unavailable' });
    try {
      const { page } = host;
      await page.setViewportSize({ width: 1180, height: 760 });
      await page.emulateMedia({ colorScheme: theme });
      await expect(page.getByRole('button', { name: 'Use a passphrase' })).toBeVisible();
      await check(page, 'no-keyring', theme);
      await page.getByRole('button', { name: 'Use a passphrase' }).click();
      const dialog = page.getByRole('dialog', { name: 'Protect Keyport with a passphrase' });
      await check(page, 'passphrase', theme);
      await dialog.getByLabel('Passphrase', { exact: true }).fill('correct horse battery staple');
      await dialog.getByLabel('Passphrase again').fill('correct horse battery staple');
      await dialog.getByRole('button', { name: 'Use this passphrase' }).click();
      await expect(dialog).toBeHidden();
      await page.getByRole('button', { name: 'Lock now' }).click();
      await expect(page.getByRole('heading', { name: 'Keyport is locked' })).toBeVisible();
      await check(page, 'locked', theme);
    } finally {
      await host.close();
    }
  });
}
