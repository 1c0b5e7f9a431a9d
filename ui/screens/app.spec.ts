import { expect, test } from '@playwright/test';

// The main states of the window against the mock backend, in a real browser engine at 1366×768.
// Each test saves a screenshot under target/ui-screens/ to look at.

const shot = (name: string) => `../target/ui-screens/${name}.png`;

test('rehearsal running', async ({ page }) => {
  await page.goto('/?mock=running');
  await expect(page.getByTestId('rehearsal-phase')).toHaveText('Running');
  await expect(page.getByTestId('rehearsal-services').locator('tr')).toHaveCount(6);
  await expect(page.getByTestId('app-version')).toHaveText('0.1.0');
  // Nothing may overflow the window at the smallest supported size.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  expect(overflow).toBe(false);
  await page.screenshot({ path: shot('rehearsal-running'), fullPage: true });
});

test('rehearsal failed', async ({ page }) => {
  await page.goto('/?mock=failed');
  // That scenario is a show on air with failures: the rehearsal stack is on the overview.
  await expect(page.locator('main')).toHaveAttribute('data-ready', 'true');
  await page.getByTestId('nav-home').click();
  await expect(page.getByTestId('rehearsal-error')).toContainText('nginx is not installed');
  await page.screenshot({ path: shot('rehearsal-failed'), fullPage: true });
});

test('missing media elements', async ({ page }) => {
  await page.goto('/?mock=missing-media');
  await expect(page.getByTestId('missing-media')).toContainText('rtmp2sink');
  await page.screenshot({ path: shot('missing-media'), fullPage: true });
});

test('in French', async ({ page }) => {
  await page.goto('/?mock=running');
  await page.getByTestId('locale-fr').click();
  await expect(page.getByTestId('rehearsal-phase')).toHaveText('En marche');
  await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
  await page.screenshot({ path: shot('rehearsal-running-fr'), fullPage: true });
});

test('start from off', async ({ page }) => {
  await page.goto('/?mock=off');
  await page.getByTestId('rehearsal-start').click();
  await expect(page.getByTestId('rehearsal-phase')).toHaveText('Running');
});
