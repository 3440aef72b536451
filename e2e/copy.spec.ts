import { addAndSignIn, createToken, expect, test } from './fixtures';

test('Copy confirms beside the button, offers Clear now, and the live region speaks once', async ({ app, eds }) => {
  const { page } = app;
  await addAndSignIn(page, eds);
  await createToken(page, 'ci-runner');
  await page.getByRole('button', { name: 'Done' }).click();
  const row = page.getByRole('row', { name: /ci-runner/ });
  await row.getByRole('button', { name: 'Copy ci-runner' }).click();
  await expect.poll(() => app.clipboard.text).not.toBe('');
  await expect(row.getByText(/Copied — clears in \d+ s/)).toBeVisible();
  // The toast counts down on screen; what screen readers hear does not tick.
  const live = page.locator('.toast-region [role="status"]');
  await expect(live).toHaveText(/Copied ci-runner .*Clipboard clears in \d+ s\./);
  const first = await live.textContent();
  await page.waitForTimeout(1_500);
  expect(await live.textContent()).toBe(first);
  await row.getByRole('button', { name: /^Clear now/ }).click();
  await expect(live).toHaveText('Clipboard cleared.');
  await expect(row.getByText(/Copied — clears in/)).toBeHidden();
  expect(app.clipboard.text).toBe('');
});
