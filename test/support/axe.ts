import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';

/** What a violation looks like in a failure message: enough to find it without a screenshot. */
export interface AxeFinding {
  rule: string;
  impact: string | null | undefined;
  help: string;
  targets: string[];
}

/**
 * Runs axe-core on the page as it is now and returns the serious and critical
 * violations (WCAG 2.1 A/AA and best practices). Tests assert the list is
 * empty, so a new violation fails the test that walks the page and names it.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeFinding[]> {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      rule: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
    }));
}

/** `await expectAccessible(page)`: fails with the violations listed. */
export async function expectAccessible(page: Page): Promise<void> {
  const found = await seriousAxeViolations(page);
  expect({ url: page.url(), violations: found }).toEqual({ url: page.url(), violations: [] });
}
