import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';

import App from './App.svelte';
import { createMockBackend, type MockScenario } from './lib/backend/mock';
import { i18n, setLocale } from './lib/i18n.svelte';

// The window's panels against the mock backend kept still: what the operator sees and does.

afterEach(() => setLocale('en'));

async function openApp(scenario: MockScenario) {
  const backend = createMockBackend(scenario);
  render(App, { backend });
  // Loaded: the first view is picked once everything answered.
  await waitFor(() => expect(document.querySelector('main')?.dataset.ready).toBe('true'));
  return backend;
}

async function go(view: string) {
  await fireEvent.click(screen.getByTestId(`nav-${view}`));
  return screen.findByTestId(`view-${view}`);
}

const key = (init: KeyboardEventInit) => fireEvent.keyDown(window, init);

describe('going live and cutting', () => {
  it('asks before going live, cuts with the keys, asks before ending, then opens the report', async () => {
    const backend = await openApp('idle');
    await key({ key: 'Enter', code: 'Enter', ctrlKey: true });
    const confirm = await screen.findByTestId('confirm-go-live');
    expect(confirm.textContent).toContain('Nuit des Champions');
    expect(backend.world.live.phase).toBe('off');
    await fireEvent.click(screen.getByTestId('confirm-go-live-yes'));
    await screen.findByTestId('on-air');
    expect(await screen.findByTestId('view-program')).toBeTruthy();

    await key({ key: '2', code: 'Digit2' });
    await waitFor(() => expect(screen.getByTestId('slot-1').getAttribute('aria-pressed')).toBe('true'));
    expect(backend.world.live.layout).toEqual({ layout: 'single', slot: 1 });
    // A slot the program does not have does nothing.
    await key({ key: '9', code: 'Digit9' });
    expect(backend.world.live.layout).toEqual({ layout: 'single', slot: 1 });

    await key({ key: 'E', code: 'KeyE', ctrlKey: true, shiftKey: true });
    await screen.findByTestId('confirm-end-show');
    expect(backend.world.live.phase).toBe('live');
    await fireEvent.click(screen.getByTestId('confirm-end-show-yes'));
    await screen.findByTestId('off-air');
    expect(await screen.findByTestId('view-after')).toBeTruthy();
    expect(backend.world.live.phase).toBe('off');
  });

  it('closes ticket sales with the end of the show when the organizer ticks it', async () => {
    const backend = await openApp('live');
    const onAir = backend.world.shows.find((show) => show.sales_open);
    expect(onAir).toBeTruthy();
    await key({ key: 'E', code: 'KeyE', ctrlKey: true, shiftKey: true });
    await fireEvent.click(await screen.findByTestId('end-show-close-sales'));
    await fireEvent.click(screen.getByTestId('confirm-end-show-yes'));
    expect(await screen.findByTestId('view-after')).toBeTruthy();
    await waitFor(() => expect(backend.world.shows.find((show) => show.id === onAir?.id)?.sales_open).toBe(false));
  });

  it('does not cut while the operator types', async () => {
    const backend = await openApp('live');
    const search = (await go('support')).querySelector('input[type="search"]') as HTMLInputElement;
    await fireEvent.keyDown(search, { key: '3', code: 'Digit3' });
    expect(backend.world.live.layout).toEqual({ layout: 'single', slot: 0 });
  });

  it('retries a failed destination and says again why it fails', async () => {
    const backend = await openApp('failed');
    await go('program');
    await fireEvent.click(await screen.findByTestId('retry-out-dacast'));
    await waitFor(() => expect(screen.getByTestId('output-out-dacast').dataset.state).toBe('failed'));
    expect(screen.getByTestId('output-out-dacast-reason').textContent).toContain('refused the stream key');
    expect(backend.world.live.outputs.find((output) => output.id === 'out-dacast')?.reconnects).toBe(4);
  });
});

