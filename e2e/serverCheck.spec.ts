import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from '../test/servers/common/freePort';
import { expect, test } from './fixtures';
import { checkScreen } from './screenCheck';

/** The add dialog asks the address before saving: a wrong port, a web page or another kind of
 * server is said on the URL field, fixing the URL clears it, and "Add anyway" keeps a server that
 * is offline on purpose. */
test.describe('the add dialog checks the server', () => {
  let site: Server;
  let siteUrl: string;
  test.beforeAll(async () => {
    site = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>Intranet</title><h1>Welcome</h1>'));
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  });
  test.afterAll(async () => {
    await new Promise((resolve) => site.close(resolve));
  });

  test('a wrong port, a web page and another kind of server are said on the URL field; fixing the URL clears it', async ({ app, eds }) => {
    const { page } = app;
    await page.getByRole('button', { name: 'Add server' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Add server' });
    const url = dialog.getByLabel('Server URL');
    await dialog.getByLabel('Name').fill('Enthought');

    const closed = `http://127.0.0.1:${await freePort()}`;
    await url.fill(closed);
    await dialog.getByRole('button', { name: 'Add server' }).click();
    await expect(url).toHaveAttribute('aria-invalid', 'true');
    await expect(url).toHaveAccessibleDescription(/Could not connect to Enthought/);
    await expect(url).toBeFocused();
    await expect(dialog.getByRole('button', { name: 'Add anyway' })).toBeVisible();

    // Editing the URL clears the old error and the offer to add anyway.
    await url.fill(siteUrl);
    await expect(url).not.toHaveAttribute('aria-invalid', 'true');
    await expect(dialog.getByRole('button', { name: 'Add anyway' })).toBeHidden();
    await dialog.getByRole('button', { name: 'Add server' }).click();
    await expect(url).toHaveAccessibleDescription(/did not answer as an Enthought Deployment Server\. Check the address and port: .* got a web page/);
    for (const theme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: theme });
      await checkScreen(page, 'server-check-web-page', theme);
    }

    // An EDS address for an npm registry: nothing at npm's /-/ping.
    await dialog.getByLabel('Kind').selectOption({ label: 'npm registry' });
    await dialog.getByLabel('Registry URL').fill(eds.url);
    await dialog.getByRole('button', { name: 'Add server' }).click();
    await expect(dialog.getByLabel('Registry URL')).toHaveAccessibleDescription(/did not answer as an npm registry.*\/-\/ping and nothing is there \(HTTP 404\)/);

    // The right kind: added, no error left.
    await dialog.getByLabel('Kind').selectOption({ label: 'Enthought Deployment Server' });
    await url.fill(eds.url);
    await expect(url).not.toHaveAttribute('aria-invalid', 'true');
    await dialog.getByRole('button', { name: 'Add server' }).click();
    await expect(dialog).toBeHidden();
    expect(await app.call('servers.list')).toEqual([expect.objectContaining({ name: 'Enthought', kind: 'eds', url: eds.url })]);
  });

  test('"Add anyway" keeps a server that is offline on purpose; an edit that moves it is checked too', async ({ app, eds }) => {
    const { page } = app;
    const closed = `http://127.0.0.1:${await freePort()}`;
    await page.getByRole('button', { name: 'Add server' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Add server' });
    await dialog.getByLabel('Name').fill('Offline for now');
    await dialog.getByLabel('Server URL').fill(closed);
    await dialog.getByRole('button', { name: 'Add server' }).click();
    const anyway = dialog.getByRole('button', { name: 'Add anyway' });
    await expect(anyway).toHaveAccessibleDescription('If the server is offline for now, you can add it anyway and sign in once it answers.');
    await anyway.click();
    await expect(dialog).toBeHidden();
    await expect(page.getByRole('heading', { level: 2, name: 'Offline for now' })).toBeVisible();
    expect(await app.call('servers.list')).toEqual([expect.objectContaining({ name: 'Offline for now', url: closed })]);

    // Moving it to a web page is said in the edit dialog too; "Save anyway" is offered there.
    await page.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit Offline for now' });
    await edit.getByLabel('Server URL').fill(siteUrl);
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await expect(edit.getByLabel('Server URL')).toHaveAccessibleDescription(/got a web page/);
    await expect(edit.getByRole('button', { name: 'Save anyway' })).toBeVisible();
    await edit.getByLabel('Server URL').fill(eds.url);
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await expect(edit).toBeHidden();
    expect(await app.call('servers.list')).toEqual([expect.objectContaining({ url: eds.url })]);
  });
});
