/** What a real show looks like: buyers with French and English names, orders, promo codes, viewers. */
import type { ProfileDoc } from '../generated/ProfileDoc';
import type { PromoView } from '../generated/PromoView';
import type { ShowView } from '../generated/ShowView';
import { HOUR, MINUTE, pick, type MockOrder, type MockOutput, type World } from './world';

const FIRST_FR = ['Camille', 'Léa', 'Hugo', 'Chloé', 'Lucas', 'Manon', 'Théo', 'Inès', 'Nathan', 'Élodie', 'Julien', 'Sophie', 'Mathis', 'Océane', 'Karim', 'Yasmine', 'Benoît', 'Aurélie', 'Rémi', 'Noémie'];
const LAST_FR = ['Moreau', 'Lefèvre', 'Girard', 'Fontaine', 'Dubois', 'Mercier', 'Lambert', 'Rousseau', 'Faure', 'Benali', 'Chevalier', 'Garnier', 'Perrin', 'Roux', 'Nguyen'];
const FIRST_EN = ['James', 'Olivia', 'Harry', 'Emily', 'Jack', 'Sophie', 'Liam', 'Grace', 'Noah', 'Chloe', 'Oscar', 'Amelia', 'Ethan', 'Isla'];
const LAST_EN = ['Wilson', 'Taylor', 'Brown', 'Walker', 'Evans', 'Hughes', 'Clarke', 'Patel', 'Murphy', "O'Brien", 'Campbell'];
const DOMAINS_FR = ['orange.fr', 'free.fr', 'gmail.com', 'laposte.net', 'sfr.fr', 'outlook.fr'];
const DOMAINS_EN = ['gmail.com', 'outlook.com', 'btinternet.com', 'yahoo.co.uk', 'icloud.com'];

export function ascii(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-zA-Z0-9]+/g, '')
    .toLowerCase();
}

export function person(random: () => number): { name: string; email: string; language: 'en' | 'fr' } {
  const french = random() < 0.7;
  const first = pick(random, french ? FIRST_FR : FIRST_EN);
  const last = pick(random, french ? LAST_FR : LAST_EN);
  const domain = pick(random, french ? DOMAINS_FR : DOMAINS_EN);
  const separator = random() < 0.5 ? '.' : '';
  const suffix = random() < 0.3 ? String(Math.floor(random() * 90) + 10) : '';
  return { name: `${first} ${last}`, email: `${ascii(first)}${separator}${ascii(last)}${suffix}@${domain}`, language: french ? 'fr' : 'en' };
}

function token(random: () => number, length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  for (let i = 0; i < length; i += 1) out += alphabet[Math.floor(random() * alphabet.length)];
  return out;
}

export const MAIN_SHOW_ID = 'show_2026_nuit_champions';
export const PAST_SHOW_ID = 'show_2026_standup_marseille';

export function mainShow(now: number, scenario: World['scenario']): ShowView {
  const startsAt =
    scenario === 'live' || scenario === 'failed'
      ? now - 42 * MINUTE
      : scenario === 'after'
        ? now - 3 * HOUR
        : Math.ceil((now + 2 * HOUR) / (15 * MINUTE)) * 15 * MINUTE;
  return {
    id: MAIN_SHOW_ID,
    title: 'Nuit des Champions — Gala de boxe',
    starts_at_ms: startsAt,
    ends_at_ms: startsAt + 150 * MINUTE,
    price: { minor: 2500, currency: 'EUR' },
    capacity: 1500,
    payment_link_url: 'https://buy.stripe.com/9AQ5kq3Zb0eT7Gw4gh',
    watch_url: 'https://live.ppv-events.fr/nuit-des-champions',
    sales_open: scenario !== 'after',
  };
}

export function pastShow(now: number): ShowView {
  const startsAt = now - 33 * 24 * HOUR;
  return {
    id: PAST_SHOW_ID,
    title: 'Stand-up à Marseille — Soirée spéciale',
    starts_at_ms: startsAt,
    ends_at_ms: startsAt + 2 * HOUR,
    price: { minor: 1200, currency: 'EUR' },
    capacity: 600,
    payment_link_url: null,
    watch_url: 'https://live.ppv-events.fr/standup-marseille',
    sales_open: false,
  };
}

