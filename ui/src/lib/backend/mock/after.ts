/** The mock's after-the-show: the report page, the retrospective, follow-up mail, open items. */
import type { Backend, ReportLanguage } from '../backend';
import { BackendError } from '../errors';
import type { OpenItem } from '../generated/OpenItem';
import type { Retrospective } from '../generated/Retrospective';
import { dashboard } from './commerce';
import { MINUTE, type World } from './world';

const fail = (code: string, message: string): never => {
  throw new BackendError({ code, message });
};

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const euros = (minor: number, currency: string, language: ReportLanguage = 'en') =>
  `${(minor / 100).toLocaleString(language === 'fr' ? 'fr-FR' : 'en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} ${currency}`;

/** The shell checks the language the same way ("fr-CA" is French; "de" is refused). */
function languageOf(language: string | undefined | null): ReportLanguage {
  const tag = (language ?? '').trim();
  if (!tag) return 'en';
  const base = tag.split(/[-_]/)[0]?.toLowerCase();
  if (base === 'en' || base === 'fr') return base;
  return fail('invalid', `language: ${JSON.stringify(tag)}: en or fr`);
}

function requiredShow(showId: string): string {
  const id = showId.trim();
  if (!id) fail('invalid', 'showId: no show was given');
  return id;
}

function state(world: World, showId: string, language: ReportLanguage = 'en') {
  let entry = world.reports.get(showId);
  if (!entry) {
    entry = { retrospective: prefill(world, showId, language), followUpsSent: new Map(), exported: [] };
    world.reports.set(showId, entry);
  }
  // The prefill follows the window's language until the operator saves their own words.
  if (entry.retrospective.saved_ms === null) entry.retrospective = prefill(world, showId, language);
  return entry;
}

function facts(world: World, showId: string, language: ReportLanguage): string[] {
  const show = world.shows.find((candidate) => candidate.id === showId);
  if (!show) return [];
  const snapshot = dashboard(world, showId);
  const firstTen = world.tickets.filter((ticket) => ticket.createdMs >= show.starts_at_ms && ticket.createdMs < show.starts_at_ms + 10 * MINUTE).length;
  const reconnects = world.live.outputs.reduce((sum, output) => sum + output.reconnects, 0);
  const share = Math.round((snapshot.sold * 100) / snapshot.capacity);
  const net = euros(snapshot.net.minor, snapshot.net.currency, language);
  const refunded = world.flags.filter((flag) => flag.status === 'refunded').length;
  if (language === 'fr') {
    return [
      `${snapshot.sold} billets vendus sur ${snapshot.capacity} (${share} %), net ${net}`,
      `afflux au support\u00a0: ${firstTen} tickets dans les 10 premières minutes\u00a0; première réponse médiane 7 min`,
      `${reconnects} reconnexions sur la destination de secours (Dacast), aucune sur YouTube`,
      `pic de ${snapshot.viewers_peak ?? 0} spectateurs à 21 h 14\u00a0; plus de spectateurs que de billets pendant 6 minutes`,
      `${world.flags.length} doubles achats trouvés, ${refunded} remboursés`,
    ];
  }
  return [
    `${snapshot.sold} tickets sold of ${snapshot.capacity} (${share} %), net ${net}`,
    `support surge of ${firstTen} tickets in the first 10 minutes; median first response 7 min`,
    `${reconnects} reconnects on the backup destination (Dacast), none on YouTube`,
    `peak of ${snapshot.viewers_peak ?? 0} viewers at 21:14; more viewers than tickets for 6 minutes`,
    `${world.flags.length} double purchases found, ${refunded} refunded`,
  ];
}

