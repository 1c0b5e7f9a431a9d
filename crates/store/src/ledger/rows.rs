//! Database rows and their conversion to records: the only place that knows column names and how
//! a domain value is spelled in a column.

use showdesk_core::box_office::{
    BuyerDetails, Discount, DisputeState, DoublePurchase, MatchedOn, OrderFacts, OrderStatus, PaymentRefs,
    PaymentState, PromoRules, RefundReason, Show,
};
use showdesk_core::{Currency, Money};

use super::records::{
    DoublePurchaseRecord, DoublePurchaseStatus, OrderRecord, PromoCodeRecord, RefundRecord, RefundStatus,
};
use crate::StoreError;

pub(crate) const ORDER_COLUMNS: &str = "id, show_id, checkout_session_id, payment_intent_id, charge_id, \
     payment_link_id, buyer_email, buyer_name, customer_id, card_fingerprint, currency, amount_minor, refunded_minor, \
     payment_state, dispute_state, status, promotion_code_id, discount_minor, purchased_ms, ticket_issued_ms, updated_ms";

pub(crate) const SHOW_COLUMNS: &str = "id, title, starts_at_ms, ends_at_ms, price_minor, currency, capacity, \
     payment_link_id, payment_link_url, watch_url, sales_open, created_ms";

pub(crate) const REFUND_COLUMNS: &str = "id, order_id, amount_minor, currency, reason, status, idempotency_key, \
     stripe_refund_id, error_code, requested_by, requested_ms, settled_ms";

pub(crate) const PROMO_COLUMNS: &str = "p.id, p.show_id, p.code, p.percent_off, p.amount_off_minor, p.currency, \
     p.max_redemptions, p.expires_at_ms, p.for_buyer, p.stripe_coupon_id, p.stripe_promotion_code_id, p.active, \
     p.created_by, p.created_ms, COALESCE(t.paid_orders, 0) AS redemptions";

pub(crate) const DOUBLE_PURCHASE_COLUMNS: &str = "id, show_id, original_order_id, duplicate_order_id, matched_on, \
     status, flagged_ms, resolved_by, resolved_ms";

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} {value:?}"))
}

