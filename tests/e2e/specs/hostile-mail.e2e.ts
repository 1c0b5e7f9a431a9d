import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type App, closeApp, freshHome, launchApp, painted, repoRoot, screenshot, screenshotOnFailure, sleep, tmpdir, until } from '../support/app';
import { meanLuminance } from '../support/png';
import { type Stack, type Trap, deliverToInbox, startStack, startTrap } from '../support/services';
import { click, dialogOpen, exists, fill, goTo, pageErrors, textOf, tid, toasts, waitReady, watchPageErrors } from '../support/ui';

// Case C24: a mail built to attack the window (script tags, event handlers, javascript: links, a
// srcdoc frame, a phishing form, a refresh to another site, tracking pixels and remote CSS). It
// goes into the support inbox of a stack of our own (`showdesk stack --json --reveal`, whose
// credentials the window never shows), which the app is connected to through Setup → Mailbox.

// The field case, as committed with the other mail cases (never read from outside the repository).
const CASE = resolve(repoRoot, 'tests/fixtures/mail/cases/C24-hostile-html.eml');
/** What a script of the mail would leave on the window if it ever ran there. */
const MARKER = '__showdeskC24';

let app: App | undefined;
let stack: Stack | undefined;
let trap: Trap | undefined;
let mailFile: string;

screenshotOnFailure(() => app);

/**
 * The case with its remote host (attacker.invalid) replaced by our trap server, and every call of
 * alert() in the body also setting MARKER on the window it runs in (the top window if it can).
 */