function prefill(world: World, showId: string, language: ReportLanguage): Retrospective {
  if (language === 'fr') {
    return {
      worked: 'Le flux principal a tenu tout le spectacle\u00a0; la ruée sur les billets avant le début est passée sans blocage de Stripe.',
      did_not: 'Le support a été submergé dans les dix premières minutes par des «\u00a0j’ai payé mais je ne peux pas regarder\u00a0»\u00a0; la destination de secours se reconnectait sans cesse.',
      change: 'Renvoyer le lien 30 minutes avant le début\u00a0; une personne de plus au support pendant les 15 premières minutes\u00a0; tester l’ingest de secours la veille.',
      facts: facts(world, showId, language),
      saved_ms: null,
    };
  }
  return {
    worked: 'The main stream held for the whole show; the ticket rush before the start went through without a freeze from Stripe.',
    did_not: 'Support was swamped in the first ten minutes with "paid but can’t watch" mails; the backup destination kept reconnecting.',
    change: 'Send the watch link again 30 minutes before the start; one more support agent for the first 15 minutes; check the backup ingest the day before.',
    facts: facts(world, showId, language),
    saved_ms: null,
  };
}

function followUpCounts(world: World, showId: string) {
  const valid = world.orders.filter((order) => order.showId === showId && (order.status === 'paid' || order.status === 'partially_refunded'));
  const troubled = new Set(world.tickets.filter((ticket) => ticket.category === 'access' && ticket.buyerEmail).map((ticket) => ticket.buyerEmail));
  const owed = world.tickets.filter((ticket) => ticket.category === 'refund' && ticket.status !== 'resolved' && ticket.buyerEmail);
  return { thank_you: new Set(valid.map((order) => order.email)).size, apology: troubled.size, refund_owed: new Set(owed.map((ticket) => ticket.buyerEmail)).size };
}

const WORDS = {
  en: {
    report: 'Report',
    sold: 'tickets sold',
    gross: 'gross',
    refunded: (n: number) => `refunded (${n} orders)`,
    net: 'net',
    audience: 'Audience',
    viewers: 'viewers over the show',
    peak: 'peak',
    peakViewers: 'Peak viewers',
    vsTickets: 'Viewers vs tickets at the peak',
    sales: 'Sales',
    promos: 'Promo codes used',
    none: 'none',
    doubles: 'Double purchases',
    doublesLine: (found: number, refunded: number) => `${found} found, ${refunded} refunded`,
    decline: 'Decline rate (last 15 min of sales)',
    health: 'Stream health',
    healthLine: (minutes: number, reconnects: number, dropped: string) => `${minutes} min live, ${reconnects} reconnects, ${dropped} % dropped`,
    support: 'Support',
    openLeft: 'Open tickets left',
    categories: { access: 'access', refund: 'refund', overcharge: 'overcharge', payment: 'payment', promo_code: 'promo code', other: 'other' } as Record<string, string>,
  },
  fr: {
    report: 'Rapport',
    sold: 'billets vendus',
    gross: 'brut',
    refunded: (n: number) => `remboursé (${n} commandes)`,
    net: 'net',
    audience: 'Audience',
    viewers: 'spectateurs pendant le spectacle',
    peak: 'pic',
    peakViewers: 'Pic de spectateurs',
    vsTickets: 'Spectateurs et billets au pic',
    sales: 'Ventes',
    promos: 'Codes promo utilisés',
    none: 'aucun',
    doubles: 'Doubles achats',
    doublesLine: (found: number, refunded: number) => `${found} trouvés, ${refunded} remboursés`,
    decline: 'Taux de refus (15 dernières minutes de vente)',
    health: 'Santé du flux',
    healthLine: (minutes: number, reconnects: number, dropped: string) => `${minutes} min à l’antenne, ${reconnects} reconnexions, ${dropped} % d’images perdues`,
    support: 'Support',
    openLeft: 'Tickets encore ouverts',
    categories: { access: 'accès', refund: 'remboursement', overcharge: 'double débit', payment: 'paiement', promo_code: 'code promo', other: 'autre' } as Record<string, string>,
  },
};

