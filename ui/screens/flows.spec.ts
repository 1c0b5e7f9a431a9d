import { expect, test, type Page } from '@playwright/test';

// The operator's main paths through the window, against the mock backend kept still
// (`simulate=off`: nothing moves unless the window acts), so every step is deterministic.
// Expectations wait for what the window shows; nothing here measures time.

async function open(page: Page, scenario: string) {
  await page.goto(`/?mock=${scenario}&simulate=off`);
  await expect(page.getByTestId('off-air').or(page.getByTestId('on-air'))).toBeVisible();
}

test('sets up a show on a new installation: Stripe key, show on sale, destination, profile', async ({ page }) => {
  await open(page, 'fresh');
  await expect(page.getByTestId('welcome')).toBeVisible();
  await page.getByTestId('home-start-setup').click();
  await expect(page.getByTestId('secret-store-ok')).toBeVisible();

  // Stripe: the key goes into the keyring, is read back, then verified with Stripe.
  await page.getByTestId('setup-tab-stripe').click();
  await expect(page.getByTestId('stripe-state')).toHaveText('Not connected');
  await page.getByTestId('stripe-secret-input').fill('sk_test_51HxDemoKey9c1e');
  await page.getByTestId('stripe-secret-save').click();
  await expect(page.getByTestId('stripe-state')).toHaveText('Connected');
  await expect(page.getByTestId('stripe-mode')).toContainText('TEST');
  await expect(page.getByTestId('stripe-key')).toHaveText('sk_test_****9c1e');
  // The field is emptied: the key is never shown again, only its masked form.
  await expect(page.getByTestId('stripe-secret-input')).toHaveValue('');
  await expect(page.getByTestId('stripe-secret-state')).toContainText('****9c1e');

  // The show, then on sale (a Payment Link in Stripe).
  await page.getByTestId('setup-tab-show').click();
  await page.getByTestId('show-title-input').fill('Gala de printemps');
  await page.getByTestId('show-starts').fill('2027-04-17T20:30');
  await page.getByTestId('show-duration').fill('150');
  await page.getByTestId('show-price').fill('19,50');
  await page.getByTestId('show-capacity').fill('800');
  await page.getByTestId('show-watch-url').fill('https://live.example.org/gala');
  await page.getByTestId('show-create').click();
  const created = page.getByTestId('setup-show-show_2027_gala_de_printemps');
  await expect(created).toContainText('Gala de printemps');
  await expect(created).toContainText('€19.50');
  await page.getByTestId('setup-put-on-sale-show_2027_gala_de_printemps').click();
  await expect(created).toContainText('On sale');
  await expect(page.getByTestId('show-title')).toHaveText('Gala de printemps');

  // A destination with its stream key in the keyring.
  await page.getByTestId('setup-tab-destinations').click();
  await page.getByTestId('dest-add').click();
  await page.getByTestId('dest-0-name').fill('YouTube');
  await page.getByTestId('dest-0-url').fill('rtmps://a.rtmps.youtube.com/live2');
  await page.getByTestId('dest-0-key-input').fill('abcd-efgh-ijkl-mnop');
  await page.getByTestId('dest-0-key-save').click();
  await expect(page.getByTestId('dest-0-key-state')).toContainText('****mnop');
  await page.getByTestId('dest-save').click();
  await expect(page.getByTestId('toast').filter({ hasText: 'Destinations saved' })).toBeVisible();

  // The profile as TOML: the destination is there, its key is not.
  await page.getByTestId('setup-tab-profile').click();
  await page.getByTestId('profile-export').click();
  const toml = page.getByTestId('profile-exported');
  await expect(toml).toHaveValue(/\[\[destinations\]\]/);
  await expect(toml).toHaveValue(/key_keyring = "youtube"/);
  expect(await toml.inputValue()).not.toContain('abcd-efgh');

  // Overview: what is ready now.
  await page.getByTestId('nav-home').click();
  await expect(page.getByTestId('ready-stripe')).toHaveAttribute('data-ok', 'true');
  await expect(page.getByTestId('ready-show')).toHaveAttribute('data-ok', 'true');
  await expect(page.getByTestId('ready-destinations')).toHaveAttribute('data-ok', 'true');
  await expect(page.getByTestId('ready-mailbox')).toHaveAttribute('data-ok', 'false');
});