describe('support desk', () => {
  it('offers only open, answered and resolved for a ticket', async () => {
    await openApp('live');
    await go('support');
    await fireEvent.click(within(screen.getByTestId('ticket-list')).getAllByRole('button')[0]!);
    await screen.findByTestId('ticket-detail');
    const marks = screen.getAllByTestId(/^ticket-mark-/).map((button) => button.dataset.testid);
    expect(marks).toEqual(['ticket-mark-open', 'ticket-mark-answered', 'ticket-mark-resolved']);
    const filter = screen.getByTestId('ticket-status-filter') as HTMLSelectElement;
    expect([...filter.options].map((option) => option.value)).toEqual(['', 'open', 'answered', 'resolved']);
    await fireEvent.click(screen.getByTestId('ticket-mark-resolved'));
    await waitFor(() => expect(screen.getByTestId('ticket-mark-resolved').getAttribute('aria-pressed')).toBe('true'));
  });

  it('refunds part of an order from the ticket, typed the French way', async () => {
    setLocale('fr');
    const backend = await openApp('live');
    await go('support');
    await fireEvent.click(screen.getByTestId('category-refund'));
    await waitFor(() => expect(within(screen.getByTestId('ticket-list')).getAllByRole('button').length).toBeGreaterThan(0));
    await fireEvent.click(within(screen.getByTestId('ticket-list')).getAllByRole('button')[0]!);
    const detail = await screen.findByTestId('ticket-detail');
    const refund = detail.querySelector<HTMLButtonElement>('[data-testid^="buyer-order-"][data-testid$="-refund"]')!;
    const order = refund.dataset.testid!.replace(/^buyer-order-|-refund$/g, '');
    await fireEvent.click(refund);
    await fireEvent.click(await screen.findByTestId('refund-part'));
    await fireEvent.input(screen.getByTestId('refund-amount'), { target: { value: '12,50' } });
    expect(screen.getByTestId('refund-submit').textContent).toContain('12,50');
    await fireEvent.click(screen.getByTestId('refund-submit'));
    await waitFor(() => expect(screen.queryByTestId('refund-dialog')).toBeNull());
    expect(backend.world.orders.find((candidate) => candidate.id === order)?.refundedMinor).toBe(1250);
    expect((await screen.findAllByTestId('toast'))[0]?.textContent).toContain(`Refunded 12.50 EUR on order ${order}`);
  });

  it('asks before sending order details to someone who is not the buyer', async () => {
    const backend = await openApp('live');
    await go('support');
    const mismatch = backend.world.tickets.find((ticket) => ticket.senderMismatch && ticket.status === 'open');
    expect(mismatch).toBeDefined();
    await fireEvent.input(screen.getByTestId('ticket-search'), { target: { value: `SD-${mismatch!.id}` } });
    await waitFor(() => expect(screen.getByTestId(`ticket-${mismatch!.id}`)).toBeTruthy());
    await fireEvent.click(screen.getByTestId(`ticket-${mismatch!.id}`));
    expect(await screen.findByTestId('mismatch-warning')).toBeTruthy();
    await fireEvent.change(screen.getByTestId('reply-macro'), { target: { value: 'access' } });
    await fireEvent.click(screen.getByTestId('reply-send'));
    await screen.findByTestId('foreign-dialog');
    const before = mismatch!.messages.length;
    await fireEvent.click(screen.getByTestId('foreign-confirm'));
    await waitFor(() => expect(mismatch!.messages.length).toBe(before + 1));
  });

  it('shows mail HTML only in a frame without scripts or same origin', async () => {
    const backend = await openApp('live');
    await go('support');
    const hostile = backend.world.tickets.find((ticket) => ticket.requesterEmail === 'attacker@example.net')!;
    await fireEvent.change(screen.getByTestId('ticket-status-filter'), { target: { value: '' } });
    await waitFor(() => expect(screen.getByTestId(`ticket-${hostile.id}`)).toBeTruthy());
    await fireEvent.click(screen.getByTestId(`ticket-${hostile.id}`));
    // Subject and sender are text, never markup.
    expect((await screen.findByTestId('ticket-subject')).textContent).toContain('<img src=x onerror=');
    expect(document.querySelector('[data-testid="ticket-detail"] img')).toBeNull();
    const message = hostile.messages[0]!.id;
    await fireEvent.click(screen.getByTestId(`message-${message}-toggle-html`));
    const frame = (await screen.findByTestId(`mail-html-${message}`)) as HTMLIFrameElement;
    expect(frame.getAttribute('sandbox')).toBe('');
    expect(frame.getAttribute('srcdoc')).toContain("Content-Security-Policy");
    expect(frame.getAttribute('srcdoc')).not.toContain('http://attacker.invalid/track.gif');
    expect(screen.getByTestId(`load-images-${message}`)).toBeTruthy();
  });
});

