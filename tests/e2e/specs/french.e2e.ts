import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type App, closeApp, screenshotOnFailure, freshHome, launchApp, screenshot, until } from '../support/app';
import { click, contentOf, goTo, tid, waitReady } from '../support/ui';

// The language switch in the top bar: the window in French, remembered across a reload.

let app: App | undefined;
screenshotOnFailure(() => app);

beforeAll(async () => {
  app = await launchApp(['--home', freshHome('french')]);
  await waitReady(app);
});

afterAll(async () => closeApp(app));

const lang = (a: App) => a.execute(() => document.documentElement.lang);
const label = (a: App, view: string) => contentOf(a, `${tid(`nav-${view}`)} .label`);

/** What the home view and the frame say, in one language or the other. */
const WORDS = {
  en: { home: 'Overview', boxoffice: 'Box office', setup: 'Setup', after: 'After the show', tagline: 'Control room', offAir: 'Off air', goLive: 'Go live', phase: 'Not running', start: 'Start rehearsal stack', install: 'This installation', noShow: 'No show yet' },
  fr: { home: 'Accueil', boxoffice: 'Billetterie', setup: 'Configuration', after: 'Après le direct', tagline: 'Régie', offAir: 'Hors antenne', goLive: 'Prendre l’antenne', phase: 'Arrêté', start: 'Lancer le banc de répétition', install: 'Cette installation', noShow: 'Pas encore de spectacle' },
};

async function speaks(a: App, locale: 'en' | 'fr'): Promise<void> {
  const words = WORDS[locale];
  expect(await lang(a)).toBe(locale);
  expect(await (await a.$(tid(`locale-${locale}`))).getAttribute('aria-pressed')).toBe('true');
  expect(await label(a, 'home')).toBe(words.home);
  expect(await label(a, 'boxoffice')).toBe(words.boxoffice);
  expect(await label(a, 'setup')).toBe(words.setup);
  expect(await label(a, 'after')).toBe(words.after);
  expect(await contentOf(a, 'header .tagline')).toBe(words.tagline);
  expect(await contentOf(a, tid('off-air'))).toBe(words.offAir);
  expect(await contentOf(a, tid('go-live'))).toContain(words.goLive);
  expect(await contentOf(a, tid('show-title'))).toBe(words.noShow);
  expect(await contentOf(a, tid('rehearsal-phase'))).toBe(words.phase);
  expect(await contentOf(a, tid('rehearsal-start'))).toBe(words.start);
  expect(await contentOf(a, `${tid('install-panel')} h2`)).toBe(words.install);
}

describe('the language switch', () => {
  it('turns the window French', async () => {
    const a = app!;
    await speaks(a, 'en');
    await click(a, tid('locale-fr'));
    await until(async () => (await lang(a)) === 'fr', 10_000, 'the page to say it is French');
    await speaks(a, 'fr');
    // Deeper in: setup's tabs and the support desk.
    await goTo(a, 'setup');
    expect(await contentOf(a, tid('setup-tab-show'))).toBe('Spectacle');
    expect(await contentOf(a, tid('setup-tab-mailbox'))).toBe('Boîte mail');
    expect(await contentOf(a, tid('setup-tab-window'))).toBe('Fenêtre et langue');
    await goTo(a, 'home');
    await screenshot(a, 'french');
  });

  it('every French navigation label fits the rail', async () => {
    const a = app!;
    await goTo(a, 'home');
    const cut = await a.execute(() =>
      [...document.querySelectorAll<HTMLElement>('nav [data-testid^="nav-"] .label')].filter((l) => l.scrollWidth > l.clientWidth).map((l) => l.textContent),
    );
    expect(cut).toEqual([]);
  });

  it('is remembered when the window reloads, and switches back', async () => {
    const a = app!;
    await a.refresh();
    await waitReady(a);
    await speaks(a, 'fr');
    await click(a, tid('locale-en'));
    await until(async () => (await lang(a)) === 'en', 10_000, 'the page to say it is English');
    await speaks(a, 'en');
  });
});
