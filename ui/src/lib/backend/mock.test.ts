import { describe, expect, it } from 'vitest';

import { createMockBackend } from './mock';
import type { TicketState } from './generated/TicketState';

// The mock stands in for the shell in tests and screens: it must refuse what the shell refuses,
// with the same codes, so the window's handling of errors is tested against the real contract.

const MAIN = 'show_2026_nuit_champions';

describe('mock backend, as the shell answers', () => {
  it('knows three ticket states and refuses "closed" as bad input', async () => {
    const backend = createMockBackend('live');
    const [ticket] = await backend.tickets({ status: 'open', limit: 1 });
    const id = Number(ticket?.id);
    await expect(backend.setTicketStatus(id, 'closed' as unknown as TicketState)).rejects.toMatchObject({ code: 'invalid', message: expect.stringMatching(/^status: /) });
    await expect(backend.tickets({ status: 'closed' as unknown as TicketState })).rejects.toMatchObject({ code: 'invalid' });
    await backend.setTicketStatus(id, 'resolved');
    const detail = await backend.ticket(id);
    expect(detail.ticket.status).toBe('resolved');
    expect(detail.resolved_at_ms).not.toBeNull();
    const all = await backend.tickets({ limit: 500 });
    expect(new Set(all.map((item) => item.status))).toEqual(new Set(['open', 'answered', 'resolved']));
  });

  it('refunds from a ticket only on the buyer’s own orders, once per double click, capped at what remains', async () => {
    const backend = createMockBackend('live');
    const tickets = await backend.tickets({ category: 'refund', limit: 50 });
    const detail = await backend.ticket(Number(tickets.find((ticket) => ticket.order_refs.length > 0)?.id));
    const order = detail.orders.find((candidate) => candidate.status === 'paid');
    expect(order).toBeDefined();
    const id = Number(detail.ticket.id);
    await expect(backend.refundFromTicket(id, 'no-such-order', null)).rejects.toMatchObject({ code: 'support.no_such_order' });
    await expect(backend.refundFromTicket(id, order!.order_id, 0)).rejects.toMatchObject({ code: 'support.bad_amount' });
    const first = await backend.refundFromTicket(id, order!.order_id, 1000);
    expect(first.summary).toBe(`Refunded 10.00 EUR on order ${order!.order_id}`);
    const again = await backend.refundFromTicket(id, order!.order_id, 1000);
    expect(again.summary).toMatch(/^Already refunded/);
    await expect(backend.refundFromTicket(id, order!.order_id, 5000)).rejects.toMatchObject({ code: 'box_office.refund_exceeds_remaining' });
  });

  it('refuses an empty reply and a bad promo value as bad input, naming the field', async () => {
    const backend = createMockBackend('live');
    const [ticket] = await backend.tickets({ limit: 1 });
    const id = Number(ticket?.id);
    await expect(backend.reply(id, { text: '   ' }, false)).rejects.toMatchObject({ code: 'invalid', message: expect.stringMatching(/^reply\.text: /) });
    await expect(backend.issuePromo(id, { amountMinor: 0, currency: 'EUR' })).rejects.toMatchObject({ code: 'invalid', message: expect.stringMatching(/^value\.amountMinor: /) });
    await expect(backend.issuePromo(id, { amountMinor: 500, currency: 'euro' })).rejects.toMatchObject({ code: 'invalid', message: expect.stringMatching(/^value\.currency: /) });
    await expect(backend.issuePromo(id, { percent: 120 })).rejects.toMatchObject({ code: 'support.bad_amount' });
  });

  it('exports the report into a full path only, and says when the folder cannot be written', async () => {
    const backend = createMockBackend('after');
    await expect(backend.exportReport(MAIN, 'reports/gala')).rejects.toMatchObject({ code: 'invalid', message: expect.stringMatching(/^folder: /) });
    await expect(backend.exportReport(MAIN, '/proc/showdesk')).rejects.toMatchObject({ code: 'report.export_failed' });
    await expect(backend.exportReport(' ', '/tmp/x')).rejects.toMatchObject({ code: 'invalid', message: expect.stringMatching(/^showId: /) });
    expect(await backend.exportReport(MAIN, '/home/crew/Rapports/')).toEqual([
      '/home/crew/Rapports/report.html',
      '/home/crew/Rapports/report.pdf',
      '/home/crew/Rapports/orders.csv',
      '/home/crew/Rapports/refunds.csv',
      '/home/crew/Rapports/tickets.csv',
    ]);
  });

  it('writes the report, the prefill and the follow-ups in the language asked for', async () => {
    const backend = createMockBackend('after');
    expect(await backend.reportHtml(MAIN)).toContain('<html lang="en">');
    const french = await backend.reportHtml(MAIN, 'fr');
    expect(french).toContain('<html lang="fr">');
    expect(french).toContain('billets vendus');
    expect(french).not.toMatch(/<script/i);
    expect((await backend.retrospective(MAIN, 'fr')).did_not).toMatch(/support a été submergé/);
    const [thanks] = await backend.followUps(MAIN, 'fr');
    expect(thanks?.sample_subject).toMatch(/^Merci/);
    await expect(backend.followUps(MAIN, 'de' as 'fr')).rejects.toMatchObject({ code: 'invalid', message: expect.stringMatching(/^language: /) });
  });

  it('keeps a saved retrospective in the operator’s words, whatever the language', async () => {
    const backend = createMockBackend('after');
    const prefill = await backend.retrospective(MAIN, 'en');
    await backend.saveRetrospective(MAIN, { ...prefill, worked: 'The new encoder.' });
    const saved = await backend.retrospective(MAIN, 'fr');
    expect(saved.worked).toBe('The new encoder.');
    expect(saved.saved_ms).not.toBeNull();
  });

  it('sends each follow-up kind once per buyer, and refuses an empty choice', async () => {
    const backend = createMockBackend('after');
    await expect(backend.sendFollowUps(MAIN, [])).rejects.toMatchObject({ code: 'invalid', message: expect.stringMatching(/^kinds: /) });
    await expect(backend.sendFollowUps(MAIN, ['postcard'])).rejects.toMatchObject({ code: 'invalid' });
    const first = await backend.sendFollowUps(MAIN, ['thank_you']);
    expect(first).toBeGreaterThan(1000);
    expect(await backend.sendFollowUps(MAIN, ['thank_you'])).toBe(0);
    const [thanks] = await backend.followUps(MAIN);
    expect(thanks?.already_sent).toBe(first);
  });

  it('cuts only to slots the program has, and only on air', async () => {
    const backend = createMockBackend('idle');
    await expect(backend.setLayout({ layout: 'single', slot: 1 })).rejects.toMatchObject({ code: 'media.state' });
    await backend.goLive(MAIN);
    await expect(backend.setLayout({ layout: 'single', slot: 9 })).rejects.toMatchObject({ code: 'media.bad_value' });
    await expect(backend.showSlate('intermission' as 'ended')).rejects.toMatchObject({ code: 'invalid' });
    await expect(backend.goLive(MAIN)).rejects.toMatchObject({ code: 'media.state' });
  });

  it('keeps secrets out of the exported profile', async () => {
    const backend = createMockBackend('idle');
    const toml = await backend.exportProfile();
    expect(toml).toContain('key_keyring = "youtube"');
    for (const value of backend.world.secrets.values()) expect(toml).not.toContain(value);
    const imported = await backend.importProfile(toml);
    expect(imported.destinations.map((destination) => destination.name)).toEqual(['YouTube', 'Dacast (secours)', 'Régie SRT']);
    await expect(backend.importProfile('[show]\ntitle = ""')).rejects.toMatchObject({ code: 'profile.invalid' });
  });
});
