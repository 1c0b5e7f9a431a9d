/** The mock's support desk: the queue, tickets, sanitized-HTML frames, one-step actions, SLA, outbox. */
import type { Backend } from '../backend';
import { BackendError } from '../errors';
import type { ActionResult } from '../generated/ActionResult';
import type { TicketCategory } from '../generated/TicketCategory';
import type { TicketListItem } from '../generated/TicketListItem';
import type { TicketState } from '../generated/TicketState';
import { refundOrder } from './commerce';
import { emit, wireId, type MockTicket, type World } from './world';

const fail = (code: string, message: string): never => {
  throw new BackendError({ code, message });
};

export const MACROS = ['access', 'card_safety', 'refund_confirmation', 'double_charge', 'promo_code', 'cancelled'];
/** Macros that carry order details, a watch link or a code: to the buyer, or with the operator's yes. */
const PRIVATE_MACROS = new Set(['access', 'refund_confirmation', 'double_charge', 'promo_code', 'cancelled']);
const CATEGORIES: TicketCategory[] = ['payment', 'refund', 'overcharge', 'promo_code', 'access', 'other'];
/** What a ticket can be (the shell refuses anything else with `invalid`, naming the field). */
const STATUSES: TicketState[] = ['open', 'answered', 'resolved'];

const major = (minor: number, currency: string) => `${(minor / 100).toFixed(2)} ${currency}`;

export function listItem(ticket: MockTicket): TicketListItem {
  const last = ticket.messages.at(-1);
  return {
    id: wireId(ticket.id),
    token: `SD-${ticket.id}`,
    subject: ticket.subject,
    requester_name: ticket.requesterName,
    requester_email: ticket.requesterEmail,
    category: ticket.category,
    confidence: ticket.confidence,
    category_by_operator: ticket.categoryByOperator,
    language: ticket.language,
    priority: ticket.priority,
    status: ticket.status,
    order_refs: [...ticket.orderRefs],
    sender_mismatch: ticket.senderMismatch,
    automatic: ticket.automatic,
    message_count: ticket.messages.length,
    created_at_ms: ticket.createdMs,
    last_message_at_ms: last?.atMs ?? ticket.createdMs,
  };
}

/**
 * The HTML for the sandboxed frame. The real desk runs the mail through ammonia first; the mock
 * only holds back remote images and adds the CSP document around the mail *as it arrived* — so the
 * screens test that the frame alone (sandbox + CSP) keeps a hostile mail inert.
 */
