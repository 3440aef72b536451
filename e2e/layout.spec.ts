import type { Locator, Page } from '@playwright/test';
import { join } from 'node:path';
import { addAndSignIn, createToken, expect, test } from './fixtures';
import { writeAnacondaKeyring } from '../test/servers/anaconda/keyringFile';

// What axe cannot check: the layout reflows (WCAG 1.4.10). At 640×480 (a 1280×960 window at
// 200% zoom), 800×600 and 1920×1080 nothing scrolls sideways, every primary action is on
// screen, and a 100-character token name (the longest allowed) stays on one line with the whole name on hover.
const SHOTS = process.env.KEYPORT_SCREENSHOTS_DIR ?? 'test-results/screenshots';
const LONG_NAME = `laptop-${'very-long-token-name-'.repeat(6)}`.slice(0, 100);

async function expectNoSidewaysScroll(page: Page, where: string): Promise<void> {
  const { scrollWidth, clientWidth } = await page.evaluate(() => {
    const root = document.scrollingElement as Element;
    return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth };
  });
  expect(scrollWidth, `the page scrolls sideways ${where}`).toBeLessThanOrEqual(clientWidth);
}

/** On screen from left to right (the page may scroll down to it, never sideways). */
async function expectOnScreen(page: Page, name: string): Promise<void> {
  const button = page.getByRole('button', { name, exact: true }).first();
  await expect(button, `${name} is visible`).toBeVisible();
  const box = await button.boundingBox();
  const width = page.viewportSize()?.width ?? 0;
  expect(box, `${name} has a box`).not.toBeNull();
  expect(box!.x, `${name} starts on screen`).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width, `${name} ends on screen`).toBeLessThanOrEqual(width);
}

