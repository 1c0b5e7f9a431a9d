/** The mock's box office and audience: shows, orders, refunds, promo codes, double purchases, viewers. */
import type { Backend } from '../backend';
import { BackendError } from '../errors';
import type { AlertView } from '../generated/AlertView';
import type { DashboardSnapshot } from '../generated/DashboardSnapshot';
import type { OrderView } from '../generated/OrderView';
import type { RefundInput } from '../generated/RefundInput';
import type { RefundView } from '../generated/RefundView';
import { emit, HOUR, MINUTE, type MockOrder, type World } from './world';

const fail = (code: string, message: string): never => {
  throw new BackendError({ code, message });
};

const major = (minor: number, currency: string) => `${(minor / 100).toFixed(2)} ${currency}`;

export function orderView(order: MockOrder): OrderView {
  const refundable = order.status === 'paid' || order.status === 'partially_refunded' ? order.amountMinor - order.refundedMinor : 0;
  return {
    id: order.id,
    show_id: order.showId,
    buyer_email: order.email,
    buyer_name: order.name,
    status: order.status,
    amount: { minor: order.amountMinor, currency: order.currency },
    refunded: { minor: order.refundedMinor, currency: order.currency },
    refundable: { minor: refundable, currency: order.currency },
    has_ticket: order.status === 'paid' || order.status === 'partially_refunded',
    promotion_code_id: order.promo ? `promo_1Q${order.promo.replace(/[^A-Z0-9]/g, '').slice(0, 8)}` : null,
    checkout_session: order.checkoutSession,
    payment_intent: order.paymentIntent,
    purchased_ms: order.purchasedMs,
  };
}

/** The refund rules of the box office: capped at what remains, a double click refunds once. */
export function refundOrder(world: World, input: RefundInput, by = 'operator'): RefundView {
  const order = world.orders.find((candidate) => candidate.id === input.order_id);
  if (!order) return fail('store.not_found', `no order ${input.order_id}`);
  if (order.status !== 'paid' && order.status !== 'partially_refunded') return fail('box_office.not_refundable', `order ${order.id} is ${order.status}`);
  const remaining = order.amountMinor - order.refundedMinor;
  const amount = input.amount_minor ?? remaining;
  if (amount <= 0) return fail('box_office.refund_not_positive', `a refund of ${major(amount, order.currency)} is not positive`);
  const now = world.now();
  const same = world.refunds.find((refund) => refund.order_id === order.id && refund.amount.minor === amount && now - refund.requested_ms < 2 * MINUTE);
  if (same) return { ...same, repeated: true };
  if (amount > remaining) return fail('box_office.refund_exceeds_remaining', `a refund of ${major(amount, order.currency)} exceeds the ${major(remaining, order.currency)} that remains on order ${order.id}`);
  order.refundedMinor += amount;
  order.status = order.refundedMinor >= order.amountMinor ? 'refunded' : 'partially_refunded';
  const refund: RefundView = {
    id: world.nextId.refund++,
    order_id: order.id,
    amount: { minor: amount, currency: order.currency },
    reason: input.reason,
    status: 'succeeded',
    error_code: null,
    requested_by: by,
    requested_ms: now,
    repeated: false,
  };
  world.refunds.push(refund);
  world.outbox.queued += 1;
  emit(world.listeners.support, { kind: 'outbox_changed' });
  return refund;
}

