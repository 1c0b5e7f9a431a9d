//! What the ledger stores and gives back. Domain types come from showdesk-core; these add what only
//! persistence knows (ids, times, processor ids).

use serde::Serialize;
use showdesk_core::box_office::{
    BuyerDetails, DoublePurchase, MatchedOn, OrderFacts, OrderStatus, PaymentRefs, PromoRules, RefundReason,
};
use showdesk_core::{Currency, Money};

/// The processor objects selling a show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShowListing {
    pub product_id: String,
    pub price_id: String,
    pub payment_link_id: String,
    pub payment_link_url: String,
    pub sales_open: bool,
}

/// An order as the ledger holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderRecord {
    pub id: String,
    pub show_id: Option<String>,
    pub refs: PaymentRefs,
    pub payment_link_id: Option<String>,
    pub buyer: BuyerDetails,
    pub currency: Option<Currency>,
    pub facts: OrderFacts,
    pub status: OrderStatus,
    pub promotion_code_id: Option<String>,
    pub discount_minor: i64,
    pub purchased_ms: i64,
    pub ticket_issued_ms: Option<i64>,
    pub updated_ms: i64,
}

impl OrderRecord {
    /// What the buyer paid, when known.
    pub fn amount(&self) -> Option<Money> {
        Some(Money::new(self.facts.amount_minor?, self.currency?))
    }
}

/// A show's totals, kept incrementally.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ShowTotals {
    /// Valid tickets now (paid or partially refunded).
    pub tickets: i64,
    pub paid_orders: i64,
    pub gross_minor: i64,
    pub refunded_minor: i64,
    pub pending_orders: i64,
    pub failed_orders: i64,
    pub refunded_orders: i64,
    pub disputed_orders: i64,
}

/// Use of one promotion code on one show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PromoTotals {
    pub promotion_code_id: String,
    /// The customer-facing code when it is one of ours.
    pub code: Option<String>,
    pub tickets: i64,
    pub paid_orders: i64,
    pub gross_minor: i64,
    pub discount_minor: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SalesMinute {
    pub minute_ms: i64,
    pub tickets: i64,
}

/// Everything the dashboard shows of the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LedgerTotals {
    pub totals: ShowTotals,
    pub promo: Vec<PromoTotals>,
    pub sales_per_minute: Vec<SalesMinute>,
    pub pending_refunds: i64,
    pub pending_refunds_minor: i64,
    pub open_double_purchases: i64,
}

/// A refund as asked by an operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRefund {
    pub order_id: String,
    pub amount: Money,
    pub reason: RefundReason,
    pub actor: String,
    pub now_ms: i64,
    /// An identical request for the same order within this window is the same action.
    pub repeat_window_ms: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundStatus {
    Requested,
    Succeeded,
    Failed,
}

impl RefundStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Requested => "requested",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Requested, Self::Succeeded, Self::Failed].into_iter().find(|s| s.as_str() == text)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefundRecord {
    pub id: i64,
    pub order_id: String,
    pub amount: Money,
    pub reason: RefundReason,
    pub status: RefundStatus,
    /// Sent with the processor call; derived from this refund's own id, so a retry after a crash
    /// or a repeated click sends the same key.
    pub idempotency_key: String,
    pub processor_refund_id: Option<String>,
    pub error_code: Option<String>,
    pub requested_by: String,
    pub requested_ms: i64,
    pub settled_ms: Option<i64>,
}

/// `begin_refund`'s answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundStart {
    /// A new refund, recorded as requested: send it.
    New(RefundRecord),
    /// The same request was made moments ago: this is that refund (send it again only if it is
    /// still `requested` — the idempotency key makes the processor answer once).
    Repeated(RefundRecord),
}

impl RefundStart {
    pub fn record(&self) -> &RefundRecord {
        match self {
            Self::New(record) | Self::Repeated(record) => record,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundSettlement {
    Succeeded { processor_refund_id: String, now_ms: i64 },
    Failed { error_code: String, now_ms: i64 },
}

/// A promo code to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPromoCode {
    pub show_id: String,
    /// Already validated (`PromoRules::validated`).
    pub rules: PromoRules,
    pub currency: Currency,
    pub actor: String,
    pub now_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PromoCodeRecord {
    pub id: i64,
    pub show_id: String,
    pub rules: PromoRules,
    pub processor_coupon_id: Option<String>,
    pub processor_promotion_code_id: Option<String>,
    pub active: bool,
    /// Paid orders that used it.
    pub redemptions: i64,
    pub created_by: String,
    pub created_ms: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DoublePurchaseStatus {
    Open,
    Refunded,
    Dismissed,
}

impl DoublePurchaseStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Refunded => "refunded",
            Self::Dismissed => "dismissed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Open, Self::Refunded, Self::Dismissed].into_iter().find(|s| s.as_str() == text)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DoublePurchaseRecord {
    pub id: i64,
    pub flag: DoublePurchase,
    pub status: DoublePurchaseStatus,
    pub flagged_ms: i64,
    pub resolved_by: Option<String>,
    pub resolved_ms: Option<i64>,
}

impl DoublePurchaseRecord {
    pub fn matched_on(&self) -> MatchedOn {
        self.flag.matched_on
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncCursor {
    pub name: String,
    /// The processor's position (an event id).
    pub position: String,
    /// When that position was created at the processor, UTC milliseconds.
    pub position_ms: i64,
    pub updated_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BuyerNotice {
    pub id: i64,
    pub kind: String,
    pub order_id: String,
    pub reference: String,
    pub email: String,
    pub created_ms: i64,
}
