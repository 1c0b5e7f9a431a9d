import type { ErrorBody } from './generated/ErrorBody';

/**
 * Error codes the control service sends, by area. They mirror `code()` in the Rust crates
 * (showdesk-platform and its keyring, showdesk-media, showdesk-store, showdesk-core's box office,
 * showdesk-connectors, showdesk-control and the shell's `invalid`); each has a sentence in English
 * and French (messages/errors.ts, checked by a test). An unknown code is still shown with its
 * message.
 */
export const ERROR_CODES = {
  /** Input from the window that cannot be used; the message names the field ("status: …"). */
  invalid: 'invalid',
  /** The control service hit a bug or a failed task. */
  internal: 'internal',
  /** Something must be set up first (Stripe connected, a secret read from the keyring). */
  notReady: 'not_ready',
  platformNoHome: 'platform.no_home',
  platformEmptyHome: 'platform.empty_home',
  platformHomeIsFile: 'platform.home_is_file',
  platformCreateDir: 'platform.create_dir',
  platformLogging: 'platform.logging',
  keyringNoStore: 'keyring.no_store',
  keyringNotFound: 'keyring.not_found',
  keyringBadName: 'keyring.bad_name',
  keyringEmpty: 'keyring.empty',
  keyringNotKept: 'keyring.not_kept',
  keyringStore: 'keyring.store',
  /** The show profile does not hold together; the message names the field ("destinations[0].url: …"). */
  profileInvalid: 'profile.invalid',
  mediaInit: 'media.init',
  mediaMissingElement: 'media.missing_element',
  mediaBuild: 'media.build',
  mediaState: 'media.state',
  mediaBadCommand: 'media.bad_command',
  mediaBadValue: 'media.bad_value',
  mediaSourceUnavailable: 'media.source_unavailable',
  mediaIo: 'media.io',
  rehearsalToolMissing: 'rehearsal.tool_missing',
  rehearsalExited: 'rehearsal.exited',
  rehearsalNotReady: 'rehearsal.not_ready',
  rehearsalNoFreePort: 'rehearsal.no_free_port',
  rehearsalProtocol: 'rehearsal.protocol',
  rehearsalIo: 'rehearsal.io',
  storeOpen: 'store.open',
  storeMigrate: 'store.migrate',
  storeQuery: 'store.query',
  storeCorrupt: 'store.corrupt',
  storeNotFound: 'store.not_found',
  storeConflict: 'store.conflict',
  boxOfficeMoney: 'box_office.money',
  boxOfficeInvalid: 'box_office.invalid',
  boxOfficeNotRefundable: 'box_office.not_refundable',
  boxOfficeRefundExceedsRemaining: 'box_office.refund_exceeds_remaining',
  boxOfficeRefundNotPositive: 'box_office.refund_not_positive',
  boxOfficePromoRefused: 'box_office.promo_refused',
  /** Box-office refusals reach support as `box_office.<its code>`; this one means it is not connected. */
  boxOfficeUnavailable: 'box_office.unavailable',
  stripeConfig: 'stripe.config',
  stripeAuth: 'stripe.auth',
  stripeCardDeclined: 'stripe.card_declined',
  stripeInvalidRequest: 'stripe.invalid_request',
  stripeNotFound: 'stripe.not_found',
  stripeRateLimited: 'stripe.rate_limited',
  stripeIdempotency: 'stripe.idempotency',
  stripeApi: 'stripe.api',
  stripeNetwork: 'stripe.network',
  stripeDecode: 'stripe.decode',
  audienceConfig: 'audience.config',
  audienceNetwork: 'audience.network',
  audienceHttp: 'audience.http',
  audienceDecode: 'audience.decode',
  connectorConnect: 'connector.connect',
  connectorAuth: 'connector.auth',
  connectorTimeout: 'connector.timeout',
  connectorProtocol: 'connector.protocol',
  connectorPermanent: 'connector.permanent',
  connectorTransient: 'connector.transient',
  connectorCompose: 'connector.compose',
  connectorSettings: 'connector.settings',
  supportNotConfigured: 'support.not_configured',
  supportNoTicket: 'support.no_ticket',
  supportNoTemplate: 'support.no_template',
  supportMissingVariable: 'support.missing_variable',
  /** The recipient is not the buyer: ask the operator to confirm before sending order details. */
  supportForeignRecipient: 'support.foreign_recipient',
  supportNoSuchOrder: 'support.no_such_order',
  supportNoDuplicate: 'support.no_duplicate',
  supportBadAmount: 'support.bad_amount',
  supportNoRecipient: 'support.no_recipient',
  supportAckOff: 'support.ack_off',
  /** A report file could not be written into the chosen folder. */
  reportExportFailed: 'report.export_failed',
  /** Not from Rust: the IPC call itself failed. */
  ipc: 'ipc',
} as const;

export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

/** An error from the backend, `{code, message}` as it crossed IPC. */
export class BackendError extends Error {
  readonly code: string;

  constructor(body: ErrorBody) {
    super(body.message);
    this.name = 'BackendError';
    this.code = body.code;
  }

  /** Whatever a rejected IPC call carried, as a BackendError. */
  static from(raw: unknown): BackendError {
    if (raw instanceof BackendError) return raw;
    if (typeof raw === 'object' && raw !== null && 'code' in raw && 'message' in raw) {
      return new BackendError({ code: String(raw.code), message: String(raw.message) });
    }
    return new BackendError({ code: ERROR_CODES.ipc, message: raw instanceof Error ? raw.message : String(raw) });
  }
}
