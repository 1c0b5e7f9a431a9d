/**
 * Everything the UI asks of the control service — the contract between the window and the shell.
 *
 * The Tauri implementation (`tauri.ts`) calls the shell's commands (snake_case names, given next to
 * each method) and listens to its events; tests and the browser preview use the in-memory mock
 * (`mock.ts`). Every method rejects with a `BackendError` ({code, message}; codes in errors.ts).
 * Types come from Rust (generated/, by ts-rs): never edit those by hand.
 */
import type { AppInfo } from './generated/AppInfo';
import type { CheckView } from './generated/CheckView';
import type { DashboardSnapshot } from './generated/DashboardSnapshot';
import type { DoublePurchaseView } from './generated/DoublePurchaseView';
import type { ForecastInput } from './generated/ForecastInput';
import type { LayoutView } from './generated/LayoutView';
import type { LiveAlert } from './generated/LiveAlert';
import type { LiveStatus } from './generated/LiveStatus';
import type { MetersView } from './generated/MetersView';
import type { NewShowInput } from './generated/NewShowInput';
import type { OrderView } from './generated/OrderView';
import type { ProfileDoc } from './generated/ProfileDoc';
import type { PromoInput } from './generated/PromoInput';
import type { PromoView } from './generated/PromoView';
import type { RefundInput } from './generated/RefundInput';
import type { RefundView } from './generated/RefundView';
import type { RehearsalStatus } from './generated/RehearsalStatus';
import type { RiskNoticeView } from './generated/RiskNoticeView';
import type { SafeHtml } from './generated/SafeHtml';
import type { SecretStoreStatus } from './generated/SecretStoreStatus';
import type { ShowView } from './generated/ShowView';
import type { SlaSnapshot } from './generated/SlaSnapshot';
import type { StripeStatus } from './generated/StripeStatus';
import type { SupportEvent } from './generated/SupportEvent';
import type { TicketDetail } from './generated/TicketDetail';
import type { TicketListItem } from './generated/TicketListItem';
import type { TicketState } from './generated/TicketState';
import type { CategoryCount } from './generated/CategoryCount';
import type { ActionResult } from './generated/ActionResult';
import type { OutboxSummary } from './generated/OutboxSummary';
import type { MailboxStatus } from './generated/MailboxStatus';
import type { FollowUpPreview } from './generated/FollowUpPreview';
import type { OpenItem } from './generated/OpenItem';
import type { Retrospective } from './generated/Retrospective';

export type * from './generated/AppInfo';
export type * from './generated/RehearsalStatus';
export type * from './generated/ErrorBody';
export type * from './generated/LocalService';
export type * from './generated/RehearsalPhase';

export type Unlisten = () => void;

/** The window's language, for what the backend writes in words (the report, follow-up mail). */
export type ReportLanguage = 'en' | 'fr';

/** One JPEG frame of the program (about 640×360, 10 per second). */
export interface PreviewFrame {
  /** `data:image/jpeg;base64,…`, ready for an <img>. */
  dataUrl: string;
  width: number;
  height: number;
}

/** A source's thumbnail (about 256×144, 4 per second): the program slot it fills and its name. */
export interface SourceThumbnail extends PreviewFrame {
  slot: number;
  source: string;
}

/** A slate the operator can cut to. */
export type SlateKind = 'countdown' | 'starting_soon' | 'be_right_back' | 'ended';

/** The filter of the ticket queue. */
export interface TicketQuery {
  status?: TicketState | null;
  category?: 'payment' | 'refund' | 'overcharge' | 'promo_code' | 'access' | 'other' | null;
  /** Free text; "SD-12" opens that ticket. */
  text?: string | null;
  limit?: number;
  offset?: number;
}

/** Mailbox settings entered in setup; the passwords are keyring entry names, never values. */
export interface MailboxInput {
  address: string;
  displayName: string;
  imapHost: string;
  imapPort: number;
  /** tls, starttls or plain (plain only on loopback). */
  imapSecurity: 'tls' | 'starttls' | 'plain';
  imapUser: string;
  imapPasswordSecret: string;
  smtpHost: string;
  smtpPort: number;
  smtpSecurity: 'tls' | 'starttls' | 'plain';
  smtpUser: string;
  smtpPasswordSecret: string;
}

export interface Backend {
  // --- This installation and the rehearsal stack ---------------------------------------------
  /** `app_info` */
  appInfo(): Promise<AppInfo>;
  /** `rehearsal_status` */
  rehearsalStatus(): Promise<RehearsalStatus>;
  /** `rehearsal_start` */
  startRehearsal(): Promise<RehearsalStatus>;
  /** `rehearsal_stop` */
  stopRehearsal(): Promise<RehearsalStatus>;
  /** event `rehearsal-status` */
  onRehearsalStatus(handler: (status: RehearsalStatus) => void): Promise<Unlisten>;
  /** `drill_set` — the rehearsal drill (ticket rush, viewers, support mail) on or off. */
  setDrill(on: boolean): Promise<void>;
  /** `drill_status` — whether the drill runs (also when `--drill` started it). */
  drillStatus(): Promise<boolean>;

