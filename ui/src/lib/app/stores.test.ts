import { afterEach, describe, expect, it, vi } from 'vitest';

import type { Backend } from '../backend/backend';
import { BackendError } from '../backend/errors';
import { createMockBackend } from '../backend/mock';
import type { ShowView } from '../backend/generated/ShowView';
import { setLocale } from '../i18n.svelte';
import { HISTORY_SECONDS, LiveStore } from './live.svelte';
import { profileSecrets, SetupStore, storeName } from './setup.svelte';
import { currentShow, ShowsStore } from './shows.svelte';
import { SupportStore } from './support.svelte';
import { Task } from './task.svelte';
import { Toasts } from './toasts.svelte';

const HOUR = 3_600_000;
const stores: Array<{ stop(): void }> = [];
const track = <T extends { stop(): void }>(store: T): T => (stores.push(store), store);

afterEach(() => {
  stores.splice(0).forEach((store) => store.stop());
  setLocale('en');
  vi.useRealTimers();
});

describe('Task', () => {
  it('runs one action at a time: a double click acts once', async () => {
    const task = new Task();
    let release: () => void = () => undefined;
    const action = vi.fn(() => new Promise<number>((resolve) => (release = () => resolve(7))));
    const first = task.run(action);
    const second = task.run(action);
    expect(task.busy).toBe(true);
    expect(await second).toBeUndefined();
    release();
    expect(await first).toBe(7);
    expect(action).toHaveBeenCalledTimes(1);
    expect(task.busy).toBe(false);
  });

  it('keeps the error as a BackendError, and clears it on the next run', async () => {
    const task = new Task();
    await task.run(() => Promise.reject({ code: 'invalid', message: 'gainDb: 30 dB is outside −60…+24 dB' }));
    expect(task.error).toBeInstanceOf(BackendError);
    expect(task.error?.code).toBe('invalid');
    await task.run(async () => 1);
    expect(task.error).toBeNull();
  });
});

describe('Toasts', () => {
  it('keeps the last four and lets them go after a while', () => {
    vi.useFakeTimers();
    const toasts = new Toasts();
    for (let i = 0; i < 6; i += 1) toasts.show(`notice ${i}`);
    expect(toasts.items.map((toast) => toast.title)).toEqual(['notice 2', 'notice 3', 'notice 4', 'notice 5']);
    vi.advanceTimersByTime(6000);
    expect(toasts.items).toEqual([]);
  });
});

describe('currentShow', () => {
  const show = (id: string, startsInHours: number): ShowView => ({
    id,
    title: id,
    starts_at_ms: startsInHours * HOUR,
    ends_at_ms: (startsInHours + 2) * HOUR,
    price: { minor: 2500, currency: 'EUR' },
    capacity: 100,
    payment_link_url: null,
    watch_url: null,
    sales_open: false,
  });

  it('follows the show on air first, then the next one, then the latest', () => {
    const shows = [show('old', -100), show('tonight', 5), show('later', 48)];
    expect(currentShow(shows, 'later', 0)?.id).toBe('later');
    expect(currentShow(shows, null, 0)?.id).toBe('tonight');
    // One that ended a moment ago is still the one to look at (its report), for six hours.
    expect(currentShow(shows, null, 8 * HOUR)?.id).toBe('tonight');
    expect(currentShow(shows, null, 14 * HOUR)?.id).toBe('later');
    expect(currentShow([show('a', -100), show('b', -50)], null, 0)?.id).toBe('b');
    expect(currentShow([], null, 0)).toBeNull();
  });

  it('prefers the show on sale to an earlier one whose sales were closed (a rehearsal run again)', () => {
    const earlier = show('rehearsal-1', 1);
    const again = { ...show('rehearsal-2', 1.5), sales_open: true };
    expect(currentShow([earlier, again], null, 0)?.id).toBe('rehearsal-2');
    expect(currentShow([earlier, again], null, 3.2 * HOUR)?.id).toBe('rehearsal-1');
  });
});