export function dashboard(world: World, showId: string): DashboardSnapshot {
  const show = world.shows.find((candidate) => candidate.id === showId);
  if (!show) return fail('store.not_found', `no show ${showId}`);
  const now = world.now();
  const currency = show.price.currency;
  const orders = world.orders.filter((order) => order.showId === showId);
  const valid = orders.filter((order) => order.status === 'paid' || order.status === 'partially_refunded');
  const counted = orders.filter((order) => order.status !== 'pending' && order.status !== 'failed');
  const gross = counted.reduce((sum, order) => sum + order.amountMinor, 0);
  const refunded = counted.reduce((sum, order) => sum + order.refundedMinor, 0);
  const promos = new Map<string, { tickets: number; gross: number; discount: number }>();
  for (const order of counted) {
    if (!order.promo) continue;
    const entry = promos.get(order.promo) ?? { tickets: 0, gross: 0, discount: 0 };
    entry.tickets += 1;
    entry.gross += order.amountMinor;
    entry.discount += show.price.minor - order.amountMinor;
    promos.set(order.promo, entry);
  }
  const perMinute = new Map<number, number>();
  for (const order of counted) {
    if (order.purchasedMs < now - HOUR) continue;
    const minute = Math.floor(order.purchasedMs / MINUTE) * MINUTE;
    perMinute.set(minute, (perMinute.get(minute) ?? 0) + 1);
  }
  const recent = world.attempts.filter((attempt) => attempt.atMs > now - 15 * MINUTE);
  const declined = recent.filter((attempt) => !attempt.ok).length;
  const series = world.audience.get(showId) ?? [];
  const known = series.filter((point): point is [number, number] => point[1] !== null);
  const last = series.at(-1);
  const viewersNow = last && now - last[0] < 2 * MINUTE ? last[1] : null;
  const peak = known.length > 0 ? Math.max(...known.map((point) => point[1])) : null;
  const flagsOpen = world.flags.filter((flag) => flag.status === 'open' && orders.some((order) => order.id === flag.duplicate_order_id)).length;
  const pendingRefundOrders = world.tickets.filter((ticket) => ticket.category === 'refund' && ticket.status === 'open');
  return {
    show: { ...show },
    at_ms: now,
    sold: valid.length,
    capacity: show.capacity,
    gross: { minor: gross, currency },
    refunded: { minor: refunded, currency },
    net: { minor: gross - refunded, currency },
    paid_orders: orders.filter((order) => order.status === 'paid').length,
    pending_orders: orders.filter((order) => order.status === 'pending').length,
    failed_orders: orders.filter((order) => order.status === 'failed').length,
    refunded_orders: orders.filter((order) => order.status === 'refunded' || order.status === 'partially_refunded').length,
    disputed_orders: orders.filter((order) => order.status === 'disputed').length,
    promo: [...promos.entries()].map(([code, entry]) => ({
      code,
      tickets: entry.tickets,
      paid_orders: entry.tickets,
      gross: { minor: entry.gross, currency },
      discount: { minor: entry.discount, currency },
    })),
    sales_per_minute: [...perMinute.entries()].sort((a, b) => a[0] - b[0]).map(([minute_ms, tickets]) => ({ minute_ms, tickets })),
    pending_refunds: pendingRefundOrders.length,
    pending_refunds_amount: { minor: pendingRefundOrders.length * show.price.minor, currency },
    double_purchases_open: flagsOpen,
    decline_rate_per_mille: recent.length > 0 ? Math.round((declined * 1000) / recent.length) : null,
    attempts_succeeded: recent.length - declined,
    attempts_declined: declined,
    rate_limited: 0,
    viewers_now: viewersNow,
    viewers_peak: peak,
    audience_state: series.length === 0 ? 'none' : viewersNow === null ? (world.live.phase === 'live' ? 'unknown' : 'offline') : 'online',
    alerts: boxOfficeAlerts(world, showId, valid.length, viewersNow, recent.length > 0 ? (declined * 1000) / recent.length : null),
  };
}

function boxOfficeAlerts(world: World, showId: string, sold: number, viewers: number | null, declinePerMille: number | null): AlertView[] {
  const alerts: AlertView[] = [];
  if (declinePerMille !== null && declinePerMille >= 150) {
    alerts.push({
      kind: 'decline_rate_rising',
      severity: declinePerMille >= 300 ? 'critical' : 'warning',
      title: 'Decline rate rising',
      meaning: `${Math.round(declinePerMille / 10)} % of payment attempts were declined in the last 15 minutes, against 6 % before.`,
      action: 'Check the payment page and Stripe’s dashboard; tell buyers to try another card or 3-D Secure.',
    });
  }
  if (viewers !== null && viewers > sold && world.live.showId === showId) {
    alerts.push({
      kind: 'viewers_exceed_tickets',
      severity: 'warning',
      title: 'More viewers than tickets',
      meaning: `${viewers} viewers for ${sold} valid tickets: watch links are being shared.`,
      action: 'Look for shared links in the host’s dashboard; consider per-buyer links.',
    });
  }
  return alerts;
}

export function commerceApi(world: World): Pick<
  Backend,
  | 'shows' | 'createShow' | 'putOnSale' | 'setSalesOpen' | 'dashboard' | 'orders' | 'refund' | 'doublePurchases'
  | 'refundDoublePurchase' | 'dismissDoublePurchase' | 'promoCodes' | 'createPromo' | 'audienceSeries'
