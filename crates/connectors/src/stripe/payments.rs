//! Payments: refunds, re-reading a payment as it is now, the reconcile listing used when the event
//! cursor is older than Stripe keeps events, and test payments (rehearsal, tests).

use serde_json::Value;
use showdesk_core::Money;
use showdesk_core::box_office::{PaymentEvent, RefundReason};

use super::events::{charge_fact, ledger_event, observed};
use super::poll::page_of;
use super::{IdempotencyKey, StripeClient, StripeError, text};

/// A refund as Stripe made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StripeRefund {
    pub id: String,
    /// `succeeded`, `pending`, `failed`, `canceled`, `requires_action`.
    pub status: String,
    pub amount_minor: i64,
}

/// A payment made for a test or the rehearsal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestPayment {
    pub payment_intent: String,
    pub status: String,
}

/// Objects listed to rebuild the ledger when events are no longer available.
const RECONCILE_PAGE: &str = "100";

impl StripeClient {
    /// Refunds `amount` of a payment. The caller has checked the amount against what remains
    /// (C17) and recorded the refund; `key` comes from that record, so a repeated call is one refund.
    pub async fn create_refund(
        &self,
        payment_intent: &str,
        amount: Money,
        reason: RefundReason,
        key: &IdempotencyKey,
    ) -> Result<StripeRefund, StripeError> {
        let mut form = vec![
            ("payment_intent".to_owned(), payment_intent.to_owned()),
            ("amount".to_owned(), amount.minor.to_string()),
            ("reason".to_owned(), reason.as_str().to_owned()),
            ("metadata[source]".to_owned(), "showdesk".to_owned()),
        ];
        let reply = match self.post("/v1/refunds", &form, key).await {
            // localstripe does not know `reason` (nor metadata on refunds); real Stripe never says
            // this. Send the refund without them rather than not at all.
            Err(StripeError::InvalidRequest { message, .. }) if message.contains("Unexpected") => {
                tracing::warn!("this Stripe server refused the refund reason; refunding without it");
                form.retain(|(name, _)| name == "payment_intent" || name == "amount");
                self.post("/v1/refunds", &form, key).await?
            }
            other => other?,
        };
        Ok(StripeRefund {
            id: text(&reply, "id").ok_or_else(|| super::decode_error("a refund", &reply))?,
            status: text(&reply, "status").unwrap_or_else(|| "succeeded".into()),
            amount_minor: reply["amount"].as_i64().unwrap_or(amount.minor),
        })
    }

    /// A payment (`pi_…`, `ch_…` or `cs_…`) as it stands now, as a ledger event whose id names the
    /// state seen. `None` when the object says nothing the ledger follows (still processing).
    pub async fn observe_payment(&self, processor_id: &str, now_ms: i64) -> Result<Option<PaymentEvent>, StripeError> {
        if processor_id.starts_with("ch_") {
            let charge = self.get(&format!("/v1/charges/{processor_id}"), &[]).await?;
            let Some(fact) = charge_fact(&charge) else { return Ok(None) };
            let mut event = ledger_event(&charge, fact, None);
            let refunded = charge["amount_refunded"].as_i64().unwrap_or(0);
            let disputed = charge["disputed"].as_bool().unwrap_or(false);
            event.event_id = format!("observed:{processor_id}:charge:{refunded}:{disputed}");
            event.created_ms = now_ms;
            event.kind = "observed.charge".into();
            return Ok(Some(event));
        }
        let path = if processor_id.starts_with("cs_") {
            format!("/v1/checkout/sessions/{processor_id}")
        } else {
            format!("/v1/payment_intents/{processor_id}")
        };
        let object = self.get(&path, &[("expand[]", "latest_charge".into())]).await?;
        Ok(observed(&object, now_ms))
    }

    /// Every payment created since `since_ms`, as ledger events: PaymentIntents (with their latest
    /// charge) and, where the server has them, Checkout Sessions. Used when the event cursor is
    /// older than Stripe's 30-day window; the ledger folds these like any event.
    pub async fn reconcile_since(&self, since_ms: i64, now_ms: i64) -> Result<Vec<PaymentEvent>, StripeError> {
        let mut events = Vec::new();
        for intent in self.list_since("/v1/payment_intents", since_ms, true).await? {
            events.extend(observed(&intent, now_ms));
        }
        match self.list_since("/v1/checkout/sessions", since_ms, false).await {
            Ok(sessions) => events.extend(sessions.iter().filter_map(|session| observed(session, now_ms))),
            // localstripe has no Checkout Sessions: nothing to add.
            Err(StripeError::NotFound { .. }) => tracing::info!("this Stripe server lists no checkout sessions"),
            Err(err) => return Err(err),
        }
        Ok(events)
    }

