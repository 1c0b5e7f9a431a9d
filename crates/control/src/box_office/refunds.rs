//! Refunds (full or partial, with a reason) and the double-purchase action. The amount is checked
//! against what remains on the order and recorded before Stripe is called (C17); the record's own
//! key goes to Stripe as the Idempotency-Key, so a double click or a retry refunds once; then the
//! payment is re-read and the ledger updated from the refunded total Stripe reports.

use showdesk_connectors::stripe::IdempotencyKey;
use showdesk_core::Money;
use showdesk_core::box_office::{RefundReason, RuleError};
use showdesk_store::ledger::{
    DoublePurchaseStatus, NewRefund, RefundRecord, RefundSettlement, RefundStart, RefundStatus,
};
use showdesk_store::{StoreError, now_ms};

use super::{BoxOffice, DoublePurchaseView, RefundInput, RefundView};
use crate::ControlError;

/// Notice kinds queued for the outbox.
pub const NOTICE_REFUND: &str = "refund_confirmation";
pub const NOTICE_DUPLICATE_REFUNDED: &str = "duplicate_refunded";

/// What this app asked Stripe to refund on an order and Stripe has not refused.
pub(crate) fn requested_minor(refunds: &[RefundRecord]) -> i64 {
    refunds.iter().filter(|r| r.status != RefundStatus::Failed).map(|r| r.amount.minor).sum()
}

impl BoxOffice {
    /// Refunds and queues the buyer's refund confirmation.
    pub async fn refund(&self, actor: &str, input: &RefundInput) -> Result<RefundView, ControlError> {
        self.refund_and_tell(actor, input, true).await
    }

    /// Refunds without mailing the buyer: for callers that send their own mail about it (the
    /// support desk's reply, the double-purchase notice), so the buyer gets one mail, not two.
    pub(crate) async fn refund_quietly(&self, actor: &str, input: &RefundInput) -> Result<RefundView, ControlError> {
        self.refund_and_tell(actor, input, false).await
    }

    async fn refund_and_tell(
        &self,
        actor: &str,
        input: &RefundInput,
        tell_buyer: bool,
    ) -> Result<RefundView, ControlError> {
        let result = self.refund_inner(actor, input, tell_buyer).await;
        let detail = serde_json::json!({
            "amount_minor": result.as_ref().map(|r| r.amount.minor).ok().or(input.amount_minor),
            "reason": input.reason,
            "repeated": result.as_ref().map(|r| r.repeated).unwrap_or(false),
        });
        self.audit(actor, "refund.create", &format!("order:{}", input.order_id), detail, &result).await;
        result
    }

    async fn refund_inner(
        &self,
        actor: &str,
        input: &RefundInput,
        tell_buyer: bool,
    ) -> Result<RefundView, ControlError> {
        let reason = RefundReason::parse(&input.reason).ok_or_else(|| RuleError::Invalid {
            field: "reason",
            reason: "duplicate, fraudulent or requested_by_customer".into(),
        })?;
        let order = self
            .store
            .order(&input.order_id)
            .await?
            .ok_or_else(|| StoreError::NotFound { what: "order", id: input.order_id.clone() })?;
        let stripe = self.stripe()?;
        let Some(payment_intent) = order.refs.payment_intent.clone() else {
            // A 100 %-off ticket: there is no payment to give back.
            return Err(RuleError::NotRefundable { status: "free" }.into());
        };
        let currency =
            order.currency.ok_or_else(|| StoreError::Corrupt(format!("order {} has no currency", order.id)))?;
        let amount = match input.amount_minor {
            Some(minor) => Money::new(minor, currency),
            None => {
                let requested = requested_minor(&self.store.refunds_for_order(&order.id).await?);
                Money::new(showdesk_core::box_office::refundable_minor(&order.facts, requested), currency)
            }
        };
        // Checked against what remains and recorded, in one transaction, before Stripe is called.
        let start = self
            .store
            .begin_refund(&NewRefund {
                order_id: order.id.clone(),
                amount,
                reason,
                actor: actor.to_owned(),
                now_ms: now_ms(),
                repeat_window_ms: self.settings.refund_repeat_window_ms,
            })
            .await?;
        let (record, repeated) = match start {
            RefundStart::Repeated(record) if record.status != RefundStatus::Requested => {
                return Ok(RefundView::of(&record, true));
            }
            RefundStart::Repeated(record) => (record, true),
            RefundStart::New(record) => (record, false),
        };
        let key = IdempotencyKey::for_action("refund", &record.idempotency_key);
        let settled = match stripe.create_refund(&payment_intent, record.amount, reason, &key).await {
            Ok(refund) if refund.status != "failed" && refund.status != "canceled" => {
                let done = RefundSettlement::Succeeded { processor_refund_id: refund.id.clone(), now_ms: now_ms() };
                self.store.settle_refund(record.id, &done).await?
            }
            Ok(refund) => {
                let failed = RefundSettlement::Failed {
                    error_code: format!("stripe.refund_{}", refund.status),
                    now_ms: now_ms(),
                };
                self.store.settle_refund(record.id, &failed).await?;
                return Err(ControlError::Stripe(showdesk_connectors::StripeError::Api {
                    status: 200,
                    message: format!("Stripe reports the refund as {}", refund.status),
                }));
            }
            Err(err) if err.is_transient() => {
                // Left as requested: trying again sends the same key, and Stripe refunds once.
                return Err(err.into());
            }
            Err(err) => {
                let failed = RefundSettlement::Failed { error_code: err.code().to_owned(), now_ms: now_ms() };
                self.store.settle_refund(record.id, &failed).await?;
                return Err(err.into());
            }
        };
        // The ledger follows Stripe's own total for the payment, not our arithmetic. The refund is
        // done whatever happens here: a failed re-read is caught up by the next poll.
        match stripe.observe_payment(&payment_intent, now_ms()).await {
            Ok(Some(observed)) => {
                self.apply_payment_events(&[observed]).await?;
            }
            Ok(None) => {}
            Err(err) => {
                tracing::warn!(code = err.code(), "the refunded payment could not be re-read; the next poll will")
            }
        }
        if tell_buyer
            && let Some(email) = &order.buyer.email
            && let Some(refund_id) = &settled.processor_refund_id
        {
            self.store.queue_buyer_notice(NOTICE_REFUND, &order.id, refund_id, email).await?;
        }
        Ok(RefundView::of(&settled, repeated))
    }

