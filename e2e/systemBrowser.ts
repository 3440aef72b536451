// "The system browser" of the browser-sign-in specs (Anaconda, OpenID Connect): each sign-in URL
// the core opens goes to a separate browser context, where the test acts as a person would.
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { ALICE } from './fixtures';

/** What the person does on the sign-in page: log in, press Cancel, leave it open, or first go to
 * a URL of the test's choosing (a tampered one). */
export type Person = 'login' | 'cancel' | 'ignore' | ((url: string) => string);

/** A browser context that can reach only 127.0.0.1. `ignoreHTTPSErrors` for identity providers
 * with a test CA: trusting it is Keyport's business (its server entry's CA file), not the
 * person's browser's. */
export async function loopbackContext(browser: Browser, options: { ignoreHTTPSErrors?: boolean } = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ ignoreHTTPSErrors: options.ignoreHTTPSErrors ?? false });
  await context.route((url) => url.hostname !== '127.0.0.1', (route) => route.abort('blockedbyclient'));
  return context;
}

/** Opens each sign-in URL in its own context and acts as told (by default logs in as alice). */
export function personAt(browser: Browser, options: { ignoreHTTPSErrors?: boolean } = {}) {
  const contexts: BrowserContext[] = [];
  let behaviour: Person = 'login';
  const pages: Page[] = [];
  return {
    set(next: Person) {
      behaviour = next;
    },
    pages,
    async open(url: string) {
      const context = await loopbackContext(browser, options);
      contexts.push(context);
      const page = await context.newPage();
      pages.push(page);
      const target = typeof behaviour === 'function' ? behaviour(url) : url;
      await page.goto(target);
      if (behaviour === 'ignore') return;
      if (behaviour === 'cancel') {
        await page.getByRole('button', { name: 'Cancel' }).click();
        return;
      }
      await page.getByLabel('User name').fill(ALICE.username);
      await page.getByLabel('Password').fill(ALICE.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
    },
    async close() {
      await Promise.all(contexts.map((c) => c.close()));
    },
  };
}

export type SystemBrowser = ReturnType<typeof personAt>;
