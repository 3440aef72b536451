import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

/** Where screenshots go (`npm run screenshots` refreshes the README's in docs/). */
export const SHOTS = process.env.KEYPORT_SCREENSHOTS_DIR ?? 'test-results/screenshots';

/** No axe violations (WCAG 2.1 A/AA) on the page as it is, then a screenshot `name-theme.png`. */
export async function checkScreen(page: Page, name: string, theme: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const summary = results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(summary, `axe violations on ${name} (${theme})`).toEqual([]);
  await page.screenshot({ path: `${SHOTS}/${name}-${theme}.png` });
}
