import type { Backend } from '../backend/backend';
import { BackendError } from '../backend/errors';
import type { DashboardSnapshot } from '../backend/generated/DashboardSnapshot';
import type { ShowView } from '../backend/generated/ShowView';

const HOUR = 3_600_000;

/** The show the window follows: the one on air, else the next (or one just over), else the latest. */
export function currentShow(shows: ShowView[], liveShowId: string | null, now: number): ShowView | null {
  if (liveShowId) {
    const live = shows.find((show) => show.id === liveShowId);
    if (live) return live;
  }
  // A show that just ended first (its report), then one on sale (a rehearsal run again leaves its
  // earlier, closed show behind), then the soonest.
  const rank = (show: ShowView) => (show.ends_at_ms < now ? 0 : show.sales_open ? 1 : 2);
  const coming = shows
    .filter((show) => show.ends_at_ms >= now - 6 * HOUR)
    .sort((a, b) => rank(a) - rank(b) || a.starts_at_ms - b.starts_at_ms);
  if (coming[0]) return coming[0];
  return [...shows].sort((a, b) => b.starts_at_ms - a.starts_at_ms)[0] ?? null;
}

/**
 * The shows, the one the window follows, and its dashboard (polled every second: the backend says
 * it is cheap enough) and viewer series (every ten seconds).
 */
export class ShowsStore {
  list = $state<ShowView[]>([]);
  selectedId = $state<string | null>(null);
  dashboard = $state.raw<DashboardSnapshot | null>(null);
  audience = $state.raw<Array<[number, number | null]>>([]);
  error = $state<BackendError | null>(null);
  loaded = $state(false);

  #backend: Backend;
  #timers: ReturnType<typeof setInterval>[] = [];
  #ticks = 0;

  constructor(backend: Backend) {
    this.#backend = backend;
  }

  get selected(): ShowView | null {
    return this.list.find((show) => show.id === this.selectedId) ?? null;
  }

  /** `choose`: pick the show to follow again (the rehearsal was wired to a new show). */
  async load(liveShowId: string | null = null, choose = false): Promise<void> {
    this.list = await this.#backend.shows();
    if (choose || !this.selected) {
      const chosen = currentShow(this.list, liveShowId, Date.now())?.id ?? null;
      if (chosen !== this.selectedId) {
        this.dashboard = null;
        this.audience = [];
      }
      this.selectedId = chosen;
    }
    this.loaded = true;
    if (this.selectedId) await this.refresh(true);
  }

  /** The show on air is the one to follow; a show new to the list is read first. */
  async follow(showId: string): Promise<void> {
    if (showId === this.selectedId) return;
    if (!this.list.some((show) => show.id === showId)) this.list = await this.#backend.shows();
    if (this.list.some((show) => show.id === showId)) this.select(showId);
  }

  select(showId: string): void {
    this.selectedId = showId;
    this.dashboard = null;
    this.audience = [];
    void this.refresh(true);
  }

  /** A show was created or changed. */
  upsert(show: ShowView): void {
    const index = this.list.findIndex((candidate) => candidate.id === show.id);
    this.list = index === -1 ? [...this.list, show] : this.list.map((candidate) => (candidate.id === show.id ? show : candidate));
  }

  async refresh(withAudience = false): Promise<void> {
    const id = this.selectedId;
    if (!id) {
      // No show yet: one may appear (created elsewhere, or the rehearsal's): look again.
      if (withAudience) await this.load().catch((raw) => (this.error = BackendError.from(raw)));
      return;
    }
    try {
      const dashboard = await this.#backend.dashboard(id);
      if (id !== this.selectedId) return;
      this.dashboard = dashboard;
      this.upsert(dashboard.show);
      if (withAudience) this.audience = await this.#backend.audienceSeries(id);
      this.error = null;
    } catch (raw) {
      this.error = BackendError.from(raw);
    }
  }

  start(): void {
    this.#timers.push(
      setInterval(() => {
        this.#ticks += 1;
        void this.refresh(this.#ticks % 10 === 0);
      }, 1000),
    );
  }

  stop(): void {
    this.#timers.splice(0).forEach((timer) => clearInterval(timer));
  }
}
