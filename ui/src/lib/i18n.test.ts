import { afterEach, describe, expect, it } from 'vitest';

import { ERROR_CODES } from './backend/errors';
import { en, errorField, errorText, fr, setLocale, t, tCount, tDynamic, type MessageKey } from './i18n.svelte';

afterEach(() => setLocale('en'));

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();

describe('translations', () => {
  it('has every English string in French, and nothing French that English lacks', () => {
    const missing = Object.keys(en).filter((key) => !(key in fr));
    const extra = Object.keys(fr).filter((key) => !(key in en));
    expect(missing).toEqual([]);
    expect(extra).toEqual([]);
  });

  it('has no empty string in either language', () => {
    expect(Object.entries(en).filter(([, text]) => !text.trim())).toEqual([]);
    expect(Object.entries(fr).filter(([, text]) => !text?.trim())).toEqual([]);
  });

  it('uses the same {placeholders} in both languages', () => {
    const differ = Object.keys(en)
      .map((key) => key as MessageKey)
      .filter((key) => JSON.stringify(placeholders(en[key])) !== JSON.stringify(placeholders(fr[key] ?? '')));
    expect(differ).toEqual([]);
  });

  it('leaves no French sentence identical to the English one by mistake', () => {
    // Words only: "{name} · {email}" or "Stripe" are the same in both languages on purpose.
    const words = (text: string) => text.replace(/\{\w+\}/g, '').replace(/[^\p{L}]+/gu, ' ').trim();
    const same = Object.entries(fr).filter(([key, text]) => text === en[key as MessageKey] && words(text).includes(' '));
    expect(same).toEqual([]);
  });

  it('puts a no-break space before French double punctuation', () => {
    // « : », « ? », « ! » and « ; » take a (narrow) no-break space in French, never a plain one.
    const plain = Object.entries(fr).filter(([, text]) => / [:?!;](\s|$)/.test(text ?? ''));
    expect(plain).toEqual([]);
  });

  it('follows the chosen locale', () => {
    setLocale('fr');
    expect(t('rehearsal.stop')).toBe('Arrêter');
    expect(document.documentElement.lang).toBe('fr');
    setLocale('en');
    expect(t('rehearsal.stop')).toBe('Stop');
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(t('home.sold', { sold: '12', capacity: '500' })).toBe('12 of 500 sold');
    expect(t('home.sold', { sold: '12' })).toBe('12 of {capacity} sold');
  });

  it('shows a run-time key it does not know as the fallback', () => {
    expect(tDynamic('health.state.live', 'x')).not.toBe('x');
    expect(tDynamic('health.state.exploded', 'exploded')).toBe('exploded');
  });

  it('counts with each language’s plural rule', () => {
    // No plural keys given: the formatted count is shown as is, by the locale.
    expect(tCount('nothing.here', 1234)).toBe('1,234');
    setLocale('fr');
    expect(tCount('nothing.here', 1234).replace(/\s/g, ' ')).toBe('1 234');
  });
});

describe('error messages', () => {
  it('has a sentence for every code the control service sends, in both languages', () => {
    const missing = Object.values(ERROR_CODES).filter((code) => !(`error.${code}` in en) || !(`error.${code}` in fr));
    expect(missing).toEqual([]);
  });

  it('maps the shell’s own codes: invalid, report.export_failed, internal', () => {
    expect(errorText('invalid', 'status: "closed": open, answered or resolved')).toEqual({
      summary: 'Some of what was entered cannot be used. Check “status”.',
      details: 'status: "closed": open, answered or resolved',
      field: 'status',
    });
    expect(errorText('report.export_failed', 'cannot write /mnt/usb/report.pdf: read-only file system').summary).toBe(
      'The report files could not be written into that folder.',
    );
    expect(errorText('internal', 'the task failed: panicked').summary).toMatch(/unexpected problem/);
    setLocale('fr');
    expect(errorText('invalid', 'folder: report is not a full path').summary).toBe('Une partie de ce qui a été saisi n’est pas utilisable. Vérifiez «\u00a0folder\u00a0».');
    expect(errorText('report.export_failed', 'x').summary).toBe('Les fichiers du rapport n’ont pas pu être écrits dans ce dossier.');
    expect(errorText('internal', 'x').summary).toMatch(/problème inattendu/);
  });

  it('names the field of a profile error, with its index', () => {
    expect(errorField('profile.invalid', 'destinations[0].url: an rtmp://, rtmps:// or srt:// address')).toBe('destinations[0].url');
    expect(errorField('invalid', 'value.amountMinor: a fixed discount is more than zero')).toBe('value.amountMinor');
    // Only codes whose message starts with a field: a Stripe message with a colon is not one.
    expect(errorField('stripe.auth', 'Invalid API Key provided: sk_test_****')).toBeNull();
    expect(errorField('invalid', 'no field here')).toBeNull();
  });

  it('shows an unknown code with the backend’s own message', () => {
    expect(errorText('media.exploded', 'the mixer caught fire')).toEqual({ summary: 'the mixer caught fire', details: null, field: null });
    expect(errorText('media.exploded', '').summary).toBe('media.exploded');
  });
});
