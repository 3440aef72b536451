// The `npm` kind against the reference registry for registry.npmjs.org (test/servers/npmjs):
// sign-in with the browser (npm's web login) with progress, granular tokens created from the
// dialog (with the trusted-publishing note), their list, and a revoke that asks for a one-time
// password. The "system browser" is a separate Chromium context where the test person approves.
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from '@playwright/test';
import { addServer, expect, sessionPanel, test as base } from './fixtures';
import { startHost, type KeyportHost } from '../test/host/host';
import { NPMJS_OTP, startNpmjsServer, type NpmjsServer } from '../test/servers/npmjs/npmjsServer';
import { loopbackContext } from './systemBrowser';

/** The person at the registry's login page: approves as `as` (a link per user). */
function personAt(browser: Browser) {
  let as = 'alice';
  const pages: Page[] = [];
  return {
    pages,
    approveAs(user: string) {
      as = user;
    },
    async open(url: string) {
      // npm's documentation is not reachable here; the test checks that Keyport asked for it.
      if (!url.startsWith('http://127.0.0.1:')) return;
      const context = await loopbackContext(browser);
      const page = await context.newPage();
      pages.push(page);
      await page.goto(url);
      // A moment to read the page: Keyport shows that it is waiting meanwhile.
      await page.waitForTimeout(500);
      await page.getByRole('link', { name: `Approve as ${as}` }).click();
      await expect(page.getByText('Approved. You can close this page.')).toBeVisible();
    },
    async close() {
      await Promise.all(pages.map((p) => p.context().close()));
    },
  };
}

const test = base.extend<{ registry: NpmjsServer; person: ReturnType<typeof personAt>; app: KeyportHost }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright fixtures take their dependencies as a destructured first argument.
  registry: async ({}, use) => {
    const server = await startNpmjsServer();
    await use(server);
    await server.close();
  },
  person: async ({ browser }, use) => {
    const person = personAt(browser);
    await use(person);
    await person.close();
  },
  app: async ({ browser, person }, use) => {
    const host = await startHost(browser, { openBrowser: (url) => person.open(url), signInTimeoutMs: 20_000 });
    await use(host);
    await host.close();
  },
});

const SERVER = 'npmjs';

async function addAndSignIn(page: Page, registry: NpmjsServer, user: string): Promise<void> {
  await addServer(page, { name: SERVER, url: registry.url, kind: 'npm registry', urlLabel: 'Registry URL' });
  // The browser is npm's first way to sign in, and Keyport's.
  await expect(page.getByRole('radio', { name: 'Browser' })).toBeChecked();
  await page.getByRole('button', { name: 'Sign in with browser' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Waiting for you to finish signing in in your browser' })).toBeVisible();
  await expect(sessionPanel(page).getByText(`Signed in as ${user}`)).toBeVisible();
}

async function noAxeViolations(page: Page, theme: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), theme).toEqual([]);
}

test.describe('npm registry with web login and granular tokens', () => {
  test('signs in with the browser, creates a granular token from the dialog, lists it with its expiry and reach', async ({ app, registry }) => {
    const { page } = app;
    await addAndSignIn(page, registry, 'alice');
    expect(app.opened[0]).toMatch(new RegExp(`^${registry.url}/-/browser/`));

    await page.getByRole('button', { name: 'Create token' }).click();
    const dialog = page.getByRole('dialog', { name: `Create access token on ${SERVER}` });
    await expect(dialog.getByText(/Trusted publishing/)).toBeVisible();
    await expect(dialog.getByRole('button', { name: 'Trusted publishing in npm’s docs' })).toBeVisible();
    for (const theme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: theme });
      await dialog.screenshot({ path: `test-results/screenshots/npmjs-create-top-${theme}.png` });
    }
    await page.emulateMedia({ colorScheme: 'light' });
    // The link opens npm's page in the system browser (main knows the address, not the window).
    await dialog.getByRole('button', { name: 'Trusted publishing in npm’s docs' }).click();
    await expect.poll(() => app.opened.at(-1)).toBe('https://docs.npmjs.com/trusted-publishers');
    await dialog.getByLabel('Token name').fill('ci-publish');
    await dialog.getByLabel('Access', { exact: true }).selectOption('publish');
    await dialog.getByLabel('Packages (optional)').fill('alice-pkg');
    await dialog.getByLabel('Expires after (days)').fill('120');
    await dialog.getByLabel('Account password').fill(registry.users[0]!.password);
    for (const theme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: theme });
      await noAxeViolations(page, theme);
      await dialog.screenshot({ path: `test-results/screenshots/npmjs-create-${theme}.png` });
    }
    await page.emulateMedia({ colorScheme: 'light' });
    // Beyond the maximum for a token that can publish: said on the field, nothing created.
    await dialog.getByRole('button', { name: 'Create' }).click();
    await expect(dialog.getByRole('alert')).toContainText('at most 90 days');
    await expect(dialog.getByLabel('Expires after (days)')).toHaveAttribute('aria-invalid', 'true');
    expect(registry.tokens('alice')).toHaveLength(0);

    await dialog.getByLabel('Expires after (days)').fill('60');
    await dialog.getByLabel('Account password').fill(registry.users[0]!.password);
    await dialog.getByRole('button', { name: 'Create' }).click();
    const shown = page.getByRole('alertdialog', { name: 'Access token “ci-publish” created' });
    await expect(shown).toBeVisible();
    await shown.getByRole('button', { name: 'Done' }).click();

    const table = page.getByRole('table', { name: `Access tokens on ${SERVER}` });
    const row = table.getByRole('row', { name: /ci-publish/ });
    await expect(row).toContainText('Read and write');
    await expect(row).toContainText('alice-pkg');
    for (const column of ['Expires', 'Last used', 'Reaches', 'Access', 'Description']) await expect(table.getByRole('columnheader', { name: column, exact: true })).toBeVisible();
    for (const theme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: theme });
      await noAxeViolations(page, theme);
      await page.screenshot({ path: `test-results/screenshots/npmjs-tokens-${theme}.png` });
    }
  });

  test('revoking on an account with two-factor asks for a one-time password and keeps the session', async ({ app, registry, person }) => {
    const { page } = app;
    person.approveAs('carol');
    const [seeded] = registry.seedTokens('carol', 1);
    expect(seeded).toMatch(/^npm_/);
    await addAndSignIn(page, registry, 'carol');
    const table = page.getByRole('table', { name: `Access tokens on ${SERVER}` });
    await table.getByRole('button', { name: /^Revoke/ }).first().click();
    const confirm = page.getByRole('alertdialog', { name: /Revoke/ });
    await confirm.getByRole('button', { name: /^Revoke/ }).click();
    await expect(confirm.getByLabel('One-time password')).toBeVisible();
    await expect(confirm.getByRole('alert')).toContainText('asks for a one-time password to revoke a token');
    for (const theme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: theme });
      await noAxeViolations(page, theme);
      await confirm.screenshot({ path: `test-results/screenshots/npmjs-revoke-otp-${theme}.png` });
    }
    await confirm.getByLabel('One-time password').fill(NPMJS_OTP);
    await confirm.getByRole('button', { name: /^Revoke/ }).click();
    await expect(confirm).toBeHidden();
    await expect.poll(() => registry.tokens('carol').length).toBe(0);
    await expect(sessionPanel(page).getByText('Signed in as carol')).toBeVisible();
  });
});
