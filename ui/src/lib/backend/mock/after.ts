/** The mock's after-the-show: the report page, the retrospective, follow-up mail, open items. */
import type { Backend } from '../backend';
import { BackendError } from '../errors';
import type { OpenItem } from '../generated/OpenItem';
import type { Retrospective } from '../generated/Retrospective';
import { dashboard } from './commerce';
import { MINUTE, type World } from './world';

const fail = (code: string, message: string): never => {
  throw new BackendError({ code, message });
};

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const euros = (minor: number, currency: string) => `${(minor / 100).toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} ${currency}`;

function state(world: World, showId: string) {
  let entry = world.reports.get(showId);
  if (!entry) {
    entry = { retrospective: prefill(world, showId), followUpsSent: new Map(), exported: [] };
    world.reports.set(showId, entry);
  }
  return entry;
}

function facts(world: World, showId: string): string[] {
  const show = world.shows.find((candidate) => candidate.id === showId);
  if (!show) return [];
  const snapshot = dashboard(world, showId);
  const firstTen = world.tickets.filter((ticket) => ticket.createdMs >= show.starts_at_ms && ticket.createdMs < show.starts_at_ms + 10 * MINUTE).length;
  const reconnects = world.live.outputs.reduce((sum, output) => sum + output.reconnects, 0);
  return [
    `${snapshot.sold} tickets sold of ${snapshot.capacity} (${Math.round((snapshot.sold * 100) / snapshot.capacity)} %), net ${euros(snapshot.net.minor, snapshot.net.currency)}`,
    `support surge of ${firstTen} tickets in the first 10 minutes; median first response 7 min`,
    `${reconnects} reconnects on the backup destination (Dacast), none on YouTube`,
    `peak of ${snapshot.viewers_peak ?? 0} viewers at 21:14; more viewers than tickets for 6 minutes`,
    `${world.flags.length} double purchases found, ${world.flags.filter((flag) => flag.status === 'refunded').length} refunded`,
  ];
}

function prefill(world: World, showId: string): Retrospective {
  return {
    worked: 'The main stream held for the whole show; the ticket rush before the start went through without a freeze from Stripe.',
    did_not: 'Support was swamped in the first ten minutes with "paid but can’t watch" mails; the backup destination kept reconnecting.',
    change: 'Send the watch link again 30 minutes before the start; one more support agent for the first 15 minutes; check the backup ingest the day before.',
    facts: facts(world, showId),
    saved_ms: null,
  };
}

function followUpCounts(world: World, showId: string) {
  const valid = world.orders.filter((order) => order.showId === showId && (order.status === 'paid' || order.status === 'partially_refunded'));
  const troubled = new Set(world.tickets.filter((ticket) => ticket.category === 'access' && ticket.buyerEmail).map((ticket) => ticket.buyerEmail));
  const owed = world.tickets.filter((ticket) => ticket.category === 'refund' && ticket.status !== 'resolved' && ticket.status !== 'closed' && ticket.buyerEmail);
  return { thank_you: new Set(valid.map((order) => order.email)).size, apology: troubled.size, refund_owed: new Set(owed.map((ticket) => ticket.buyerEmail)).size };
}

