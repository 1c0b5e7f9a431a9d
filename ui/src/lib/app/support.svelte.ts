import type { Backend, TicketQuery, Unlisten } from '../backend/backend';
import { BackendError, ERROR_CODES } from '../backend/errors';
import type { CategoryCount } from '../backend/generated/CategoryCount';
import type { MailboxStatus } from '../backend/generated/MailboxStatus';
import type { OutboxSummary } from '../backend/generated/OutboxSummary';
import type { SlaSnapshot } from '../backend/generated/SlaSnapshot';
import type { TicketDetail } from '../backend/generated/TicketDetail';
import type { TicketListItem } from '../backend/generated/TicketListItem';

export type TicketStatusFilter = NonNullable<TicketQuery['status']>;
export type TicketCategoryFilter = NonNullable<TicketQuery['category']>;

/**
 * The support desk in the window: counts, SLA and outbox at a glance, the queue with its filter,
 * and the open ticket. Refreshed on the backend's `support` events.
 */
export class SupportStore {
  /** `false` when no mailbox is connected (support.not_configured). */
  configured = $state<boolean | null>(null);
  /** The mailbox: connected, and answering or why not. */
  mailbox = $state<MailboxStatus | null>(null);
  counts = $state<CategoryCount[]>([]);
  sla = $state<SlaSnapshot | null>(null);
  outbox = $state<OutboxSummary | null>(null);
  tickets = $state<TicketListItem[]>([]);
  query = $state<{ status: TicketStatusFilter | null; category: TicketCategoryFilter | null; text: string }>({ status: 'open', category: null, text: '' });
  selectedId = $state<number | null>(null);
  detail = $state<TicketDetail | null>(null);
  surge = $state<number | null>(null);
  error = $state<BackendError | null>(null);

  #backend: Backend;
  #unlisten: Unlisten | undefined;
  #sinceMs = 0;

  constructor(backend: Backend) {
    this.#backend = backend;
  }

  get waiting(): number {
    return this.sla?.waiting ?? 0;
  }

  /** The show's start, for SLA figures "since the show began". */
  setSince(ms: number): void {
    this.#sinceMs = ms;
  }

  async start(): Promise<void> {
    this.#unlisten = await this.#backend.onSupportEvent((event) => {
      if (event.kind === 'surge_started') this.surge = event.per_min;
      if (event.kind === 'surge_ended') this.surge = null;
      if (event.kind === 'outbox_changed') void this.#outbox();
      if (event.kind === 'tickets_changed') void this.refresh();
      if (event.kind === 'mailbox_changed') void this.refreshMailbox();
    });
    await this.refreshMailbox();
    await this.refresh();
  }

  stop(): void {
    this.#unlisten?.();
  }

  async #outbox(): Promise<void> {
    try {
      this.outbox = await this.#backend.outboxSummary();
    } catch {
      // Shown by refresh().
    }
  }

  /** Asked again every few seconds by the app too (a mailbox can stop answering at any time). */
  async refreshMailbox(): Promise<void> {
    try {
      this.mailbox = await this.#backend.mailboxStatus();
    } catch {
      // Kept as it was: the overview shows the last known state.
    }
  }

  async refresh(): Promise<void> {
    const b = this.#backend;
    try {
      const [counts, sla, outbox, tickets] = await Promise.all([
        b.categoryCounts(),
        b.sla(this.#sinceMs),
        b.outboxSummary(),
        b.tickets({ status: this.query.status, category: this.query.category, text: this.query.text || null, limit: 200, offset: 0 }),
      ]);
      this.counts = counts;
      this.sla = sla;
      this.outbox = outbox;
      this.tickets = tickets;
      this.configured = true;
      this.error = null;
      if (this.selectedId !== null) await this.#loadDetail(this.selectedId);
    } catch (raw) {
      const error = BackendError.from(raw);
      if (error.code === ERROR_CODES.supportNotConfigured) this.configured = false;
      else this.error = error;
    }
  }

  async open(ticketId: number | null): Promise<void> {
    this.selectedId = ticketId;
    this.detail = null;
    if (ticketId !== null) await this.#loadDetail(ticketId);
  }

  async #loadDetail(ticketId: number): Promise<void> {
    try {
      const detail = await this.#backend.ticket(ticketId);
      if (this.selectedId === ticketId) this.detail = detail;
    } catch (raw) {
      this.error = BackendError.from(raw);
    }
  }

  async setQuery(change: Partial<SupportStore['query']>): Promise<void> {
    this.query = { ...this.query, ...change };
    await this.refresh();
  }
}
