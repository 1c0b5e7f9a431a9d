import { expect, test, type Page } from '@playwright/test';

// A screenshot of every main view at 1366×768, in English and in French, against the simulated
// mock (meters, preview, sales and mail move as on a real night). They are for people to look at;
// the checks here are only that each view rendered and that nothing spills out of the window.
// SHOWDESK_SHOTS picks the folder (default: target/ui-screens/views).

const dir = process.env.SHOWDESK_SHOTS ?? '../target/ui-screens/views';

type Locale = 'en' | 'fr';

async function start(page: Page, scenario: string, locale: Locale) {
  await page.addInitScript((value) => window.localStorage.setItem('showdesk.locale', value), locale);
  await page.goto(`/?mock=${scenario}`);
  await expect(page.locator('html')).toHaveAttribute('lang', locale);
  await expect(page.getByTestId('off-air').or(page.getByTestId('on-air'))).toBeVisible();
}

async function go(page: Page, view: string) {
  await page.getByTestId(`nav-${view}`).click();
  await expect(page.getByTestId(`view-${view}`)).toBeVisible();
}

async function shot(page: Page, name: string) {
  // Neither the window nor the main area may scroll sideways at the smallest supported size.
  const sideways = await page.evaluate(() => {
    const main = document.querySelector('main');
    return document.documentElement.scrollWidth > window.innerWidth || (main !== null && main.scrollWidth > main.clientWidth + 1);
  });
  expect(sideways, `${name} overflows sideways`).toBe(false);
  await page.screenshot({ path: `${dir}/${name}.png` });
}

for (const locale of ['en', 'fr'] as const) {
  test.describe(`views in ${locale}`, () => {
    test.use({ locale: locale === 'fr' ? 'fr-FR' : 'en-GB' });

    test('overview with the rehearsal stack and the drill', async ({ page }) => {
      await start(page, 'running', locale);
      await page.getByTestId('drill-toggle').click();
      await expect(page.getByTestId('drill')).toHaveAttribute('data-on', 'true');
      await shot(page, `home-${locale}`);
    });

    test('program on air', async ({ page }) => {
      await start(page, 'live', locale);
      await expect(page.getByTestId('view-program')).toBeVisible();
      await expect(page.getByTestId('preview-frame')).toBeVisible();
      await expect(page.getByTestId('alert-item').first()).toBeVisible();
      await shot(page, `program-${locale}`);
    });

    test('program with a failed source and destination', async ({ page }) => {
      await start(page, 'failed', locale);
      await expect(page.getByTestId('view-program')).toBeVisible();
      await expect(page.getByTestId('output-out-dacast')).toHaveAttribute('data-state', 'failed');
      await shot(page, `program-failed-${locale}`);
    });

    test('go live confirmation', async ({ page }) => {
      await start(page, 'idle', locale);
      await page.keyboard.press('Control+Enter');
      await expect(page.getByTestId('confirm-go-live')).toBeVisible();
      await shot(page, `go-live-confirm-${locale}`);
    });

    test('box office', async ({ page }) => {
      await start(page, 'live', locale);
      await go(page, 'boxoffice');
      await expect(page.getByTestId('sales-chart')).toBeVisible();
      await shot(page, `boxoffice-${locale}`);
      await page.getByTestId('orders').scrollIntoViewIfNeeded();
      await shot(page, `boxoffice-orders-${locale}`);
    });

    test('audience', async ({ page }) => {
      await start(page, 'live', locale);
      await go(page, 'audience');
      await expect(page.getByTestId('audience-chart')).toBeVisible();
      await shot(page, `audience-${locale}`);
    });

    test('support with a ticket and its mail as HTML', async ({ page }) => {
      await start(page, 'live', locale);
      await go(page, 'support');
      await page.getByTestId('ticket-status-filter').selectOption('');
      // C24, the hostile mail: its HTML stays inert inside the sandboxed frame.
      await page.getByTestId('ticket-search').fill('attacker@example.net');
      await page.getByTestId('ticket-search').press('Enter');
      await expect(page.getByTestId('ticket-list').getByRole('button')).toHaveCount(1);
      await page.getByTestId('ticket-list').getByRole('button').first().click();
      const toggle = page.locator('[data-testid$="-toggle-html"]').first();
      await toggle.click();
      await expect(page.locator('iframe[data-testid^="mail-html-"]').first()).toHaveAttribute('sandbox', '');
      await shot(page, `support-${locale}`);
    });

    test('support refund from a ticket', async ({ page }) => {
      await start(page, 'live', locale);
      await go(page, 'support');
      await page.getByTestId('category-refund').click();
      await page.getByTestId('ticket-list').getByRole('button').first().click();
      await page.locator('[data-testid^="buyer-order-"][data-testid$="-refund"]').first().click();
      await expect(page.getByTestId('refund-dialog')).toBeVisible();
      await shot(page, `support-refund-${locale}`);
    });

    test('preflight with its checks and the pre-show notices', async ({ page }) => {
      await start(page, 'idle', locale);
      await go(page, 'preflight');
      await page.getByTestId('preflight-run-bandwidth').click();
      await expect(page.getByTestId('preflight-summary')).toBeVisible();
      await page.getByTestId('risk-compute').click();
      await expect(page.getByTestId('risk-figures')).toBeVisible();
      await shot(page, `preflight-${locale}`);
    });

    test('setup: show, Stripe, mailbox, destinations, profile, window', async ({ page }) => {
      await start(page, 'idle', locale);
      await go(page, 'setup');
      await shot(page, `setup-show-${locale}`);
      for (const tab of ['stripe', 'mailbox', 'destinations', 'sources', 'profile', 'window']) {
        await page.getByTestId(`setup-tab-${tab}`).click();
        await expect(page.getByTestId(`setup-${tab}`)).toBeVisible();
        if (tab === 'profile') await page.getByTestId('profile-export').click();
        await shot(page, `setup-${tab}-${locale}`);
      }
    });

    test('setup without a secure store', async ({ page }) => {
      await start(page, 'empty', locale);
      await go(page, 'setup');
      await page.getByTestId('setup-tab-stripe').click();
      await expect(page.getByTestId('secret-store-missing')).toBeVisible();
      await shot(page, `setup-no-keyring-${locale}`);
    });

    test('after the show', async ({ page }) => {
      await start(page, 'after', locale);
      await expect(page.getByTestId('view-after')).toBeVisible();
      await expect(page.getByTestId('report-frame')).toBeVisible();
      await shot(page, `after-${locale}`);
      await page.getByTestId('follow-ups').scrollIntoViewIfNeeded();
      await page.getByTestId('followup-thank_you-preview').click();
      await shot(page, `after-followups-${locale}`);
    });
  });
}
