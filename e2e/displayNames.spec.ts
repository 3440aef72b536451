import { readFile } from 'node:fs/promises';
import AxeBuilder from '@axe-core/playwright';
import { addAndSignIn, expect, test } from './fixtures';

/** A token name a hostile server could give (issue 22, item 4): a right-to-left override, an
 * OSC escape that retitles a terminal, a BEL, and 600 characters. */
const HOSTILE = `\u202Eexe.dorp\x1b]0;owned\x07${'n'.repeat(600)}`;
/** How Keyport shows it: the override and the controls visible, cut to 120 characters. */
const VISIBLE_START = '\\u{202E}exe.dorp\\u{001B}]0;owned\\u{0007}';
const SHOWN = `${VISIBLE_START}${'n'.repeat(120 - 1 - VISIBLE_START.length)}…`;
const FULL = `${VISIBLE_START}${'n'.repeat(600)}`;
/** Nothing raw that a terminal or the bidi algorithm would act on (the page's own markup has
 * line breaks and tabs). */
const RAW = /(?![\t\n\r])\p{Cc}|[\u202A-\u202E\u2066-\u2069]/u;

test.describe('names a server chose', () => {
  test('are shown with controls visible and cut, in the table, the dialogs, the activity log and its CSV; the server still gets its own bytes', async ({ app, eds }) => {
    const { page } = app;
    eds.createApiToken('alice', HOSTILE);
    await addAndSignIn(page, eds);

    const table = page.getByRole('table', { name: 'API tokens on Enthought' });
    const name = table.getByRole('rowheader', { name: SHOWN });
    await expect(name).toBeVisible();
    // The whole name, made visible, is the tooltip.
    await expect(name.locator('bdi')).toHaveAttribute('title', FULL);
    expect(await page.content()).not.toMatch(RAW);
    for (const theme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: theme });
      const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
      expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), theme).toEqual([]);
      await page.screenshot({ path: `test-results/screenshots/hostile-name-${theme}.png` });
    }

    // Revoking asks about the shown name and sends the server's own name.
    await table.getByRole('button', { name: `Revoke ${SHOWN}` }).click();
    const confirm = page.getByRole('alertdialog', { name: `Revoke “${SHOWN}”?` });
    await expect(confirm).toContainText(`Scripts and machines that use “${SHOWN}” will lose access to Enthought.`);
    expect(await page.content()).not.toMatch(RAW);
    await confirm.getByRole('button', { name: 'Revoke token' }).click();
    await expect(name).toBeHidden();
    expect(eds.hasApiToken('alice', HOSTILE)).toBe(false);

    // The activity log shows the name as the table did; its CSV holds no raw control either.
    await page.getByRole('button', { name: 'Activity' }).click();
    const dialog = page.getByRole('dialog', { name: 'Activity' });
    await expect(dialog.getByRole('cell', { name: SHOWN })).toBeVisible();
    expect(await page.content()).not.toMatch(RAW);
    const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    expect(results.violations.map((v) => v.id)).toEqual([]);
    await page.screenshot({ path: 'test-results/screenshots/hostile-name-activity.png' });
    const download = page.waitForEvent('download');
    await dialog.getByRole('button', { name: 'Export as CSV' }).click();
    const csv = await readFile((await (await download).path()) ?? '', 'utf8');
    // The log keeps 500 characters of a name (the rest could be megabytes).
    expect(csv).toContain(`,Revoked,Enthought,eds,${VISIBLE_START}${'n'.repeat(499 - (HOSTILE.length - 600))}…,`);
    expect(csv).not.toMatch(RAW);
  });
});