function hostileMail(origin: string): string {
  const raw = readFileSync(CASE, 'utf8').replaceAll('http://attacker.invalid', origin);
  const split = /\r?\n\r?\n/.exec(raw)?.index ?? -1;
  if (split < 0) throw new Error(`${CASE} has no header/body separator`);
  const body = raw.slice(split).replace(/(?<![.\w])alert\(/g, `(top.${MARKER}=1,alert)(`);
  const file = join(mkdtempSync(join(tmpdir(), 'showdesk-c24-')), 'C24.eml');
  writeFileSync(file, raw.slice(0, split) + body);
  return file;
}

beforeAll(async () => {
  [stack, trap] = await Promise.all([startStack(), startTrap()]);
  mailFile = hostileMail(trap.origin);
  expect(readFileSync(mailFile, 'utf8')).not.toContain('attacker.invalid');
  app = await launchApp(['--home', freshHome('hostile')]);
  await waitReady(app);
  await watchPageErrors(app);
});

afterAll(async () => {
  await closeApp(app);
  await stack?.stop();
  await trap?.close();
});

describe('hostile HTML mail', () => {
  it('connects the support mailbox of our own stack through Setup', async () => {
    const a = app!;
    const s = stack!.endpoints;
    await goTo(a, 'setup');
    await click(a, tid('setup-tab-mailbox'));
    await fill(a, tid('mailbox-address'), s.imap_user);
    await fill(a, tid('mailbox-name'), 'E2E support');
    await fill(a, tid('imap-host'), s.imap_host);
    await fill(a, tid('imap-port'), s.imap_port);
    await (await a.$(tid('imap-security'))).selectByVisibleText('plain');
    await fill(a, tid('imap-user'), s.imap_user);
    // The password goes into the session keyring; the window shows only its last characters.
    await fill(a, tid('imap-password-input'), s.imap_password);
    await click(a, tid('imap-password-save'));
    await until(async () => (await textOf(a, tid('imap-password-state'))).includes(s.imap_password.slice(-4)), 30_000, 'the password to be stored');
    expect(await textOf(a, tid('setup-mailbox'))).not.toContain(s.imap_password);
    await fill(a, tid('smtp-host'), s.smtp_host);
    await fill(a, tid('smtp-port'), s.smtp_port);
    await (await a.$(tid('smtp-security'))).selectByVisibleText('plain');
    await click(a, tid('mailbox-connect'));
    await until(async () => {
      if (await exists(a, tid('mailbox-error'))) throw new Error(`connect failed: ${await textOf(a, tid('mailbox-error'))}`);
      return (await toasts(a)).some((toast) => toast.includes(`Mailbox connected: ${s.imap_user}`));
    }, 60_000, 'the mailbox to connect');
  });

  it('shows the mail inert: text stays text, the HTML is sandboxed, no script runs, nothing remote is fetched', async () => {
    const a = app!;
    await deliverToInbox(stack!.endpoints, mailFile);
    await goTo(a, 'support');
    const ticket = await until(
      () =>
        a.execute(() =>
          [...document.querySelectorAll<HTMLElement>('[data-testid="ticket-list"] button[data-testid^="ticket-"]')].find((b) =>
            b.innerText.includes('refund for order #1052'),
          )?.dataset.testid,
        ),
      90_000,
      'the hostile mail to become a ticket',
    );
    // In the queue the subject and sender are text, shown as written.
    expect(await textOf(a, tid(ticket))).toContain("<img src=x onerror=alert('subject')> refund for order #1052");
    expect(await textOf(a, tid(ticket))).toContain("<svg onload=alert('from')>");
    expect(await a.execute(() => document.querySelectorAll('[data-testid="ticket-list"] img, [data-testid="ticket-list"] svg').length)).toBe(0);

    await click(a, tid(ticket));
    await until(() => exists(a, `${tid('ticket-detail')} ${tid('reply-send')}`), 15_000, 'the ticket to open');
    expect(await textOf(a, tid('ticket-subject'))).toBe("<img src=x onerror=alert('subject')> refund for order #1052");
    expect(await textOf(a, tid('ticket-requester'))).toBe("<svg onload=alert('from')>");
    // The plain part is shown as text too: its <script> is just characters.
    const message = await until(
      () => a.execute(() => document.querySelector<HTMLElement>('[data-testid="ticket-messages"] [data-direction="in"]')?.dataset.testid),
      15_000,
      'the received message',
    );
    expect(await textOf(a, tid(`${message}-text`))).toContain("<script>(top.__showdeskC24=1,alert)('plain')</script>");
    expect(await a.execute(() => document.querySelectorAll('[data-testid="ticket-detail"] img, [data-testid="ticket-detail"] svg, [data-testid="ticket-detail"] script').length)).toBe(0);

    // The HTML part, on demand, in its frame.
    const id = message.slice('message-'.length);
    await click(a, tid(`${message}-toggle-html`));
    await until(() => exists(a, tid(`mail-html-${id}`)), 15_000, 'the mail frame');
    const frame = await a.execute((sel) => {
      const iframe = document.querySelector<HTMLIFrameElement>(sel)!;
      let reachable: string;
      try {
        reachable = iframe.contentDocument ? 'document' : 'null';
      } catch {
        reachable = 'throws';
      }
      return { sandboxed: iframe.hasAttribute('sandbox'), sandbox: iframe.getAttribute('sandbox') ?? '', srcdoc: iframe.getAttribute('srcdoc') ?? '', src: iframe.getAttribute('src'), reachable };
    }, tid(`mail-html-${id}`));
    // Sandboxed with no permission at all: no scripts, an opaque origin the window cannot reach.
    expect(frame.sandboxed).toBe(true);
    expect(frame.sandbox.split(/\s+/)).not.toContain('allow-scripts');
    expect(frame.sandbox.split(/\s+/)).not.toContain('allow-same-origin');
    expect(frame.sandbox.trim()).toBe('');
    expect(frame.src).toBeNull();
    expect(frame.reachable).not.toBe('document');
    // The document it shows is sanitized and carries its own policy.
    expect(frame.srcdoc).toContain('Please refund order #1052.');
    expect(frame.srcdoc).toMatch(/http-equiv="Content-Security-Policy" content="default-src 'none'/);
    expect(frame.srcdoc).not.toMatch(/<script|<iframe|<form|<base|<svg|javascript:|refresh|@import|\son[a-z]+\s*=/i);
    expect(frame.srcdoc).not.toContain(trap!.origin.replace('http://', ''));
    // The remote image waits for the operator.
    expect(await exists(a, tid(`load-images-${id}`))).toBe(true);

    // Let the frame load whatever it would, then: no dialog, no marker, no error, no request.
    await sleep(3000);
    expect(await dialogOpen(a), 'an alert dialog').toBe(false);
    expect(await a.execute((marker) => (window as unknown as Record<string, unknown>)[marker] ?? null, MARKER)).toBeNull();
    expect(await a.getTitle()).toBe('Showdesk');
    expect(await pageErrors(a)).toEqual([]);
    expect(trap!.requests, 'requests that reached the "remote" host').toEqual([]);
    await screenshot(a, 'hostile-mail');
  });

  it('the HTML mail is shown on white paper', async () => {
    const a = app!;
    const frame = await a.$('iframe[data-testid^="mail-html-"]');
    await frame.scrollIntoView({ block: 'center' });
    await painted(a);
    const rect = await a.execute((element) => element.getBoundingClientRect().toJSON(), frame as unknown as HTMLElement);
    const inside = { x: rect.x + 10, y: rect.y + 10, width: rect.width - 20, height: rect.height - 20 };
    expect(meanLuminance(Buffer.from(await a.takeScreenshot(), 'base64'), inside)).toBeGreaterThan(200);
  });
});