function frameDocument(html: string, allowRemote: boolean): { document: string; blocked_remote_images: number } {
  let blocked = 0;
  const body = allowRemote
    ? html
    : html.replace(/(<img\b[^>]*?)\ssrc\s*=\s*(["'])\s*(?:https?:|\/\/)[^"']*\2/gi, (_, start: string) => {
        blocked += 1;
        return start;
      });
  const images = allowRemote ? 'https: http: data: cid:' : 'data: cid:';
  const document = `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src ${images}; style-src 'unsafe-inline'; form-action 'none'; base-uri 'none'; frame-src 'none'"></head><body>${body}</body></html>`;
  return { document, blocked_remote_images: blocked };
}

export function supportApi(world: World): Pick<
  Backend,
  | 'tickets' | 'ticket' | 'messageHtml' | 'categoryCounts' | 'sla' | 'outboxSummary' | 'mailboxStatus' | 'macros' | 'refundFromTicket'
  | 'resolveDoubleCharge' | 'issuePromo' | 'resendAccess' | 'cancelOrder' | 'reply' | 'setTicketStatus' | 'onSupportEvent'
> {
  const configured = () => {
    if (!world.mailbox) fail('support.not_configured', 'no support mailbox: connect one in Setup');
  };
  const find = (ticketId: number): MockTicket => {
    configured();
    return world.tickets.find((ticket) => ticket.id === ticketId) ?? fail('support.no_ticket', `no ticket SD-${ticketId}`);
  };
  const buyerOrders = (ticket: MockTicket) => world.orders.filter((order) => ticket.buyerEmail !== null && order.email === ticket.buyerEmail);
  const note = (ticket: MockTicket, text: string) => {
    ticket.messages.push({ id: world.nextId.message++, direction: 'note', fromName: 'Showdesk', fromEmail: '', subject: '', text, html: null, atMs: world.now(), automatic: null, notes: [], attachments: [] });
  };
  const answered = (ticket: MockTicket) => {
    ticket.firstResponseMs ??= world.now();
    if (ticket.status === 'open') ticket.status = 'answered';
    world.outbox.queued += 1;
    emit(world.listeners.support, { kind: 'tickets_changed' });
    emit(world.listeners.support, { kind: 'outbox_changed' });
  };
  const result = (ticket: MockTicket, summary: string): ActionResult => ({ ticket_id: wireId(ticket.id), summary, outbox_id: 9000 + world.outbox.queued });
  const showTitle = () => world.shows[0]?.title ?? 'the show';

  return {
    tickets: async (query) => {
      if (query.status && !STATUSES.includes(query.status)) fail('invalid', `status: ${JSON.stringify(query.status)}: open, answered or resolved`);
      if (query.category && !CATEGORIES.includes(query.category)) fail('invalid', `category: ${JSON.stringify(query.category)}: payment, refund, overcharge, promo_code, access or other`);
      configured();
      const text = query.text?.trim().toLowerCase() ?? '';
      const token = /^sd-(\d+)$/.exec(text);
      const rank = { open: 0, answered: 1, resolved: 2 } as const;
      return world.tickets
        .filter((ticket) => {
          if (token) return ticket.id === Number(token[1]);
          if (query.status && ticket.status !== query.status) return false;
          if (query.category && ticket.category !== query.category) return false;
          if (!text) return true;
          return [ticket.subject, ticket.requesterName, ticket.requesterEmail, ...ticket.orderRefs, ...ticket.messages.map((message) => message.text)].some((field) => field.toLowerCase().includes(text));
        })
        .sort((a, b) => rank[a.status] - rank[b.status] || b.priority - a.priority || a.createdMs - b.createdMs)
        .slice(query.offset ?? 0, (query.offset ?? 0) + (query.limit ?? 200))
        .map(listItem);
    },
    ticket: async (ticketId) => {
      const ticket = find(ticketId);
      return {
        ticket: listItem(ticket),
        buyer_email: ticket.buyerEmail,
        orders: buyerOrders(ticket).map((order) => ({
          order_id: order.id,
          reference: `#${order.id}`,
          buyer_email: order.email,
          show_title: world.shows.find((show) => show.id === order.showId)?.title ?? '',
          amount_minor: order.amountMinor,
          refunded_minor: order.refundedMinor,
          currency: order.currency,
          status: order.status,
          purchased_at_ms: order.purchasedMs,
        })),
        messages: ticket.messages.map((message) => ({
          id: wireId(message.id),
          direction: message.direction,
          from_name: message.fromName,
          from_email: message.fromEmail,
          subject: message.subject,
          text: message.text,
          has_html: message.html !== null,
          attachments: message.attachments.map((attachment, index) => ({ index, ...attachment })),
          notes: [...message.notes],
          automatic: message.automatic,
          sender_is_buyer: message.direction !== 'in' || message.fromEmail === ticket.buyerEmail,
          at_ms: message.atMs,
        })),
        first_response_at_ms: ticket.firstResponseMs,
        resolved_at_ms: ticket.resolvedMs,
        macros: [...MACROS],
      };
    },
    messageHtml: async (messageId, allowRemoteImages) => {
      configured();
      const message = world.tickets.flatMap((ticket) => ticket.messages).find((candidate) => candidate.id === messageId);
      if (!message) return fail('store.not_found', `no message ${messageId}`);
      if (message.html === null) return fail('store.not_found', `message ${messageId} has no HTML`);
      return frameDocument(message.html, allowRemoteImages);
    },
    categoryCounts: async () => {
      configured();
      return CATEGORIES.map((category) => {
        const of = world.tickets.filter((ticket) => ticket.category === category);
        return { category, open: of.filter((ticket) => ticket.status === 'open').length, total: of.length };
      });
    },
    sla: async (sinceMs) => {
      configured();
      const now = world.now();
      const since = world.tickets.filter((ticket) => ticket.createdMs >= sinceMs);
      const firsts = since.filter((ticket) => ticket.firstResponseMs !== null).map((ticket) => ((ticket.firstResponseMs ?? 0) - ticket.createdMs) / 1000).sort((a, b) => a - b);
      const resolutions = since.filter((ticket) => ticket.resolvedMs !== null).map((ticket) => ((ticket.resolvedMs ?? 0) - ticket.createdMs) / 1000).sort((a, b) => a - b);
      const at = (values: number[], q: number) => (values.length === 0 ? null : Math.round(values[Math.min(values.length - 1, Math.floor(values.length * q))] ?? 0));
      const waiting = since.filter((ticket) => ticket.status === 'open' && ticket.firstResponseMs === null && !ticket.automatic);
      const lastMinute = world.tickets.filter((ticket) => ticket.createdMs > now - 60_000).length;
      const threshold = 8;
      return {
        tickets: since.length,
        answered: since.filter((ticket) => ticket.firstResponseMs !== null).length,
        resolved: since.filter((ticket) => ticket.resolvedMs !== null).length,
        median_first_response_s: at(firsts, 0.5),
        p90_first_response_s: at(firsts, 0.9),
        median_resolution_s: at(resolutions, 0.5),
        waiting: waiting.length,
        longest_wait_s: waiting.length === 0 ? null : Math.round((now - Math.min(...waiting.map((ticket) => ticket.createdMs))) / 1000),
        tickets_last_minute: lastMinute,
        surge_threshold_per_min: threshold,
        surge: lastMinute > threshold,
      };
    },
    outboxSummary: async () => {
      configured();
      return { ...world.outbox };
    },
    mailboxStatus: async () => ({
      configured: world.mailbox,
      address: world.mailbox ? 'support@ppv-events.fr' : null,
      problem: world.mailbox ? world.mailboxProblem : null,
    }),
    macros: async () => [...MACROS],
    refundFromTicket: async (ticketId, orderId, amountMinor) => {
      const ticket = find(ticketId);
      const order = buyerOrders(ticket).find((candidate) => candidate.id === orderId) ?? fail('support.no_such_order', `order ${orderId} is not one of ${ticket.buyerEmail ?? 'the requester'}’s orders`);
      if (amountMinor !== null && (!Number.isSafeInteger(amountMinor) || amountMinor <= 0)) fail('support.bad_amount', `${amountMinor} is not an amount in minor units`);
      const refund = refundOrder(world, { order_id: order.id, amount_minor: amountMinor, reason: 'requested_by_customer' }, 'support');
      const summary = refund.repeated ? `Already refunded ${major(refund.amount.minor, refund.amount.currency)} on order ${order.id} a moment ago` : `Refunded ${major(refund.amount.minor, refund.amount.currency)} on order ${order.id}`;
      note(ticket, summary);
      answered(ticket);
      return result(ticket, summary);
    },
    resolveDoubleCharge: async (ticketId) => {
      const ticket = find(ticketId);
      const ids = new Set(buyerOrders(ticket).map((order) => order.id));
      const flag = world.flags.find((candidate) => candidate.status === 'open' && ids.has(candidate.duplicate_order_id)) ?? fail('support.no_duplicate', `no open double purchase for ${ticket.buyerEmail ?? ticket.requesterEmail}`);
      const refund = refundOrder(world, { order_id: flag.duplicate_order_id, amount_minor: null, reason: 'duplicate' }, 'support');
      flag.status = 'refunded';
      const summary = `Refunded the duplicate order ${flag.duplicate_order_id} (${major(refund.amount.minor, refund.amount.currency)}); order ${flag.original_order_id} keeps its ticket`;
      note(ticket, summary);
      answered(ticket);
      return result(ticket, summary);
    },
    issuePromo: async (ticketId, value) => {
      const ticket = find(ticketId);
      if ('percent' in value) {
        if (!Number.isInteger(value.percent) || value.percent < 1 || value.percent > 100) fail('support.bad_amount', `${value.percent} %: 1 to 100`);
      } else {
        if (!/^[A-Z]{3}$/.test(value.currency.trim())) fail('invalid', `value.currency: ${JSON.stringify(value.currency)} is not a currency code (EUR, USD…)`);
        if (!Number.isSafeInteger(value.amountMinor) || value.amountMinor <= 0) fail('invalid', 'value.amountMinor: a fixed discount is more than zero');
      }
      const code = `SORRY-${Math.floor(world.random() * 36 ** 4).toString(36).toUpperCase().padStart(4, '0')}`;
      const show = world.shows[0];
      world.promos.push({
        showId: show?.id ?? '',
        view: { id: world.nextId.promo++, code, percent_off: 'percent' in value ? value.percent : null, amount_off: 'percent' in value ? null : { minor: value.amountMinor, currency: value.currency }, max_redemptions: 1, expires_at_ms: null, for_buyer: ticket.buyerEmail ?? ticket.requesterEmail, redemptions: 0, active_in_stripe: true },
      });
      const what = 'percent' in value ? `${value.percent} %` : major(value.amountMinor, value.currency);
      const summary = `Promo code ${code} (${what}, single use) sent to ${ticket.buyerEmail ?? ticket.requesterEmail}`;
      note(ticket, summary);
      answered(ticket);
      return result(ticket, summary);
    },
    resendAccess: async (ticketId) => {
      const ticket = find(ticketId);
      const order = buyerOrders(ticket).find((candidate) => candidate.status === 'paid' || candidate.status === 'partially_refunded') ?? fail('support.no_such_order', 'the buyer has no valid ticket');
      // The watch link goes to the buyer of the order, never to another sender.
      const summary = `Access link for ${showTitle()} sent to ${order.email}`;
      note(ticket, summary);
      answered(ticket);
      return result(ticket, summary);
    },
    cancelOrder: async (ticketId, orderId) => {
      const ticket = find(ticketId);
      const order = buyerOrders(ticket).find((candidate) => candidate.id === orderId) ?? fail('support.no_such_order', `order ${orderId} is not one of the buyer’s orders`);
      const refund = order.amountMinor - order.refundedMinor > 0 ? refundOrder(world, { order_id: order.id, amount_minor: null, reason: 'requested_by_customer' }, 'support') : null;
      order.status = 'cancelled';
      const summary = `Cancelled order ${order.id}: access revoked${refund ? `, ${major(refund.amount.minor, refund.amount.currency)} refunded` : ''}`;
      note(ticket, summary);
      answered(ticket);
      return result(ticket, summary);
    },
    reply: async (ticketId, reply, confirmForeign) => {
      const ticket = find(ticketId);
      let text: string;
      if ('macro' in reply) {
        if (!MACROS.includes(reply.macro)) return fail('support.no_template', `no macro ${reply.macro}`);
        if (ticket.senderMismatch && PRIVATE_MACROS.has(reply.macro) && !confirmForeign) fail('support.foreign_recipient', `${ticket.requesterEmail} is not the buyer (${ticket.buyerEmail ?? 'unknown'}): the "${reply.macro}" reply carries order details`);
        if (reply.macro === 'access' && !ticket.buyerEmail) fail('support.missing_variable', 'watch_link: the requester has no order');
        text = ticket.language === 'fr' ? `[${reply.macro}] Bonjour ${ticket.requesterName.split(' ')[0]},\n\n…` : `[${reply.macro}] Hello ${ticket.requesterName.split(' ')[0]},\n\n…`;
      } else {
        if (!reply.text.trim()) fail('invalid', 'reply.text: the reply is empty');
        text = reply.text;
      }
      ticket.messages.push({ id: world.nextId.message++, direction: 'out', fromName: 'Support', fromEmail: 'support@ppv-events.fr', subject: `Re: ${ticket.subject} [SD-${ticket.id}]`, text, html: null, atMs: world.now(), automatic: null, notes: [], attachments: [] });
      answered(ticket);
      return result(ticket, `Reply queued to ${ticket.requesterEmail}`);
    },
    setTicketStatus: async (ticketId, status) => {
      if (!STATUSES.includes(status)) fail('invalid', `status: ${JSON.stringify(status)}: open, answered or resolved`);
      const ticket = find(ticketId);
      ticket.status = status;
      if (status === 'resolved') ticket.resolvedMs ??= world.now();
      emit(world.listeners.support, { kind: 'tickets_changed' });
    },
    onSupportEvent: async (handler) => {
      world.listeners.support.add(handler);
      return () => world.listeners.support.delete(handler);
    },
  };
}
