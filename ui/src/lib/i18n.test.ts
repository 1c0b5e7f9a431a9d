import { describe, expect, it } from 'vitest';

import { en, fr, setLocale, t } from './i18n.svelte';

describe('translations', () => {
  it('has every English string in French', () => {
    const missing = Object.keys(en).filter((key) => !(key in fr));
    expect(missing).toEqual([]);
  });

  it('leaves no French string identical to an English sentence by mistake', () => {
    const same = Object.entries(fr).filter(([key, text]) => text === en[key as keyof typeof en] && text.includes(' '));
    expect(same).toEqual([]);
  });

  it('follows the chosen locale', () => {
    setLocale('fr');
    expect(t('rehearsal.stop')).toBe('Arrêter');
    setLocale('en');
    expect(t('rehearsal.stop')).toBe('Stop');
  });
});