for (const [width, height] of [
  [640, 480],
  [800, 600],
  [1920, 1080],
] as const) {
  test(`the window reflows at ${width}×${height}: no sideways scroll, every action on screen`, async ({ app, eds }) => {
    const { page } = app;
    await page.setViewportSize({ width, height });
    eds.createApiToken('alice', 'build-server');
    await expectNoSidewaysScroll(page, 'before any server');
    await addAndSignIn(page, eds);
    await createToken(page, LONG_NAME);
    await page.getByRole('button', { name: 'Done' }).click();

    await expectNoSidewaysScroll(page, 'on the server page');
    for (const name of ['Create token', 'Edit', 'Remove', 'Activity', 'Settings', 'Clear secrets from memory', `Copy ${LONG_NAME}`, `Revoke ${LONG_NAME}`]) await expectOnScreen(page, name);

    // The long name is one line, cut with an ellipsis; the whole name is its title and its
    // accessible name.
    const name = page.getByRole('rowheader', { name: LONG_NAME });
    await expect(name).toBeVisible();
    const text = name.locator('.truncate');
    await expect(text).toHaveAttribute('title', LONG_NAME);
    const lines = await text.evaluate((el) => Math.round(el.getBoundingClientRect().height / parseFloat(getComputedStyle(el).lineHeight)));
    expect(lines).toBe(1);
    // A 1920 px window has room for all of it.
    expect(await text.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(width < 1920);

    // Narrow windows fold the server list behind a toggle; wide ones show it.
    const toggle = page.getByRole('button', { name: 'Servers' });
    const serverLink = page.getByRole('navigation', { name: 'Servers' }).getByRole('button', { name: /Enthought/ });
    if (width <= 720) {
      await expect(toggle).toHaveAttribute('aria-expanded', 'false');
      await expect(serverLink).toBeHidden();
      await toggle.click();
      await expect(toggle).toHaveAttribute('aria-expanded', 'true');
      await expect(serverLink).toBeVisible();
      await expectNoSidewaysScroll(page, 'with the server list open');
      await serverLink.click();
      await expect(serverLink).toBeHidden();
    } else {
      await expect(toggle).toBeHidden();
      await expect(serverLink).toBeVisible();
    }
    await page.screenshot({ path: `${SHOTS}/reflow-${width}x${height}.png`, fullPage: false });
  });
}

test('wide windows use the width: the content is not held to a narrow column', async ({ app, eds }) => {
  const { page } = app;
  await page.setViewportSize({ width: 1920, height: 1080 });
  await addAndSignIn(page, eds);
  const main = await page.locator('main').boundingBox();
  const tokens = await page.getByRole('region', { name: 'API tokens' }).boundingBox();
  expect(main && tokens && tokens.width / main.width).toBeGreaterThan(0.9);
});

test('the token table counts, sorts by a column (aria-sort) and shows relative times with the exact one on hover', async ({ app, eds }) => {
  const { page } = app;
  for (const name of ['charlie', 'alpha', 'bravo']) eds.createApiToken('alice', name);
  await addAndSignIn(page, eds);
  const table = page.getByRole('table', { name: 'API tokens on Enthought' });
  await expect(page.getByText('3 API tokens', { exact: true })).toBeVisible();
  const names = () => table.getByRole('rowheader').allTextContents();
  const nameHeader = table.getByRole('columnheader', { name: 'Name' });
  await expect(nameHeader).not.toHaveAttribute('aria-sort');
  await nameHeader.getByRole('button').click();
  await expect(nameHeader).toHaveAttribute('aria-sort', 'ascending');
  expect(await names()).toEqual(['alpha', 'bravo', 'charlie']);
  await nameHeader.getByRole('button').click();
  await expect(nameHeader).toHaveAttribute('aria-sort', 'descending');
  expect(await names()).toEqual(['charlie', 'bravo', 'alpha']);
  const created = table.getByRole('row', { name: /alpha/ }).locator('time').first();
  await expect(created).toHaveText('just now');
  await expect(created).toHaveAttribute('title', /\d{4}/);
});

test('500 tokens: the page is the one scroll container, the header row stays in view and the columns keep their widths', async ({ app, eds }) => {
  const { page } = app;
  await page.setViewportSize({ width: 1280, height: 800 });
  for (let i = 0; i < 500; i++) eds.createApiToken('alice', `node-${String(i).padStart(3, '0')}`);
  await addAndSignIn(page, eds);
  const table = page.getByRole('table', { name: 'API tokens on Enthought' });
  await expect(table).toHaveAttribute('aria-rowcount', '501');
  // Elements that scroll their own content: none; the page does.
  const scrollers = () =>
    page.evaluate(() =>
      [...document.querySelectorAll('body *')]
        .filter((el) => /(auto|scroll)/.test(getComputedStyle(el).overflowY) && el.scrollHeight > el.clientHeight + 1)
        .map((el) => `${el.tagName.toLowerCase()}.${el.className}`),
    );
  expect(await scrollers()).toEqual([]);
  expect(await page.evaluate(() => document.documentElement.scrollHeight > window.innerHeight * 10)).toBe(true);
  // Still virtualized: a screenful of rows, not 500.
  expect(await table.locator('tbody tr').count()).toBeLessThan(60);

  const widths = () => table.getByRole('columnheader').evaluateAll((cells) => cells.map((c) => Math.round(c.getBoundingClientRect().width)));
  const before = await widths();
  for (let i = 0; i < 40 && !(await table.getByRole('rowheader', { name: 'node-499' }).isVisible()); i++) await page.mouse.wheel(0, 2_000);
  await expect(table.getByRole('rowheader', { name: 'node-499' })).toBeVisible();
  expect(await widths()).toEqual(before);
  // The header row sticks to the top of the window while the page scrolls.
  const headerTop = await table.getByRole('columnheader', { name: 'Name' }).evaluate((c) => Math.round(c.getBoundingClientRect().top));
  expect(headerTop).toBeGreaterThanOrEqual(0);
  expect(headerTop).toBeLessThan(5);
  expect(await scrollers()).toEqual([]);
  await page.screenshot({ path: `${SHOTS}/tokens-500-scrolled.png` });
});

test('one date format everywhere: every time on the token list, server list, overview and activity reads relative with the exact time on hover', async ({ app, eds, anaconda }) => {
  const { page } = app;
  eds.createApiToken('alice', 'laptop');
  await addAndSignIn(page, eds);
  await createToken(page, 'deploy');
  await page.getByRole('button', { name: 'Done' }).click();
  const { apiKey } = anaconda.mintApiKey('alice', { lifetimeSeconds: 5 * 24 * 3600 });
  writeAnacondaKeyring(join(app.dataDir, 'home'), anaconda.url, apiKey);
  await app.call('sessionFiles.import', { kind: 'anaconda' });
  await page.reload();
  await page.getByRole('button', { name: /^Enthought/ }).click();
  await expect(page.getByRole('rowheader', { name: 'deploy' })).toBeVisible();

  /** Every <time> in `where`: its title is the exact time in the one format (formatTime.ts:
   * medium date, short time) and its text is words ("just now", "in 5 days"), never a date. */
  const expectOneFormat = async (where: Locator, atLeast: number, name: string) => {
    await expect(where.locator('time').first()).toBeVisible();
    const times = await where.locator('time').evaluateAll((els) =>
      els.map((el) => ({
        text: el.textContent ?? '',
        title: el.getAttribute('title'),
        exact: new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(el.getAttribute('datetime') ?? '')),
      })),
    );
    expect(times.length, name).toBeGreaterThanOrEqual(atLeast);
    for (const t of times) {
      expect(t.title, `${name}: ${t.text}`).toBe(t.exact);
      expect(t.text, name).not.toMatch(/\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}|\d{1,2}:\d{2}/);
    }
  };
  await expectOneFormat(page.getByRole('table', { name: 'API tokens on Enthought' }), 2, 'token list');
  await expectOneFormat(page.getByRole('navigation', { name: 'Servers' }), 1, 'server list');
  await page.getByRole('button', { name: 'Overview' }).click();
  await expectOneFormat(page.getByRole('region', { name: 'Expiring soon' }), 1, 'overview');
  await page.getByRole('button', { name: 'Activity' }).click();
  await expectOneFormat(page.getByRole('dialog', { name: 'Activity' }), 1, 'activity');
});