pub(crate) fn currency(text: &str) -> Result<Currency, StoreError> {
    text.parse().map_err(|_| corrupt("currency", text))
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct OrderRow {
    id: String,
    show_id: Option<String>,
    checkout_session_id: Option<String>,
    payment_intent_id: Option<String>,
    charge_id: Option<String>,
    payment_link_id: Option<String>,
    buyer_email: Option<String>,
    buyer_name: Option<String>,
    customer_id: Option<String>,
    card_fingerprint: Option<String>,
    currency: Option<String>,
    amount_minor: Option<i64>,
    refunded_minor: i64,
    payment_state: String,
    dispute_state: String,
    status: String,
    promotion_code_id: Option<String>,
    discount_minor: i64,
    purchased_ms: i64,
    ticket_issued_ms: Option<i64>,
    updated_ms: i64,
}

impl TryFrom<OrderRow> for OrderRecord {
    type Error = StoreError;

    fn try_from(row: OrderRow) -> Result<Self, StoreError> {
        let facts = OrderFacts {
            payment: PaymentState::parse(&row.payment_state)
                .ok_or_else(|| corrupt("payment state", &row.payment_state))?,
            amount_minor: row.amount_minor,
            refunded_minor: row.refunded_minor,
            dispute: DisputeState::parse(&row.dispute_state)
                .ok_or_else(|| corrupt("dispute state", &row.dispute_state))?,
        };
        Ok(Self {
            id: row.id,
            show_id: row.show_id,
            refs: PaymentRefs {
                checkout_session: row.checkout_session_id,
                payment_intent: row.payment_intent_id,
                charge: row.charge_id,
            },
            payment_link_id: row.payment_link_id,
            buyer: BuyerDetails {
                email: row.buyer_email,
                name: row.buyer_name,
                customer: row.customer_id,
                card_fingerprint: row.card_fingerprint,
            },
            currency: row.currency.as_deref().map(currency).transpose()?,
            status: OrderStatus::parse(&row.status).ok_or_else(|| corrupt("order status", &row.status))?,
            facts,
            promotion_code_id: row.promotion_code_id,
            discount_minor: row.discount_minor,
            purchased_ms: row.purchased_ms,
            ticket_issued_ms: row.ticket_issued_ms,
            updated_ms: row.updated_ms,
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct ShowRow {
    id: String,
    title: String,
    starts_at_ms: i64,
    ends_at_ms: i64,
    price_minor: i64,
    currency: String,
    capacity: i64,
    payment_link_id: Option<String>,
    payment_link_url: Option<String>,
    watch_url: Option<String>,
    sales_open: bool,
    created_ms: i64,
}

impl TryFrom<ShowRow> for Show {
    type Error = StoreError;

    fn try_from(row: ShowRow) -> Result<Self, StoreError> {
        Ok(Self {
            price: Money::new(row.price_minor, currency(&row.currency)?),
            capacity: u32::try_from(row.capacity).map_err(|_| corrupt("capacity", &row.capacity.to_string()))?,
            id: row.id,
            title: row.title,
            starts_at_ms: row.starts_at_ms,
            ends_at_ms: row.ends_at_ms,
            payment_link_id: row.payment_link_id,
            payment_link_url: row.payment_link_url,
            watch_url: row.watch_url,
            sales_open: row.sales_open,
            created_ms: row.created_ms,
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct RefundRow {
    id: i64,
    order_id: String,
    amount_minor: i64,
    currency: String,
    reason: String,
    status: String,
    idempotency_key: String,
    stripe_refund_id: Option<String>,
    error_code: Option<String>,
    requested_by: String,
    requested_ms: i64,
    settled_ms: Option<i64>,
}

impl TryFrom<RefundRow> for RefundRecord {
    type Error = StoreError;

    fn try_from(row: RefundRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: row.id,
            order_id: row.order_id,
            amount: Money::new(row.amount_minor, currency(&row.currency)?),
            reason: RefundReason::parse(&row.reason).ok_or_else(|| corrupt("refund reason", &row.reason))?,
            status: RefundStatus::parse(&row.status).ok_or_else(|| corrupt("refund status", &row.status))?,
            idempotency_key: row.idempotency_key,
            processor_refund_id: row.stripe_refund_id,
            error_code: row.error_code,
            requested_by: row.requested_by,
            requested_ms: row.requested_ms,
            settled_ms: row.settled_ms,
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct PromoRow {
    id: i64,
    show_id: String,
    code: String,
    percent_off: Option<i64>,
    amount_off_minor: Option<i64>,
    currency: String,
    max_redemptions: Option<i64>,
    expires_at_ms: Option<i64>,
    for_buyer: Option<String>,
    stripe_coupon_id: Option<String>,
    stripe_promotion_code_id: Option<String>,
    active: bool,
    created_by: String,
    created_ms: i64,
    redemptions: i64,
}

impl TryFrom<PromoRow> for PromoCodeRecord {
    type Error = StoreError;

    fn try_from(row: PromoRow) -> Result<Self, StoreError> {
        let discount = match (row.percent_off, row.amount_off_minor) {
            (Some(percent), None) => {
                Discount::Percent { percent: u8::try_from(percent).map_err(|_| corrupt("percent_off", &row.code))? }
            }
            (None, Some(minor)) => Discount::Amount { amount: Money::new(minor, currency(&row.currency)?) },
            _ => return Err(corrupt("promo discount", &row.code)),
        };
        Ok(Self {
            id: row.id,
            show_id: row.show_id,
            rules: PromoRules {
                code: row.code,
                discount,
                max_redemptions: row.max_redemptions.and_then(|max| u32::try_from(max).ok()),
                expires_at_ms: row.expires_at_ms,
                for_buyer: row.for_buyer,
            },
            processor_coupon_id: row.stripe_coupon_id,
            processor_promotion_code_id: row.stripe_promotion_code_id,
            active: row.active,
            redemptions: row.redemptions,
            created_by: row.created_by,
            created_ms: row.created_ms,
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct DoublePurchaseRow {
    id: i64,
    show_id: String,
    original_order_id: String,
    duplicate_order_id: String,
    matched_on: String,
    status: String,
    flagged_ms: i64,
    resolved_by: Option<String>,
    resolved_ms: Option<i64>,
}

impl TryFrom<DoublePurchaseRow> for DoublePurchaseRecord {
    type Error = StoreError;

    fn try_from(row: DoublePurchaseRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: row.id,
            flag: DoublePurchase {
                show_id: row.show_id,
                original_order_id: row.original_order_id,
                duplicate_order_id: row.duplicate_order_id,
                matched_on: MatchedOn::parse(&row.matched_on).ok_or_else(|| corrupt("matched_on", &row.matched_on))?,
            },
            status: DoublePurchaseStatus::parse(&row.status).ok_or_else(|| corrupt("flag status", &row.status))?,
            flagged_ms: row.flagged_ms,
            resolved_by: row.resolved_by,
            resolved_ms: row.resolved_ms,
        })
    }
}

/// Converts a list of rows.
pub(crate) fn records<R, T: TryFrom<R, Error = StoreError>>(rows: Vec<R>) -> Result<Vec<T>, StoreError> {
    rows.into_iter().map(T::try_from).collect()
}