describe('LiveStore', () => {
  it('goes live, cuts, and puts a picture in picture next to the program', async () => {
    const backend = createMockBackend('idle');
    const live = track(new LiveStore(backend));
    await live.start();
    expect(live.onAir).toBe(false);
    await live.goLive('show_2026_nuit_champions');
    expect(live.onAir).toBe(true);
    expect(live.status?.slots).toEqual(['Caméra 1 — ring', 'Caméra 2 — plan large', 'Générique', 'Slate']);
    expect(live.currentSlot).toBe(0);
    expect(live.recording?.kind).toBe('recording');

    await live.cut(2);
    expect(live.currentSlot).toBe(2);
    expect(backend.world.live.layout).toEqual({ layout: 'single', slot: 2 });

    // No inset chosen: the next picture (never the slate) goes in the corner.
    await live.pictureInPicture();
    expect(live.status?.layout).toEqual({ layout: 'picture_in_picture', main: 2, inset: 0, corner: 'bottom_right', size_percent: 30 });
    live.pip.inset = 1;
    live.pip.corner = 'top_left';
    await live.pictureInPicture();
    expect(backend.world.live.layout).toMatchObject({ main: 2, inset: 1, corner: 'top_left' });

    await live.slate('be_right_back');
    expect(live.currentSlot).toBe(live.slateSlot);
    await live.endShow();
    expect(live.onAir).toBe(false);
  });

  it('keeps the latest thumbnail of each source by slot, and drops them when the show ends', async () => {
    const backend = createMockBackend('live');
    const live = track(new LiveStore(backend));
    await live.start();
    backend.tick();
    const slots = live.status?.slots ?? [];
    // Every source but the slate has a picture.
    expect(Object.keys(live.thumbnails).map(Number)).toEqual(slots.slice(0, -1).map((_, slot) => slot));
    expect(live.thumbnails[1]?.source).toBe(slots[1]);
    expect(live.thumbnails[1]?.dataUrl).toMatch(/^data:image\/jpeg;base64,/);
    await live.endShow();
    expect(live.thumbnails).toEqual({});
  });

  it('keeps five minutes of bitrate per output for the sparklines', async () => {
    const backend = createMockBackend('live');
    const live = track(new LiveStore(backend));
    await live.start();
    backend.tick(HISTORY_SECONDS + 20);
    const youtube = live.history['out-youtube'] ?? [];
    expect(youtube).toHaveLength(HISTORY_SECONDS);
    expect(youtube.every((bps) => bps > 4_000_000)).toBe(true);
  });

  it('remembers gain and mute per channel, and refuses a gain out of range', async () => {
    const backend = createMockBackend('live');
    const live = track(new LiveStore(backend));
    await live.start();
    await live.setAudio(1, -6, true);
    expect(live.audio[1]).toEqual({ gainDb: -6, muted: true });
    backend.tick();
    expect(live.meters?.channel_peak[1]).toBe(-100);
    await expect(live.setAudio(1, 30, false)).rejects.toMatchObject({ code: 'invalid' });
    expect(live.audio[1]).toEqual({ gainDb: -6, muted: true });
  });

  it('holds the clip mark a moment after a peak at 0 dB', async () => {
    const backend = createMockBackend('live');
    let push: (meters: { program_peak: number[]; program_rms: number[]; channel_peak: number[]; channel_rms: number[] }) => void = () => undefined;
    const spied: Backend = { ...backend, onMeters: async (handler) => ((push = handler), () => undefined) };
    const store = track(new LiveStore(spied));
    await store.start();
    push({ program_peak: [0, 0], program_rms: [-10, -10], channel_peak: [0, -20, -30], channel_rms: [-8, -26, -36] });
    expect(store.clipping(0)).toBe(true);
    expect(store.clipping(1)).toBe(false);
    push({ program_peak: [-12, -12], program_rms: [-20, -20], channel_peak: [-12, -20, -30], channel_rms: [-20, -26, -36] });
    expect(store.clipping(0)).toBe(true);
    store.now += 2500;
    expect(store.clipping(0)).toBe(false);
  });

  it('collects alerts newest first', async () => {
    const backend = createMockBackend('idle');
    const live = track(new LiveStore(backend));
    await live.start();
    await live.goLive(null);
    backend.world.live.outputs[0]!.state = 'live';
    const alerts = live.alerts.map((alert) => alert.kind);
    expect(alerts[0]).toBe('program');
    for (let i = 1; i < live.alerts.length; i += 1) expect(live.alerts[i - 1]!.at_ms).toBeGreaterThanOrEqual(live.alerts[i]!.at_ms);
  });
});

