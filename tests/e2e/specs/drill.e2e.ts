import { type ChildProcess, spawn } from 'node:child_process';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type App, closeApp, freshHome, launchApp, screenshot, screenshotOnFailure, until } from '../support/app';
import { bodyText, header, httpText, sentMail, smtpSinkApiFor, stripeCharges, stripeRefunds } from '../support/services';
import { click, exists, goTo, numberIn, pageErrors, rehearsalServices, textOf, tid, toasts, waitReady, watchPageErrors } from '../support/ui';

// `--drill`: the rehearsal stack, on air on its ingest, and the drill — a ticket rush through
// localstripe, RTMP viewers pulling the stream, support mail arriving in the stack's IMAP inbox.
// One app session for the whole file; the tests run in order and build on each other.

let app: App | undefined;
/** What the desktop's notification server was asked to show, as dbus-monitor prints it. */
let notifications: { text: string; monitor?: ChildProcess } = { text: '' };
/** role → address, as the Overview lists the rehearsal services. */
let services: Record<string, string> = {};

screenshotOnFailure(() => app);

beforeAll(async () => {
  // The run has its own session bus (dbus-run-session) with dunst on it: watch what is asked of it.
  const monitor = spawn('dbus-monitor', ['--session', "interface='org.freedesktop.Notifications',member='Notify'"]);
  monitor.stdout.on('data', (chunk: Buffer) => (notifications.text += chunk.toString()));
  notifications = { text: '', monitor };
  app = await launchApp(['--home', freshHome('drill'), '--drill']);
  await waitReady(app);
});

afterAll(async () => {
  notifications.monitor?.kill();
  await closeApp(app);
});

/** The tickets in the queue, as their testids ("ticket-12"). */
const queue = (a: App) =>
  a.execute(() => [...document.querySelectorAll<HTMLElement>('[data-testid="ticket-list"] button[data-testid^="ticket-"]')].map((b) => b.dataset.testid ?? ''));

/** "Refund €15.00" → 1500. */
function minorUnits(text: string): number {
  const found = /(\d+)[.,](\d{2})/.exec(text);
  if (!found) throw new Error(`no amount in ${text}`);
  return Number(found[1]) * 100 + Number(found[2]);
}

