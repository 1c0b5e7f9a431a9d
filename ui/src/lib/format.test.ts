import { afterEach, describe, expect, it } from 'vitest';

import {
  amountInput,
  bitrate,
  bytes,
  clock,
  currencyDigits,
  dateTime,
  duration,
  fromLocalInput,
  money,
  moneyOf,
  moneyShort,
  number,
  parseAmount,
  percent,
  relative,
  time,
  toLocalInput,
} from './format';
import { setLocale } from './i18n.svelte';

/** Intl puts (narrow) no-break spaces in French numbers: compare with plain ones. */
const plain = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');

afterEach(() => setLocale('en'));

describe('money', () => {
  it('knows how many digits a currency has', () => {
    expect(currencyDigits('EUR')).toBe(2);
    expect(currencyDigits('JPY')).toBe(0);
    expect(currencyDigits('BHD')).toBe(3);
    expect(currencyDigits('not a code')).toBe(2);
  });

  it('formats minor units by the window’s locale', () => {
    expect(moneyOf(123450, 'EUR')).toBe('€1,234.50');
    expect(moneyOf(1999, 'GBP')).toBe('£19.99');
    expect(moneyOf(1500, 'JPY')).toBe('JP¥1,500');
    setLocale('fr');
    expect(plain(moneyOf(123450, 'EUR'))).toBe('1 234,50 €');
    expect(plain(money({ minor: 2500, currency: 'EUR' }))).toBe('25,00 €');
  });

  it('shows a dash for no amount', () => {
    expect(money(null)).toBe('—');
    expect(money(undefined)).toBe('—');
  });

  it('shortens big amounts for axes and tiles', () => {
    expect(moneyShort(1_420_000, 'EUR')).toBe('€14.2k');
    setLocale('fr');
    expect(plain(moneyShort(1_420_000, 'EUR'))).toBe('14,2 k €');
  });

  it('reads what people type, in either decimal style, without floating point', () => {
    expect(parseAmount('12', 'EUR')).toBe(1200);
    expect(parseAmount('12.5', 'EUR')).toBe(1250);
    expect(parseAmount('12,50', 'EUR')).toBe(1250);
    expect(parseAmount(' 1 234,5 € ', 'EUR')).toBe(123450);
    expect(parseAmount('0.1', 'EUR')).toBe(10);
    expect(parseAmount('19.99', 'EUR')).toBe(1999);
    expect(parseAmount('1500', 'JPY')).toBe(1500);
  });

  it('refuses what is not an amount', () => {
    expect(parseAmount('', 'EUR')).toBeNull();
    expect(parseAmount('abc', 'EUR')).toBeNull();
    expect(parseAmount('12.345', 'EUR')).toBeNull();
    expect(parseAmount('1.2.3', 'EUR')).toBeNull();
    expect(parseAmount('-5', 'EUR')).toBeNull();
    expect(parseAmount('12.5', 'JPY')).toBeNull();
  });

  it('writes minor units back for an input, with the locale’s decimal mark', () => {
    expect(amountInput(1250, 'EUR')).toBe('12.50');
    expect(amountInput(5, 'EUR')).toBe('0.05');
    expect(amountInput(1500, 'JPY')).toBe('1500');
    setLocale('fr');
    expect(amountInput(1250, 'EUR')).toBe('12,50');
    expect(parseAmount(amountInput(98765, 'EUR'), 'EUR')).toBe(98765);
  });
});

describe('numbers', () => {
  it('groups and rounds by locale, and shows a dash when unknown', () => {
    expect(number(1234567)).toBe('1,234,567');
    expect(number(2.345, 1)).toBe('2.3');
    expect(number(null)).toBe('—');
    expect(number(Number.NaN)).toBe('—');
    setLocale('fr');
    expect(plain(number(1234567))).toBe('1 234 567');
    expect(number(2.345, 1)).toBe('2,3');
  });

  it('writes percentages from 0–100 values', () => {
    expect(percent(18.25, 1)).toBe('18.3%');
    expect(percent(null)).toBe('—');
    setLocale('fr');
    expect(plain(percent(18.25, 1))).toBe('18,3 %');
  });

  it('writes bitrates and sizes as broadcasters and file managers do', () => {
    expect(bitrate(4_480_000)).toBe('4.48 Mb/s');
    expect(bitrate(640_000)).toBe('640 kb/s');
    expect(bytes(512)).toBe('512 B');
    expect(bytes(1_417_000_000)).toBe('1.4 GB');
    setLocale('fr');
    expect(bytes(1_417_000_000)).toBe('1,4 Go');
    expect(bitrate(4_480_000)).toBe('4,48 Mb/s');
  });
});

describe('time', () => {
  const at = new Date(2026, 11, 24, 20, 5, 9).getTime();

  it('formats dates and times by locale', () => {
    expect(dateTime(at)).toBe('24 Dec 2026, 20:05');
    expect(time(at)).toBe('20:05');
    expect(time(at, true)).toBe('20:05:09');
    expect(dateTime(null)).toBe('—');
    setLocale('fr');
    expect(dateTime(at)).toBe('24 déc. 2026, 20:05');
  });

  it('counts the on-air clock in hours, minutes and seconds', () => {
    expect(clock(0)).toBe('00:00:00');
    expect(clock(2520.7)).toBe('00:42:00');
    expect(clock(3 * 3600 + 61)).toBe('03:01:01');
    expect(clock(-5)).toBe('00:00:00');
  });

  it('says waits and response times briefly', () => {
    expect(duration(45)).toBe('45 s');
    expect(duration(7 * 60 + 20)).toBe('7 min');
    expect(duration(3900)).toBe('1 h 05');
    expect(duration(null)).toBe('—');
  });

  it('says how long ago or until, in the locale', () => {
    const now = at;
    expect(relative(now - 3 * 60_000, now)).toBe('3 minutes ago');
    expect(relative(now + 2 * 3_600_000, now)).toBe('in 2 hours');
    expect(relative(now - 86_400_000, now)).toBe('yesterday');
    setLocale('fr');
    expect(relative(now - 3 * 60_000, now)).toBe('il y a 3 minutes');
  });

  it('round-trips a datetime-local input in local time', () => {
    expect(toLocalInput(at)).toBe('2026-12-24T20:05');
    expect(fromLocalInput('2026-12-24T20:05')).toBe(new Date(2026, 11, 24, 20, 5).getTime());
    expect(fromLocalInput('')).toBeNull();
  });
});
