import type { Page } from 'playwright-core';
import { STAFF_PASSWORD } from './staff-login';

/** Signs a staff member in to the dashboard in the browser, as they would, and waits for the dashboard. */
export async function signInToDashboard(page: Page, baseUrl: string, slug: string, email: string): Promise<void> {
  await page.goto(`${baseUrl}/staff/${slug}/login`);
  await page.fill('#email', email);
  await page.fill('#password', STAFF_PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForURL(`${baseUrl}/staff/${slug}`);
}