describe('live with the drill', () => {
  it('goes on air by itself, and the rehearsal ingest really receives the stream', async () => {
    const a = app!;
    await until(() => exists(a, tid('on-air')), 180_000, 'ON AIR');
    expect(await textOf(a, tid('on-air'))).toMatch(/on air/i);
    expect(await exists(a, tid('go-live'))).toBe(false);

    await goTo(a, 'home');
    services = await until(async () => {
      const listed = await rehearsalServices(a);
      return listed.audience && listed.payments && listed.outgoing_mail ? listed : undefined;
    }, 60_000, 'the rehearsal services to be listed');
    // nginx-rtmp's /stat: a stream is being published on the ingest, and the drill's viewers pull it.
    const stat = await until(async () => {
      const xml = await httpText(services.audience);
      if (!xml?.includes('<publishing/>')) return undefined;
      const players = (xml.match(/<client>[\s\S]*?<\/client>/g) ?? []).filter((client) => !client.includes('<publishing/>'));
      return players.length > 0 ? xml : undefined;
    }, 90_000, `${services.audience} to show a stream published and played`);
    expect(stat).toMatch(/<application>\s*<name>live<\/name>/);

    await goTo(a, 'program');
    for (const output of ['rehearsal-rtmp', 'rehearsal-srt']) {
      await until(async () => (await textOf(a, tid(`output-${output}-state`))) === 'Live', 90_000, `${output} to be live`);
    }
    await until(() => exists(a, tid('preview-frame')), 60_000, 'the program preview');
    await until(async () => (await numberIn(a, tid('kpi-sold'))) > 0, 120_000, 'the first ticket sold');
    await until(async () => (await numberIn(a, tid('kpi-viewers'))) > 0, 120_000, 'the drill viewers to be counted');
    expect(await exists(a, tid('recording-indicator'))).toBe(true);
    await screenshot(a, 'live-drill');
  });

  it('raises a desktop notification when a destination goes on the air (seen on D-Bus)', async () => {
    // notify-rust calls org.freedesktop.Notifications.Notify on the session bus; dbus-monitor sees
    // the call with our app name and the summary.
    await until(async () => notifications.text.includes('Stream on the air'), 60_000, 'a Notify call on D-Bus');
    expect(notifications.text).toContain('string "Showdesk"');
    expect(notifications.text).toMatch(/Stream on the air — rehearsal-(rtmp|srt)/);
  });

  it('the Overview shows the drill that --drill started as running', async () => {
    const a = app!;
    await goTo(a, 'home');
    await until(async () => (await (await a.$(tid('drill'))).getAttribute('data-on')) === 'true', 15_000, 'the drill shown as running');
    expect(await textOf(a, tid('drill-state'))).toBe('Drill running');
  });

  it('a sales spike is titled in words in the alerts feed', async () => {
    const a = app!;
    await goTo(a, 'program');
    const title = await until(
      () => a.execute(() => document.querySelector<HTMLElement>('[data-testid="alert-item"][data-kind="sales_spike"] strong')?.innerText),
      120_000,
      'a sales spike alert',
    );
    expect(title).not.toBe('sales_spike');
  });

  it('sells tickets through localstripe: the box office shows purchases', async () => {
    const a = app!;
    await goTo(a, 'boxoffice');
    await until(async () => (await numberIn(a, tid('box-sold'))) > 0, 120_000, 'sold > 0');
    expect(await numberIn(a, tid('box-gross'))).toBeGreaterThan(0);
    const paid = await until(
      () =>
        a.execute(() =>
          [...document.querySelectorAll<HTMLElement>('tr[data-testid^="order-"]')].find((row) => /\bPaid\b/.test(row.innerText))?.dataset.testid,
        ),
      60_000,
      'a paid order in the list',
    );
    expect(paid).toMatch(/^order-/);
    // They are real charges in localstripe.
    const charges = await stripeCharges(services.payments);
    expect(charges.filter((charge) => charge.paid).length).toBeGreaterThan(0);
    await screenshot(a, 'boxoffice-drill');
  });

  it('receives the support mail: tickets arrive in the queue', async () => {
    const a = app!;
    await goTo(a, 'support');
    expect(await exists(a, tid('support-not-configured'))).toBe(false);
    const first = (await until(async () => ((await queue(a)).length > 0 ? queue(a) : undefined), 120_000, 'a first ticket')).length;
    await until(async () => (await queue(a)).length > first, 120_000, 'more tickets to arrive');
    expect(await numberIn(a, tid('sla-waiting'))).toBeGreaterThan(0);
    expect(await numberIn(a, tid('nav-support-badge'))).toBeGreaterThan(0);
    expect(await numberIn(a, `${tid('category-access')} .num`)).toBeGreaterThan(0);
  });

  it('refunds a paying buyer from their ticket: localstripe has the refund and the buyer gets the mail', async () => {
    const a = app!;
    // A panel that throws leaves half a view and no other sign: watch for page errors.
    await watchPageErrors(a);
    await goTo(a, 'support');
    await click(a, tid('category-access'));

    // A "can't watch" ticket from someone who paid: the buyer's orders offer a refund.
    const picked = await until(async () => {
      for (const ticket of await queue(a)) {
        await click(a, tid(ticket));
        await until(() => exists(a, `${tid('ticket-detail')}[data-ticket="${ticket.slice('ticket-'.length)}"] ${tid('reply-send')}`), 15_000, `${ticket} to open`);
        expect(await pageErrors(a), `page errors after opening ${ticket}`).toEqual([]);
        const refund = await a.execute(() => document.querySelector('[data-testid="buyer-orders"] button[data-testid$="-refund"]')?.getAttribute('data-testid'));
        if (refund) return { ticket, refund };
      }
      return undefined;
    }, 120_000, 'a ticket from a buyer with a paid order');
    const orderId = picked.refund.replace(/^buyer-order-/, '').replace(/-refund$/, '');
    const buyer = /[\w.+-]+@[\w.-]+/.exec(await textOf(a, `${tid('buyer-orders')} h3`))?.[0];
    expect(buyer, 'the buyer address').toBeTruthy();
    const token = await textOf(a, `${tid('ticket-detail')} .token`);
    expect(token).toMatch(/^SD-\d+$/);

    await click(a, tid(picked.refund));
    await until(() => exists(a, tid('refund-dialog')), 15_000, 'the refund dialog');
    expect(await (await a.$(tid('refund-whole'))).isSelected()).toBe(true);
    const amount = minorUnits(await textOf(a, tid('refund-submit')));
    await click(a, tid('refund-submit'));
    await until(async () => {
      if (await exists(a, tid('refund-error'))) throw new Error(`refund failed: ${await textOf(a, tid('refund-error'))}`);
      return !(await exists(a, tid('refund-dialog')));
    }, 60_000, 'the refund to go through');

    // The window: the order is refunded, a toast says so, the thread has the mail and a note.
    await until(async () => (await textOf(a, tid(`buyer-order-${orderId}`))).includes('Refunded'), 30_000, 'the order to show as refunded');
    expect(await exists(a, tid(`buyer-order-${orderId}-refund`))).toBe(false);
    expect((await toasts(a)).some((toast) => toast.includes('Refund') && toast.includes(orderId))).toBe(true);
    const outgoing = await until(
      () =>
        a.execute(() =>
          [...document.querySelectorAll<HTMLElement>('[data-testid="ticket-messages"] [data-direction="out"]')].map((m) => m.innerText).find((text) => /refund|rembours/i.test(text)),
        ),
      30_000,
      'the refund mail in the thread',
    );
    expect(outgoing).toContain(orderId);
    expect(await pageErrors(a)).toEqual([]);
    await screenshot(a, 'support-ticket');

    // localstripe: the refund exists, for that payment, in full.
    const refund = await until(async () => (await stripeRefunds(services.payments)).find((r) => r.payment_intent && orderId.endsWith(r.payment_intent)), 30_000, `a refund of ${orderId} in localstripe`);
    expect(refund.status).toBe('succeeded');
    expect(refund.amount).toBe(amount);

    // The SMTP sink: the buyer got the refund mail, once, in the ticket's thread.
    const smtpPort = Number(/:(\d+)$/.exec(services.outgoing_mail)?.[1]);
    const sink = smtpSinkApiFor(smtpPort);
    expect(sink, `the SMTP sink on port ${smtpPort}`).not.toBeNull();
    // In the buyer's language (the drill's buyers write in English or French).
    const isRefundMail = (raw: string) => header(raw, 'Subject').includes(`[${token}]`) && /refund|rembours/i.test(header(raw, 'Subject'));
    const mail = await until(
      async () => {
        const found = (await sentMail(sink!)).filter((m) => m.rcpt_tos.includes(buyer!) && isRefundMail(m.raw));
        return found.length > 0 ? found : undefined;
      },
      60_000,
      `the refund mail to ${buyer} in the SMTP sink`,
    );
    expect(mail).toHaveLength(1);
    expect(bodyText(mail[0].raw)).toContain(orderId);
    // And the window's outbox counts mail as sent, none failed.
    expect(Number(/(\d+) sent/.exec(await textOf(a, tid('outbox')))?.[1])).toBeGreaterThan(0);
    expect(await textOf(a, tid('outbox'))).not.toMatch(/failed/i);
  });
});
