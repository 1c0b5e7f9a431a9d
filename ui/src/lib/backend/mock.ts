/**
 * A backend held in memory: the same shapes, rules and error codes as the real one, no IPC. Tests
 * and the browser preview (the Playwright screens, `npm run dev`) use it; `?mock=<scenario>` picks
 * the state it starts in. With `simulate` the show runs by itself: meters, preview frames, sales,
 * support mail, viewers and alerts; unit tests leave it off and call `tick()`.
 */
import type { AppInfo, Backend, LocalService, RehearsalStatus } from './backend';
import { BackendError, ERROR_CODES } from './errors';
import { afterApi } from './mock/after';
import { commerceApi } from './mock/commerce';
import { alert, liveApi, liveSecond, meters, programFromProfile } from './mock/live';
import { drawFrame, drawThumbnails } from './mock/preview';
import { MAIN_SHOW_ID, mainShow, order, PAST_SHOW_ID, pastShow, person, seedAudience, seedOrders, seedOutputs, seedProfile, seedPromos } from './mock/seed';
import { setupApi } from './mock/setup';
import { supportApi } from './mock/support';
import { newTicket, seedTickets } from './mock/tickets-seed';
import { emit, MINUTE, SCENARIOS, seeded, type MockOptions, type MockScenario, type World } from './mock/world';

export type { MockOptions, MockScenario } from './mock/world';

export const mockServices: LocalService[] = [
  { role: 'ingest', program: 'nginx-rtmp', address: 'rtmp://127.0.0.1:21935/live' },
  { role: 'audience', program: 'nginx-rtmp /stat', address: 'http://127.0.0.1:21980/stat' },
  { role: 'srt', program: 'srt-live-transmit', address: 'srt://127.0.0.1:21900' },
  { role: 'payments', program: 'localstripe', address: 'http://127.0.0.1:21420' },
  { role: 'mailbox', program: 'dovecot', address: '127.0.0.1:21143 (support@showdesk.test)' },
  { role: 'outgoing_mail', program: 'aiosmtpd', address: '127.0.0.1:21025' },
];

export const mockInfo: AppInfo = {
  version: '0.1.0',
  isolated_home: true,
  data_dir: '/home/crew/showdesk-rehearsal/data',
  config_dir: '/home/crew/showdesk-rehearsal/config',
  log_dir: '/home/crew/showdesk-rehearsal/logs',
  videos_dir: '/home/crew/showdesk-rehearsal/videos',
  gstreamer: 'GStreamer 1.22.0',
  missing_media_elements: [],
  unwritable_folders: [],
};

const rehearsalFailure: RehearsalStatus = {
  phase: 'failed',
  services: [],
  error: {
    code: ERROR_CODES.rehearsalToolMissing,
    message: 'nginx is not installed (Debian package nginx). Run `cargo xtask test` once: it installs it.',
  },
};

function rehearsal(scenario: MockScenario): RehearsalStatus {
  switch (scenario) {
    case 'running':
    case 'missing-media':
      return { phase: 'running', services: mockServices, error: null };
    case 'starting':
      return { phase: 'starting', services: [], error: null };
    case 'failed':
      return rehearsalFailure;
    default:
      return { phase: 'off', services: [], error: null };
  }
}

