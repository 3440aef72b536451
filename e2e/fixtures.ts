import AxeBuilder from '@axe-core/playwright';
import { test as base, expect, type Page } from '@playwright/test';
import { startAnacondaServer, type AnacondaServer } from '../test/servers/anaconda/anacondaServer';
import { startEdsServer, type EdsServer } from '../test/servers/eds/edsServer';
import { startHost, type KeyportHost } from '../test/host/host';

export const ALICE = { username: 'alice', password: 'wonderland-secret', email: 'alice@example.com' };

/** Each fixture starts only in the tests that use it. */
export const test = base.extend<{ eds: EdsServer; anaconda: AnacondaServer; app: KeyportHost }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright fixtures take their dependencies as a destructured first argument.
  eds: async ({}, use) => {
    const server = await startEdsServer();
    await use(server);
    await server.close();
  },
  // eslint-disable-next-line no-empty-pattern -- as above.
  anaconda: async ({}, use) => {
    const server = await startAnacondaServer();
    await use(server);
    await server.close();
  },
  app: async ({ browser }, use) => {
    const host = await startHost(browser);
    await use(host);
    await host.close();
  },
});

export { expect };

export async function addServer(
  page: Page,
  server: { name: string; url: string; caPath?: string; insecure?: boolean; kind?: string; urlLabel?: string; options?: Record<string, string>; addAnywayAfter?: RegExp },
): Promise<void> {
  await page.getByRole('button', { name: 'Add server' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Add server' });
  await dialog.getByLabel('Name').fill(server.name);
  if (server.kind) await dialog.getByLabel('Kind').selectOption({ label: server.kind });
  await dialog.getByLabel(server.urlLabel ?? 'Server URL').fill(server.url);
  for (const [label, value] of Object.entries(server.options ?? {})) await dialog.getByLabel(label).fill(value);
  if (server.caPath) await dialog.getByLabel('CA certificate file (optional)').fill(server.caPath);
  if (server.insecure) await dialog.getByLabel(/Allow insecure TLS/).check();
  await dialog.getByRole('button', { name: 'Add server' }).click();
  // A server that does not answer: the check's error on the URL field, then "Add anyway".
  if (server.addAnywayAfter) {
    await expect(dialog.getByLabel(server.urlLabel ?? 'Server URL')).toHaveAccessibleDescription(server.addAnywayAfter);
    await dialog.getByRole('button', { name: 'Add anyway' }).click();
  }
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('heading', { level: 2, name: server.name })).toBeVisible();
}

/** The signed-in panel of the selected server (the sidebar says "Signed in as" too). */
export const sessionPanel = (page: Page) => page.getByRole('region', { name: 'Session' });

export async function signInWithPassword(page: Page, username = ALICE.username, password = ALICE.password): Promise<void> {
  await page.getByLabel('User name', { exact: true }).fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** Adds an EDS server and signs in as alice; returns when the token list is shown. */
export async function addAndSignIn(page: Page, eds: EdsServer, name = 'Enthought'): Promise<void> {
  await addServer(page, { name, url: eds.url });
  await signInWithPassword(page);
  await expect(sessionPanel(page).getByText(`Signed in as ${ALICE.username}`)).toBeVisible();
}

export async function createToken(page: Page, name: string, options: { save?: boolean } = {}): Promise<string> {
  await page.getByRole('button', { name: 'Create token' }).click();
  const dialog = page.getByRole('dialog', { name: /Create api token/i });
  await dialog.getByLabel('Token name').fill(name);
  if (options.save === false) await dialog.getByLabel(/Save in Keyport/).uncheck();
  await dialog.getByRole('button', { name: 'Create token' }).click();
  const shown = page.getByRole('alertdialog', { name: `API token “${name}” created` });
  await expect(shown).toBeVisible();
  return shown.getByLabel('New token').inputValue();
}

/** No WCAG 2.1 AA violations on the page as it is now, and a screenshot of it (test-results/screenshots). */
export async function expectNoAxeViolations(page: Page, name: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), `axe violations on ${name}`).toEqual([]);
  await page.screenshot({ path: `test-results/screenshots/${name}.png` });
}