> {
  const show = (showId: string) => world.shows.find((candidate) => candidate.id === showId) ?? fail('store.not_found', `no show ${showId}`);
  return {
    shows: async () => world.shows.map((candidate) => ({ ...candidate })),
    createShow: async (input) => {
      const bad = (field: string, why: string) => fail('box_office.invalid', `${field}: ${why}`);
      if (!input.title.trim()) bad('title', 'empty');
      if (!/^[A-Z]{3}$/.test(input.price.currency)) bad('price.currency', `"${input.price.currency}" is not an ISO 4217 code`);
      if (!Number.isSafeInteger(input.price.minor) || input.price.minor <= 0) bad('price', 'more than zero');
      if (!Number.isInteger(input.capacity) || input.capacity <= 0) bad('capacity', 'at least one ticket');
      if (input.ends_at_ms <= input.starts_at_ms) bad('ends_at', 'the show ends before it starts');
      if (input.watch_url && !/^https:\/\/[^\s/]+/.test(input.watch_url)) bad('watch_url', 'an https:// address');
      const slug = input.title.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '').slice(0, 40);
      const created = {
        id: `show_${new Date(input.starts_at_ms).getUTCFullYear()}_${slug}`,
        title: input.title.trim(),
        starts_at_ms: input.starts_at_ms,
        ends_at_ms: input.ends_at_ms,
        price: { ...input.price },
        capacity: input.capacity,
        payment_link_url: null,
        watch_url: input.watch_url,
        sales_open: false,
      };
      if (world.shows.some((candidate) => candidate.id === created.id)) bad('title', 'a show with this title and year exists');
      world.shows.push(created);
      return { ...created };
    },
    putOnSale: async (showId) => {
      const target = show(showId);
      if (!world.stripe.connected) fail('not_ready', 'connect Stripe first (Setup → Stripe)');
      target.payment_link_url ??= `https://buy.stripe.com/${world.stripe.mode === 'test' ? 'test_' : ''}${showId.slice(-6)}${Math.floor(world.random() * 1e6)}`;
      target.sales_open = true;
      return { ...target };
    },
    setSalesOpen: async (showId, open) => {
      const target = show(showId);
      if (open && !target.payment_link_url) fail('not_ready', 'put the show on sale first');
      target.sales_open = open;
      return { ...target };
    },
    dashboard: async (showId) => dashboard(world, showId),
    orders: async (showId, limit, offset) => {
      show(showId);
      return world.orders
        .filter((order) => order.showId === showId)
        .sort((a, b) => b.purchasedMs - a.purchasedMs)
        .slice(offset, offset + limit)
        .map(orderView);
    },
    refund: async (input) => refundOrder(world, input),
    doublePurchases: async (showId) =>
      world.flags.filter((flag) => world.orders.some((order) => order.showId === showId && order.id === flag.duplicate_order_id)).map((flag) => ({ ...flag })),
    refundDoublePurchase: async (flagId) => {
      const flag = world.flags.find((candidate) => candidate.id === flagId) ?? fail('store.not_found', `no double purchase ${flagId}`);
      if (flag.status === 'refunded') return fail('box_office.not_refundable', `the duplicate order ${flag.duplicate_order_id} is already refunded`);
      const refund = refundOrder(world, { order_id: flag.duplicate_order_id, amount_minor: null, reason: 'duplicate' });
      flag.status = 'refunded';
      return refund;
    },
    dismissDoublePurchase: async (flagId) => {
      const flag = world.flags.find((candidate) => candidate.id === flagId) ?? fail('store.not_found', `no double purchase ${flagId}`);
      flag.status = 'dismissed';
      return { ...flag };
    },
    promoCodes: async (showId) => {
      show(showId);
      return world.promos.filter((promo) => promo.showId === showId).map((promo) => ({ ...promo.view }));
    },
    createPromo: async (input) => {
      const target = show(input.show_id);
      const code = input.code.trim().toUpperCase();
      if (!/^[A-Z0-9-]{3,24}$/.test(code)) fail('box_office.invalid', 'code: 3 to 24 letters, digits or dashes');
      if ((input.percent_off === null) === (input.amount_off_minor === null)) fail('box_office.invalid', 'percent_off or amount_off, one of them');
      if (input.percent_off !== null && (input.percent_off < 1 || input.percent_off > 100)) fail('box_office.invalid', 'percent_off: 1 to 100');
      if (input.amount_off_minor !== null && (input.amount_off_minor <= 0 || input.amount_off_minor > target.price.minor)) fail('box_office.invalid', 'amount_off: more than zero, at most the price');
      if (world.promos.some((promo) => promo.view.code === code)) fail('box_office.promo_refused', `the code ${code} exists already`);
      if (!world.stripe.connected) fail('not_ready', 'connect Stripe first (Setup → Stripe)');
      const created = {
        id: world.nextId.promo++,
        code,
        percent_off: input.percent_off,
        amount_off: input.amount_off_minor === null ? null : { minor: input.amount_off_minor, currency: target.price.currency },
        max_redemptions: input.max_redemptions,
        expires_at_ms: input.expires_at_ms,
        for_buyer: input.for_buyer,
        redemptions: 0,
        active_in_stripe: true,
      };
      world.promos.push({ showId: target.id, view: created });
      return { ...created };
    },
    audienceSeries: async (showId) => {
      show(showId);
      return (world.audience.get(showId) ?? []).map((point) => [point[0], point[1]] as [number, number | null]);
    },
  };
}
