//! An in-memory stand-in for the box office (issue 4, built in another branch), implementing only
//! the narrow `BuyerActions` trait the support desk calls. Everything else in these tests is real
//! (dovecot, the SMTP sink, SQLite, PostgreSQL). The lead wires the real box office at merge time.

#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use showdesk_control::support::buyer::{
    AccessGrant, BuyerActionError, BuyerActions, BuyerOrder, OrderStatus, PromoIssued, PromoRequest, RefundDone,
    RefundRequest,
};
use showdesk_core::{Currency, Money};

#[derive(Debug, Default)]
pub struct FakeBoxOffice {
    orders: Mutex<Vec<BuyerOrder>>,
    /// Idempotency key → the first answer, like Stripe replays it.
    refunds: Mutex<HashMap<String, RefundDone>>,
    promos: Mutex<HashMap<String, PromoIssued>>,
    pub calls: Mutex<Vec<String>>,
}

pub fn order(id: &str, reference: &str, email: &str, name: &str, euros: i64, at_ms: i64) -> BuyerOrder {
    BuyerOrder {
        order_id: id.into(),
        reference: reference.into(),
        buyer_email: email.into(),
        buyer_name: name.into(),
        show_title: "Nuit de la boxe".into(),
        amount: Money::new(euros * 100, Currency::EUR),
        refunded: Money::zero(Currency::EUR),
        status: OrderStatus::Paid,
        purchased_at_ms: at_ms,
    }
}

impl FakeBoxOffice {
    pub fn with_orders(orders: Vec<BuyerOrder>) -> Self {
        Self { orders: Mutex::new(orders), ..Self::default() }
    }

    pub fn order(&self, id: &str) -> Option<BuyerOrder> {
        self.orders.lock().ok()?.iter().find(|o| o.order_id == id).cloned()
    }

    fn log(&self, call: String) {
        if let Ok(mut calls) = self.calls.lock() {
            calls.push(call);
        }
    }
}

fn refused(code: &str, message: &str) -> BuyerActionError {
    BuyerActionError::new(code, message)
}

#[async_trait]
impl BuyerActions for FakeBoxOffice {
    async fn orders_of(&self, email: &str) -> Result<Vec<BuyerOrder>, BuyerActionError> {
        let orders = self.orders.lock().map_err(|_| refused("internal", "poisoned"))?;
        let mut found: Vec<_> = orders.iter().filter(|o| o.buyer_email.eq_ignore_ascii_case(email)).cloned().collect();
        found.sort_by_key(|o| std::cmp::Reverse(o.purchased_at_ms));
        Ok(found)
    }

    async fn order_by_reference(&self, reference: &str) -> Result<Option<BuyerOrder>, BuyerActionError> {
        let orders = self.orders.lock().map_err(|_| refused("internal", "poisoned"))?;
        Ok(orders.iter().find(|o| o.reference == reference || o.order_id == reference).cloned())
    }

    async fn refund(&self, request: RefundRequest) -> Result<RefundDone, BuyerActionError> {
        if let Some(done) =
            self.refunds.lock().map_err(|_| refused("internal", "poisoned"))?.get(&request.idempotency_key)
        {
            return Ok(done.clone());
        }
        self.log(format!("refund {} {}", request.order_id, request.amount));
        let mut orders = self.orders.lock().map_err(|_| refused("internal", "poisoned"))?;
        let order = orders
            .iter_mut()
            .find(|o| o.order_id == request.order_id)
            .ok_or_else(|| refused("no_order", "no such order"))?;
        if request.amount.minor > order.refundable().minor {
            return Err(refused("over_refund", "more than what remains"));
        }
        order.refunded = order.refunded.checked_add(request.amount).map_err(|e| refused("money", &e.to_string()))?;
        order.status =
            if order.refundable().is_zero() { OrderStatus::Refunded } else { OrderStatus::PartiallyRefunded };
        let done =
            RefundDone { refund_id: format!("re_{}", order.order_id), amount: request.amount, order: order.clone() };
        drop(orders);
        self.refunds.lock().map_err(|_| refused("internal", "poisoned"))?.insert(request.idempotency_key, done.clone());
        Ok(done)
    }

    async fn cancel(&self, order_id: &str, _key: &str) -> Result<BuyerOrder, BuyerActionError> {
        self.log(format!("cancel {order_id}"));
        let mut orders = self.orders.lock().map_err(|_| refused("internal", "poisoned"))?;
        let order =
            orders.iter_mut().find(|o| o.order_id == order_id).ok_or_else(|| refused("no_order", "no such order"))?;
        order.status = OrderStatus::Cancelled;
        Ok(order.clone())
    }

    async fn issue_promo(&self, request: PromoRequest) -> Result<PromoIssued, BuyerActionError> {
        let mut promos = self.promos.lock().map_err(|_| refused("internal", "poisoned"))?;
        let count = promos.len();
        let issued = promos
            .entry(request.idempotency_key.clone())
            .or_insert_with(|| PromoIssued { code: format!("SORRY-{}", 100 + count), value: request.value })
            .clone();
        self.log(format!("promo {} {}", request.email, issued.code));
        Ok(issued)
    }

    async fn access_for(&self, order_id: &str) -> Result<AccessGrant, BuyerActionError> {
        let order = self.order(order_id).ok_or_else(|| refused("no_order", "no such order"))?;
        if !order.is_paid() {
            return Err(refused("not_paid", "this order gives no access"));
        }
        Ok(AccessGrant {
            order_id: order.order_id.clone(),
            buyer_name: order.buyer_name.clone(),
            show_title: order.show_title.clone(),
            watch_link: format!("https://watch.example/t/{}", order.order_id),
        })
    }
}