export function seedPromos(showId: string, now: number): PromoView[] {
  return [
    { id: 1, code: 'EARLYBIRD', percent_off: 20, amount_off: null, max_redemptions: 200, expires_at_ms: now - 5 * 24 * HOUR, for_buyer: null, redemptions: 200, active_in_stripe: false },
    { id: 2, code: 'AMIS10', percent_off: null, amount_off: { minor: 1000, currency: 'EUR' }, max_redemptions: 100, expires_at_ms: null, for_buyer: null, redemptions: 63, active_in_stripe: true },
    { id: 3, code: 'CLUBBOXE', percent_off: 15, amount_off: null, max_redemptions: null, expires_at_ms: null, for_buyer: null, redemptions: 41, active_in_stripe: true },
    { id: 4, code: 'SORRY-7QX2', percent_off: 100, amount_off: null, max_redemptions: 1, expires_at_ms: null, for_buyer: 'manon.girard@free.fr', redemptions: 0, active_in_stripe: true },
  ].map((promo) => ({ ...promo, id: promo.id + (showId === PAST_SHOW_ID ? 100 : 0) }));
}

/** Tickets sold so far, spread like a real sale: a slow start, then the rush before the show. */
export function seedOrders(world: World, show: ShowView, count: number, until: number): MockOrder[] {
  const { random } = world;
  const orders: MockOrder[] = [];
  const opened = show.starts_at_ms - 21 * 24 * HOUR;
  for (let i = 0; i < count; i += 1) {
    // Half the sales in the last 3 hours before `until`, the rest over the weeks before.
    const rush = random() < 0.5;
    const purchasedMs = rush ? until - random() ** 1.6 * 3 * HOUR : opened + random() * (until - 3 * HOUR - opened);
    const buyer = person(random);
    const roll = random();
    const promo = roll < 0.12 ? 'EARLYBIRD' : roll < 0.16 ? 'AMIS10' : roll < 0.19 ? 'CLUBBOXE' : null;
    const price = show.price.minor;
    const amountMinor = promo === 'EARLYBIRD' ? price * 0.8 : promo === 'AMIS10' ? price - 1000 : promo === 'CLUBBOXE' ? Math.round(price * 0.85) : price;
    orders.push(order(world, show, buyer, amountMinor, promo, purchasedMs));
  }
  orders.sort((a, b) => a.purchasedMs - b.purchasedMs);
  return orders;
}

export function order(
  world: World,
  show: ShowView,
  buyer: { name: string; email: string },
  amountMinor: number,
  promo: string | null,
  purchasedMs: number,
): MockOrder {
  const n = world.nextId.order++;
  const live = world.stripe.mode !== 'test';
  return {
    id: String(n),
    showId: show.id,
    name: buyer.name,
    email: buyer.email,
    amountMinor: Math.round(amountMinor),
    currency: show.price.currency,
    refundedMinor: 0,
    status: 'paid',
    promo,
    purchasedMs,
    paymentIntent: `pi_3Q${token(world.random, 22)}`,
    checkoutSession: `cs_${live ? 'live' : 'test'}_a1${token(world.random, 30)}`,
  };
}

/** A viewer curve: people arrive before the start, a peak in the first hour, a slow fade. */
export function seedAudience(world: World, show: ShowView, until: number, sold: number): Array<[number, number | null]> {
  const points: Array<[number, number | null]> = [];
  const start = show.starts_at_ms - 20 * MINUTE;
  const end = Math.min(until, show.ends_at_ms + 10 * MINUTE);
  for (let t = start; t <= end; t += 30_000) {
    const minutes = (t - show.starts_at_ms) / MINUTE;
    let share: number;
    if (minutes < 0) share = 0.25 * (1 + minutes / 20);
    else if (minutes < 15) share = 0.25 + (0.62 * minutes) / 15;
    else if (minutes < 100) share = 0.87 - 0.1 * Math.abs(Math.sin(minutes / 17));
    else share = Math.max(0.1, 0.8 - (minutes - 100) / 60);
    const noise = 1 + (world.random() - 0.5) * 0.05;
    // A minute when the host's counter did not answer: unknown, never 0.
    const gap = minutes > 24 && minutes < 25.5;
    points.push([t, gap ? null : Math.max(0, Math.round(sold * share * noise))]);
  }
  return points;
}

