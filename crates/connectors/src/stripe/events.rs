//! Stripe's events, and objects re-read from Stripe, as the ledger's [`PaymentEvent`]s.
//!
//! Several event types describe one purchase (`checkout.session.completed` and
//! `payment_intent.succeeded`, C13); each becomes a fact about the same order, found by any of its
//! ids. Refund totals come from the charge's `amount_refunded`, never from the event's name (C17).
//! A single refund object (`refund.*`, `charge.refund.updated`) carries one refund's amount, not the
//! total: it becomes no fact, and the poller re-reads the payment instead.

use serde_json::Value;
use showdesk_core::Currency;
use showdesk_core::box_office::{
    AttemptOutcome, BuyerDetails, CheckoutPayment, PaymentEvent, PaymentFact, PaymentRefs,
};

use super::{id_of, text};

/// Metadata keys that name the show a purchase is for. `show_id` is what Showdesk sets on the
/// Payment Link; `event_id` is what links made by hand for the same purpose often carry.
const SHOW_KEYS: [&str; 2] = ["show_id", "event_id"];

/// Event types that mean "re-read the payment: its state changed in a way the event alone does not
/// tell completely".
pub fn needs_reread(kind: &str) -> bool {
    kind.starts_with("charge.refund") || kind.starts_with("refund.") || kind.starts_with("charge.dispute.")
}

/// The id and creation time (ms) of a raw event, for cursors.
pub fn position(event: &Value) -> Option<(String, i64)> {
    Some((event["id"].as_str()?.to_owned(), event["created"].as_i64()? * 1000))
}

/// Turns one raw event into a ledger event; `None` for types the ledger does not follow.
pub fn from_event(event: &Value) -> Option<PaymentEvent> {
    let (event_id, created_ms) = position(event)?;
    let kind = event["type"].as_str()?.to_owned();
    let object = &event["data"]["object"];
    let (fact, attempt) = match kind.as_str() {
        "checkout.session.completed" | "checkout.session.async_payment_succeeded" => {
            let payment = match object["payment_status"].as_str() {
                Some("paid") => CheckoutPayment::Paid,
                Some("no_payment_required") => CheckoutPayment::NoPaymentRequired,
                // A completed session is not necessarily paid (delayed methods): pending.
                _ => CheckoutPayment::Unpaid,
            };
            let payment = if kind.ends_with("async_payment_succeeded") { CheckoutPayment::Paid } else { payment };
            let amount_total_minor = object["amount_total"].as_i64()?;
            (PaymentFact::CheckoutCompleted { amount_total_minor, payment }, None)
        }
        "checkout.session.async_payment_failed" => (PaymentFact::Failed, None),
        "payment_intent.succeeded" => {
            let amount = object["amount_received"].as_i64().or_else(|| object["amount"].as_i64())?;
            (PaymentFact::Succeeded { amount_minor: amount }, Some(AttemptOutcome::Succeeded))
        }
        "payment_intent.payment_failed" => {
            let error = &object["last_payment_error"];
            let code = text(error, "decline_code").or_else(|| text(error, "code"));
            (PaymentFact::Failed, Some(AttemptOutcome::Declined { code }))
        }
        "charge.succeeded" | "charge.refunded" | "charge.captured" | "charge.updated" => (charge_fact(object)?, None),
        "charge.failed" => (PaymentFact::Failed, None),
        "charge.dispute.created" => (PaymentFact::DisputeOpened, None),
        "charge.dispute.closed" => {
            let won = object["status"].as_str() == Some("won");
            (PaymentFact::DisputeClosed { won }, None)
        }
        kind if needs_reread(kind) => (PaymentFact::Nothing, None),
        _ => return None,
    };
    let mut event = ledger_event(object, fact, attempt);
    event.event_id = event_id;
    event.created_ms = created_ms;
    event.kind = kind;
    Some(event)
}

/// A charge as it stands: amount, total refunded, paid.
pub fn charge_fact(charge: &Value) -> Option<PaymentFact> {
    Some(PaymentFact::ChargeObserved {
        amount_minor: charge["amount"].as_i64()?,
        refunded_minor: charge["amount_refunded"].as_i64().unwrap_or(0),
        paid: charge["paid"].as_bool().unwrap_or(false) && charge["status"].as_str() != Some("failed"),
    })
}

