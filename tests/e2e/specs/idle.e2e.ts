import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type App, closeApp, screenshotOnFailure, freshHome, launchApp, screenshot } from '../support/app';
import { click, contentOf, exists, goTo, textOf, tid, waitReady } from '../support/ui';

// The real desktop app on a new, isolated home: nothing connected, nothing running.

let app: App | undefined;
screenshotOnFailure(() => app);
let home: string;

beforeAll(async () => {
  home = freshHome('idle');
  app = await launchApp(['--home', home]);
  await waitReady(app);
});

afterAll(async () => closeApp(app));

describe('the window at rest', () => {
  it('opens on an isolated home and shows its version and installation', async () => {
    const a = app!;
    expect(await a.getTitle()).toBe('Showdesk');
    expect(await exists(a, 'main[data-view="home"]')).toBe(true);
    expect(await textOf(a, tid('app-version'))).toMatch(/^\d+\.\d+\.\d+/);

    const install = await textOf(a, tid('install-panel'));
    expect(install).toContain('GStreamer 1.');
    expect(await exists(a, tid('missing-media')), 'no media element is missing').toBe(false);
    expect(await (await a.$(tid('isolated-home'))).isDisplayed()).toBe(true);
    // Data, logs and videos all live under the home the app was given.
    const paths = await a.execute(() =>
      [...document.querySelectorAll('[data-testid="install-panel"] dd.path code')].map((code) => code.textContent ?? ''),
    );
    expect(paths).toHaveLength(3);
    for (const path of paths) expect(path.startsWith(home), `${path} is under ${home}`).toBe(true);

    // Nothing is running and nothing is on sale yet.
    expect(await textOf(a, tid('rehearsal-phase'))).toBe('Not running');
    expect(await exists(a, tid('rehearsal-services'))).toBe(false);
    expect(await exists(a, tid('off-air'))).toBe(true);
    expect(await exists(a, tid('on-air'))).toBe(false);
    expect(await contentOf(a, tid('show-title'))).toBe('No show yet');
    expect(await exists(a, tid('welcome'))).toBe(true);
    expect(await exists(a, tid('error-banner'))).toBe(false);
    await screenshot(a, 'idle');
  });

  it('goes to setup from the welcome panel, with the session keyring for secrets', async () => {
    const a = app!;
    await click(a, tid('home-start-setup'));
    expect(await exists(a, 'main[data-view="setup"]')).toBe(true);
    expect(await (await a.$(tid('setup-tab-show'))).getAttribute('aria-selected')).toBe('true');
    // `keyctl session -` gives the run a kernel keyring: secrets can be stored.
    expect(await exists(a, tid('secret-store-ok'))).toBe(true);
    await goTo(a, 'home');
  });

  it('a new installation does not claim a connected support mailbox', async () => {
    const a = app!;
    expect(await (await a.$(tid('ready-mailbox'))).getAttribute('data-ok')).not.toBe('true');
    await goTo(a, 'support');
    expect(await exists(a, tid('support-not-configured'))).toBe(true);
  });
});