    /// The one action of a "possible double purchase": refund the duplicate in full (reason
    /// duplicate) and queue a mail to the buyer.
    pub async fn refund_double_purchase(&self, actor: &str, flag_id: i64) -> Result<RefundView, ControlError> {
        let subject = format!("double_purchase:{flag_id}");
        let result = async {
            let flag = self
                .store
                .double_purchase(flag_id)
                .await?
                .ok_or_else(|| StoreError::NotFound { what: "double purchase", id: flag_id.to_string() })?;
            if flag.status != DoublePurchaseStatus::Open {
                return Err(
                    StoreError::Conflict(format!("this double purchase is already {}", flag.status.as_str())).into()
                );
            }
            let input = RefundInput {
                order_id: flag.flag.duplicate_order_id.clone(),
                amount_minor: None,
                reason: RefundReason::Duplicate.as_str().to_owned(),
            };
            // The buyer hears about it once, from the double-purchase notice below.
            let refund = self.refund_quietly(actor, &input).await?;
            self.store.resolve_double_purchase(flag_id, DoublePurchaseStatus::Refunded, actor).await?;
            if let Some(order) = self.store.order(&flag.flag.duplicate_order_id).await?
                && let Some(email) = &order.buyer.email
            {
                self.store.queue_buyer_notice(NOTICE_DUPLICATE_REFUNDED, &order.id, "", email).await?;
            }
            Ok(refund)
        }
        .await;
        self.audit(actor, "double_purchase.refund", &subject, serde_json::json!({}), &result).await;
        result
    }

    /// Not a double purchase after all (two tickets on purpose): the flag is closed, nothing refunded.
    pub async fn dismiss_double_purchase(&self, actor: &str, flag_id: i64) -> Result<DoublePurchaseView, ControlError> {
        let result = self
            .store
            .resolve_double_purchase(flag_id, DoublePurchaseStatus::Dismissed, actor)
            .await
            .map(|record| DoublePurchaseView::from(&record))
            .map_err(ControlError::from);
        self.audit(
            actor,
            "double_purchase.dismiss",
            &format!("double_purchase:{flag_id}"),
            serde_json::json!({}),
            &result,
        )
        .await;
        result
    }

    pub async fn double_purchases(&self, show_id: &str) -> Result<Vec<DoublePurchaseView>, ControlError> {
        Ok(self.store.double_purchases(show_id, None).await?.iter().map(DoublePurchaseView::from).collect())
    }

    pub async fn refunds_for_order(&self, order_id: &str) -> Result<Vec<RefundView>, ControlError> {
        Ok(self.store.refunds_for_order(order_id).await?.iter().map(|r| RefundView::of(r, false)).collect())
    }
}
