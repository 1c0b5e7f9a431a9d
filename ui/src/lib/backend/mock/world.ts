/**
 * The mock backend's world: one in-memory state that every area of the mock reads and changes,
 * a seeded random generator (the same scenario always looks the same), a clock, and the
 * listeners of events and channels.
 */
import type { PreviewFrame, RehearsalStatus, SourceThumbnail } from '../backend';
import type { AlertView } from '../generated/AlertView';
import type { CheckView } from '../generated/CheckView';
import type { DoublePurchaseView } from '../generated/DoublePurchaseView';
import type { LiveAlert } from '../generated/LiveAlert';
import type { LiveStatus } from '../generated/LiveStatus';
import type { MetersView } from '../generated/MetersView';
import type { OrderStatus } from '../generated/OrderStatus';
import type { ProfileDoc } from '../generated/ProfileDoc';
import type { PromoView } from '../generated/PromoView';
import type { RefundView } from '../generated/RefundView';
import type { Retrospective } from '../generated/Retrospective';
import type { ShowView } from '../generated/ShowView';
import type { StripeStatus } from '../generated/StripeStatus';
import type { SupportEvent } from '../generated/SupportEvent';
import type { TicketCategory } from '../generated/TicketCategory';
import type { TicketState } from '../generated/TicketState';

/** Named states the mock can start in (tests and the Playwright screens pick one with `?mock=`). */
export type MockScenario =
  | 'idle'
  | 'live'
  | 'failed'
  | 'after'
  | 'empty'
  // A new installation on a desktop with a keyring: nothing set up yet.
  | 'fresh'
  // The rehearsal stack's own states, on an idle installation:
  | 'running'
  | 'starting'
  | 'off'
  | 'missing-media';

export const SCENARIOS: MockScenario[] = ['idle', 'live', 'failed', 'after', 'empty', 'fresh', 'running', 'starting', 'off', 'missing-media'];

export interface MockOptions {
  /** Run the show by itself (meters, preview, sales, tickets, alerts). Off in unit tests, which call `tick()`. */
  simulate?: boolean;
  /** The clock; tests pin it. */
  now?: () => number;
}

export interface MockOrder {
  id: string;
  showId: string;
  name: string;
  email: string;
  amountMinor: number;
  currency: string;
  refundedMinor: number;
  /** What was asked but Stripe has not confirmed yet (refunds in flight). */
  status: OrderStatus;
  promo: string | null;
  purchasedMs: number;
  paymentIntent: string;
  checkoutSession: string;
}

export interface MockMessage {
  id: number;
  direction: 'in' | 'out' | 'note';
  fromName: string;
  fromEmail: string;
  subject: string;
  text: string;
  /** The mail's HTML as it arrived (the real backend sanitizes it; see support.ts). */
  html: string | null;
  atMs: number;
  automatic: string | null;
  notes: string[];
  attachments: { name: string; content_type: string; size: number; inside: string | null }[];
}

export interface MockTicket {
  id: number;
  subject: string;
  requesterName: string;
  requesterEmail: string;
  /** Whose orders are linked. */
  buyerEmail: string | null;
  category: TicketCategory;
  confidence: number;
  categoryByOperator: boolean;
  language: 'en' | 'fr';
  priority: number;
  status: TicketState;
  orderRefs: string[];
  senderMismatch: boolean;
  automatic: boolean;
  messages: MockMessage[];
  createdMs: number;
  firstResponseMs: number | null;
  resolvedMs: number | null;
}

export interface MockOutput {
  id: string;
  name: string;
  kind: 'rtmp' | 'srt' | 'recording';
  display: string;
  state: string;
  reason: string | null;
  baseBps: number;
  bitrateBps: number;
  bytesSent: number;
  dropped: number;
  reconnects: number;
  liveSeconds: number;
  file: string | null;
  /** Seconds until a reconnecting output is back (the simulation's script). */
  backIn: number | null;
  rttMs: number | null;
}

export interface World {
  scenario: MockScenario;
  simulate: boolean;
  now: () => number;
  random: () => number;
  rehearsal: RehearsalStatus;
  drill: boolean;
  secretStore: { available: boolean; store: string | null; problem: string | null };
  secrets: Map<string, string>;
  profile: ProfileDoc;
  stripe: StripeStatus;
  mailbox: boolean;
  /** Why the mock mailbox does not answer (`?mock=…` scenarios and tests set it). */
  mailboxProblem: string | null;
  shows: ShowView[];
  orders: MockOrder[];
  refunds: RefundView[];
  flags: DoublePurchaseView[];
  promos: { showId: string; view: PromoView }[];
  attempts: { atMs: number; ok: boolean }[];
  audience: Map<string, Array<[number, number | null]>>;
  tickets: MockTicket[];
  outbox: { queued: number; sending: number; sent: number; failed: number; bounced: number; held: number };
  live: {
    phase: 'off' | 'live';
    showId: string | null;
    startedMs: number | null;
    slots: string[];
    layout: LiveStatus['layout'];
    slate: string | null;
    sources: { name: string; state: string; reason: string | null }[];
    channels: string[];
    audio: { gainDb: number; muted: boolean }[];
    outputs: MockOutput[];
    encoderFps: number;
  };
  preflight: CheckView[] | null;
  reports: Map<string, { retrospective: Retrospective; followUpsSent: Map<string, number>; exported: string[] }>;
  nextId: { order: number; ticket: number; message: number; refund: number; flag: number; promo: number };
  listeners: {
    rehearsal: Set<(status: RehearsalStatus) => void>;
    live: Set<(status: LiveStatus) => void>;
    meters: Set<(meters: MetersView) => void>;
    preview: Set<(frame: PreviewFrame) => void>;
    thumbnails: Set<(thumbnail: SourceThumbnail) => void>;
    alert: Set<(alert: LiveAlert) => void>;
    support: Set<(event: SupportEvent) => void>;
  };
  /** Alerts the box office currently raises (for the dashboard). */
  boxOfficeAlerts: () => AlertView[];
}

/** Mulberry32: small, seeded, good enough for looks. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let r = Math.imul(a ^ (a >>> 15), 1 | a);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length) % items.length] as T;
}

/** ts-rs types Rust's i64 as `bigint`, but serde_json sends a plain number: so does the mock. */
export function wireId(id: number): bigint {
  return id as unknown as bigint;
}

export function emit<T>(listeners: Set<(value: T) => void>, value: T): void {
  for (const listener of [...listeners]) listener(value);
}

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
