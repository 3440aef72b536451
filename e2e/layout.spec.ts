import type { Page } from '@playwright/test';
import { addAndSignIn, createToken, expect, test } from './fixtures';

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
