import { afterEach, describe, expect, it } from 'vitest';

import { type App, eventually, freshHome, launchApp, screenshot } from '../support/app';

// The real desktop app, driven through tauri-driver, with the real local services.

let app: App | undefined;

afterEach(async () => {
  await app?.deleteSession().catch(() => undefined);
  app = undefined;
});

async function text(selector: string): Promise<string> {
  return (await app!.$(selector)).getText();
}

/** The address the window lists for a service role. */
async function addressOf(role: string): Promise<string> {
  return (await app!.$(`[data-testid="rehearsal-services"] tr[data-role="${role}"] code`)).getText();
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return response.ok && (await response.text()).includes('<rtmp>');
  } catch {
    return false;
  }
}

describe('control room window', () => {
  it('opens on an isolated home and shows the installation', async () => {
    app = await launchApp(['--home', freshHome('info')]);
    expect(await app.getTitle()).toBe('Showdesk');
    await eventually(async () => (await text('[data-testid="app-version"]')) !== '', 30_000, 'the version');
    expect(await text('[data-testid="app-version"]')).toMatch(/^\d+\.\d+\.\d+/);
    expect(await text('[data-testid="install-panel"]')).toContain('GStreamer 1.');
    expect(await (await app.$('[data-testid="isolated-home"]')).isDisplayed()).toBe(true);
    expect(await text('[data-testid="rehearsal-phase"]')).toBe('Not running');
    await screenshot(app, 'app-idle');
  });

  it('runs the rehearsal stack on real services, lists them, and stops them', async () => {
    app = await launchApp(['--home', freshHome('rehearsal'), '--rehearsal']);
    await eventually(async () => (await text('[data-testid="rehearsal-phase"]')) === 'Running', 90_000, 'the stack to run');
    const rows = await app.$$('[data-testid="rehearsal-services"] tr');
    expect(rows.length).toBe(6);
    const stat = await addressOf('audience');
    expect(stat).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/stat$/);
    expect(await answers(stat)).toBe(true);
    expect(await addressOf('ingest')).toMatch(/^rtmp:\/\/127\.0\.0\.1:\d+\/live$/);
    await screenshot(app, 'app-rehearsal-running');

    await (await app.$('[data-testid="rehearsal-stop"]')).click();
    await eventually(async () => (await text('[data-testid="rehearsal-phase"]')) === 'Stopped', 30_000, 'the stack to stop');
    expect(await answers(stat)).toBe(false);

    await (await app.$('[data-testid="rehearsal-start"]')).click();
    await eventually(async () => (await text('[data-testid="rehearsal-phase"]')) === 'Running', 90_000, 'the stack to run again');
    const again = await addressOf('audience');
    expect(await answers(again)).toBe(true);

    // Closing the window takes the services with it.
    await app.deleteSession();
    app = undefined;
    await eventually(async () => !(await answers(again)), 15_000, 'the services to go with the app');
  });

  it('speaks French when asked', async () => {
    app = await launchApp(['--home', freshHome('french')]);
    await (await app.$('[data-testid="locale-fr"]')).click();
    expect(await text('[data-testid="rehearsal-phase"]')).toBe('Arrêté');
    expect(await text('[data-testid="rehearsal-start"]')).toBe('Lancer le banc de répétition');
  });
});
