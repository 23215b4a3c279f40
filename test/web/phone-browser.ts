// Chromium at phone size for walkthrough tests: each page records requests to
// any other origin and console errors, screenshots go to SCREENSHOTS=dir, and
// logIn goes through the real login form.
import { existsSync, mkdirSync } from 'node:fs';
import type { Test } from 'tap';
import { chromium, type Page } from 'playwright-core';
import { testPassword } from '../helper.ts';

export const executablePath = '/usr/bin/chromium';
export const noChromium = !existsSync(executablePath) && 'chromium is not installed';

export interface PhoneBrowser {
  phone(timezoneId?: string): Promise<Page>;
  shot(page: Page, name: string): Promise<void>;
  logIn(page: Page, email: string): Promise<void>;
  /** Requests that left Lantern's origin. */
  foreign: string[];
  /** Errors in the browser console (CSP violations among them). */
  problems: string[];
}

export async function phoneBrowser(t: Test, origin: string): Promise<PhoneBrowser> {
  const shots = process.env.SCREENSHOTS;
  if (shots) mkdirSync(shots, { recursive: true });
  const browser = await chromium.launch({ executablePath, headless: true, args: ['--disable-gpu', '--disable-quic', '--disable-sync'] });
  t.teardown(() => browser.close());
  const foreign: string[] = [];
  const problems: string[] = [];
  return {
    foreign,
    problems,
    async phone(timezoneId = 'Asia/Seoul') {
      const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, acceptDownloads: true, timezoneId, locale: 'en-US' });
      const page = await ctx.newPage();
      page.on('request', (r) => {
        if (new URL(r.url()).origin !== origin) foreign.push(r.url());
      });
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(m.text());
      });
      return page;
    },
    async shot(page, name) {
      if (shots) await page.screenshot({ path: `${shots}/${name}.png`, fullPage: true });
    },
    async logIn(page, email) {
      await page.goto(`${origin}/login`);
      await page.getByLabel('E-mail').fill(email);
      await page.getByLabel('Password').fill(testPassword);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.waitForLoadState();
    },
  };
}
