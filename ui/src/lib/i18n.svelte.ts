/**
 * English and French. Every string the window shows comes from here (the messages live in
 * `messages/`, one file per area); a key missing in French is a type error there, and a test checks
 * it again at run time. Numbers, money and dates go through `format.ts`, by the same locale.
 */
import after from './messages/after';
import boxoffice from './messages/boxoffice';
import common from './messages/common';
import errors from './messages/errors';
import live from './messages/live';
import setup from './messages/setup';
import support from './messages/support';

export type Locale = 'en' | 'fr';

export const en = {
  ...common.en,
  ...errors.en,
  ...live.en,
  ...boxoffice.en,
  ...support.en,
  ...setup.en,
  ...after.en,
} as const;

export type MessageKey = keyof typeof en;

export const fr: Partial<Record<MessageKey, string>> = {
  ...common.fr,
  ...errors.fr,
  ...live.fr,
  ...boxoffice.fr,
  ...support.fr,
  ...setup.fr,
  ...after.fr,
};

const saved = typeof localStorage !== 'undefined' ? localStorage.getItem('showdesk.locale') : null;
const preferred: Locale =
  saved === 'fr' || saved === 'en'
    ? saved
    : typeof navigator !== 'undefined' && navigator.language.toLowerCase().startsWith('fr')
      ? 'fr'
      : 'en';

export const i18n = $state<{ locale: Locale }>({ locale: preferred });

if (typeof document !== 'undefined') document.documentElement.lang = preferred;

export function setLocale(locale: Locale): void {
  i18n.locale = locale;
  if (typeof localStorage !== 'undefined') localStorage.setItem('showdesk.locale', locale);
  if (typeof document !== 'undefined') document.documentElement.lang = locale;
}

export type Vars = Record<string, string | number>;

function fill(text: string, vars?: Vars): string {
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

/** The string for `key` in the current locale (reactive in templates), `{name}` filled from `vars`. */
export function t(key: MessageKey, vars?: Vars): string {
  return fill((i18n.locale === 'fr' ? fr[key] : undefined) ?? en[key], vars);
}

/** `t` for a key built at run time (e.g. a role from the backend); unknown keys show as given. */
export function tDynamic(key: string, fallback: string, vars?: Vars): string {
  return key in en ? t(key as MessageKey, vars) : fallback;
}

/** Messages that come in `.one` and `.other` forms. */
export type CountKey = MessageKey extends `${infer Base}.one` ? Base : never;

/**
 * A count in words: `base.one` or `base.other` by the locale's plural rules (French counts 0 and 1
 * as one), with `{count}` formatted for the locale.
 */
export function tCount(base: CountKey | (string & {}), count: number, vars?: Vars): string {
  const rule = new Intl.PluralRules(i18n.locale).select(count) === 'one' ? 'one' : 'other';
  const formatted = new Intl.NumberFormat(i18n.locale).format(count);
  return tDynamic(`${base}.${rule}`, `${formatted}`, { count: formatted, ...vars });
}

/** Codes whose message starts with the field at fault ("destinations[0].url: …", "gainDb: …"). */
const FIELD_CODES = new Set(['invalid', 'profile.invalid', 'box_office.invalid', 'connector.settings', 'media.bad_value']);

/** The field an error names, if its message starts with one. */
export function errorField(code: string, message: string): string | null {
  if (!FIELD_CODES.has(code)) return null;
  return /^([A-Za-z_][\w.[\]-]*):\s/.exec(message)?.[1] ?? null;
}

/**
 * What to tell the operator about an error: a sentence in their language when the code is known
 * (with the field at fault when the message names one), and the backend's own (English,
 * scrubbed) message as the details. An unknown code shows the message itself.
 */
export function errorText(code: string, message: string): { summary: string; details: string | null; field: string | null } {
  const key = `error.${code}`;
  const field = errorField(code, message);
  if (key in en) {
    const summary = t(key as MessageKey);
    return { summary: field ? `${summary} ${t('error.field', { field })}` : summary, details: message || null, field };
  }
  return { summary: message || code, details: null, field };
}
