//! The box office as the support desk sees it: a buyer's orders, and the money actions a ticket can
//! take in one step (refund, cancel, a single-use promo code, the watch link to resend). Each goes
//! through the same use cases as the window's buttons, so the same caps, idempotency and audit apply.

use async_trait::async_trait;
use showdesk_core::Money;
use showdesk_core::box_office::{OrderStatus as LedgerStatus, Show};
use showdesk_store::ledger::{DoublePurchaseStatus, OrderRecord};
use showdesk_store::now_ms;

use super::{BoxOffice, PromoInput, RefundInput};
use crate::ControlError;
use crate::support::buyer::{
    AccessGrant, BuyerActionError, BuyerActions, BuyerOrder, OrderStatus, PromoIssued, PromoRequest, PromoValue,
    RefundDone, RefundReason, RefundRequest,
};

/// Who the audit log names for actions taken from a ticket.
const SUPPORT_ACTOR: &str = "support";
/// How long a goodwill code stays valid.
const PROMO_VALID_MS: i64 = 30 * 24 * 3600 * 1000;

fn failure(err: ControlError) -> BuyerActionError {
    BuyerActionError::new(&err.code(), err.to_body().message)
}

impl BoxOffice {
    async fn buyer_order(&self, order: &OrderRecord) -> Result<BuyerOrder, ControlError> {
        let show: Option<Show> = match &order.show_id {
            Some(id) => self.store.show(id).await?,
            None => None,
        };
        let currency =
            order.currency.or(show.as_ref().map(|s| s.price.currency)).unwrap_or(showdesk_core::Currency::EUR);
        let amount = Money::new(order.facts.amount_minor.unwrap_or(0), currency);
        let refunded = Money::new(order.facts.refunded_minor, currency);
        let status = match order.status {
            LedgerStatus::Pending => OrderStatus::Pending,
            LedgerStatus::Paid => OrderStatus::Paid,
            LedgerStatus::PartiallyRefunded => OrderStatus::PartiallyRefunded,
            LedgerStatus::Refunded => OrderStatus::Refunded,
            LedgerStatus::Disputed => OrderStatus::Disputed,
            LedgerStatus::Failed => OrderStatus::Failed,
        };
        Ok(BuyerOrder {
            order_id: order.id.clone(),
            reference: order.id.clone(),
            buyer_email: order.buyer.email.clone().unwrap_or_default(),
            buyer_name: order.buyer.name.clone().unwrap_or_default(),
            show_title: show.map(|s| s.title).unwrap_or_default(),
            amount,
            refunded,
            status,
            purchased_at_ms: order.purchased_ms,
        })
    }

    async fn close_double_purchase_flag(&self, order: &OrderRecord) -> Result<(), ControlError> {
        let Some(show_id) = &order.show_id else { return Ok(()) };
        let open = self.store.double_purchases(show_id, Some(DoublePurchaseStatus::Open)).await?;
        // Either ticket of the pair refunded as a duplicate settles it (purchases in the same second
        // have no "later" one to tell apart).
        let concerned = |flag: &&showdesk_store::ledger::DoublePurchaseRecord| {
            flag.flag.duplicate_order_id == order.id || flag.flag.original_order_id == order.id
        };
        for flag in open.iter().filter(concerned) {
            self.store.resolve_double_purchase(flag.id, DoublePurchaseStatus::Refunded, SUPPORT_ACTOR).await?;
        }
        Ok(())
    }

    async fn order_record(&self, order_id: &str) -> Result<OrderRecord, ControlError> {
        match self.store.order(order_id).await? {
            Some(order) => Ok(order),
            None => {
                self.store.order_by_processor_id(order_id).await?.ok_or_else(|| {
                    showdesk_store::StoreError::NotFound { what: "order", id: order_id.to_owned() }.into()
                })
            }
        }
    }
}

#[async_trait]
impl BuyerActions for BoxOffice {
    async fn orders_of(&self, email: &str) -> Result<Vec<BuyerOrder>, BuyerActionError> {
        let mut orders = Vec::new();
        for order in self.store.orders_for_buyer(email).await.map_err(|err| failure(err.into()))? {
            orders.push(self.buyer_order(&order).await.map_err(failure)?);
        }
        Ok(orders)
    }

    async fn order_by_reference(&self, reference: &str) -> Result<Option<BuyerOrder>, BuyerActionError> {
        let record = match self.store.order(reference).await.map_err(|err| failure(err.into()))? {
            Some(order) => Some(order),
            None => self.store.order_by_processor_id(reference).await.map_err(|err| failure(err.into()))?,
        };
        match record {
            Some(order) => Ok(Some(self.buyer_order(&order).await.map_err(failure)?)),
            None => Ok(None),
        }
    }

