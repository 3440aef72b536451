import AxeBuilder from '@axe-core/playwright';
import { addAndSignIn, addServer, createToken, expect, test } from './fixtures';

test.describe('search (Ctrl+K)', () => {
  test('finds servers and tokens by name, kind and user; Enter opens a server or copies a saved token', async ({ app, eds }) => {
    const { page } = app;
    eds.createApiToken('alice', 'laptop');
    await addAndSignIn(page, eds, 'Enthought prod');
    const deploy = await createToken(page, 'deploy');
    await page.getByRole('button', { name: 'Done' }).click();
    await addServer(page, { name: 'Staging', url: eds.url });
    await expect(page.getByRole('heading', { level: 2, name: 'Staging' })).toBeVisible();

    // From anywhere: Ctrl+K.
    await page.keyboard.press('Control+k');
    const palette = page.getByRole('dialog', { name: 'Search' });
    const input = palette.getByRole('combobox', { name: 'Search servers and tokens' });
    await expect(input).toBeFocused();
    const options = palette.getByRole('option');

    // By user: only the server alice is signed in to.
    await input.fill('alice');
    await expect(options).toHaveText([/^Enthought prod/]);
    // By kind, then arrows and Enter open the chosen server.
    await input.fill('deployment server');
    await expect(options).toHaveCount(2);
    await expect(options.first()).toHaveAttribute('aria-selected', 'true');
    await input.press('ArrowDown');
    await expect(options.nth(1)).toHaveAttribute('aria-selected', 'true');
    await expect(input).toHaveAttribute('aria-activedescendant', (await options.nth(1).getAttribute('id')) ?? '');
    const second = (await options.nth(1).innerText()).split('\n')[0] ?? '';
    await input.press('Enter');
    await expect(palette).toBeHidden();
    await expect(page.getByRole('heading', { level: 2, name: second })).toBeVisible();

    // A saved token: Enter copies it in its kind's usual format, without opening anything.
    await page.keyboard.press('Control+k');
    await input.fill('dep');
    await expect(options.first()).toContainText('deploy');
    await expect(options.first()).toContainText('Enthought prod · saved in Keyport · Enter copies');
    await expect(options.first()).toContainText(/Enter copies as \S/);
    const results = new AxeBuilder({ page }).include('dialog[open]').withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']);
    expect((await results.analyze()).violations.map((v) => v.id)).toEqual([]);
    await input.press('Enter');
    await expect(palette).toBeHidden();
    await expect.poll(() => app.clipboard.text).toBe(`export HATCHER_URL=${eds.url} HATCHER_TOKEN=${deploy}`);
    expect(await page.content()).not.toContain(deploy);

    // A token the server lists but Keyport does not hold: Enter shows its server.
    await page.keyboard.press('Control+k');
    await input.fill('laptop');
    await expect(options).toHaveText([/^laptop.*Enthought prod · on the server/s]);
    await input.press('Enter');
    await expect(page.getByRole('heading', { level: 2, name: 'Enthought prod' })).toBeVisible();

    // Nothing found, then Escape.
    await page.keyboard.press('Control+k');
    await input.fill('no such thing');
    await expect(palette.getByRole('status')).toHaveText('No server or token matches “no such thing”.');
    await page.keyboard.press('Escape');
    await expect(palette).toBeHidden();
  });

  test('the sidebar button opens it too, and it is offered only once there is a server', async ({ app, eds }) => {
    const { page } = app;
    await expect(page.getByRole('button', { name: /^Search…/ })).toBeDisabled();
    await addServer(page, { name: 'Only one', url: eds.url });
    await page.getByRole('button', { name: /^Search…/ }).click();
    await expect(page.getByRole('dialog', { name: 'Search' }).getByRole('option')).toHaveText([/^Only one/]);
  });
});
