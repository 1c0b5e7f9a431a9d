import { getContext, setContext } from 'svelte';

import type { AppInfo, Backend, RehearsalStatus, Unlisten } from '../backend/backend';
import { BackendError } from '../backend/errors';
import { LiveStore } from './live.svelte';
import { SetupStore } from './setup.svelte';
import { ShowsStore } from './shows.svelte';
import { SupportStore } from './support.svelte';
import { Toasts } from './toasts.svelte';

/** How often the overview asks Stripe's and the mailbox's state again. */
export const HEALTH_EVERY_MS = 10_000;

export type View = 'home' | 'program' | 'boxoffice' | 'audience' | 'support' | 'preflight' | 'setup' | 'after';
export const VIEWS: View[] = ['home', 'program', 'boxoffice', 'audience', 'support', 'preflight', 'setup', 'after'];

export type Confirmation = 'go_live' | 'end_show';

/** Everything the window holds, shared with every panel through Svelte's context. */
export class AppState {
  readonly backend: Backend;
  readonly live: LiveStore;
  readonly shows: ShowsStore;
  readonly support: SupportStore;
  readonly setup: SetupStore;
  readonly toasts = new Toasts();

  view = $state<View>('home');
  info = $state<AppInfo | null>(null);
  rehearsal = $state<RehearsalStatus | null>(null);
  /** Whether the rehearsal drill runs (set by the toggle, and read back from the shell: `--drill`
   * starts it without the window). */
  drill = $state(false);
  /** A failure of the window itself (the shell unreachable, a load that failed). */
  error = $state<BackendError | null>(null);
  confirming = $state<Confirmation | null>(null);
  /** Whether the show ended while this window watched (the "after" view opens). */
  ended = $state(false);
  /** Everything the window shows has been asked for once (the first view is picked). */
  ready = $state(false);

  #unlisten: Unlisten | undefined;
  #started = false;
  #drillTimer: ReturnType<typeof setInterval> | undefined;
  #healthTimer: ReturnType<typeof setInterval> | undefined;

  constructor(backend: Backend) {
    this.backend = backend;
    this.live = new LiveStore(backend);
    this.shows = new ShowsStore(backend);
    this.support = new SupportStore(backend);
    this.setup = new SetupStore(backend);
    this.live.onShowOnAir = (showId) => void this.shows.follow(showId).catch(() => undefined);
  }

  /** Loads what the window shows and subscribes to the backend; picks the first view. */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    try {
      // Subscribe first so no change between the snapshot and the subscription is lost.
      this.#unlisten = await this.backend.onRehearsalStatus((status) => {
        this.rehearsal = status;
        // The shell says "running" again once it is wired to the stack (Stripe, mailbox, the
        // Rehearsal show): what setup and the box office show has changed.
        if (status.phase === 'running' && this.ready) {
          void this.setup.refresh().catch(() => undefined);
          void this.shows.load(this.live.status?.show_id ?? null, true).catch(() => undefined);
        }
      });
      const [info, rehearsal] = await Promise.all([this.backend.appInfo(), this.backend.rehearsalStatus()]);
      this.info = info;
      this.rehearsal ??= rehearsal;
    } catch (raw) {
      this.error = BackendError.from(raw);
      this.ready = true;
      return;
    }
    const loads = await Promise.allSettled([this.live.start(), this.setup.refresh()]);
    await this.shows.load(this.live.status?.show_id ?? null).catch((raw) => (this.error = BackendError.from(raw)));
    const show = this.shows.selected;
    if (show) this.support.setSince(this.live.status?.started_ms ?? show.starts_at_ms - 3_600_000);
    await this.support.start().catch((raw) => (this.error = BackendError.from(raw)));
    for (const load of loads) if (load.status === 'rejected') this.error = BackendError.from(load.reason);
    this.shows.start();
    this.#drillTimer = setInterval(() => void this.readDrill(), 3000);
    // Stripe and the mailbox can stop answering at any time: the overview must not stay green.
    this.#healthTimer = setInterval(() => void Promise.all([this.setup.refreshStripe(), this.support.refreshMailbox()]), HEALTH_EVERY_MS);
    await this.readDrill();
    this.view = this.firstView();
    this.ready = true;
  }

  /** The drill as the shell has it, while the rehearsal runs. */
  async readDrill(): Promise<void> {
    if (this.rehearsal?.phase !== 'running') return;
    this.drill = await this.backend.drillStatus().catch(() => this.drill);
  }

  stop(): void {
    clearInterval(this.#drillTimer);
    clearInterval(this.#healthTimer);
    this.#unlisten?.();
    this.live.stop();
    this.shows.stop();
    this.support.stop();
  }

  firstView(): View {
    if (this.live.onAir) return 'program';
    const show = this.shows.selected;
    if (show && show.ends_at_ms < Date.now()) return 'after';
    return 'home';
  }

  go(view: View): void {
    this.view = view;
  }

  /** Opens a ticket in the support view (from a notice, an open item, a search). */
  async openTicket(ticketId: number): Promise<void> {
    this.view = 'support';
    await this.support.open(ticketId);
  }
}

const KEY = Symbol('showdesk-app');

export function provideApp(app: AppState): AppState {
  return setContext(KEY, app);
}

export function useApp(): AppState {
  const app = getContext<AppState | undefined>(KEY);
  if (!app) throw new Error('no AppState in context: render inside <App> or pass one (tests: renderPanel)');
  return app;
}

export const APP_CONTEXT_KEY = KEY;