/** A self-contained page with its charts inline, as the report engine writes it. */
function reportPage(world: World, showId: string, language: ReportLanguage): string {
  const show = world.shows.find((candidate) => candidate.id === showId) ?? fail('store.not_found', `no show ${showId}`);
  const w = WORDS[language];
  const money = (minor: number, currency: string) => euros(minor, currency, language);
  const d = dashboard(world, showId);
  const series = world.audience.get(showId) ?? [];
  const max = Math.max(1, ...series.map((point) => point[1] ?? 0));
  const t0 = series[0]?.[0] ?? show.starts_at_ms;
  const t1 = series.at(-1)?.[0] ?? show.ends_at_ms;
  const path = series
    .map((point, i) => (point[1] === null ? null : `${i === 0 || series[i - 1]?.[1] === null ? 'M' : 'L'}${(((point[0] - t0) / Math.max(1, t1 - t0)) * 600).toFixed(1)},${(160 - (point[1] / max) * 150).toFixed(1)}`))
    .filter(Boolean)
    .join(' ');
  const categories = ['access', 'refund', 'overcharge', 'payment', 'promo_code', 'other'].map((category) => [w.categories[category] ?? category, world.tickets.filter((ticket) => ticket.category === category).length] as const);
  const rows = (pairs: Array<[string, string]>) => pairs.map(([k, v]) => `<tr><th>${escape(k)}</th><td>${escape(v)}</td></tr>`).join('');
  const when = new Intl.DateTimeFormat(language === 'fr' ? 'fr-FR' : 'en-GB', { dateStyle: 'full', timeStyle: 'short' }).format(show.starts_at_ms);
  const decline = d.decline_rate_per_mille === null ? '—' : `${(d.decline_rate_per_mille / 10).toLocaleString(language === 'fr' ? 'fr-FR' : 'en-GB', { maximumFractionDigits: 1, minimumFractionDigits: 1 })} %`;
  return `<!doctype html><html lang="${language}"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"><title>${w.report} — ${escape(show.title)}</title><style>
body{font:14px/1.5 system-ui,sans-serif;color:#1d232e;background:#fff;margin:0;padding:28px 36px}h1{font-size:22px;margin:0}h2{font-size:16px;margin:28px 0 8px;border-bottom:1px solid #dde2ea;padding-bottom:4px}.sub{color:#5c6677}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(112px,1fr));gap:10px;margin-top:18px}.kpi{border:1px solid #dde2ea;border-radius:8px;padding:8px 10px}.kpi b{display:block;font-size:15px}.kpi span{color:#5c6677;font-size:12px}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #eef1f5}th{font-weight:500;color:#5c6677;width:45%}svg{background:#f7f9fc;border-radius:6px;max-width:100%;height:auto}
</style></head><body>
<h1>${escape(show.title)}</h1><div class="sub">${w.report} · ${escape(when)}</div>
<div class="kpis"><div class="kpi"><b>${d.sold} / ${d.capacity}</b><span>${w.sold}</span></div><div class="kpi"><b>${money(d.gross.minor, d.gross.currency)}</b><span>${w.gross}</span></div><div class="kpi"><b>${money(d.refunded.minor, d.refunded.currency)}</b><span>${w.refunded(d.refunded_orders)}</span></div><div class="kpi"><b>${money(d.net.minor, d.net.currency)}</b><span>${w.net}</span></div></div>
<h2>${w.audience}</h2><svg width="600" height="170" viewBox="0 0 600 170" role="img" aria-label="${w.viewers}"><path d="${path}" fill="none" stroke="#2f6fdb" stroke-width="2"/><text x="6" y="14" font-size="11" fill="#5c6677">${w.peak} ${d.viewers_peak ?? '—'}</text></svg>
<table>${rows([[w.peakViewers, String(d.viewers_peak ?? '—')], [w.vsTickets, `${d.viewers_peak ?? 0} / ${d.sold}`]])}</table>
<h2>${w.sales}</h2><table>${rows([[w.promos, d.promo.map((p) => `${p.code} ×${p.tickets} (−${money(p.discount.minor, p.discount.currency)})`).join(', ') || w.none], [w.doubles, w.doublesLine(world.flags.length, world.flags.filter((f) => f.status === 'refunded').length)], [w.decline, decline]])}</table>
<h2>${w.health}</h2><table>${rows(world.live.outputs.map((o) => [o.name, w.healthLine(Math.round(o.liveSeconds / 60), o.reconnects, o.dropped.toFixed(2))] as [string, string]))}</table>
<h2>${w.support}</h2><table>${rows(categories.map(([c, n]) => [c, String(n)] as [string, string]))}${rows([[w.openLeft, String(world.tickets.filter((t) => t.status === 'open').length)]])}</table>
</body></html>`;
}

