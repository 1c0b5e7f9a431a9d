//! The box office ledger: the repository the control service's box-office use cases write to and
//! the dashboard reads from. The rules (how an order folds, what can be refunded, who is a double
//! buyer) are showdesk-core's; this keeps them durable, atomically, and keeps per-show totals
//! incrementally so the dashboard costs the same at 10 orders and at a million.

mod apply;
mod records;
mod rows;
mod sql_apply;
mod sql_queries;
mod sql_refunds;

use async_trait::async_trait;
use showdesk_core::box_office::{AttemptCounts, AttemptOutcome, NewShow, PaymentEvent, Show};

pub use apply::{ApplyOptions, ApplyReport, TicketIssued};
pub use records::{
    BuyerNotice, DoublePurchaseRecord, DoublePurchaseStatus, LedgerTotals, NewPromoCode, NewRefund, OrderRecord,
    PromoCodeRecord, PromoTotals, RefundRecord, RefundSettlement, RefundStart, RefundStatus, SalesMinute, ShowListing,
    ShowTotals, SyncCursor,
};

pub(crate) use rows::{REFUND_COLUMNS, RefundRow};

use crate::StoreError;

/// Notice kinds the ledger itself queues.
pub const NOTICE_TICKET_CONFIRMATION: &str = "ticket_confirmation";

/// The ledger repository. Every method is atomic.
#[async_trait]
pub trait LedgerStore {
    // Shows.
    async fn create_show(&self, id: &str, show: &NewShow) -> Result<Show, StoreError>;
    async fn show(&self, id: &str) -> Result<Option<Show>, StoreError>;
    async fn list_shows(&self) -> Result<Vec<Show>, StoreError>;
    /// Records the processor objects that sell the show (product, price, Payment Link).
    async fn set_show_listing(&self, id: &str, listing: &ShowListing) -> Result<(), StoreError>;
    async fn set_sales_open(&self, id: &str, open: bool) -> Result<(), StoreError>;

    // The ledger proper.
    /// Applies a batch of payment events: each event id once ever (repeats are counted and
    /// skipped), oldest first by `created` then id whatever order they come in, folded into their
    /// orders; per-show totals, sales per minute, payment attempts, double-purchase flags and
    /// ticket confirmations to send all change in the same transaction.
    async fn apply_payment_events(
        &self,
        events: &[PaymentEvent],
        options: &ApplyOptions,
    ) -> Result<ApplyReport, StoreError>;
    async fn order(&self, id: &str) -> Result<Option<OrderRecord>, StoreError>;
    /// The order a processor id belongs to (`cs_…`, `pi_…` or `ch_…`).
    async fn order_by_processor_id(&self, processor_id: &str) -> Result<Option<OrderRecord>, StoreError>;
    /// A show's orders, newest first.
    async fn orders_for_show(&self, show_id: &str, limit: u32, offset: u32) -> Result<Vec<OrderRecord>, StoreError>;
    /// Every order of a buyer (by normalised email), newest first: what support needs at hand.
    async fn orders_for_buyer(&self, email: &str) -> Result<Vec<OrderRecord>, StoreError>;
    /// Totals, sales per minute since `since_ms`, promo use, pending refunds, open double
    /// purchases: everything the dashboard shows of the ledger, without scanning orders.
    async fn ledger_totals(&self, show_id: &str, since_ms: i64) -> Result<LedgerTotals, StoreError>;

    // Refunds.
    /// Checks the request against what remains on the order (C17) and records it, returning the
    /// refund to send with its idempotency key; or the same refund again when an identical request
    /// for the order was made within `repeat_window_ms` (a double click refunds once).
    async fn begin_refund(&self, refund: &NewRefund) -> Result<RefundStart, StoreError>;
    async fn settle_refund(&self, refund_id: i64, settlement: &RefundSettlement) -> Result<RefundRecord, StoreError>;
    async fn refunds_for_order(&self, order_id: &str) -> Result<Vec<RefundRecord>, StoreError>;

    // Promo codes.
    async fn create_promo_code(&self, promo: &NewPromoCode) -> Result<PromoCodeRecord, StoreError>;
    async fn set_promo_processor_ids(&self, id: i64, coupon: &str, promotion_code: &str) -> Result<(), StoreError>;
    async fn promo_codes_for_show(&self, show_id: &str) -> Result<Vec<PromoCodeRecord>, StoreError>;

    // Double purchases.
    async fn double_purchases(
        &self,
        show_id: &str,
        status: Option<DoublePurchaseStatus>,
    ) -> Result<Vec<DoublePurchaseRecord>, StoreError>;
    async fn double_purchase(&self, id: i64) -> Result<Option<DoublePurchaseRecord>, StoreError>;
    async fn resolve_double_purchase(
        &self,
        id: i64,
        status: DoublePurchaseStatus,
        actor: &str,
    ) -> Result<DoublePurchaseRecord, StoreError>;

    // Payment attempts (decline rates, 429s).
    async fn record_attempt(
        &self,
        at_ms: i64,
        show_id: Option<&str>,
        outcome: &AttemptOutcome,
    ) -> Result<(), StoreError>;
    /// Attempts in `[from_ms, to_ms)`, and the most frequent decline code among them.
    async fn attempt_counts(&self, from_ms: i64, to_ms: i64) -> Result<(AttemptCounts, Option<String>), StoreError>;

    // Sync cursors.
    async fn cursor(&self, name: &str) -> Result<Option<SyncCursor>, StoreError>;
    async fn set_cursor(&self, name: &str, position: &str, position_ms: i64) -> Result<(), StoreError>;
    /// Forgets a cursor (a lost cursor, a reconcile from scratch).
    async fn clear_cursor(&self, name: &str) -> Result<(), StoreError>;

    // Mail owed to buyers.
    /// Queues a notice unless the same (kind, order, reference) was queued before; returns whether
    /// it was new.
    async fn queue_buyer_notice(
        &self,
        kind: &str,
        order_id: &str,
        reference: &str,
        email: &str,
    ) -> Result<bool, StoreError>;
    async fn unsent_buyer_notices(&self, limit: u32) -> Result<Vec<BuyerNotice>, StoreError>;
    async fn mark_notice_sent(&self, id: i64) -> Result<(), StoreError>;
}

sql_apply::ledger_apply_impl!(crate::SqliteStore, sqlx::Sqlite);
sql_apply::ledger_apply_impl!(crate::PgStore, sqlx::Postgres);
sql_refunds::ledger_refunds_impl!(crate::SqliteStore);
sql_refunds::ledger_refunds_impl!(crate::PgStore);
sql_queries::ledger_store_impl!(crate::SqliteStore);
sql_queries::ledger_store_impl!(crate::PgStore);
