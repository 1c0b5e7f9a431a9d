//! What the UI shows of the box office and the audience: typed snapshots with their TypeScript form
//! (ts-rs, see `bindings`). Money crosses as integer minor units plus the currency code; times as
//! UTC milliseconds. No view ever holds a secret: keys appear masked.

use serde::{Deserialize, Serialize};
use showdesk_core::Money;
use showdesk_core::box_office::{Alert, Show};
use showdesk_store::ledger::{DoublePurchaseRecord, OrderRecord, PromoCodeRecord, RefundRecord};
use ts_rs::TS;

/// An amount: minor units (cents) and its ISO 4217 code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export_to = "MoneyView.ts")]
pub struct MoneyView {
    #[ts(type = "number")]
    pub minor: i64,
    pub currency: String,
}

impl From<Money> for MoneyView {
    fn from(money: Money) -> Self {
        Self { minor: money.minor, currency: money.currency.as_str().to_owned() }
    }
}

/// Whether payments are connected, and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export_to = "StripeStatus.ts")]
pub struct StripeStatus {
    pub connected: bool,
    /// "test" or "live": shown big, so nobody sells with test keys or refunds with live ones by mistake.
    pub mode: Option<String>,
    /// `sk_test_****abcd`.
    pub key_masked: Option<String>,
    #[ts(type = "number | null")]
    pub last_poll_ms: Option<i64>,
    /// Why the last poll failed (Stripe unreachable, key revoked), secrets masked; None while it
    /// answers.
    pub problem: Option<String>,
    /// The newest processor event applied, and when it was created.
    pub cursor: Option<String>,
    #[ts(type = "number | null")]
    pub cursor_created_ms: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export_to = "ShowView.ts")]
pub struct ShowView {
    pub id: String,
    pub title: String,
    #[ts(type = "number")]
    pub starts_at_ms: i64,
    #[ts(type = "number")]
    pub ends_at_ms: i64,
    pub price: MoneyView,
    pub capacity: u32,
    pub payment_link_url: Option<String>,
    pub watch_url: Option<String>,
    pub sales_open: bool,
}

impl From<&Show> for ShowView {
    fn from(show: &Show) -> Self {
        Self {
            id: show.id.clone(),
            title: show.title.clone(),
            starts_at_ms: show.starts_at_ms,
            ends_at_ms: show.ends_at_ms,
            price: show.price.into(),
            capacity: show.capacity,
            payment_link_url: show.payment_link_url.clone(),
            watch_url: show.watch_url.clone(),
            sales_open: show.sales_open,
        }
    }
}

/// A show as the operator enters it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export_to = "NewShowInput.ts")]
pub struct NewShowInput {
    pub title: String,
    #[ts(type = "number")]
    pub starts_at_ms: i64,
    #[ts(type = "number")]
    pub ends_at_ms: i64,
    pub price: MoneyView,
    pub capacity: u32,
    /// Where buyers watch (the host's event page).
    pub watch_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export_to = "OrderView.ts")]
pub struct OrderView {
    pub id: String,
    pub show_id: Option<String>,
    pub buyer_email: Option<String>,
    pub buyer_name: Option<String>,
    /// pending / paid / partially_refunded / refunded / disputed / failed.
    pub status: String,
    pub amount: Option<MoneyView>,
    pub refunded: Option<MoneyView>,
    /// What the refund form may still send (C17: capped at what remains).
    pub refundable: Option<MoneyView>,
    pub has_ticket: bool,
    pub promotion_code_id: Option<String>,
    pub checkout_session: Option<String>,
    pub payment_intent: Option<String>,
    #[ts(type = "number")]
    pub purchased_ms: i64,
}

impl OrderView {
    pub fn of(order: &OrderRecord, requested_refunds_minor: i64) -> Self {
        let money = |minor: i64| order.currency.map(|currency| Money::new(minor, currency).into());
        Self {
            id: order.id.clone(),
            show_id: order.show_id.clone(),
            buyer_email: order.buyer.email.clone(),
            buyer_name: order.buyer.name.clone(),
            status: order.status.as_str().to_owned(),
            amount: order.facts.amount_minor.and_then(money),
            refunded: money(order.facts.refunded_minor),
            refundable: if order.facts.payment == showdesk_core::box_office::PaymentState::Paid {
                money(showdesk_core::box_office::refundable_minor(&order.facts, requested_refunds_minor))
            } else {
                None
            },
            has_ticket: order.status.grants_access(),
            promotion_code_id: order.promotion_code_id.clone(),
            checkout_session: order.refs.checkout_session.clone(),
            payment_intent: order.refs.payment_intent.clone(),
            purchased_ms: order.purchased_ms,
        }
    }
}