/** A self-contained page with its charts inline, as the report engine writes it. */
function reportPage(world: World, showId: string): string {
  const show = world.shows.find((candidate) => candidate.id === showId) ?? fail('store.not_found', `no show ${showId}`);
  const d = dashboard(world, showId);
  const series = world.audience.get(showId) ?? [];
  const max = Math.max(1, ...series.map((point) => point[1] ?? 0));
  const t0 = series[0]?.[0] ?? show.starts_at_ms;
  const t1 = series.at(-1)?.[0] ?? show.ends_at_ms;
  const path = series
    .map((point, i) => (point[1] === null ? null : `${i === 0 || series[i - 1]?.[1] === null ? 'M' : 'L'}${(((point[0] - t0) / Math.max(1, t1 - t0)) * 600).toFixed(1)},${(160 - (point[1] / max) * 150).toFixed(1)}`))
    .filter(Boolean)
    .join(' ');
  const categories = ['access', 'refund', 'overcharge', 'payment', 'promo_code', 'other'].map((category) => [category, world.tickets.filter((ticket) => ticket.category === category).length] as const);
  const rows = (pairs: Array<[string, string]>) => pairs.map(([k, v]) => `<tr><th>${escape(k)}</th><td>${escape(v)}</td></tr>`).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"><title>Report — ${escape(show.title)}</title><style>
body{font:14px/1.5 system-ui,sans-serif;color:#1d232e;background:#fff;margin:0;padding:28px 36px}h1{font-size:22px;margin:0}h2{font-size:16px;margin:28px 0 8px;border-bottom:1px solid #dde2ea;padding-bottom:4px}.sub{color:#5c6677}
.kpis{display:grid;grid-template-columns:repeat(4,1fr);gap:12px;margin-top:18px}.kpi{border:1px solid #dde2ea;border-radius:8px;padding:10px 12px}.kpi b{display:block;font-size:20px}.kpi span{color:#5c6677;font-size:12px}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #eef1f5}th{font-weight:500;color:#5c6677;width:45%}svg{background:#f7f9fc;border-radius:6px}
</style></head><body>
<h1>${escape(show.title)}</h1><div class="sub">Report · ${escape(new Date(show.starts_at_ms).toUTCString())}</div>
<div class="kpis"><div class="kpi"><b>${d.sold} / ${d.capacity}</b><span>tickets sold</span></div><div class="kpi"><b>${euros(d.gross.minor, d.gross.currency)}</b><span>gross</span></div><div class="kpi"><b>${euros(d.refunded.minor, d.refunded.currency)}</b><span>refunded (${d.refunded_orders} orders)</span></div><div class="kpi"><b>${euros(d.net.minor, d.net.currency)}</b><span>net</span></div></div>
<h2>Audience</h2><svg width="600" height="170" viewBox="0 0 600 170" role="img" aria-label="viewers over the show"><path d="${path}" fill="none" stroke="#2f6fdb" stroke-width="2"/><text x="6" y="14" font-size="11" fill="#5c6677">peak ${d.viewers_peak ?? '—'}</text></svg>
<table>${rows([['Peak viewers', String(d.viewers_peak ?? '—')], ['Viewers vs tickets at the peak', `${d.viewers_peak ?? 0} / ${d.sold}`]])}</table>
<h2>Sales</h2><table>${rows([['Promo codes used', d.promo.map((p) => `${p.code} ×${p.tickets} (−${euros(p.discount.minor, p.discount.currency)})`).join(', ') || 'none'], ['Double purchases', `${world.flags.length} found, ${world.flags.filter((f) => f.status === 'refunded').length} refunded`], ['Decline rate (last 15 min of sales)', d.decline_rate_per_mille === null ? '—' : `${(d.decline_rate_per_mille / 10).toFixed(1)} %`]])}</table>
<h2>Stream health</h2><table>${rows(world.live.outputs.map((o) => [o.name, `${Math.round(o.liveSeconds / 60)} min live, ${o.reconnects} reconnects, ${o.dropped.toFixed(2)} % dropped`] as [string, string]))}</table>
<h2>Support</h2><table>${rows(categories.map(([c, n]) => [c.replace('_', ' '), String(n)] as [string, string]))}${rows([['Open tickets left', String(world.tickets.filter((t) => t.status === 'open').length)]])}</table>
</body></html>`;
}

export function afterApi(world: World): Pick<Backend, 'reportHtml' | 'exportReport' | 'retrospective' | 'saveRetrospective' | 'followUps' | 'sendFollowUps' | 'openItems'> {
  const show = (showId: string) => world.shows.find((candidate) => candidate.id === showId) ?? fail('store.not_found', `no show ${showId}`);
  return {
    reportHtml: async (showId) => reportPage(world, showId),
    exportReport: async (showId, folder) => {
      show(showId);
      const trimmed = folder.trim().replace(/\/+$/, '');
      if (!/^(\/|[A-Za-z]:\\)/.test(trimmed)) return fail('report.io', `${folder}: not an absolute folder`);
      const files = ['report.html', 'report.pdf', 'orders.csv', 'refunds.csv', 'tickets.csv'].map((name) => `${trimmed}/${name}`);
      state(world, showId).exported = files;
      return files;
    },
    retrospective: async (showId) => {
      show(showId);
      return structuredClone(state(world, showId).retrospective);
    },
    saveRetrospective: async (showId, retrospective) => {
      show(showId);
      state(world, showId).retrospective = { ...structuredClone(retrospective), saved_ms: world.now() };
    },
    followUps: async (showId) => {
      const target = show(showId);
      const counts = followUpCounts(world, showId);
      const sent = state(world, showId).followUpsSent;
      return [
        { kind: 'thank_you', recipients: counts.thank_you, sample_subject: `Merci d’avoir regardé ${target.title} — le replay est en ligne`, sample_text: `Bonjour Camille,\n\nMerci d’avoir suivi ${target.title} avec nous !\nLe replay est disponible pendant 7 jours :\n${target.watch_url ?? ''}/replay\n\nÀ très bientôt,\nL’équipe de ${target.title}`, already_sent: sent.get('thank_you') ?? 0 },
        { kind: 'apology', recipients: counts.apology, sample_subject: `Désolés pour le souci pendant ${target.title}`, sample_text: `Bonjour Hugo,\n\nVous avez eu du mal à regarder ${target.title} et nous en sommes désolés.\nVoici un code de 100 % pour notre prochain spectacle : SORRY-4KQ9 (usage unique).\n\nL’équipe de ${target.title}`, already_sent: sent.get('apology') ?? 0 },
        { kind: 'refund_owed', recipients: counts.refund_owed, sample_subject: `Your refund for ${target.title} is on its way`, sample_text: `Hello James,\n\nWe have not forgotten your refund for order #1187: it will be on your statement within 5 to 10 days.\n\nThe ${target.title} team`, already_sent: sent.get('refund_owed') ?? 0 },
      ];
    },
    sendFollowUps: async (showId, kinds) => {
      show(showId);
      if (!world.mailbox) fail('support.not_configured', 'no mailbox to send from: connect one in Setup');
      const counts = followUpCounts(world, showId) as Record<string, number>;
      const sent = state(world, showId).followUpsSent;
      let queued = 0;
      for (const kind of kinds) {
        if (!(kind in counts)) fail('support.no_template', `no follow-up ${kind}`);
        const fresh = Math.max(0, (counts[kind] ?? 0) - (sent.get(kind) ?? 0));
        sent.set(kind, (sent.get(kind) ?? 0) + fresh);
        queued += fresh;
      }
      world.outbox.queued += queued;
      return queued;
    },
    openItems: async (showId) => {
      show(showId);
      const items: OpenItem[] = [];
      for (const ticket of world.tickets) {
        if (ticket.category === 'refund' && ticket.status !== 'resolved' && ticket.status !== 'closed') {
          const order = world.orders.find((candidate) => candidate.email === ticket.buyerEmail && (candidate.status === 'paid' || candidate.status === 'partially_refunded'));
          if (order) items.push({ kind: 'refund_owed', subject: order.id, description: `${order.name} asked for a refund of order #${order.id} (${euros(order.amountMinor - order.refundedMinor, order.currency)}) in SD-${ticket.id}`, action: 'refund' });
        }
      }
      for (const flag of world.flags.filter((candidate) => candidate.status === 'open')) {
        items.push({ kind: 'double_purchase', subject: String(flag.id), description: `Order #${flag.duplicate_order_id} repeats #${flag.original_order_id} (same ${flag.matched_on.replace('_', ' ')})`, action: 'double_purchase_refund' });
      }
      for (const ticket of world.tickets.filter((candidate) => candidate.status === 'open' && !candidate.automatic)) {
        items.push({ kind: 'ticket_open', subject: String(ticket.id), description: `SD-${ticket.id} from ${ticket.requesterName}: ${ticket.subject}`, action: 'ticket' });
      }
      return items;
    },
  };
}