describe('after the show', () => {
  it('shows the report in a sandboxed frame and exports it, or says which field is wrong', async () => {
    await openApp('after');
    const view = await screen.findByTestId('view-after');
    const frame = (await within(view).findByTestId('report-frame')) as HTMLIFrameElement;
    expect(frame.getAttribute('sandbox')).toBe('');
    expect(frame.getAttribute('srcdoc')).toContain('Nuit des Champions');

    const folder = screen.getByTestId('export-folder') as HTMLInputElement;
    await waitFor(() => expect(folder.value).toBe('/home/crew/showdesk-rehearsal/videos/show_2026_nuit_champions'));
    await fireEvent.input(folder, { target: { value: 'rapports' } });
    await fireEvent.submit(screen.getByTestId('report-export'));
    const error = await screen.findByTestId('export-error');
    expect(error.dataset.code).toBe('invalid');
    expect(error.dataset.field).toBe('folder');
    expect(error.textContent).toContain('Check “folder”.');

    await fireEvent.input(folder, { target: { value: '/home/crew/Rapports' } });
    await fireEvent.submit(screen.getByTestId('report-export'));
    expect((await screen.findByTestId('exported-files')).textContent).toContain('report.pdf');
    expect(screen.queryByTestId('export-error')).toBeNull();
  });

  it('saves the retrospective as edited', async () => {
    const backend = await openApp('after');
    const worked = (await screen.findByTestId('retro-worked')) as HTMLTextAreaElement;
    await waitFor(() => expect(worked.value).toMatch(/main stream held/));
    await fireEvent.input(worked, { target: { value: 'The backup held this time.' } });
    expect(screen.getByTestId('retro-state').textContent).toContain('Unsaved changes');
    await fireEvent.click(screen.getByTestId('retro-save'));
    await waitFor(() => expect(screen.getByTestId('retro-state').textContent).toMatch(/^\s*Saved/));
    expect(backend.world.reports.get('show_2026_nuit_champions')?.retrospective.worked).toBe('The backup held this time.');
  });

  it('previews the follow-ups and sends the chosen ones after a confirmation', async () => {
    const backend = await openApp('after');
    await fireEvent.click(await screen.findByTestId('followup-thank_you-preview'));
    expect((await screen.findByTestId('followup-thank_you-sample')).textContent).toContain('replay');
    await fireEvent.click(screen.getByTestId('followup-apology-choose'));
    await fireEvent.click(screen.getByTestId('followups-send'));
    await screen.findByTestId('followups-confirm');
    const queued = backend.world.outbox.queued;
    await fireEvent.click(screen.getByTestId('followups-confirm-yes'));
    await waitFor(() => expect(screen.queryByTestId('followups-confirm')).toBeNull());
    const sent = backend.world.reports.get('show_2026_nuit_champions')?.followUpsSent;
    expect(sent?.get('thank_you')).toBeGreaterThan(0);
    expect(sent?.has('apology')).toBe(false);
    expect(backend.world.outbox.queued).toBeGreaterThan(queued);
  });

  it('lists what is left, each with its one action', async () => {
    const backend = await openApp('after');
    const list = await screen.findByTestId('open-items');
    await waitFor(() => expect(list.querySelectorAll('[data-kind="double_purchase"]').length).toBeGreaterThan(0));
    const flag = backend.world.flags.find((candidate) => candidate.status === 'open')!;
    await fireEvent.click(screen.getByTestId(`open-item-double_purchase-${flag.id}-act`));
    await waitFor(() => expect(flag.status).toBe('refunded'));
    await waitFor(() => expect(screen.queryByTestId(`open-item-double_purchase-${flag.id}`)).toBeNull());

    const ticket = list.querySelector<HTMLElement>('[data-kind="ticket_open"] button')!;
    await fireEvent.click(ticket);
    expect(await screen.findByTestId('ticket-detail')).toBeTruthy();
  });

  it('writes the report in the window’s language', async () => {
    await openApp('after');
    const frame = (await screen.findByTestId('report-frame')) as HTMLIFrameElement;
    expect(frame.getAttribute('srcdoc')).toContain('lang="en"');
    await fireEvent.click(screen.getByTestId('locale-fr'));
    await waitFor(() => expect((screen.getByTestId('report-frame') as HTMLIFrameElement).getAttribute('srcdoc')).toContain('lang="fr"'));
  });
});