  // --- Setup -----------------------------------------------------------------------------------
  /** `secret_store_status` — where secrets can be kept; `available: false` explains why not. */
  secretStoreStatus(): Promise<SecretStoreStatus>;
  /** `secret_set` — stores a secret in the OS keyring (read back before resolving). */
  setSecret(name: string, value: string): Promise<void>;
  /** `secret_hint` — the masked form of a stored secret ("****b4a1"); rejects when absent. */
  secretHint(name: string): Promise<string>;
  /** `secret_delete` */
  deleteSecret(name: string): Promise<void>;
  /** `profile_get` — the show profile (a starter one on a new installation). */
  profile(): Promise<ProfileDoc>;
  /** `profile_save` — checked first; the error names the field ("destinations[0].url: …"). */
  saveProfile(profile: ProfileDoc): Promise<void>;
  /** `profile_export` — TOML, without secrets. */
  exportProfile(): Promise<string>;
  /** `profile_import` — replaces the profile; nothing changes when it is invalid. */
  importProfile(toml: string): Promise<ProfileDoc>;
  /** `stripe_connect` — the key is read from the keyring entry `secretName`, then verified. */
  connectStripe(secretName: string): Promise<StripeStatus>;
  /** `stripe_status` */
  stripeStatus(): Promise<StripeStatus>;
  /** `mailbox_connect` — verifies IMAP and SMTP, then starts intake and the outbox. */
  connectMailbox(input: MailboxInput): Promise<void>;

  // --- Before the show ---------------------------------------------------------------------------
  /** `preflight` — the checklist (sources, destinations; bandwidth when asked: ~20 s each). */
  preflight(withBandwidth: boolean): Promise<CheckView[]>;
  /** `risk_notice` — the letters to send the payment and mail providers before the show. */
  riskNotice(input: ForecastInput): Promise<RiskNoticeView>;

  // --- The show on air ---------------------------------------------------------------------------
  /** `live_status` */
  liveStatus(): Promise<LiveStatus>;
  /** `go_live` — with the saved profile, tied to a box-office show when given. */
  goLive(showId: string | null): Promise<LiveStatus>;
  /** `end_show` — stops every output, finalises the recording. */
  endShow(): Promise<LiveStatus>;
  /** `set_layout` — a cut (`{layout: 'single', slot}`) or picture-in-picture. */
  setLayout(layout: LayoutView): Promise<void>;
  /** `show_slate` */
  showSlate(kind: SlateKind): Promise<void>;
  /** `set_audio` — gain in dB (−60…+24) and mute of an audio channel. */
  setAudio(channel: number, gainDb: number, muted: boolean): Promise<void>;
  /** `retry_output` — "retry now" on a destination. */
  retryOutput(outputId: string): Promise<void>;
  /** event `live-status`, every second while live (and once when it ends). */
  onLiveStatus(handler: (status: LiveStatus) => void): Promise<Unlisten>;
  /** channel `meters`, about 20 per second while live. */
  onMeters(handler: (meters: MetersView) => void): Promise<Unlisten>;
  /** channel `preview`, about 10 frames per second while live. */
  onPreview(handler: (frame: PreviewFrame) => void): Promise<Unlisten>;
  /** channel `subscribe_thumbnails`, each source's picture about 4 times a second while live. */
  onThumbnails(handler: (thumbnail: SourceThumbnail) => void): Promise<Unlisten>;
  /** event `alert` — outputs down/back, dropped frames, sound, sales, decline rate, support surge,
   * viewers above tickets. The serious ones also raise a desktop notification. */
  onAlert(handler: (alert: LiveAlert) => void): Promise<Unlisten>;