/// A refund as the operator asks for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export_to = "RefundInput.ts")]
pub struct RefundInput {
    pub order_id: String,
    /// Minor units; `null` refunds everything that remains.
    #[ts(type = "number | null")]
    pub amount_minor: Option<i64>,
    /// duplicate / fraudulent / requested_by_customer.
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export_to = "RefundView.ts")]
pub struct RefundView {
    #[ts(type = "number")]
    pub id: i64,
    pub order_id: String,
    pub amount: MoneyView,
    pub reason: String,
    /// requested / succeeded / failed.
    pub status: String,
    pub error_code: Option<String>,
    pub requested_by: String,
    #[ts(type = "number")]
    pub requested_ms: i64,
    /// True when this was the same request made again moments ago (a double click): no second refund.
    pub repeated: bool,
}

impl RefundView {
    pub fn of(refund: &RefundRecord, repeated: bool) -> Self {
        Self {
            id: refund.id,
            order_id: refund.order_id.clone(),
            amount: refund.amount.into(),
            reason: refund.reason.as_str().to_owned(),
            status: refund.status.as_str().to_owned(),
            error_code: refund.error_code.clone(),
            requested_by: refund.requested_by.clone(),
            requested_ms: refund.requested_ms,
            repeated,
        }
    }
}

/// A promo code as the operator creates it: `percent_off` XOR `amount_off_minor`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export_to = "PromoInput.ts")]
pub struct PromoInput {
    pub show_id: String,
    pub code: String,
    pub percent_off: Option<u8>,
    #[ts(type = "number | null")]
    pub amount_off_minor: Option<i64>,
    pub max_redemptions: Option<u32>,
    #[ts(type = "number | null")]
    pub expires_at_ms: Option<i64>,
    /// A single-use code for this buyer only.
    pub for_buyer: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export_to = "PromoView.ts")]
pub struct PromoView {
    #[ts(type = "number")]
    pub id: i64,
    pub code: String,
    pub percent_off: Option<u8>,
    pub amount_off: Option<MoneyView>,
    pub max_redemptions: Option<u32>,
    #[ts(type = "number | null")]
    pub expires_at_ms: Option<i64>,
    pub for_buyer: Option<String>,
    #[ts(type = "number")]
    pub redemptions: i64,
    pub active_in_stripe: bool,
}

impl From<&PromoCodeRecord> for PromoView {
    fn from(promo: &PromoCodeRecord) -> Self {
        use showdesk_core::box_office::Discount;
        let (percent_off, amount_off) = match promo.rules.discount {
            Discount::Percent { percent } => (Some(percent), None),
            Discount::Amount { amount } => (None, Some(amount.into())),
        };
        Self {
            id: promo.id,
            code: promo.rules.code.clone(),
            percent_off,
            amount_off,
            max_redemptions: promo.rules.max_redemptions,
            expires_at_ms: promo.rules.expires_at_ms,
            for_buyer: promo.rules.for_buyer.clone(),
            redemptions: promo.redemptions,
            active_in_stripe: promo.active && promo.processor_promotion_code_id.is_some(),
        }
    }
}

/// "Possible double purchase", with its one action: refund the duplicate and mail the buyer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export_to = "DoublePurchaseView.ts")]
pub struct DoublePurchaseView {
    #[ts(type = "number")]
    pub id: i64,
    pub original_order_id: String,
    pub duplicate_order_id: String,
    /// email / customer / card_fingerprint.
    pub matched_on: String,
    /// open / refunded / dismissed.
    pub status: String,
    #[ts(type = "number")]
    pub flagged_ms: i64,
}