test('goes live, cuts with the keyboard and the buttons, then ends the show', async ({ page }) => {
  await open(page, 'idle');
  await page.getByTestId('nav-program').click();
  await expect(page.getByTestId('program-off')).toBeVisible();

  // Ctrl+Enter asks first; Escape says no.
  await page.keyboard.press('Control+Enter');
  await expect(page.getByTestId('confirm-go-live')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('confirm-go-live')).toBeHidden();
  await expect(page.getByTestId('off-air')).toBeVisible();

  await page.keyboard.press('Control+Enter');
  await expect(page.getByTestId('confirm-go-live')).toContainText('Nuit des Champions');
  await page.getByTestId('confirm-go-live-yes').click();
  await expect(page.getByTestId('on-air')).toBeVisible();
  await expect(page.getByTestId('recording-indicator')).toBeVisible();
  await expect(page.getByTestId('slot-0')).toHaveAttribute('aria-pressed', 'true');

  // Key 2 cuts to the second slot; a button cuts to the third.
  await page.keyboard.press('2');
  await expect(page.getByTestId('slot-1')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('slot-0')).toHaveAttribute('aria-pressed', 'false');
  await page.getByTestId('slot-2').click();
  await expect(page.getByTestId('slot-2')).toHaveAttribute('aria-pressed', 'true');

  // Picture-in-picture: the program stays, the inset goes in a corner.
  await page.getByTestId('pip-inset').selectOption('0');
  await page.keyboard.press('p');
  await expect(page.getByTestId('slot-0')).toContainText('Inset');
  await expect(page.getByTestId('slot-2')).toHaveAttribute('aria-pressed', 'true');

  // A slate, then the audio: mute a channel.
  await page.getByTestId('slate-be_right_back').click();
  await expect(page.getByTestId('slot-3')).toHaveAttribute('aria-pressed', 'true');
  await page.getByTestId('mute-0').click();
  await expect(page.getByTestId('mute-0')).toHaveAttribute('aria-pressed', 'true');

  // The outputs are listed with their state.
  await expect(page.getByTestId('health-panel')).toContainText('YouTube');

  // Ctrl+Shift+E asks first (Cancel holds the focus), then the After view opens.
  await page.keyboard.press('Control+Shift+E');
  await expect(page.getByTestId('confirm-end-show')).toBeVisible();
  await expect(page.getByTestId('confirm-end-show-cancel')).toBeFocused();
  await page.getByTestId('confirm-end-show-yes').click();
  await expect(page.getByTestId('off-air')).toBeVisible();
  await expect(page.getByTestId('view-after')).toBeVisible();
  await expect(page.getByTestId('report-frame')).toHaveAttribute('sandbox', '');
});

test('refunds an order from a support ticket in one step', async ({ page }) => {
  await open(page, 'live');
  await page.getByTestId('nav-support').click();
  await page.getByTestId('category-refund').click();
  const first = page.getByTestId('ticket-list').getByRole('button').first();
  await first.click();
  const detail = page.getByTestId('ticket-detail');
  await expect(detail).toBeVisible();

  // The buyer's order, refunded in full from the ticket.
  const refund = detail.locator('[data-testid^="buyer-order-"][data-testid$="-refund"]').first();
  const testid = (await refund.getAttribute('data-testid')) ?? '';
  const order = testid.replace(/^buyer-order-/, '').replace(/-refund$/, '');
  await refund.click();
  const dialog = page.getByTestId('refund-dialog');
  await expect(dialog).toContainText(`#${order}`);
  await expect(page.getByTestId('refund-remaining')).toContainText('€25.00');
  await page.getByTestId('refund-submit').click();
  await expect(dialog).toBeHidden();

  await expect(page.getByTestId('toast').filter({ hasText: `Refunded 25.00 EUR on order ${order}` })).toBeVisible();
  await expect(page.getByTestId(`buyer-order-${order}`)).toContainText('Refunded');
  await expect(page.getByTestId(`buyer-order-${order}-refund`)).toHaveCount(0);
  // The ticket keeps a note of it, and counts as answered.
  await expect(page.getByTestId('ticket-messages')).toContainText(`Refunded 25.00 EUR on order ${order}`);
  await expect(page.getByTestId('ticket-mark-answered')).toHaveAttribute('aria-pressed', 'true');
});

test('shows a bad input clearly: which field, in the operator’s language, with the details', async ({ page }) => {
  await open(page, 'idle');
  await page.getByTestId('nav-setup').click();
  await page.getByTestId('setup-tab-destinations').click();
  // A URL that carries a password belongs in the keyring: the profile refuses it and says where.
  await page.getByTestId('dest-0-url').fill('rtmp://user:hunter2@live.example.org/app');
  await page.getByTestId('dest-save').click();
  const error = page.getByTestId('dest-error');
  await expect(error).toHaveAttribute('data-code', 'profile.invalid');
  await expect(error).toContainText('The show profile is not valid. Check “destinations[0].url”.');
  await expect(error).toContainText('this URL carries a credential');

  // The same kind of refusal in French, from the shell's own check (`invalid`).
  await page.getByTestId('locale-fr').click();
  await page.getByTestId('nav-after').click();
  await page.getByTestId('export-folder').fill('rapports/gala');
  await page.getByTestId('export-submit').click();
  const exportError = page.getByTestId('export-error');
  await expect(exportError).toHaveAttribute('data-code', 'invalid');
  await expect(exportError).toContainText('Une partie de ce qui a été saisi n’est pas utilisable. Vérifiez «\u00a0folder\u00a0».');
  await expect(exportError).toContainText('is not a full path');

  // A refund above what remains is caught before it is sent.
  await page.getByTestId('locale-en').click();
  await page.getByTestId('nav-boxoffice').click();
  await page.locator('[data-testid^="order-"][data-testid$="-refund"]').first().click();
  await page.getByTestId('refund-part').check();
  await page.getByTestId('refund-amount').fill('40');
  await expect(page.getByTestId('refund-problem')).toContainText(/At most €\d+\.\d{2}\./);
  await expect(page.getByTestId('refund-submit')).toBeDisabled();
});