function samples(title: string, watchUrl: string | null, language: ReportLanguage) {
  if (language === 'fr') {
    return {
      thank_you: { subject: `Merci d’avoir regardé ${title} — le replay est en ligne`, text: `Bonjour Camille,\n\nMerci d’avoir suivi ${title} avec nous\u00a0!\nLe replay est disponible pendant 7 jours\u00a0:\n${watchUrl ?? ''}/replay\n\nÀ très bientôt,\nL’équipe de ${title}` },
      apology: { subject: `Désolés pour le souci pendant ${title}`, text: `Bonjour Hugo,\n\nVous avez eu du mal à regarder ${title} et nous en sommes désolés.\nVoici un code de 100 % pour notre prochain spectacle\u00a0: SORRY-4KQ9 (usage unique).\n\nL’équipe de ${title}` },
      refund_owed: { subject: `Votre remboursement pour ${title} est en cours`, text: `Bonjour Léa,\n\nNous n’avons pas oublié votre remboursement pour la commande #1187\u00a0: il apparaîtra sur votre relevé sous 5 à 10 jours.\n\nL’équipe de ${title}` },
    };
  }
  return {
    thank_you: { subject: `Thank you for watching ${title} — the replay is online`, text: `Hello Camille,\n\nThank you for watching ${title} with us!\nThe replay is online for 7 days:\n${watchUrl ?? ''}/replay\n\nSee you soon,\nThe ${title} team` },
    apology: { subject: `Sorry for the trouble during ${title}`, text: `Hello Hugo,\n\nYou had trouble watching ${title} and we are sorry.\nHere is a 100 % code for our next show: SORRY-4KQ9 (single use).\n\nThe ${title} team` },
    refund_owed: { subject: `Your refund for ${title} is on its way`, text: `Hello James,\n\nWe have not forgotten your refund for order #1187: it will be on your statement within 5 to 10 days.\n\nThe ${title} team` },
  };
}