  // --- Box office and audience ---------------------------------------------------------------------
  /** `shows` */
  shows(): Promise<ShowView[]>;
  /** `show_create` */
  createShow(input: NewShowInput): Promise<ShowView>;
  /** `show_put_on_sale` — product, price, Payment Link in Stripe. */
  putOnSale(showId: string): Promise<ShowView>;
  /** `show_sales_open` */
  setSalesOpen(showId: string, open: boolean): Promise<ShowView>;
  /** `dashboard` — cheap enough every second. */
  dashboard(showId: string): Promise<DashboardSnapshot>;
  /** `orders` */
  orders(showId: string, limit: number, offset: number): Promise<OrderView[]>;
  /** `refund` */
  refund(input: RefundInput): Promise<RefundView>;
  /** `double_purchases` */
  doublePurchases(showId: string): Promise<DoublePurchaseView[]>;
  /** `double_purchase_refund` — the one action: refund the duplicate and mail the buyer. */
  refundDoublePurchase(flagId: number): Promise<RefundView>;
  /** `double_purchase_dismiss` */
  dismissDoublePurchase(flagId: number): Promise<DoublePurchaseView>;
  /** `promo_codes` */
  promoCodes(showId: string): Promise<PromoView[]>;
  /** `promo_create` */
  createPromo(input: PromoInput): Promise<PromoView>;
  /** `audience_series` — viewers over time: [ms, viewers | null] (null: unknown). */
  audienceSeries(showId: string): Promise<Array<[number, number | null]>>;

  // --- Support ---------------------------------------------------------------------------------------
  /** `tickets` — most urgent first. */
  tickets(query: TicketQuery): Promise<TicketListItem[]>;
  /** `ticket` — with messages (bodies as text; HTML through `messageHtml`), the buyer's orders. */
  ticket(ticketId: number): Promise<TicketDetail>;
  /** `message_html` — sanitized HTML for the sandboxed frame; remote images only when asked. */
  messageHtml(messageId: number, allowRemoteImages: boolean): Promise<SafeHtml>;
  /** `ticket_counts` — by category. */
  categoryCounts(): Promise<CategoryCount[]>;
  /** `sla` — since the show's start (ms). */
  sla(sinceMs: number): Promise<SlaSnapshot>;
  /** `outbox_summary` */
  outboxSummary(): Promise<OutboxSummary>;
  /** `mailbox_status` — connected, and answering or why not (never an error). */
  mailboxStatus(): Promise<MailboxStatus>;
  /** `macros` — the canned replies' names. */
  macros(): Promise<string[]>;
  /** `ticket_refund` — on one of the ticket's orders; `amountMinor: null` refunds what remains. */
  refundFromTicket(ticketId: number, orderId: string, amountMinor: number | null): Promise<ActionResult>;
  /** `ticket_double_charge` */
  resolveDoubleCharge(ticketId: number): Promise<ActionResult>;
  /** `ticket_promo` — a single-use code, mailed: percent (1–100) or a fixed amount in minor units. */
  issuePromo(ticketId: number, value: { percent: number } | { amountMinor: number; currency: string }): Promise<ActionResult>;
  /** `ticket_resend_access` */
  resendAccess(ticketId: number): Promise<ActionResult>;
  /** `ticket_cancel` */
  cancelOrder(ticketId: number, orderId: string): Promise<ActionResult>;
  /** `ticket_reply` — free text, or a macro by name (variables filled in). `confirmForeign` sends
   * order details to a sender who is not the buyer (the operator said yes). */
  reply(ticketId: number, reply: { text: string } | { macro: string }, confirmForeign: boolean): Promise<ActionResult>;
  /** `ticket_status` — open, answered or resolved (there is no "closed"). */
  setTicketStatus(ticketId: number, status: TicketState): Promise<void>;
  /** event `support` */
  onSupportEvent(handler: (event: SupportEvent) => void): Promise<Unlisten>;

  // --- After the show --------------------------------------------------------------------------------
  // `language` (optional, English when absent): the words of the report, the prefilled
  // retrospective, the follow-up mails and the open items follow the window's language.
  /** `report_html` — the whole report as one self-contained HTML page (charts inline), for a
   * sandboxed frame. */
  reportHtml(showId: string, language?: ReportLanguage): Promise<string>;
  /** `report_export` — report.html, report.pdf, orders.csv, refunds.csv, tickets.csv into `folder`;
   * returns the files written. */
  exportReport(showId: string, folder: string, language?: ReportLanguage): Promise<string[]>;
  /** `retrospective` — saved, or prefilled from the report's facts. */
  retrospective(showId: string, language?: ReportLanguage): Promise<Retrospective>;
  /** `retrospective_save` */
  saveRetrospective(showId: string, retrospective: Retrospective): Promise<void>;
  /** `follow_ups` — the follow-up mails with a rendered sample each. */
  followUps(showId: string, language?: ReportLanguage): Promise<FollowUpPreview[]>;
  /** `follow_ups_send` — queues them in the paced outbox (each buyer once per kind); returns how many. */
  sendFollowUps(showId: string, kinds: string[], language?: ReportLanguage): Promise<number>;
  /** `open_items` — refunds still owed, tickets not closed, double purchases not resolved. */
  openItems(showId: string, language?: ReportLanguage): Promise<OpenItem[]>;
}