impl From<&DoublePurchaseRecord> for DoublePurchaseView {
    fn from(record: &DoublePurchaseRecord) -> Self {
        Self {
            id: record.id,
            original_order_id: record.flag.original_order_id.clone(),
            duplicate_order_id: record.flag.duplicate_order_id.clone(),
            matched_on: record.flag.matched_on.as_str().to_owned(),
            status: record.status.as_str().to_owned(),
            flagged_ms: record.flagged_ms,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export_to = "AlertView.ts")]
pub struct AlertView {
    /// decline_rate_rising / rate_limited / viewers_exceed_tickets.
    pub kind: String,
    /// warning / critical.
    pub severity: String,
    pub title: String,
    pub meaning: String,
    pub action: String,
}

impl From<&Alert> for AlertView {
    fn from(alert: &Alert) -> Self {
        Self {
            kind: alert.kind.as_str().to_owned(),
            severity: match alert.severity {
                showdesk_core::box_office::Severity::Warning => "warning",
                showdesk_core::box_office::Severity::Critical => "critical",
            }
            .to_owned(),
            title: alert.title.clone(),
            meaning: alert.meaning.clone(),
            action: alert.action.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export_to = "PromoUseView.ts")]
pub struct PromoUseView {
    /// The customer-facing code when it is one of ours, else Stripe's promotion code id.
    pub code: String,
    #[ts(type = "number")]
    pub tickets: i64,
    #[ts(type = "number")]
    pub paid_orders: i64,
    pub gross: MoneyView,
    pub discount: MoneyView,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export_to = "SalesMinuteView.ts")]
pub struct SalesMinuteView {
    #[ts(type = "number")]
    pub minute_ms: i64,
    #[ts(type = "number")]
    pub tickets: i64,
}

/// Everything the box-office panel shows, in one call cheap enough to make every second.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export_to = "DashboardSnapshot.ts")]
pub struct DashboardSnapshot {
    pub show: ShowView,
    #[ts(type = "number")]
    pub at_ms: i64,
    /// Valid tickets now.
    #[ts(type = "number")]
    pub sold: i64,
    pub capacity: u32,
    pub gross: MoneyView,
    pub refunded: MoneyView,
    pub net: MoneyView,
    #[ts(type = "number")]
    pub paid_orders: i64,
    #[ts(type = "number")]
    pub pending_orders: i64,
    #[ts(type = "number")]
    pub failed_orders: i64,
    #[ts(type = "number")]
    pub refunded_orders: i64,
    #[ts(type = "number")]
    pub disputed_orders: i64,
    pub promo: Vec<PromoUseView>,
    /// Tickets per minute over the last hour (minutes without sales are absent).
    pub sales_per_minute: Vec<SalesMinuteView>,
    #[ts(type = "number")]
    pub pending_refunds: i64,
    pub pending_refunds_amount: MoneyView,
    #[ts(type = "number")]
    pub double_purchases_open: i64,
    /// Declined per thousand decided attempts over the last 15 minutes; `null` without attempts.
    #[ts(type = "number | null")]
    pub decline_rate_per_mille: Option<i64>,
    #[ts(type = "number")]
    pub attempts_succeeded: i64,
    #[ts(type = "number")]
    pub attempts_declined: i64,
    #[ts(type = "number")]
    pub rate_limited: i64,
    /// Viewers now across the show's sources; `null` when unknown or offline.
    #[ts(type = "number | null")]
    pub viewers_now: Option<i64>,
    #[ts(type = "number | null")]
    pub viewers_peak: Option<i64>,
    /// online / offline / unknown / none (no source configured).
    pub audience_state: String,
    pub alerts: Vec<AlertView>,
}

/// The organizer's expectations, for the pre-show notices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export_to = "ForecastInput.ts")]
pub struct ForecastInput {
    pub show_id: String,
    pub sell_through_percent: u8,
    #[ts(type = "number")]
    pub on_sale_from_ms: i64,
    pub rush_share_percent: u8,
    pub rush_window_minutes: u32,
}

/// What to send to the payment processor and to the mail provider before the show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export_to = "RiskNoticeView.ts")]
pub struct RiskNoticeView {
    #[ts(type = "number")]
    pub expected_orders: u64,
    pub expected_volume: MoneyView,
    pub average_ticket: MoneyView,
    #[ts(type = "number")]
    pub peak_orders_per_minute: u64,
    pub peak_volume_per_hour: MoneyView,
    #[ts(type = "number")]
    pub peak_confirmations_per_hour: u64,
    #[ts(type = "number")]
    pub rush_starts_ms: i64,
    #[ts(type = "number")]
    pub rush_ends_ms: i64,
    /// Ready to paste into a message to the processor's support (English: their language).
    pub processor_letter: String,
    pub mail_provider_letter: String,
}

/// What one payments poll did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export_to = "PollReport.ts")]
pub struct PollReport {
    pub listed: u32,
    pub applied: u32,
    pub already_seen: u32,
    pub tickets_issued: u32,
    pub access_revoked: u32,
    pub double_purchases: u32,
    /// The cursor was older than Stripe keeps events: payments were listed instead.
    pub reconciled: bool,
    /// Shows closed because they sold out.
    pub sold_out: Vec<String>,
}

/// A viewer-count source as the operator sets it up. Secrets (an nginx stream key, an auth
/// header's value) are not here: the shell passes them from the keyring.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export_to = "AudienceSourceInput.ts")]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AudienceSourceInput {
    NginxRtmp {
        id: String,
        show_id: String,
        stat_url: String,
        app: String,
        stream_key_ref: String,
    },
    Owncast {
        id: String,
        show_id: String,
        base_url: String,
    },
    Mediamtx {
        id: String,
        show_id: String,
        api_url: String,
        path: String,
    },
    Json {
        id: String,
        show_id: String,
        url: String,
        pointer: String,
        auth_header: Option<String>,
        auth_secret_ref: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export_to = "AudienceReadingView.ts")]
pub struct AudienceReadingView {
    pub source_id: String,
    /// online / offline / unknown / error.
    pub state: String,
    #[ts(type = "number | null")]
    pub viewers: Option<i64>,
    pub detail: Option<String>,
}