export function seedProfile(scenario: World['scenario'], show: ShowView | null): ProfileDoc {
  if (scenario === 'empty' || scenario === 'fresh') {
    return {
      show: { title: 'My show', starts_at: null, language: 'en' },
      video: { preset: '720p30', bitrate_kbps: 2500, min_bitrate_kbps: null, encoder: 'auto', speed_preset: null },
      audio: { bitrate_kbps: 128 },
      sources: [
        { name: 'Test picture', kind: 'test_pattern', device: null, path: null, loop: null, pattern: 'smpte', frequency_hz: null },
        { name: 'Test tone', kind: 'tone', device: null, path: null, loop: null, pattern: null, frequency_hz: 440 },
      ],
      destinations: [],
      recording: { enabled: true, folder: null },
      preview: true,
    };
  }
  return {
    show: { title: show?.title ?? 'Nuit des Champions', starts_at: show ? new Date(show.starts_at_ms).toISOString() : null, language: 'fr' },
    video: { preset: '720p30', bitrate_kbps: 4500, min_bitrate_kbps: 1500, encoder: 'auto', speed_preset: 'veryfast' },
    audio: { bitrate_kbps: 160 },
    sources: [
      { name: 'Caméra 1 — ring', kind: 'camera', device: '/dev/video0', path: null, loop: null, pattern: null, frequency_hz: null },
      { name: 'Caméra 2 — plan large', kind: 'camera', device: '/dev/video2', path: null, loop: null, pattern: null, frequency_hz: null },
      { name: 'Générique', kind: 'file', device: null, path: '/home/regie/Vidéos/generique-nuit-champions.mp4', loop: true, pattern: null, frequency_hz: null },
      { name: 'Micro ring', kind: 'microphone', device: 'alsa_input.usb-RODE_NT-USB-00.analog-stereo', path: null, loop: null, pattern: null, frequency_hz: null },
      { name: 'Commentaires', kind: 'microphone', device: 'alsa_input.usb-Focusrite_Scarlett_2i2-00.analog-stereo', path: null, loop: null, pattern: null, frequency_hz: null },
    ],
    destinations: [
      { name: 'YouTube', url: 'rtmps://a.rtmps.youtube.com/live2', url_env: null, url_keyring: null, key_env: null, key_keyring: 'youtube', enabled: true },
      { name: 'Dacast (secours)', url: 'rtmp://p.ep491852.i.akamaientrypoint.net/EntryPoint', url_env: null, url_keyring: null, key_env: null, key_keyring: 'dacast', enabled: true },
      { name: 'Régie SRT', url: null, url_env: null, url_keyring: 'srt_regie', key_env: null, key_keyring: null, enabled: true },
    ],
    recording: { enabled: true, folder: null },
    preview: true,
  };
}

export function seedOutputs(scenario: World['scenario'], videosDir: string, show: ShowView | null): MockOutput[] {
  const failed = scenario === 'failed';
  const day = show ? new Date(show.starts_at_ms).toISOString().slice(0, 10) : '2026-12-03';
  return [
    { id: 'out-youtube', name: 'YouTube', kind: 'rtmp', display: 'rtmps://a.rtmps.youtube.com/live2/****', state: 'live', reason: null, baseBps: 4_500_000, bitrateBps: 4_480_000, bytesSent: 1_389_000_000, dropped: 0.02, reconnects: 0, liveSeconds: 42 * 60, file: null, backIn: null, rttMs: null },
    failed
      ? { id: 'out-dacast', name: 'Dacast (secours)', kind: 'rtmp', display: 'rtmp://p.ep491852.i.akamaientrypoint.net/EntryPoint/****', state: 'failed', reason: 'the server refused the stream key (publish rejected: NetStream.Publish.BadName); check the key in Setup', baseBps: 4_500_000, bitrateBps: 0, bytesSent: 0, dropped: 0, reconnects: 3, liveSeconds: 0, file: null, backIn: null, rttMs: null }
      : { id: 'out-dacast', name: 'Dacast (secours)', kind: 'rtmp', display: 'rtmp://p.ep491852.i.akamaientrypoint.net/EntryPoint/****', state: 'reconnecting', reason: 'connection reset by the server; next try in 4 s', baseBps: 4_500_000, bitrateBps: 0, bytesSent: 1_102_000_000, dropped: 1.4, reconnects: 2, liveSeconds: 33 * 60, file: null, backIn: 14, rttMs: null },
    { id: 'out-srt', name: 'Régie SRT', kind: 'srt', display: 'srt://10.20.0.4:9000 (caller)', state: 'live', reason: null, baseBps: 4_500_000, bitrateBps: 4_460_000, bytesSent: 1_376_000_000, dropped: 0.3, reconnects: 0, liveSeconds: 42 * 60, file: null, backIn: null, rttMs: 38 },
    { id: 'recording', name: 'Recording', kind: 'recording', display: videosDir, state: 'live', reason: null, baseBps: 4_500_000, bitrateBps: 4_500_000, bytesSent: 1_417_000_000, dropped: 0, reconnects: 0, liveSeconds: 42 * 60, file: `${videosDir}/${day} Nuit des Champions.mkv`, backIn: null, rttMs: null },
  ];
}
