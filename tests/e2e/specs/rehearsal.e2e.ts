import { afterEach, describe, expect, it } from 'vitest';

import { type App, closeApp, screenshotOnFailure, freshHome, launchApp, screenshot, until } from '../support/app';
import { httpText, tcpOpen } from '../support/services';
import { click, exists, rehearsalServices, textOf, tid, waitReady } from '../support/ui';

// The rehearsal stack on real programs (nginx-rtmp, srt-live-transmit, localstripe, dovecot,
// aiosmtpd): started with the app, listed with addresses that answer, stopped with the app.

let app: App | undefined;

afterEach(async () => {
  await closeApp(app);
  app = undefined;
});
// Registered after the closing hook: after-hooks run last-registered first.
screenshotOnFailure(() => app);

const ROLES = ['ingest', 'audience', 'srt', 'payments', 'mailbox', 'outgoing_mail'];
/** The services that answer over TCP (SRT is UDP). */
const TCP_ROLES = ['ingest', 'audience', 'payments', 'mailbox', 'outgoing_mail'];

async function statAnswers(url: string): Promise<boolean> {
  return (await httpText(url))?.includes('<rtmp>') ?? false;
}

async function allUp(services: Record<string, string>): Promise<boolean> {
  const open = await Promise.all(TCP_ROLES.map((role) => tcpOpen(services[role])));
  return open.every(Boolean) && (await statAnswers(services.audience));
}

async function allGone(services: Record<string, string>): Promise<boolean> {
  const open = await Promise.all(TCP_ROLES.map((role) => tcpOpen(services[role])));
  return open.every((up) => !up);
}

async function running(a: App): Promise<Record<string, string>> {
  await until(async () => (await textOf(a, tid('rehearsal-phase'))) === 'Running', 120_000, 'the stack to run');
  // Listed once running; every address must answer before we go on.
  const services = await until(async () => {
    const listed = await rehearsalServices(a);
    return ROLES.every((role) => listed[role]) ? listed : undefined;
  }, 30_000, 'the six services to be listed');
  await until(() => allUp(services), 30_000, 'every listed service to answer');
  return services;
}

describe('the rehearsal stack', () => {
  it('starts with --rehearsal, lists every service, stops and starts again, and goes with the app', async () => {
    app = await launchApp(['--home', freshHome('rehearsal'), '--rehearsal']);
    await waitReady(app);
    const services = await running(app);

    expect(Object.keys(services).sort()).toEqual([...ROLES].sort());
    expect(services.ingest).toMatch(/^rtmp:\/\/127\.0\.0\.1:\d+\/live$/);
    expect(services.audience).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/stat$/);
    expect(services.srt).toMatch(/^srt:\/\/127\.0\.0\.1:\d+$/);
    expect(services.payments).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(services.mailbox).toMatch(/^127\.0\.0\.1:\d+ \(.+@.+\)$/);
    expect(services.outgoing_mail).toMatch(/^127\.0\.0\.1:\d+$/);
    // The list never shows a credential.
    expect(await textOf(app, tid('rehearsal-services'))).not.toMatch(/sk_test|password/i);
    expect(await exists(app, tid('rehearsal-badge'))).toBe(true);
    // Once wired, the rehearsal show is on sale.
    await until(async () => (await textOf(app!, tid('show-title'))).startsWith('Rehearsal'), 60_000, 'the Rehearsal show');
    await screenshot(app, 'rehearsal-running');

    await click(app, tid('rehearsal-stop'));
    await until(async () => (await textOf(app!, tid('rehearsal-phase'))) === 'Stopped', 60_000, 'the stack to stop');
    expect(await exists(app, tid('rehearsal-services'))).toBe(false);
    await until(() => allGone(services), 30_000, 'the stopped services to close their ports');

    await click(app, tid('rehearsal-start'));
    const again = await running(app);

    // Closing the window takes the services with it.
    await app.deleteSession();
    app = undefined;
    await until(() => allGone(again), 30_000, 'the services to go with the app');
    expect(await statAnswers(again.audience)).toBe(false);
  });
});
