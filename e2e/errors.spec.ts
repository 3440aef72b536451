import { createServer } from 'node:net';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEdsServer } from '../test/servers/eds/edsServer';
import { ALICE, addAndSignIn, addServer, expect, signInWithPassword, test, sessionPanel } from './fixtures';
import type { EdsFault } from '../test/servers/eds/edsServer';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test.describe('errors a person can act on', () => {
  test('server unreachable', async ({ app }) => {
    await addServer(app.page, { name: 'Gone', url: `http://127.0.0.1:${await closedPort()}`, addAnywayAfter: /Could not connect to Gone\./ });
    await signInWithPassword(app.page);
    const alert = app.page.getByRole('alert');
    await expect(alert).toContainText('Could not connect to Gone.');
    await expect(alert).not.toContainText(ALICE.password);
  });

  test('DNS failure', async ({ app }) => {
    // The host's resolver answers only loopback names, so no query leaves the machine.
    await addServer(app.page, { name: 'Typo', url: 'https://packages.enthougth.invalid', addAnywayAfter: /The host name of Typo could not be found\./ });
    await signInWithPassword(app.page);
    await expect(app.page.getByRole('alert')).toContainText('The host name of Typo could not be found.');
  });

  test('timeout, with the delay taken from Settings', async ({ app, eds }) => {
    const { page } = app;
    await page.getByRole('button', { name: 'Settings' }).click();
    const settings = page.getByRole('dialog', { name: 'Settings' });
    await settings.getByLabel('Wait for a server’s answer (seconds)').fill('1');
    await settings.getByRole('button', { name: 'Save settings' }).click();
    await addServer(page, { name: 'Slow', url: eds.url });
    eds.faults.add({ kind: 'delay', ms: 3000, times: 1 });
    await signInWithPassword(page);
    await expect(page.getByRole('alert')).toContainText('Slow did not answer within 1 second.');
  });

  test('the default timeout is 15 seconds', async ({ app }) => {
    expect(await app.call('settings.get')).toMatchObject({ requestTimeoutSeconds: 15, clipboardClearSeconds: 30 });
  });

  const answers: Array<[string, EdsFault, RegExp]> = [
    ['a 500 error', { kind: 'status', status: 500, times: 1 }, /had an internal error \(HTTP 500\)/],
    ['an HTML page', { kind: 'html', status: 200, times: 1 }, /did not answer with JSON \(it sent an HTML page\)/],
    ['an HTML error page from a proxy', { kind: 'html', times: 1 }, /had an internal error \(HTTP 502\)/],
    ['malformed JSON', { kind: 'malformed-json', times: 1 }, /not valid JSON/],
    ['an answer of the wrong shape', { kind: 'wrong-shape', times: 1 }, /answered in an unexpected format/],
    ['a reset connection', { kind: 'reset', times: 1 }, /closed the connection unexpectedly/],
  ];
  for (const [what, fault, message] of answers) {
    test(`sign-in answered with ${what}`, async ({ app, eds }) => {
      await addServer(app.page, { name: 'Flaky', url: eds.url });
      eds.faults.add(fault);
      await signInWithPassword(app.page);
      await expect(app.page.getByRole('alert')).toContainText(message);
      const [server] = (await app.call('servers.list')) as Array<{ session: { state: string } }>;
      expect(server?.session.state).toBe('signed-out');
    });
  }

  test('token list answered with something that is not EDS', async ({ app, eds }) => {
    await addAndSignIn(app.page, eds);
    // The list the sign-in starts has arrived: the fault is for the Reload, not for that one.
    await expect(app.page.getByText('No API tokens yet.')).toBeVisible();
    eds.faults.add({ kind: 'wrong-shape', match: /tokens\/api$/, times: 1 });
    await app.page.getByRole('button', { name: 'Reload' }).click();
    await expect(app.page.getByRole('alert')).toContainText('Enthought answered in an unexpected format.');
    await expect(app.page.getByRole('alert')).toContainText('Enthought Deployment Server');
  });
});

test.describe('TLS', () => {
  test('self-signed HTTPS fails with a hint, works with its CA file, and works insecurely', async ({ app }) => {
    const eds = await startEdsServer({ https: true });
    try {
      const { page } = app;
      // Said first in the add dialog, on the URL field; added anyway, sign-in says it again.
      await addServer(page, { name: 'Private', url: eds.url, addAnywayAfter: /Private presented a self-signed certificate/ });
      await signInWithPassword(page);
      const alert = page.getByRole('alert');
      await expect(alert).toContainText('Private presented a self-signed certificate');
      await expect(alert).toContainText("Add the server's CA certificate in the server's settings, or allow an insecure connection");

      const dir = await mkdtemp(join(tmpdir(), 'keyport-ca-'));
      const caPath = join(dir, 'ca.pem');
      await writeFile(caPath, eds.caPem ?? '');
      await page.getByRole('button', { name: 'Edit' }).click();
      const edit = page.getByRole('dialog', { name: 'Edit Private' });
      await edit.getByLabel('CA certificate file (optional)').fill(caPath);
      await edit.getByRole('button', { name: 'Save changes' }).click();
      // Saved (after the edit dialog's own check of the server) before the next sign-in: under
      // load a sign-in sent while the save was under way still met the old settings.
      await expect(edit).toBeHidden();
      await signInWithPassword(page);
      await expect(sessionPanel(page).getByText('Signed in as alice')).toBeVisible();

      await addServer(page, { name: 'Private, insecure', url: eds.url, insecure: true });
      await expect(page.getByRole('note')).toContainText('Insecure TLS is allowed');
      await signInWithPassword(page);
      await expect(sessionPanel(page).getByText('Signed in as alice')).toBeVisible();
    } finally {
      await eds.close();
    }
  });

  test('"Browse…" fills the CA path from the file picker', async ({ browser }) => {
    const { startHost } = await import('../test/host/host');
    const host = await startHost(browser, { certificateToPick: '/tmp/company-ca.pem' });
    try {
      await host.page.getByRole('button', { name: 'Add server' }).first().click();
      await host.page.getByRole('button', { name: 'Browse…' }).click();
      await expect(host.page.getByLabel('CA certificate file (optional)')).toHaveValue('/tmp/company-ca.pem');
    } finally {
      await host.close();
    }
  });
});