function buildWorld(scenario: MockScenario, options: MockOptions): World {
  const now = options.now ?? Date.now;
  // Nothing set up yet; `empty` also lacks a keyring, `fresh` has one.
  const empty = scenario === 'empty' || scenario === 'fresh';
  const world: World = {
    scenario,
    simulate: options.simulate ?? false,
    now,
    random: seeded(20261224),
    rehearsal: rehearsal(scenario),
    drill: false,
    secretStore: scenario === 'empty'
      ? {
          available: false,
          store: null,
          problem:
            'no Secret Service on the session bus (org.freedesktop.secrets) and no kernel keyring for this session. Start the desktop’s keyring (gnome-keyring, KWallet), or run Showdesk inside `keyctl session -`; or give each key through an environment variable (key_env).',
        }
      : { available: true, store: 'the desktop keyring (Secret Service)', problem: null },
    secrets: new Map(),
    profile: seedProfile(scenario, null),
    stripe: { connected: false, mode: null, key_masked: null, last_poll_ms: null, problem: null, cursor: null, cursor_created_ms: null },
    mailbox: !empty,
    mailboxProblem: null,
    shows: [],
    orders: [],
    refunds: [],
    flags: [],
    promos: [],
    attempts: [],
    audience: new Map(),
    tickets: [],
    outbox: empty ? { queued: 0, sending: 0, sent: 0, failed: 0, bounced: 0, held: 0 } : { queued: 3, sending: 1, sent: 1412, failed: 0, bounced: 7, held: scenario === 'failed' ? 1 : 0 },
    live: { phase: 'off', showId: null, startedMs: null, slots: [], layout: null, slate: null, sources: [], channels: [], audio: [], outputs: [], encoderFps: 30 },
    preflight: null,
    reports: new Map(),
    nextId: { order: 1001, ticket: 1, message: 1, refund: 1, flag: 1, promo: 10 },
    listeners: { rehearsal: new Set(), live: new Set(), meters: new Set(), preview: new Set(), thumbnails: new Set(), alert: new Set(), support: new Set() },
    boxOfficeAlerts: () => [],
  };
  if (empty) return world;

  const t = now();
  const show = mainShow(t, scenario);
  const past = pastShow(t);
  world.shows = [past, show];
  world.profile = seedProfile(scenario, show);
  const live = scenario === 'live' || scenario === 'failed';
  world.stripe = { connected: true, mode: live || scenario === 'after' || scenario === 'idle' ? 'live' : 'test', key_masked: 'sk_live_****4f2a', last_poll_ms: t - 2_000, problem: null, cursor: 'evt_1QdXnC2eZvKYlo2C0hNqdZ9k', cursor_created_ms: t - 40_000 };
  if (world.stripe.mode === 'test') world.stripe.key_masked = 'sk_test_****9c1e';
  for (const name of ['stripe', 'youtube', 'dacast', 'srt_regie', 'imap_password', 'smtp_password']) world.secrets.set(name, `${name === 'stripe' ? 'sk_live_' : ''}s3cr3t-${name}-a81f4b2c`);

  // Orders: the past show sold out long ago; the main one is selling now.
  world.orders.push(...seedOrders(world, past, 540, past.starts_at_ms));
  const sold = scenario === 'after' ? 1296 : live ? 1184 : 612;
  const until = scenario === 'after' ? show.starts_at_ms + 25 * MINUTE : t;
  world.orders.push(...seedOrders(world, show, sold, until));
  world.promos = [...seedPromos(show.id, t).map((view) => ({ showId: show.id, view })), ...seedPromos(past.id, t).slice(0, 1).map((view) => ({ showId: past.id, view }))];

  // A few refunds and double purchases, as on a real night.
  const mainOrders = world.orders.filter((candidate) => candidate.showId === show.id);
  mainOrders.slice(10, 16).forEach((refunded, index) => {
    refunded.refundedMinor = index % 3 === 0 ? 1000 : refunded.amountMinor;
    refunded.status = index % 3 === 0 ? 'partially_refunded' : 'refunded';
    world.refunds.push({ id: world.nextId.refund++, order_id: refunded.id, amount: { minor: refunded.refundedMinor, currency: 'EUR' }, reason: 'requested_by_customer', status: 'succeeded', error_code: null, requested_by: 'support', requested_ms: t - (20 + index * 7) * MINUTE, repeated: false });
  });
  const doubles = live || scenario === 'after' ? 3 : 1;
  for (let i = 0; i < doubles; i += 1) {
    const original = mainOrders[mainOrders.length - 20 - i * 37];
    if (!original) continue;
    const duplicate = order(world, show, { name: original.name, email: original.email }, original.amountMinor, null, original.purchasedMs + 40_000);
    world.orders.push(duplicate);
    world.flags.push({ id: world.nextId.flag++, original_order_id: original.id, duplicate_order_id: duplicate.id, matched_on: i === 1 ? 'card_fingerprint' : 'email', status: scenario === 'after' && i === 0 ? 'refunded' : 'open', flagged_ms: duplicate.purchasedMs + 5_000 });
  }
  // Payment attempts of the last quarter hour (the decline rate).
  for (let i = 0; i < 120; i += 1) world.attempts.push({ atMs: t - world.random() * 15 * MINUTE, ok: world.random() > (live ? 0.19 : 0.06) });

  world.audience.set(past.id, seedAudience(world, past, past.ends_at_ms + 10 * MINUTE, 540));
  if (live || scenario === 'after') world.audience.set(show.id, seedAudience(world, show, scenario === 'after' ? show.ends_at_ms : t, live ? 1230 : 1296));

  if (live || scenario === 'after') {
    world.tickets = seedTickets(world, mainOrders, show.starts_at_ms, live ? 34 : 41, scenario === 'after' ? 0.8 : 0.45);
  } else {
    world.tickets = seedTickets(world, mainOrders, t - 40 * MINUTE, 5, 0.6);
  }

  const videos = '/home/regie/Vidéos/Showdesk';
  if (live) {
    programFromProfile(world);
    world.live.phase = 'live';
    world.live.showId = show.id;
    world.live.startedMs = show.starts_at_ms;
    world.live.layout = { layout: 'single', slot: 0 };
    world.live.outputs = seedOutputs(scenario, videos, show);
    if (scenario === 'failed') {
      const camera = world.live.sources.find((source) => source.name.startsWith('Caméra 2'));
      if (camera) Object.assign(camera, { state: 'failed', reason: '/dev/video2: the device disappeared (unplugged?); retrying every 3 s' });
    }
  } else if (scenario === 'after') {
    programFromProfile(world);
    world.live.outputs = seedOutputs('live', videos, show).map((output) => ({ ...output, state: 'stopped', bitrateBps: 0, liveSeconds: output.kind === 'recording' ? 150 * 60 : output.liveSeconds + 108 * 60 }));
  }
  return world;
}