export function afterApi(world: World): Pick<Backend, 'reportHtml' | 'exportReport' | 'retrospective' | 'saveRetrospective' | 'followUps' | 'sendFollowUps' | 'openItems'> {
  const show = (showId: string) => {
    const id = requiredShow(showId);
    return world.shows.find((candidate) => candidate.id === id) ?? fail('store.not_found', `no show ${id}`);
  };
  return {
    reportHtml: async (showId, language) => {
      const lang = languageOf(language);
      return reportPage(world, show(showId).id, lang);
    },
    exportReport: async (showId, folder, language) => {
      languageOf(language);
      show(showId);
      const trimmed = folder.trim().replace(/\/+$/, '');
      if (!/^(\/|[A-Za-z]:\\)/.test(trimmed)) return fail('invalid', `folder: ${folder.trim()} is not a full path (it starts with /)`);
      // A folder the report cannot be written to (read-only media, no permission).
      if (/^\/(proc|sys)(\/|$)/.test(trimmed)) return fail('report.export_failed', `cannot write ${trimmed}/report.html: Permission denied (os error 13)`);
      const files = ['report.html', 'report.pdf', 'orders.csv', 'refunds.csv', 'tickets.csv'].map((name) => `${trimmed}/${name}`);
      state(world, showId).exported = files;
      return files;
    },
    retrospective: async (showId, language) => {
      const lang = languageOf(language);
      show(showId);
      return structuredClone(state(world, showId, lang).retrospective);
    },
    saveRetrospective: async (showId, retrospective) => {
      show(showId);
      state(world, showId).retrospective = { ...structuredClone(retrospective), saved_ms: world.now() };
    },
    followUps: async (showId, language) => {
      const lang = languageOf(language);
      const target = show(showId);
      const counts = followUpCounts(world, showId);
      const sent = state(world, showId, lang).followUpsSent;
      const sample = samples(target.title, target.watch_url, lang);
      return (['thank_you', 'apology', 'refund_owed'] as const).map((kind) => ({
        kind,
        recipients: counts[kind],
        sample_subject: sample[kind].subject,
        sample_text: sample[kind].text,
        already_sent: sent.get(kind) ?? 0,
      }));
    },
    sendFollowUps: async (showId, kinds, language) => {
      languageOf(language);
      show(showId);
      if (kinds.length === 0) fail('invalid', 'kinds: choose at least one follow-up to send');
      if (!world.mailbox) fail('support.not_configured', 'no mailbox to send from: connect one in Setup');
      const counts = followUpCounts(world, showId) as Record<string, number>;
      const sent = state(world, showId).followUpsSent;
      for (const kind of kinds) if (!(kind in counts)) fail('invalid', `kinds: no follow-up ${JSON.stringify(kind)} (thank_you, apology, refund_owed)`);
      let queued = 0;
      for (const kind of kinds) {
        const fresh = Math.max(0, (counts[kind] ?? 0) - (sent.get(kind) ?? 0));
        sent.set(kind, (sent.get(kind) ?? 0) + fresh);
        queued += fresh;
      }
      world.outbox.queued += queued;
      return queued;
    },
    openItems: async (showId, language) => {
      const lang = languageOf(language);
      show(showId);
      const items: OpenItem[] = [];
      for (const ticket of world.tickets) {
        if (ticket.category === 'refund' && ticket.status !== 'resolved') {
          const order = world.orders.find((candidate) => candidate.email === ticket.buyerEmail && (candidate.status === 'paid' || candidate.status === 'partially_refunded'));
          if (!order) continue;
          const amount = euros(order.amountMinor - order.refundedMinor, order.currency, lang);
          items.push({
            kind: 'refund_owed',
            subject: order.id,
            description: lang === 'fr' ? `${order.name} a demandé le remboursement de la commande #${order.id} (${amount}) dans SD-${ticket.id}` : `${order.name} asked for a refund of order #${order.id} (${amount}) in SD-${ticket.id}`,
            action: 'refund',
          });
        }
      }
      for (const flag of world.flags.filter((candidate) => candidate.status === 'open')) {
        const matched = lang === 'fr' ? ({ email: 'même e-mail', customer: 'même client', card_fingerprint: 'même carte' } as Record<string, string>)[flag.matched_on] ?? flag.matched_on : `same ${flag.matched_on.replace('_', ' ')}`;
        items.push({
          kind: 'double_purchase',
          subject: String(flag.id),
          description: lang === 'fr' ? `La commande #${flag.duplicate_order_id} répète la #${flag.original_order_id} (${matched})` : `Order #${flag.duplicate_order_id} repeats #${flag.original_order_id} (${matched})`,
          action: 'double_purchase_refund',
        });
      }
      for (const ticket of world.tickets.filter((candidate) => candidate.status === 'open' && !candidate.automatic)) {
        items.push({
          kind: 'ticket_open',
          subject: String(ticket.id),
          description: lang === 'fr' ? `SD-${ticket.id} de ${ticket.requesterName}\u00a0: ${ticket.subject}` : `SD-${ticket.id} from ${ticket.requesterName}: ${ticket.subject}`,
          action: 'ticket',
        });
      }
      return items;
    },
  };
}
