import { addAndSignIn, addServer, expect, test } from './fixtures';

// What axe cannot check: errors sit under their fields and are linked to them, every empty
// required field is reported at once, and focus goes to the first invalid field.

test('the add-server form reports every empty field under it, linked, and focuses the first', async ({ app }) => {
  const { page } = app;
  await page.getByRole('button', { name: 'Add server' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Add server' });
  await dialog.getByRole('button', { name: 'Add server' }).click();
  const name = dialog.getByLabel('Name');
  const url = dialog.getByLabel('Server URL');
  await expect(name).toHaveAttribute('aria-invalid', 'true');
  await expect(url).toHaveAttribute('aria-invalid', 'true');
  await expect(name).toHaveAccessibleDescription(/Enter a name for this server/);
  await expect(url).toHaveAccessibleDescription(/Enter the server url/i);
  await expect(name).toBeFocused();
  // Fixing a field clears its error, and only its error.
  await name.fill('Enthought');
  await expect(name).not.toHaveAttribute('aria-invalid');
  await expect(url).toHaveAttribute('aria-invalid', 'true');
  await dialog.getByRole('button', { name: 'Add server' }).click();
  await expect(url).toBeFocused();
});

test('a token name over the limit gets the core’s message under the field, not a silent cut', async ({ app, eds }) => {
  const { page } = app;
  await addAndSignIn(page, eds);
  await page.getByRole('button', { name: 'Create token' }).click();
  const dialog = page.getByRole('dialog', { name: /Create API token/ });
  const field = dialog.getByLabel('Token name');
  // Keyport takes names up to 500 characters (servers such as EDS accept long ones).
  await field.fill('x'.repeat(520));
  await expect(field).toHaveValue('x'.repeat(520));
  await dialog.getByRole('button', { name: 'Create token' }).click();
  await expect(field).toHaveAttribute('aria-invalid', 'true');
  await expect(field).toHaveAccessibleDescription(/at most 500 characters/);
  await expect(field).toBeFocused();
});

test('the password field shows and hides what was typed, and an empty sign-in names both fields', async ({ app, eds }) => {
  const { page } = app;
  await addServer(page, { name: 'Enthought', url: eds.url });
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  const user = page.getByLabel('User name', { exact: true });
  const password = page.getByLabel('Password', { exact: true });
  await expect(user).toBeFocused();
  await expect(user).toHaveAccessibleDescription(/Enter your user name\./);
  await expect(password).toHaveAccessibleDescription(/Enter your password\./);
  await password.fill('wonderland');
  await expect(password).toHaveAttribute('type', 'password');
  const show = page.getByRole('button', { name: 'Show' });
  await show.click();
  await expect(show).toHaveAttribute('aria-pressed', 'true');
  await expect(password).toHaveAttribute('type', 'text');
  await show.click();
  await expect(password).toHaveAttribute('type', 'password');
});

test('focus follows the steps: adding a server goes to its sign-in form, signing in to the token list', async ({ app, eds }) => {
  const { page } = app;
  await addServer(page, { name: 'Enthought', url: eds.url });
  const user = page.getByLabel('User name', { exact: true });
  await expect(user).toBeFocused();
  await page.keyboard.type('alice');
  await page.keyboard.press('Tab');
  await page.keyboard.type('wonderland-secret');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'API tokens' })).toBeFocused();
  // The skip link is the first stop (first in the page, shown when focused) and leads to the
  // main content.
  const skip = page.getByRole('link', { name: 'Skip to main content' });
  expect(await page.evaluate(() => document.querySelector('a[href], button, input, select, textarea')?.textContent)).toBe('Skip to main content');
  await skip.focus();
  await expect(skip).toBeInViewport();
  await page.keyboard.press('Enter');
  await expect(page.locator('main')).toBeFocused();
});
