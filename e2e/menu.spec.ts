import { addAndSignIn, createToken, expect, test } from './fixtures';

test.describe('app menu and tray', () => {
  test('menu commands reach the window: search, overview, add server, activity and settings', async ({ app, eds }) => {
    const { page } = app;
    await addAndSignIn(page, eds);
    const commands = [
      ['search', page.getByRole('dialog', { name: 'Search' })],
      ['add-server', page.getByRole('dialog', { name: 'Add server' })],
      ['activity', page.getByRole('dialog', { name: 'Activity' })],
      ['settings', page.getByRole('dialog', { name: 'Settings' })],
    ] as const;
    for (const [command, dialog] of commands) {
      app.core.command(command);
      await expect(dialog).toBeVisible();
      await page.keyboard.press('Escape');
      await expect(dialog).toBeHidden();
    }
    app.core.command('overview');
    await expect(page.getByRole('region', { name: 'Overview' })).toBeVisible();
  });

  test('a saved token can be pinned to the tray and unpinned; other windows follow', async ({ app, eds }) => {
    const { page } = app;
    await addAndSignIn(page, eds);
    await createToken(page, 'deploy');
    await page.getByRole('button', { name: 'Done' }).click();
    const pin = page.getByRole('button', { name: 'Pin deploy to the tray' });
    await expect(pin).toHaveAttribute('aria-pressed', 'false');
    // It reads as a toggle: an outlined star when off, a filled one on an accent when on.
    const look = () => pin.evaluate((el) => ({ star: getComputedStyle(el, '::before').content, background: getComputedStyle(el).backgroundColor }));
    const off = await look();
    expect(off.star).toBe('"☆ "');
    await pin.click();
    await expect(pin).toHaveAttribute('aria-pressed', 'true');
    await expect(pin).toHaveText('Pinned');
    const on = await look();
    expect(on.star).toBe('"★ "');
    expect(on.background).not.toBe(off.background);
    expect(await app.call('secrets.list')).toMatchObject([{ name: 'deploy', pinned: true }]);

    // Unpinned elsewhere (the tray, another window): this window redraws from the event.
    const [saved] = (await app.call('secrets.list')) as Array<{ id: string }>;
    await app.call('secrets.pin', { secretId: saved?.id, pinned: false });
    await expect(pin).toHaveAttribute('aria-pressed', 'false');
  });
});
