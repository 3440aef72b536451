import { ALICE, expect, signInWithPassword, test } from './fixtures';

const SERVERS = 200;
const TOKENS = 10_000;
const tokenName = (i: number) => `gpu-node-${String(i).padStart(5, '0')}`;

test.describe('a large vault', () => {
  test.setTimeout(120_000);

  test('200 servers and 10,000 tokens: a virtualized list that filters and scrolls, and one change redraws only its server', async ({ app, eds }) => {
    const { page } = app;
    for (let i = 0; i < TOKENS; i++) eds.createApiToken('alice', tokenName(i));
    for (let i = 0; i < SERVERS; i++) {
      await app.call('servers.add', { name: `Server ${String(i + 1).padStart(3, '0')}`, kind: 'eds', url: eds.url });
    }
    await page.reload();
    const servers = page.getByRole('navigation', { name: 'Servers' });
    await expect(servers.getByRole('listitem')).toHaveCount(SERVERS);

    await signInWithPassword(page, ALICE.username, ALICE.password);
    const table = page.getByRole('table', { name: 'API tokens on Server 001' });
    await expect(table).toHaveAttribute('aria-rowcount', String(TOKENS + 1));
    // Virtualized: a screenful of rows in the page, not 10,000.
    const drawn = await table.locator('tbody tr').count();
    expect(drawn).toBeGreaterThan(5);
    expect(drawn).toBeLessThan(100);

    // Filtering narrows the 10,000 at once.
    await page.getByLabel('Filter tokens').fill('gpu-node-0999');
    await expect(table).toHaveAttribute('aria-rowcount', String(10 + 1));
    await expect(table.getByRole('rowheader', { name: 'gpu-node-09999' })).toBeVisible();
    await page.getByLabel('Filter tokens').fill('');
    await expect(table).toHaveAttribute('aria-rowcount', String(TOKENS + 1));

    // Scrolling reaches the last token, with its row index for assistive technology.
    await table.locator('tbody tr').last().scrollIntoViewIfNeeded();
    for (let i = 0; i < 40 && !(await table.getByRole('rowheader', { name: tokenName(TOKENS - 1) }).isVisible()); i++) await page.mouse.wheel(0, 20_000);
    const last = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: tokenName(TOKENS - 1) }) });
    await expect(last).toHaveAttribute('aria-rowindex', String(TOKENS + 1));

    // A filter typed there starts the list at its top again, not at a scroll offset past its end.
    await page.getByLabel('Filter tokens').fill('gpu-node-0999');
    await expect(table).toHaveAttribute('aria-rowcount', String(10 + 1));
    await expect(table.getByRole('rowheader', { name: 'gpu-node-09990' })).toBeInViewport();
    await page.getByLabel('Filter tokens').fill('');

    // One server changes (signed in): the other 199 entries of the list stay the same DOM nodes.
    await servers.getByRole('button', { name: /^Server 150/ }).evaluate((el) => ((el as HTMLElement & { __seen?: boolean }).__seen = true));
    await page.getByRole('button', { name: /^Server 004/ }).click();
    await signInWithPassword(page, ALICE.username, ALICE.password);
    await expect(page.getByRole('table', { name: 'API tokens on Server 004' })).toHaveAttribute('aria-rowcount', String(TOKENS + 1));
    await expect(servers.getByRole('button', { name: /^Server 004/ })).toContainText('Signed in as alice');
    expect(await servers.getByRole('button', { name: /^Server 150/ }).evaluate((el) => (el as HTMLElement & { __seen?: boolean }).__seen)).toBe(true);
  });
});
