import { Channel, invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';

import type { Backend, PreviewFrame, RehearsalStatus, SourceThumbnail, Unlisten } from './backend';
import { BackendError } from './errors';
import type { LiveAlert } from './generated/LiveAlert';
import type { LiveStatus } from './generated/LiveStatus';
import type { MetersView } from './generated/MetersView';
import type { SupportEvent } from './generated/SupportEvent';

/**
 * The backend in the app: each method is one shell command (`invoke`), event (`listen`) or channel.
 * Argument keys are camelCase; Tauri hands them to the Rust parameters of the same name in
 * snake_case (`showId` → `show_id`). Nested objects cross as they are (serde decides their keys).
 */

/** Event names; they match src-tauri. */
const EVENTS = {
  rehearsal: 'rehearsal-status',
  live: 'live-status',
  alert: 'alert',
  support: 'support',
} as const;

/** A preview frame as the shell sends it over its channel. */
interface RawFrame {
  jpeg_base64: string;
  width: number;
  height: number;
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (raw) {
    throw BackendError.from(raw);
  }
}

async function on<T>(event: string, handler: (payload: T) => void): Promise<Unlisten> {
  try {
    return await listen<T>(event, (message) => handler(message.payload));
  } catch (raw) {
    throw BackendError.from(raw);
  }
}

/**
 * Opens a channel with `command`. The shell streams until the window goes; our Unlisten detaches
 * the handler (the contract has no unsubscribe command).
 */
async function subscribe<T>(command: string, handler: (message: T) => void): Promise<Unlisten> {
  let attached = true;
  const channel = new Channel<T>();
  channel.onmessage = (message) => {
    if (attached) handler(message);
  };
  await call<void>(command, { channel });
  return () => {
    attached = false;
    channel.onmessage = () => undefined;
  };
}

export function frameOf(raw: RawFrame): PreviewFrame {
  return { dataUrl: `data:image/jpeg;base64,${raw.jpeg_base64}`, width: raw.width, height: raw.height };
}

/** A source's thumbnail as the shell sends it (a frame plus its slot and source). */
interface RawThumbnail extends RawFrame {
  slot: number;
  source: string;
}

export function thumbnailOf(raw: RawThumbnail): SourceThumbnail {
  return { ...frameOf(raw), slot: raw.slot, source: raw.source };
}

export const tauriBackend: Backend = {
  // This installation and the rehearsal stack
  appInfo: () => call('app_info'),
  rehearsalStatus: () => call('rehearsal_status'),
  startRehearsal: () => call('rehearsal_start'),
  stopRehearsal: () => call('rehearsal_stop'),
  onRehearsalStatus: (handler) => on<RehearsalStatus>(EVENTS.rehearsal, handler),
  setDrill: (on) => call('drill_set', { on }),
  drillStatus: () => call('drill_status'),

  // Setup
  secretStoreStatus: () => call('secret_store_status'),
  setSecret: (name, value) => call('secret_set', { name, value }),
  secretHint: (name) => call('secret_hint', { name }),
  deleteSecret: (name) => call('secret_delete', { name }),
  profile: () => call('profile_get'),
  saveProfile: (profile) => call('profile_save', { profile }),
  exportProfile: () => call('profile_export'),
  importProfile: (toml) => call('profile_import', { toml }),
  connectStripe: (secretName) => call('stripe_connect', { secretName }),
  stripeStatus: () => call('stripe_status'),
  connectMailbox: (input) => call('mailbox_connect', { input }),

  // Before the show
  preflight: (withBandwidth) => call('preflight', { withBandwidth }),
  riskNotice: (input) => call('risk_notice', { input }),

  // The show on air
  liveStatus: () => call('live_status'),
  goLive: (showId) => call('go_live', { showId }),
  endShow: () => call('end_show'),
  setLayout: (layout) => call('set_layout', { layout }),
  showSlate: (kind) => call('show_slate', { kind }),
  setAudio: (channel, gainDb, muted) => call('set_audio', { channel, gainDb, muted }),
  retryOutput: (outputId) => call('retry_output', { outputId }),
  onLiveStatus: (handler) => on<LiveStatus>(EVENTS.live, handler),
  onMeters: (handler) => subscribe<MetersView>('subscribe_meters', handler),
  onPreview: (handler) => subscribe<RawFrame>('subscribe_preview', (raw) => handler(frameOf(raw))),
  onThumbnails: (handler) => subscribe<RawThumbnail>('subscribe_thumbnails', (raw) => handler(thumbnailOf(raw))),
  onAlert: (handler) => on<LiveAlert>(EVENTS.alert, handler),

  // Box office and audience
  shows: () => call('shows'),
  createShow: (input) => call('show_create', { input }),
  putOnSale: (showId) => call('show_put_on_sale', { showId }),
  setSalesOpen: (showId, open) => call('show_sales_open', { showId, open }),
  dashboard: (showId) => call('dashboard', { showId }),
  orders: (showId, limit, offset) => call('orders', { showId, limit, offset }),
  refund: (input) => call('refund', { input }),
  doublePurchases: (showId) => call('double_purchases', { showId }),
  refundDoublePurchase: (flagId) => call('double_purchase_refund', { flagId }),
  dismissDoublePurchase: (flagId) => call('double_purchase_dismiss', { flagId }),
  promoCodes: (showId) => call('promo_codes', { showId }),
  createPromo: (input) => call('promo_create', { input }),
  audienceSeries: (showId) => call('audience_series', { showId }),

  // Support
  tickets: (query) => call('tickets', { query }),
  ticket: (ticketId) => call('ticket', { ticketId }),
  messageHtml: (messageId, allowRemoteImages) => call('message_html', { messageId, allowRemoteImages }),
  categoryCounts: () => call('ticket_counts'),
  sla: (sinceMs) => call('sla', { sinceMs }),
  outboxSummary: () => call('outbox_summary'),
  mailboxStatus: () => call('mailbox_status'),
  macros: () => call('macros'),
  refundFromTicket: (ticketId, orderId, amountMinor) => call('ticket_refund', { ticketId, orderId, amountMinor }),
  resolveDoubleCharge: (ticketId) => call('ticket_double_charge', { ticketId }),
  issuePromo: (ticketId, value) => call('ticket_promo', { ticketId, value }),
  resendAccess: (ticketId) => call('ticket_resend_access', { ticketId }),
  cancelOrder: (ticketId, orderId) => call('ticket_cancel', { ticketId, orderId }),
  reply: (ticketId, reply, confirmForeign) => call('ticket_reply', { ticketId, reply, confirmForeign }),
  setTicketStatus: (ticketId, status) => call('ticket_status', { ticketId, status }),
  onSupportEvent: (handler) => on<SupportEvent>(EVENTS.support, handler),

  // After the show
  reportHtml: (showId, language) => call('report_html', { showId, language: language ?? null }),
  exportReport: (showId, folder, language) => call('report_export', { showId, folder, language: language ?? null }),
  retrospective: (showId, language) => call('retrospective', { showId, language: language ?? null }),
  saveRetrospective: (showId, retrospective) => call('retrospective_save', { showId, retrospective }),
  followUps: (showId, language) => call('follow_ups', { showId, language: language ?? null }),
  sendFollowUps: (showId, kinds, language) => call('follow_ups_send', { showId, kinds, language: language ?? null }),
  openItems: (showId, language) => call('open_items', { showId, language: language ?? null }),
};