    /// All objects of a list created since `since_ms`. The order of the list is not trusted: the
    /// walk stops at the first page whose objects are all older, or at the end.
    async fn list_since(&self, path: &str, since_ms: i64, expand_charge: bool) -> Result<Vec<Value>, StripeError> {
        let mut found = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let mut query = vec![("limit", RECONCILE_PAGE.to_owned())];
            if expand_charge {
                query.push(("expand[]", "data.latest_charge".to_owned()));
            }
            if let Some(after) = &after {
                query.push(("starting_after", after.clone()));
            }
            let page = self.get(path, &query).await?;
            let (data, has_more) = page_of(&page)?;
            let recent: Vec<Value> = data
                .iter()
                .filter(|object| object["created"].as_i64().unwrap_or(0) * 1000 >= since_ms)
                .cloned()
                .collect();
            let all_older = recent.is_empty() && !data.is_empty();
            let last = data.last().and_then(|object| object["id"].as_str()).map(str::to_owned);
            found.extend(recent);
            match last {
                Some(id) if has_more && !all_older => after = Some(id),
                _ => return Ok(found),
            }
        }
    }

    /// A customer (tests and rehearsal: a buyer with an address).
    pub async fn create_customer(&self, email: &str, key: &IdempotencyKey) -> Result<String, StripeError> {
        let reply = self.post("/v1/customers", &[("email".to_owned(), email.to_owned())], key).await?;
        text(&reply, "id").ok_or_else(|| super::decode_error("a customer", &reply))
    }

    /// Pays `amount` with a test payment method (`pm_card_visa`, `pm_card_visa_chargeDeclined`),
    /// confirmed at once, for `show_id`. A decline is `Err(CardDeclined)`, as for a real buyer.
    pub async fn create_test_payment(
        &self,
        amount: Money,
        payment_method: &str,
        show_id: &str,
        buyer: (&str, Option<&str>),
        key: &IdempotencyKey,
    ) -> Result<TestPayment, StripeError> {
        self.create_test_payment_with_promo(amount, payment_method, show_id, buyer, None, key).await
    }

    /// As [`Self::create_test_payment`], for a buyer who entered a promotion code: its Stripe id
    /// and the discount it gave (`amount` is what remains to pay). Both travel in the metadata, as
    /// a PaymentIntent has no discounts of its own (a Checkout Session's `total_details` does).
    pub async fn create_test_payment_with_promo(
        &self,
        amount: Money,
        payment_method: &str,
        show_id: &str,
        buyer: (&str, Option<&str>),
        promotion: Option<(&str, Money)>,
        key: &IdempotencyKey,
    ) -> Result<TestPayment, StripeError> {
        let (email, customer) = buyer;
        let mut form = vec![
            ("amount".to_owned(), amount.minor.to_string()),
            ("currency".to_owned(), amount.currency.to_lowercase()),
            ("payment_method".to_owned(), payment_method.to_owned()),
            ("confirm".to_owned(), "true".to_owned()),
            ("metadata[show_id]".to_owned(), show_id.to_owned()),
            ("metadata[buyer_email]".to_owned(), email.to_owned()),
        ];
        if let Some(customer) = customer {
            form.push(("customer".to_owned(), customer.to_owned()));
        }
        if let Some((promotion_code, discount)) = promotion {
            form.push(("metadata[promotion_code]".to_owned(), promotion_code.to_owned()));
            form.push(("metadata[discount_minor]".to_owned(), discount.minor.to_string()));
        }
        let reply = self.post("/v1/payment_intents", &form, key).await?;
        // Stripe answers a declined confirmation with a 402; localstripe with the intent itself,
        // back at requires_payment_method with the error attached. Both are a decline.
        let error = &reply["last_payment_error"];
        if reply["status"].as_str() == Some("requires_payment_method") && error.is_object() {
            return Err(StripeError::CardDeclined {
                code: text(error, "code"),
                decline_code: text(error, "decline_code"),
                message: text(error, "message").unwrap_or_else(|| "the card was declined".into()),
            });
        }
        Ok(TestPayment {
            payment_intent: text(&reply, "id").ok_or_else(|| super::decode_error("a payment intent", &reply))?,
            status: text(&reply, "status").unwrap_or_default(),
        })
    }
}
