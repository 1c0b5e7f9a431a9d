//! What the support desk needs from the box office, as one narrow trait. The box office (issue 4)
//! implements it over its ledger and Stripe; the support desk only calls it. Until it is wired,
//! [`NoBoxOffice`] answers every call with `box_office.unavailable`.

use std::fmt;

use async_trait::async_trait;
use serde::Serialize;
use showdesk_core::Money;
use ts_rs::TS;

/// Where an order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export_to = "OrderStatus.ts")]
pub enum OrderStatus {
    Pending,
    Paid,
    PartiallyRefunded,
    Refunded,
    Cancelled,
    /// The buyer's bank disputes the payment.
    Disputed,
    /// The payment never went through.
    Failed,
}

/// One order of a buyer, as the ticket shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuyerOrder {
    /// The box office's id (used for actions).
    pub order_id: String,
    /// What the buyer sees on the receipt ("1042"); matched against numbers quoted in mail.
    pub reference: String,
    pub buyer_email: String,
    pub buyer_name: String,
    pub show_title: String,
    pub amount: Money,
    pub refunded: Money,
    pub status: OrderStatus,
    pub purchased_at_ms: i64,
}

impl BuyerOrder {
    /// Paid and not fully refunded: the buyer should be able to watch.
    pub fn is_paid(&self) -> bool {
        matches!(self.status, OrderStatus::Paid | OrderStatus::PartiallyRefunded)
    }

    /// What may still be refunded.
    pub fn refundable(&self) -> Money {
        self.amount.checked_sub(self.refunded).unwrap_or(Money::zero(self.amount.currency))
    }
}

/// Why a refund is made (Stripe's reasons).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundReason {
    Duplicate,
    RequestedByCustomer,
    Fraudulent,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRequest {
    pub order_id: String,
    pub amount: Money,
    pub reason: RefundReason,
    /// Stable for one operator action: a retried call must not refund twice.
    pub idempotency_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundDone {
    pub refund_id: String,
    pub amount: Money,
    pub order: BuyerOrder,
}

/// A promo code's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromoValue {
    Fixed(Money),
    /// 1–100.
    Percent(u8),
}

impl fmt::Display for PromoValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Fixed(money) => write!(f, "{money} off"),
            Self::Percent(percent) => write!(f, "{percent}% off"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromoRequest {
    /// Who may use it (the code is single-use).
    pub email: String,
    pub value: PromoValue,
    pub reason: String,
    pub idempotency_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromoIssued {
    pub code: String,
    pub value: PromoValue,
}

/// What it takes to watch: the buyer's link, to mail again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessGrant {
    pub order_id: String,
    pub buyer_name: String,
    pub show_title: String,
    pub watch_link: String,
}

/// A box-office refusal, as a stable code and a message for people (no secrets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuyerActionError {
    pub code: String,
    pub message: String,
}

impl BuyerActionError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self { code: code.to_owned(), message: message.into() }
    }
}

/// The box office, as the support desk uses it.
#[async_trait]
pub trait BuyerActions: Send + Sync + fmt::Debug {
    /// Every order bought with this address (case-insensitive), newest first.
    async fn orders_of(&self, email: &str) -> Result<Vec<BuyerOrder>, BuyerActionError>;
    /// The order with this receipt reference or id, if any.
    async fn order_by_reference(&self, reference: &str) -> Result<Option<BuyerOrder>, BuyerActionError>;
    /// Refunds up to what remains on the order.
    async fn refund(&self, request: RefundRequest) -> Result<RefundDone, BuyerActionError>;
    /// Cancels the order: its access is revoked (money is the refund's business).
    async fn cancel(&self, order_id: &str, idempotency_key: &str) -> Result<BuyerOrder, BuyerActionError>;
    /// Issues a single-use promo code for `email`.
    async fn issue_promo(&self, request: PromoRequest) -> Result<PromoIssued, BuyerActionError>;
    /// The buyer's watch link (re-issued if it had expired), to resend with the confirmation.
    async fn access_for(&self, order_id: &str) -> Result<AccessGrant, BuyerActionError>;
}

/// The stand-in until the box office is wired: no orders known, every action refused.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoBoxOffice;

fn unavailable() -> BuyerActionError {
    BuyerActionError::new("unavailable", "the box office is not connected")
}

#[async_trait]
impl BuyerActions for NoBoxOffice {
    async fn orders_of(&self, _: &str) -> Result<Vec<BuyerOrder>, BuyerActionError> {
        Ok(Vec::new())
    }
    async fn order_by_reference(&self, _: &str) -> Result<Option<BuyerOrder>, BuyerActionError> {
        Ok(None)
    }
    async fn refund(&self, _: RefundRequest) -> Result<RefundDone, BuyerActionError> {
        Err(unavailable())
    }
    async fn cancel(&self, _: &str, _: &str) -> Result<BuyerOrder, BuyerActionError> {
        Err(unavailable())
    }
    async fn issue_promo(&self, _: PromoRequest) -> Result<PromoIssued, BuyerActionError> {
        Err(unavailable())
    }
    async fn access_for(&self, _: &str) -> Result<AccessGrant, BuyerActionError> {
        Err(unavailable())
    }
}
