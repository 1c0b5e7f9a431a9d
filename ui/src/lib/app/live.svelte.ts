import type { Backend, PreviewFrame, SlateKind, SourceThumbnail, Unlisten } from '../backend/backend';
import type { LayoutView } from '../backend/generated/LayoutView';
import type { LiveAlert } from '../backend/generated/LiveAlert';
import type { LiveStatus } from '../backend/generated/LiveStatus';
import type { MetersView } from '../backend/generated/MetersView';

/** Seconds of bitrate kept per output for the sparkline (five minutes). */
export const HISTORY_SECONDS = 300;
/** A peak at or above this (dBFS) is clipping. */
export const CLIP_DB = -0.5;

export type Corner = 'top_left' | 'top_right' | 'bottom_left' | 'bottom_right';

/**
 * The show on air as the window sees it: the status every second, meters, preview frames and
 * alerts as they come, the bitrate history kept here, and the gain and mute of each channel
 * (the shell takes them, it does not report them back).
 */
export class LiveStore {
  status = $state<LiveStatus | null>(null);
  meters = $state.raw<MetersView | null>(null);
  frame = $state.raw<PreviewFrame | null>(null);
  /** The latest thumbnail of each source, by program slot. */
  thumbnails = $state.raw<Record<number, SourceThumbnail>>({});
  alerts = $state<LiveAlert[]>([]);
  history = $state.raw<Record<string, number[]>>({});
  audio = $state<{ gainDb: number; muted: boolean }[]>([]);
  /** When each channel last clipped (ms), to hold the red mark a moment. */
  clippedAt = $state.raw<number[]>([]);
  pip = $state<{ inset: number | null; corner: Corner; size: number }>({ inset: null, corner: 'bottom_right', size: 30 });
  now = $state(Date.now());

  /** Told when a show goes on air (its id), so the window follows it. */
  onShowOnAir: ((showId: string) => void) | null = null;

  #backend: Backend;
  #unlisten: Unlisten[] = [];
  #clock: ReturnType<typeof setInterval> | undefined;

  constructor(backend: Backend) {
    this.#backend = backend;
  }

  get onAir(): boolean {
    return this.status?.phase === 'live';
  }

  get elapsedSeconds(): number {
    const started = this.status?.started_ms;
    return started ? Math.max(0, (this.now - started) / 1000) : 0;
  }

  /** The slot on the program now (the main picture under picture-in-picture). */
  get currentSlot(): number | null {
    const layout = this.status?.layout;
    if (!layout) return null;
    return layout.layout === 'single' ? layout.slot : layout.main;
  }

  get slateSlot(): number {
    return (this.status?.slots.length ?? 0) - 1;
  }

  get recording() {
    return this.status?.outputs.find((output) => output.kind === 'recording') ?? null;
  }

  async start(): Promise<void> {
    const b = this.#backend;
    this.#unlisten.push(
      await b.onLiveStatus((status) => this.#apply(status)),
      await b.onAlert((alert) => this.#alert(alert)),
      await b.onMeters((meters) => this.#meters(meters)),
      await b.onPreview((frame) => (this.frame = frame)),
      await b.onThumbnails((thumbnail) => (this.thumbnails = { ...this.thumbnails, [thumbnail.slot]: thumbnail })),
    );
    this.#apply(await b.liveStatus());
    this.#clock = setInterval(() => (this.now = Date.now()), 1000);
  }

  stop(): void {
    this.#unlisten.splice(0).forEach((unlisten) => unlisten());
    clearInterval(this.#clock);
  }

  #apply(status: LiveStatus): void {
    const wentOnAir = status.phase === 'live' && status.show_id && status.show_id !== this.status?.show_id;
    this.status = status;
    if (wentOnAir && status.show_id) this.onShowOnAir?.(status.show_id);
    this.now = Date.now();
    // A show's thumbnails are not the next show's (its sources may differ).
    if (status.phase !== 'live' && Object.keys(this.thumbnails).length > 0) this.thumbnails = {};
    if (this.audio.length !== status.channels.length) {
      this.audio = status.channels.map((_, index) => this.audio[index] ?? { gainDb: 0, muted: false });
    }
    if (status.phase === 'live') {
      const next: Record<string, number[]> = {};
      for (const output of status.outputs) {
        const previous = this.history[output.id] ?? [];
        next[output.id] = [...previous.slice(-(HISTORY_SECONDS - 1)), output.bitrate_bps];
      }
      this.history = next;
    }
  }

  #alert(alert: LiveAlert): void {
    this.alerts = [alert, ...this.alerts].sort((a, b) => b.at_ms - a.at_ms).slice(0, 200);
  }

  #meters(meters: MetersView): void {
    this.meters = meters;
    const now = Date.now();
    if (meters.channel_peak.some((peak) => peak >= CLIP_DB)) {
      this.clippedAt = meters.channel_peak.map((peak, index) => (peak >= CLIP_DB ? now : (this.clippedAt[index] ?? 0)));
    }
  }

  clipping(channel: number): boolean {
    return this.now - (this.clippedAt[channel] ?? 0) < 2000 || (this.meters?.channel_peak[channel] ?? -100) >= CLIP_DB;
  }

  async goLive(showId: string | null): Promise<void> {
    this.#apply(await this.#backend.goLive(showId));
  }

  async endShow(): Promise<void> {
    this.#apply(await this.#backend.endShow());
  }

  async setLayout(layout: LayoutView): Promise<void> {
    await this.#backend.setLayout(layout);
    if (this.status) this.status = { ...this.status, layout };
  }

  async cut(slot: number): Promise<void> {
    await this.setLayout({ layout: 'single', slot });
  }

  /** Picture-in-picture: the current picture stays, the chosen inset (else the next slot) goes in a corner. */
  async pictureInPicture(): Promise<void> {
    const slots = this.status?.slots.length ?? 0;
    const main = this.currentSlot ?? 0;
    let inset = this.pip.inset ?? (main + 1) % Math.max(1, slots - 1);
    if (inset === main) inset = (main + 1) % Math.max(1, slots - 1);
    await this.setLayout({ layout: 'picture_in_picture', main, inset, corner: this.pip.corner, size_percent: this.pip.size });
  }

  async slate(kind: SlateKind): Promise<void> {
    await this.#backend.showSlate(kind);
    if (this.status) this.status = { ...this.status, layout: { layout: 'single', slot: this.slateSlot } };
  }

  async setAudio(channel: number, gainDb: number, muted: boolean): Promise<void> {
    await this.#backend.setAudio(channel, gainDb, muted);
    this.audio[channel] = { gainDb, muted };
  }

  async retry(outputId: string): Promise<void> {
    await this.#backend.retryOutput(outputId);
  }
}
