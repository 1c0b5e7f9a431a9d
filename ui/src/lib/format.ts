/**
 * Numbers, money, dates and durations by the window's locale. Money stays in integer minor units
 * everywhere; only the display divides, and `parseAmount` turns what people type back into minor
 * units without floating point.
 */
import type { MoneyView } from './backend/generated/MoneyView';
import { i18n } from './i18n.svelte';

const tag = () => (i18n.locale === 'fr' ? 'fr-FR' : 'en-GB');

/** Digits after the decimal point for an ISO 4217 currency (EUR 2, JPY 0, BHD 3). */
export function currencyDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

export function money(value: MoneyView | null | undefined): string {
  if (!value) return '—';
  return moneyOf(value.minor, value.currency);
}

export function moneyOf(minor: number, currency: string): string {
  const digits = currencyDigits(currency);
  try {
    return new Intl.NumberFormat(tag(), { style: 'currency', currency, minimumFractionDigits: digits }).format(
      minor / 10 ** digits,
    );
  } catch {
    return `${(minor / 10 ** digits).toFixed(digits)} ${currency}`;
  }
}

/** A compact form for charts' axes and big numbers ("14,2 k €"). */
export function moneyShort(minor: number, currency: string): string {
  const digits = currencyDigits(currency);
  try {
    return new Intl.NumberFormat(tag(), { style: 'currency', currency, notation: 'compact', maximumFractionDigits: 1 }).format(
      minor / 10 ** digits,
    );
  } catch {
    return moneyOf(minor, currency);
  }
}

/** Minor units of an amount typed by a person ("12", "12.5", "12,50", "1 234,5"); `null` if unreadable. */
export function parseAmount(text: string, currency: string): number | null {
  const digits = currencyDigits(currency);
  const cleaned = text.replace(/[\s\u00a0\u202f]/g, '').replace(/[^\d.,-]/g, '');
  const match = /^(\d+)(?:[.,](\d*))?$/.exec(cleaned);
  if (!match) return null;
  const whole = match[1] ?? '0';
  const fraction = match[2] ?? '';
  if (fraction.length > digits) return null;
  const minor = Number(whole) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
  return Number.isSafeInteger(minor) ? minor : null;
}

/** The major-unit form of minor units for an input field ("12.50"), without grouping. */
export function amountInput(minor: number, currency: string): string {
  const digits = currencyDigits(currency);
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  if (digits === 0) return `${sign}${abs}`;
  const whole = Math.floor(abs / 10 ** digits);
  const fraction = String(abs % 10 ** digits).padStart(digits, '0');
  return `${sign}${whole}${i18n.locale === 'fr' ? ',' : '.'}${fraction}`;
}

export function number(value: number | null | undefined, fractionDigits = 0): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  return new Intl.NumberFormat(tag(), { maximumFractionDigits: fractionDigits, minimumFractionDigits: fractionDigits }).format(value);
}

export function percent(value: number | null | undefined, fractionDigits = 1): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  return new Intl.NumberFormat(tag(), { style: 'percent', maximumFractionDigits: fractionDigits, minimumFractionDigits: fractionDigits }).format(
    value / 100,
  );
}

/** Bits per second, as broadcasters read them ("2.48 Mb/s", "640 kb/s"). */
export function bitrate(bps: number): string {
  if (bps >= 1_000_000) return `${number(bps / 1_000_000, 2)} Mb/s`;
  return `${number(Math.round(bps / 1000))} kb/s`;
}

/** A size in bytes, decimal units as file managers show them ("1.4 GB"; in French "1,4 Go"). */
export function bytes(value: number): string {
  const units = i18n.locale === 'fr' ? ['o', 'ko', 'Mo', 'Go', 'To'] : ['B', 'kB', 'MB', 'GB', 'TB'];
  let amount = value;
  let unit = 0;
  while (amount >= 1000 && unit < units.length - 1) {
    amount /= 1000;
    unit += 1;
  }
  return `${number(amount, unit === 0 ? 0 : 1)} ${units[unit]}`;
}

export function dateTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return new Intl.DateTimeFormat(tag(), { dateStyle: 'medium', timeStyle: 'short' }).format(ms);
}

export function time(ms: number | null | undefined, seconds = false): string {
  if (ms === null || ms === undefined) return '—';
  return new Intl.DateTimeFormat(tag(), { hour: '2-digit', minute: '2-digit', second: seconds ? '2-digit' : undefined }).format(ms);
}

/** "01:02:03" — the on-air clock. */
export function clock(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}

/** A wait or a response time: "45 s", "7 min", "1 h 05". */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')}`;
}

/** "3 minutes ago", "in 2 hours". */
export function relative(ms: number, now: number = Date.now()): string {
  const diff = (ms - now) / 1000;
  const abs = Math.abs(diff);
  const rtf = new Intl.RelativeTimeFormat(tag(), { numeric: 'auto' });
  if (abs < 60) return rtf.format(Math.round(diff), 'second');
  if (abs < 3600) return rtf.format(Math.round(diff / 60), 'minute');
  if (abs < 86_400) return rtf.format(Math.round(diff / 3600), 'hour');
  return rtf.format(Math.round(diff / 86_400), 'day');
}

/** Milliseconds since the epoch to the value of an `<input type="datetime-local">` (local time). */
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function fromLocalInput(value: string): number | null {
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? null : ms;
}
