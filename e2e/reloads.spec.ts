import type { Page } from '@playwright/test';
import { addServer, createToken, expect, sessionPanel, signInWithPassword, test, ALICE } from './fixtures';

// One change, one reload, through the real core and the real window: the saved list and the
// servers reload on main's events only, never a second time by the action that caused them.

/** Counts the window's calls to main from now on (the host preload calls
 * `window.__keyportInvoke` afresh on every call), but the idle lock's activity pings, which
 * clicks send. */
async function countCalls(page: Page): Promise<() => Promise<Record<string, number>>> {
  await page.evaluate(() => {
    const host = window as unknown as { __keyportInvoke(procedure: string, input: unknown): Promise<unknown>; __calls?: string[] };
    // Wrapped once; counting again starts a new list.
    if (!host.__calls) {
      const invoke = host.__keyportInvoke.bind(host);
      host.__keyportInvoke = (procedure, input) => {
        host.__calls?.push(procedure);
        return invoke(procedure, input);
      };
    }
    host.__calls = [];
  });
  return () =>
    page.evaluate(() => {
      const counts: Record<string, number> = {};
      for (const procedure of (window as unknown as { __calls: string[] }).__calls) {
        if (procedure !== 'app.activity') counts[procedure] = (counts[procedure] ?? 0) + 1;
      }
      return counts;
    });
}

/** Reloads that would come twice come within a few milliseconds of each other; this waits well
 * past that before the counts are read. */
const quietPeriod = (page: Page) => page.waitForTimeout(750);

test('a sign-in, a create and a revoke each reload the saved list, the servers and the tokens at most once', async ({ app, eds }) => {
  const { page } = app;
  await addServer(page, { name: 'Enthought', url: eds.url });

  let counts = await countCalls(page);
  await signInWithPassword(page);
  await expect(sessionPanel(page).getByText(`Signed in as ${ALICE.username}`)).toBeVisible();
  const table = page.getByRole('table', { name: 'API tokens on Enthought' });
  await expect(table.or(page.getByText('No API tokens yet.'))).toBeVisible();
  await quietPeriod(page);
  expect(await counts()).toEqual({ 'auth.signInWithPassword': 1, 'tokens.list': 1 });

  counts = await countCalls(page);
  await createToken(page, 'ci-laptop');
  await page.getByRole('button', { name: 'Done' }).click();
  await expect(table.getByRole('rowheader', { name: 'ci-laptop' })).toBeVisible();
  await quietPeriod(page);
  expect(await counts()).toEqual({ 'tokens.create': 1, 'tokens.list': 1, 'secrets.list': 1 });

  counts = await countCalls(page);
  await table.getByRole('button', { name: 'Revoke ci-laptop' }).click();
  await page.getByRole('alertdialog', { name: 'Revoke “ci-laptop”?' }).getByRole('button', { name: 'Revoke token' }).click();
  await expect(table.getByRole('rowheader', { name: 'ci-laptop' })).toBeHidden();
  await quietPeriod(page);
  // delivery.targets: the confirmation asks whether the saved copy was sent to machines.
  expect(await counts()).toEqual({ 'delivery.targets': 1, 'delivery.withdraw': 1, 'tokens.revoke': 1, 'tokens.list': 1, 'secrets.list': 1 });
});