describe('SupportStore', () => {
  it('loads counts, SLA, outbox and the open queue, most urgent first', async () => {
    const support = track(new SupportStore(createMockBackend('live')));
    await support.start();
    expect(support.configured).toBe(true);
    expect(support.counts.map((count) => count.category)).toEqual(['payment', 'refund', 'overcharge', 'promo_code', 'access', 'other']);
    expect(support.tickets.length).toBeGreaterThan(0);
    expect(support.tickets.every((ticket) => ticket.status === 'open')).toBe(true);
    const priorities = support.tickets.map((ticket) => ticket.priority);
    expect(priorities).toEqual([...priorities].sort((a, b) => b - a));
    expect(support.sla?.waiting).toBeGreaterThan(0);
  });

  it('filters by status and category, and opens a ticket with its buyer’s orders', async () => {
    const support = track(new SupportStore(createMockBackend('live')));
    await support.start();
    await support.setQuery({ status: 'resolved', category: null });
    expect(support.tickets.length).toBeGreaterThan(0);
    expect(support.tickets.every((ticket) => ticket.status === 'resolved')).toBe(true);
    await support.setQuery({ status: null, category: 'refund' });
    expect(support.tickets.every((ticket) => ticket.category === 'refund')).toBe(true);
    const first = Number(support.tickets[0]!.id);
    await support.open(first);
    expect(Number(support.detail?.ticket.id)).toBe(first);
  });

  it('knows when no mailbox is connected, without calling it an error', async () => {
    const support = track(new SupportStore(createMockBackend('empty')));
    await support.start();
    expect(support.configured).toBe(false);
    expect(support.error).toBeNull();
  });
});

describe('SetupStore', () => {
  it('lists the keyring entries a profile needs and shows only masked hints', async () => {
    const backend = createMockBackend('idle');
    const setup = new SetupStore(backend);
    await setup.refresh();
    expect(profileSecrets(setup.profile)).toEqual(['youtube', 'dacast', 'srt_regie']);
    expect(setup.hints.youtube).toBe('****4b2c');
    expect(setup.hints.stripe).toBe('sk_live_****4b2c');
    expect(setup.destinationsReady).toBe(true);
    backend.world.secrets.delete('dacast');
    await setup.refreshHints(['dacast']);
    expect(setup.hints.dacast).toBeNull();
    expect(setup.destinationsReady).toBe(false);
  });

  it('says when there is no keyring, and stores nothing then', async () => {
    const setup = new SetupStore(createMockBackend('empty'));
    await setup.refresh();
    expect(setup.secretStore?.available).toBe(false);
    expect(setup.secretStore?.problem).toMatch(/Secret Service/);
    expect(setup.destinationsReady).toBe(false);
  });

  it('names the known secret stores in the window’s language', () => {
    expect(storeName('the desktop keyring (Secret Service)')).toBe('the desktop keyring (Secret Service)');
    setLocale('fr');
    expect(storeName('the desktop keyring (Secret Service)')).toBe('le trousseau du bureau (Secret Service)');
    expect(storeName('a vault on the moon')).toBe('a vault on the moon');
    expect(storeName(null)).toBe('');
  });
});

describe('ShowsStore', () => {
  it('follows the live show and polls its dashboard', async () => {
    const shows = track(new ShowsStore(createMockBackend('live')));
    await shows.load('show_2026_nuit_champions');
    expect(shows.selected?.id).toBe('show_2026_nuit_champions');
    expect(shows.dashboard?.sold).toBeGreaterThan(1000);
    expect(shows.audience.length).toBeGreaterThan(0);
    shows.select('show_2026_standup_marseille');
    expect(shows.dashboard).toBeNull();
    await vi.waitFor(() => expect(shows.dashboard?.show.id).toBe('show_2026_standup_marseille'));
  });
});