export type MockBackend = Backend & {
  /** Pushes a rehearsal status, as the shell's event would. */
  emit(status: RehearsalStatus): void;
  /** Runs `seconds` of the show's simulation at once (tests). */
  tick(seconds?: number): void;
  /** Stops the timers of a simulated backend. */
  stop(): void;
  /** The state behind it, for tests to look at. */
  world: World;
};

/** A backend held in memory: the same shapes as the real one, no IPC. */
export function createMockBackend(scenario: MockScenario = 'idle', options: MockOptions = {}): MockBackend {
  const world = buildWorld(scenario, options);
  const info: AppInfo =
    scenario === 'missing-media'
      ? { ...mockInfo, missing_media_elements: ['x264enc (gstreamer1.0-plugins-ugly)', 'rtmp2sink (gstreamer1.0-plugins-bad)'] }
      : { ...mockInfo, isolated_home: scenario !== 'live' && scenario !== 'failed' && scenario !== 'after', data_dir: scenario === 'live' ? '/home/regie/.local/share/showdesk' : mockInfo.data_dir };
  const emitRehearsal = (next: RehearsalStatus) => {
    world.rehearsal = next;
    emit(world.listeners.rehearsal, next);
  };

  const timers: ReturnType<typeof setInterval>[] = [];
  let seconds = 0;
  const second = () => {
    seconds += 1;
    liveSecond(world);
    const show = world.shows.find((candidate) => candidate.id === (world.live.showId ?? MAIN_SHOW_ID));
    const busy = world.live.phase === 'live' || world.drill;
    if (!show || show.id === PAST_SHOW_ID) return;
    // Sales: a few a minute before the show, a rush while the drill runs or the show is on.
    if (show.sales_open && world.random() < (busy ? 0.45 : 0.08)) {
      const ok = world.random() > 0.16;
      world.attempts.push({ atMs: world.now(), ok });
      if (ok) world.orders.push(order(world, show, person(world.random), world.random() < 0.1 ? show.price.minor - 1000 : show.price.minor, null, world.now()));
    }
    // Viewers: every 10 s a reading.
    if (busy && seconds % 10 === 0) {
      const series = world.audience.get(show.id) ?? [];
      const last = series.filter((point) => point[1] !== null).at(-1)?.[1] ?? 40;
      series.push([world.now(), Math.max(0, Math.round(last * (0.99 + world.random() * 0.03)))]);
      world.audience.set(show.id, series);
    }
    // Support mail.
    if (busy && world.mailbox && world.random() < 0.07) {
      world.tickets.push(newTicket(world, world.orders.filter((candidate) => candidate.showId === show.id), world.now()));
      emit(world.listeners.support, { kind: 'tickets_changed' });
    }
    if (world.live.phase === 'live' && seconds % 23 === 0) {
      const youtube = world.live.outputs.find((output) => output.kind === 'rtmp');
      if (world.random() < 0.5) alert(world, 'dropped_frames', 'warn', youtube?.name ?? 'YouTube', `${youtube?.name ?? 'YouTube'} dropped 1.2 % of frames over the last 10 s`);
      else alert(world, 'clipping', 'warn', world.live.channels[0] ?? 'Micro ring', `${world.live.channels[0] ?? 'Micro ring'} is clipping (peaks at 0.0 dB): lower its gain`);
    }
  };
  const startTimers = () => {
    if (!world.simulate || timers.length > 0) return;
    timers.push(setInterval(second, 1000));
    timers.push(
      setInterval(() => {
        if (world.live.phase === 'live' && world.listeners.meters.size > 0) emit(world.listeners.meters, meters(world));
      }, 50),
    );
    timers.push(
      setInterval(() => {
        if (world.live.phase === 'live' && world.listeners.preview.size > 0) emit(world.listeners.preview, drawFrame(world));
      }, 100),
    );
    timers.push(
      setInterval(() => {
        if (world.live.phase === 'live' && world.listeners.thumbnails.size > 0) drawThumbnails(world).forEach((thumbnail) => emit(world.listeners.thumbnails, thumbnail));
      }, 250),
    );
  };

  const backend: MockBackend = {
    world,
    emit: emitRehearsal,
    tick: (count = 1) => {
      for (let i = 0; i < count; i += 1) second();
      if (world.live.phase === 'live') {
        emit(world.listeners.meters, meters(world));
        emit(world.listeners.preview, drawFrame(world));
        drawThumbnails(world).forEach((thumbnail) => emit(world.listeners.thumbnails, thumbnail));
      }
    },
    stop: () => timers.splice(0).forEach((timer) => clearInterval(timer)),

    appInfo: async () => info,
    rehearsalStatus: async () => world.rehearsal,
    startRehearsal: async () => {
      if (scenario === 'failed') throw new BackendError(rehearsalFailure.error!);
      emitRehearsal({ phase: 'starting', services: [], error: null });
      setTimeout(() => emitRehearsal({ phase: 'running', services: mockServices, error: null }), 300);
      return world.rehearsal;
    },
    stopRehearsal: async () => {
      world.drill = false;
      emitRehearsal({ phase: 'stopped', services: [], error: null });
      return world.rehearsal;
    },
    onRehearsalStatus: async (handler) => {
      world.listeners.rehearsal.add(handler);
      return () => world.listeners.rehearsal.delete(handler);
    },
    setDrill: async (on) => {
      if (on && world.rehearsal.phase !== 'running') throw new BackendError({ code: ERROR_CODES.notReady, message: 'start the rehearsal stack first' });
      world.drill = on;
      if (on) startTimers();
    },
    drillStatus: async () => world.drill,

    ...setupApi(world),
    ...liveApi(world, startTimers),
    ...commerceApi(world),
    ...supportApi(world),
    ...afterApi(world),
  };

  if (world.live.phase === 'live' || world.simulate) {
    startTimers();
    if (world.live.phase === 'live' && world.simulate) {
      // What happened on air before the window opened, so the feed is not empty.
      setTimeout(() => {
        const t = world.now();
        alert(world, 'program', 'info', 'Program', 'On air', world.live.startedMs ?? t);
        alert(world, 'output_down', 'warn', 'Dacast (secours)', 'Dacast (secours) lost the connection: connection reset by the server', t - 19 * MINUTE);
        alert(world, 'output_back', 'info', 'Dacast (secours)', 'Dacast (secours) is back on air', t - 18 * MINUTE);
        alert(world, 'clipping', 'warn', 'Micro ring', 'Micro ring is clipping (peaks at 0.0 dB): lower its gain', t - 7 * MINUTE);
        if (scenario === 'failed') {
          alert(world, 'source_failed', 'error', 'Caméra 2 — plan large', 'Caméra 2 — plan large stopped: /dev/video2 disappeared; showing "no signal"', t - 2 * MINUTE);
          alert(world, 'output_failed', 'error', 'Dacast (secours)', 'Dacast (secours) stopped: the server refused the stream key', t - 60_000);
        } else {
          alert(world, 'output_down', 'warn', 'Dacast (secours)', 'Dacast (secours) lost the connection: connection reset by the server; reconnecting', t - 5_000);
        }
      }, 250);
    }
  }
  return backend;
}

export function scenarioFromUrl(search: string): MockScenario {
  const wanted = new URLSearchParams(search).get('mock');
  return SCENARIOS.find((scenario) => scenario === wanted) ?? 'idle';
}