    async fn refund(&self, request: RefundRequest) -> Result<RefundDone, BuyerActionError> {
        let reason = match request.reason {
            RefundReason::Duplicate => "duplicate",
            RefundReason::RequestedByCustomer => "requested_by_customer",
            RefundReason::Fraudulent => "fraudulent",
        };
        let input = RefundInput {
            order_id: request.order_id.clone(),
            amount_minor: Some(request.amount.minor),
            reason: reason.into(),
        };
        // The box office's own key (order + sequence) and its "same request moments ago" check make a
        // repeated click refund once, whatever key the desk used. The desk mails the buyer itself.
        let view = self.refund_quietly(SUPPORT_ACTOR, &input).await.map_err(failure)?;
        let order = self.order_record(&request.order_id).await.map_err(failure)?;
        if request.reason == RefundReason::Duplicate {
            // A duplicate refunded from a ticket closes the box office's "possible double purchase" too.
            self.close_double_purchase_flag(&order).await.map_err(failure)?;
        }
        let order = self.buyer_order(&order).await.map_err(failure)?;
        let amount = Money::new(view.amount.minor, order.amount.currency);
        Ok(RefundDone { refund_id: view.id.to_string(), amount, order })
    }

    async fn cancel(&self, order_id: &str, _idempotency_key: &str) -> Result<BuyerOrder, BuyerActionError> {
        // Cancelling a ticket is refunding what remains: a refunded order grants no access.
        let order = self.order_record(order_id).await.map_err(failure)?;
        let current = self.buyer_order(&order).await.map_err(failure)?;
        if current.refundable().minor > 0 {
            let input =
                RefundInput { order_id: order.id.clone(), amount_minor: None, reason: "requested_by_customer".into() };
            self.refund_quietly(SUPPORT_ACTOR, &input).await.map_err(failure)?;
        }
        let order = self.order_record(order_id).await.map_err(failure)?;
        self.buyer_order(&order).await.map_err(failure)
    }

    async fn issue_promo(&self, request: PromoRequest) -> Result<PromoIssued, BuyerActionError> {
        let orders = self.store.orders_for_buyer(&request.email).await.map_err(|err| failure(err.into()))?;
        let Some(show_id) = orders.iter().max_by_key(|o| o.purchased_ms).and_then(|o| o.show_id.clone()) else {
            return Err(BuyerActionError::new(
                "no_order",
                format!("{} has no order: which show would the code be for?", request.email),
            ));
        };
        let code = goodwill_code(&request.idempotency_key);
        // A repeated click asks for the same code: give back the one made the first time.
        if let Ok(existing) = self.promo_codes(&show_id).await
            && existing.iter().any(|promo| promo.code == code)
        {
            return Ok(PromoIssued { code, value: request.value });
        }
        let (percent_off, amount_off_minor) = match request.value {
            PromoValue::Percent(percent) => (Some(percent), None),
            PromoValue::Fixed(money) => (None, Some(money.minor)),
        };
        let input = PromoInput {
            show_id,
            code: code.clone(),
            percent_off,
            amount_off_minor,
            max_redemptions: Some(1),
            expires_at_ms: Some(now_ms() + PROMO_VALID_MS),
            for_buyer: Some(request.email.clone()),
        };
        let created = self.create_promo(SUPPORT_ACTOR, &input).await.map_err(failure)?;
        Ok(PromoIssued { code: created.code, value: request.value })
    }

    async fn access_for(&self, order_id: &str) -> Result<AccessGrant, BuyerActionError> {
        let order = self.order_record(order_id).await.map_err(failure)?;
        if !matches!(order.status, LedgerStatus::Paid | LedgerStatus::PartiallyRefunded) {
            return Err(BuyerActionError::new(
                "no_access",
                format!("the order {order_id} is not paid: it grants no access"),
            ));
        }
        let show = match &order.show_id {
            Some(id) => self.store.show(id).await.map_err(|err| failure(err.into()))?,
            None => None,
        };
        let Some(show) = show else {
            return Err(BuyerActionError::new("no_show", format!("the order {order_id} belongs to no known show")));
        };
        let Some(watch_link) = show.watch_url.clone() else {
            return Err(BuyerActionError::new("no_watch_link", format!("no watch link is set for {}", show.title)));
        };
        Ok(AccessGrant {
            order_id: order.id.clone(),
            buyer_name: order.buyer.name.clone().unwrap_or_default(),
            show_title: show.title,
            watch_link,
        })
    }
}

/// "SORRY-7K3Q9X": readable (no 0/O or 1/I), the same for the same action.
fn goodwill_code(idempotency_key: &str) -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in idempotency_key.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    let suffix: String = (0..6).map(|i| ALPHABET[((hash >> (i * 5)) & 31) as usize] as char).collect();
    format!("SORRY-{suffix}")
}

#[cfg(test)]
mod tests {
    use super::goodwill_code;

    #[test]
    fn goodwill_codes_are_stable_per_action_and_readable() {
        assert_eq!(goodwill_code("ticket:12:promo"), goodwill_code("ticket:12:promo"));
        assert_ne!(goodwill_code("ticket:12:promo"), goodwill_code("ticket:13:promo"));
        let code = goodwill_code("x");
        assert!(code.starts_with("SORRY-") && code.len() == 12);
        assert!(!code[6..].contains(['0', 'O', '1', 'I']));
    }
}