/// The ids, buyer and show of whatever object an event is about (session, intent, charge,
/// dispute). Event id, time and kind are left for the caller.
pub fn ledger_event(object: &Value, fact: PaymentFact, attempt: Option<AttemptOutcome>) -> PaymentEvent {
    let kind = object["object"].as_str().unwrap_or_default();
    let refs = match kind {
        "checkout.session" => PaymentRefs {
            checkout_session: text(object, "id"),
            payment_intent: id_of(object, "payment_intent"),
            charge: None,
        },
        "payment_intent" => PaymentRefs {
            checkout_session: None,
            payment_intent: text(object, "id"),
            charge: id_of(object, "latest_charge"),
        },
        "charge" => PaymentRefs {
            checkout_session: None,
            payment_intent: id_of(object, "payment_intent"),
            charge: text(object, "id"),
        },
        // A dispute names its charge and payment intent.
        _ => PaymentRefs {
            checkout_session: None,
            payment_intent: id_of(object, "payment_intent"),
            charge: id_of(object, "charge"),
        },
    };
    let metadata = &object["metadata"];
    let details = &object["customer_details"];
    let card = &object["payment_method_details"]["card"];
    let buyer = BuyerDetails {
        email: text(details, "email")
            .or_else(|| text(object, "customer_email"))
            .or_else(|| text(object, "receipt_email"))
            .or_else(|| text(&object["billing_details"], "email"))
            .or_else(|| text(metadata, "buyer_email")),
        name: text(details, "name").or_else(|| text(&object["billing_details"], "name")),
        customer: id_of(object, "customer"),
        card_fingerprint: text(card, "fingerprint"),
    };
    let promotion_code = object["discounts"]
        .as_array()
        .and_then(|discounts| discounts.iter().find_map(|discount| id_of(discount, "promotion_code")))
        .or_else(|| text(metadata, "promotion_code"));
    PaymentEvent {
        event_id: String::new(),
        created_ms: 0,
        kind: String::new(),
        refs,
        show_hint: SHOW_KEYS.iter().find_map(|key| text(metadata, key)),
        payment_link: id_of(object, "payment_link"),
        buyer,
        currency: object["currency"].as_str().and_then(|c| c.parse::<Currency>().ok()),
        promotion_code,
        discount_minor: object["total_details"]["amount_discount"]
            .as_i64()
            .or_else(|| text(metadata, "discount_minor").and_then(|d| d.parse().ok()))
            .filter(|discount| *discount >= 0)
            .unwrap_or(0),
        fact,
        attempt,
    }
}

/// A payment re-read from Stripe (a PaymentIntent with its latest charge expanded, or a Checkout
/// Session): what it is now, as an event. The id names the state seen, so the same state read twice
/// is applied once, and a new state (a further refund) is applied when it appears.
pub fn observed(object: &Value, now_ms: i64) -> Option<PaymentEvent> {
    let id = text(object, "id")?;
    let (fact, signature) = match object["object"].as_str()? {
        "payment_intent" => {
            let charge = &object["latest_charge"];
            match (object["status"].as_str()?, charge.is_object()) {
                (_, true) => {
                    let fact = charge_fact(charge)?;
                    let disputed = charge["disputed"].as_bool().unwrap_or(false);
                    let refunded = charge["amount_refunded"].as_i64().unwrap_or(0);
                    (fact, format!("charge:{refunded}:{disputed}"))
                }
                ("succeeded", false) => {
                    let amount = object["amount_received"].as_i64().or_else(|| object["amount"].as_i64())?;
                    (PaymentFact::Succeeded { amount_minor: amount }, "succeeded".into())
                }
                ("canceled", false) => (PaymentFact::Failed, "canceled".into()),
                _ => return None,
            }
        }
        "checkout.session" => {
            let payment = match object["payment_status"].as_str()? {
                "paid" => CheckoutPayment::Paid,
                "no_payment_required" => CheckoutPayment::NoPaymentRequired,
                _ if object["status"].as_str() == Some("complete") => CheckoutPayment::Unpaid,
                _ => return None,
            };
            let amount_total_minor = object["amount_total"].as_i64()?;
            (PaymentFact::CheckoutCompleted { amount_total_minor, payment }, format!("{payment:?}"))
        }
        _ => return None,
    };
    let mut event = ledger_event(object, fact, None);
    if object["object"].as_str() == Some("payment_intent")
        && let Some(charge) = object["latest_charge"].as_object()
    {
        let charge = Value::Object(charge.clone());
        event.buyer.card_fingerprint = text(&charge["payment_method_details"]["card"], "fingerprint");
        if event.buyer.email.is_none() {
            event.buyer.email = text(&charge["billing_details"], "email");
        }
    }
    event.event_id = format!("observed:{id}:{signature}");
    event.created_ms = now_ms;
    event.kind = format!("observed.{}", object["object"].as_str().unwrap_or("object"));
    Some(event)
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use showdesk_core::box_office::PaymentFact;

    use super::*;

    #[test]
    fn a_discount_comes_from_the_session_totals_or_else_the_intent_metadata() {
        let session =
            json!({"id": "cs_1", "total_details": {"amount_discount": 300}, "metadata": {"discount_minor": "999"}});
        assert_eq!(ledger_event(&session, PaymentFact::Nothing, None).discount_minor, 300);
        let intent = json!({"id": "pi_1", "metadata": {"promotion_code": "promo_1", "discount_minor": "300"}});
        let event = ledger_event(&intent, PaymentFact::Nothing, None);
        assert_eq!((event.discount_minor, event.promotion_code.as_deref()), (300, Some("promo_1")));
        for bad in ["-5", "lots", ""] {
            let intent = json!({"id": "pi_2", "metadata": {"discount_minor": bad}});
            assert_eq!(ledger_event(&intent, PaymentFact::Nothing, None).discount_minor, 0, "{bad:?}");
        }
    }
}
