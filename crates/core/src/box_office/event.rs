//! A payment event as the ledger understands it: one fact about one purchase, whatever the
//! processor called it. The Stripe connector turns Stripe's events (and objects it re-reads) into
//! these; several of Stripe's event types can describe the same purchase (C13), and the ledger folds
//! them into one order.

use serde::{Deserialize, Serialize};

use crate::Currency;

/// The processor's ids that tie an event to a purchase. An order is found by any of them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentRefs {
    /// `cs_…`: a Checkout Session (Payment Link purchases).
    pub checkout_session: Option<String>,
    /// `pi_…`: absent for a 100 %-off order, which is still a valid ticket.
    pub payment_intent: Option<String>,
    /// `ch_…`
    pub charge: Option<String>,
}

impl PaymentRefs {
    pub fn is_empty(&self) -> bool {
        self.checkout_session.is_none() && self.payment_intent.is_none() && self.charge.is_none()
    }
}

/// Who bought, as far as this event tells. Any field may be missing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuyerDetails {
    pub email: Option<String>,
    pub name: Option<String>,
    /// `cus_…`
    pub customer: Option<String>,
    /// The card's fingerprint: the same card gives the same value across purchases.
    pub card_fingerprint: Option<String>,
}

/// How a completed checkout stands with its money.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckoutPayment {
    Paid,
    /// A delayed method (SEPA debit, bank transfer): the order stays pending until paid or failed.
    Unpaid,
    /// A 100 %-off order: no PaymentIntent, still a ticket.
    NoPaymentRequired,
}

/// What the event says happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PaymentFact {
    /// A checkout finished; `amount_total` is after discounts.
    CheckoutCompleted {
        amount_total_minor: i64,
        payment: CheckoutPayment,
    },
    /// The money arrived (a PaymentIntent succeeded, a delayed payment cleared, a charge succeeded).
    Succeeded {
        amount_minor: i64,
    },
    /// The payment failed (declined card, failed debit).
    Failed,
    /// A charge as it stands now: its amount and the total refunded on it so far. Refund totals
    /// come only from here — from the amount refunded, never from the name of the event (C17).
    ChargeObserved {
        amount_minor: i64,
        refunded_minor: i64,
        paid: bool,
    },
    DisputeOpened,
    DisputeClosed {
        won: bool,
    },
    /// Nothing to fold (e.g. a single refund object: its amount is not the total); the connector
    /// re-reads the charge instead.
    Nothing,
}

/// The outcome of one payment attempt, for decline rates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum AttemptOutcome {
    Succeeded,
    /// With the processor's decline code when it gave one (`card_declined`, `fraudulent`…).
    Declined {
        code: Option<String>,
    },
    /// The processor refused our own call for going too fast (HTTP 429).
    RateLimited,
}

impl AttemptOutcome {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Succeeded => "succeeded",
            Self::Declined { .. } => "declined",
            Self::RateLimited => "rate_limited",
        }
    }
}

/// One event, normalised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentEvent {
    /// The processor's event id (`evt_…`); the ledger applies each id once, ever.
    pub event_id: String,
    /// When the processor created the event, UTC milliseconds.
    pub created_ms: i64,
    /// The processor's event type, kept for the audit trail only: rules never look at it.
    pub kind: String,
    pub refs: PaymentRefs,
    /// A show id carried in the purchase's metadata (`show_id`, or `event_id` as older links do).
    pub show_hint: Option<String>,
    /// `plink_…`: the Payment Link the purchase came through, which names the show.
    pub payment_link: Option<String>,
    pub buyer: BuyerDetails,
    pub currency: Option<Currency>,
    /// The processor's promotion code id (`promo_…`) applied to the purchase.
    pub promotion_code: Option<String>,
    pub discount_minor: i64,
    pub fact: PaymentFact,
    /// When the event is itself a payment attempt (a PaymentIntent succeeding or failing).
    pub attempt: Option<AttemptOutcome>,
}

impl PaymentEvent {
    /// The order in which a batch is applied: by creation time, then by id, whatever order the
    /// list came in (Stripe lists newest first, localstripe oldest first; neither is trusted).
    pub fn sort_key(&self) -> (i64, &str) {
        (self.created_ms, self.event_id.as_str())
    }
}

/// Sorts events oldest first (by `created`, then id) and drops repeated ids within the batch.
pub fn oldest_first(mut events: Vec<PaymentEvent>) -> Vec<PaymentEvent> {
    events.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let mut seen = std::collections::HashSet::new();
    events.retain(|event| seen.insert(event.event_id.clone()));
    events
}