describe('setup', () => {
  it('switches the window’s language from the settings', async () => {
    await openApp('idle');
    await go('setup');
    await fireEvent.click(screen.getByTestId('setup-tab-window'));
    await fireEvent.click(screen.getByTestId('settings-locale-fr'));
    expect(i18n.locale).toBe('fr');
    expect(document.documentElement.lang).toBe('fr');
    expect(screen.getByTestId('setup-tab-window').textContent).toContain('Fenêtre et langue');
    expect(screen.getByTestId('locale-example').textContent?.replace(/[\u00a0\u202f]/g, ' ')).toContain('1 234,50 €');
  });

  it('says clearly when there is no secure store, and offers no save', async () => {
    await openApp('empty');
    await go('setup');
    expect((await screen.findByTestId('secret-store-missing')).textContent).toContain('No secure place for secrets');
    await fireEvent.click(screen.getByTestId('setup-tab-stripe'));
    expect((screen.getByTestId('stripe-secret-input') as HTMLInputElement).disabled).toBe(true);
    expect(screen.getByTestId('stripe-secret-state').textContent).toContain('cannot be saved');
  });

  it('stores the Stripe key in the keyring, reads it back, then verifies it', async () => {
    const backend = await openApp('fresh');
    await go('setup');
    await fireEvent.click(screen.getByTestId('setup-tab-stripe'));
    await fireEvent.input(screen.getByTestId('stripe-secret-input'), { target: { value: 'sk_live_notAKey' } });
    await fireEvent.click(screen.getByTestId('stripe-secret-save'));
    // Stored (the keyring gave it back), but Stripe refused it: both are said.
    await waitFor(() => expect(screen.getByTestId('stripe-secret-state').textContent).toContain('sk_live_****AKey'));
    expect((await screen.findByTestId('stripe-error')).dataset.code).toBe('stripe.auth');
    expect(backend.world.stripe.connected).toBe(false);

    await fireEvent.input(screen.getByTestId('stripe-secret-input'), { target: { value: 'sk_test_51HxDemoKey9c1e' } });
    await fireEvent.click(screen.getByTestId('stripe-secret-save'));
    await waitFor(() => expect(screen.getByTestId('stripe-state').textContent).toBe('Connected'));
    expect(screen.getByTestId('stripe-key').textContent).toBe('sk_test_****9c1e');
    expect(document.body.textContent).not.toContain('sk_test_51HxDemoKey9c1e');
  });

  it('names the field of a profile that does not hold together', async () => {
    await openApp('idle');
    await go('setup');
    await fireEvent.click(screen.getByTestId('setup-tab-destinations'));
    await fireEvent.input(screen.getByTestId('dest-1-url'), { target: { value: 'ftp://files.example.org' } });
    await fireEvent.click(screen.getByTestId('dest-save'));
    const error = await screen.findByTestId('dest-error');
    expect(error.dataset.code).toBe('profile.invalid');
    expect(error.dataset.field).toBe('destinations[1].url');
    expect(error.textContent).toContain('The show profile is not valid. Check “destinations[1].url”.');
  });
});
