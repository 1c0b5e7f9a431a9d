//! One-step actions from a ticket. Each calls the box office through [`BuyerActions`] with an
//! idempotency key (a double click never refunds twice), writes the result on the ticket as a note
//! and in the audit log, mails the buyer through the outbox, and moves the ticket on.
//!
//! Mail that carries order details, a watch link or a promo code goes to the buyer of the order.
//! A reply to anyone else that carries them needs the operator's explicit confirmation.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::json;
use showdesk_core::Money;
use showdesk_core::support::{Category, TicketStatus};
use showdesk_store::{AuditOutcome, Ticket, TicketChange};
use ts_rs::TS;

use super::action_steps::{MailPlan, idempotency_key, reply_subject};
use super::buyer::{BuyerActionError, BuyerOrder, PromoRequest, PromoValue, RefundReason, RefundRequest};
use super::{SupportDesk, SupportError, SupportEvent};

/// What an action did, for the operator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export_to = "ActionResult.ts")]
pub struct ActionResult {
    pub ticket_id: i64,
    /// One line, e.g. "Refunded 12.00 EUR on order 1042".
    pub summary: String,
    /// The outbox entry of the mail sent to the buyer, if any.
    #[ts(type = "number | null")]
    pub outbox_id: Option<i64>,
}

impl From<BuyerActionError> for SupportError {
    fn from(err: BuyerActionError) -> Self {
        SupportError::BoxOffice { code: err.code, message: err.message }
    }
}

impl SupportDesk {
    /// The buyer's orders as the box office knows them now (by the buyer's address and by the
    /// references quoted in the mail).
    pub async fn ticket_orders(&self, ticket: &Ticket) -> Result<Vec<BuyerOrder>, SupportError> {
        let buyers = self.buyers();
        let email = ticket.buyer_email.as_deref().unwrap_or(&ticket.requester_email);
        let mut orders = buyers.orders_of(email).await?;
        for reference in ticket.order_refs.iter().chain(ticket.linked_orders.iter()).take(10) {
            if orders.iter().any(|o| &o.reference == reference || &o.order_id == reference) {
                continue;
            }
            if let Some(order) = buyers.order_by_reference(reference).await? {
                orders.push(order);
            }
        }
        Ok(orders)
    }

    async fn order_of_ticket(&self, ticket: &Ticket, order_id: &str) -> Result<BuyerOrder, SupportError> {
        self.ticket_orders(ticket)
            .await?
            .into_iter()
            .find(|o| o.order_id == order_id || o.reference == order_id)
            .ok_or_else(|| SupportError::NoSuchOrder(order_id.to_owned()))
    }

    /// Like [`Self::refund`], with the amount in the order's own currency's minor units (the
    /// window knows the number, the order knows the currency).
    pub async fn refund_minor(
        &self,
        actor: &str,
        ticket_id: i64,
        order_id: &str,
        amount_minor: Option<i64>,
        request_id: &str,
    ) -> Result<ActionResult, SupportError> {
        let amount = match amount_minor {
            None => None,
            Some(minor) => {
                let ticket = self.ticket_row(ticket_id).await?;
                let currency = self.order_of_ticket(&ticket, order_id).await?.amount.currency;
                Some(Money::new(minor, currency))
            }
        };
        self.refund(actor, ticket_id, order_id, amount, request_id).await
    }

    /// Refunds `amount` (everything that remains when `None`) on one of the ticket's orders.
    pub async fn refund(
        &self,
        actor: &str,
        ticket_id: i64,
        order_id: &str,
        amount: Option<Money>,
        request_id: &str,
    ) -> Result<ActionResult, SupportError> {
        let ticket = self.ticket_row(ticket_id).await?;
        let order = self.order_of_ticket(&ticket, order_id).await?;
        let remaining = order.refundable();
        let amount = amount.unwrap_or(remaining);
        if amount.currency != remaining.currency || amount.minor <= 0 || amount.minor > remaining.minor {
            return Err(SupportError::BadAmount(
                amount.to_string(),
                format!("between 0 and {remaining} may be refunded"),
            ));
        }
        let key = idempotency_key(ticket_id, "refund", request_id);
        let result = self
            .buyers()
            .refund(RefundRequest {
                order_id: order.order_id.clone(),
                amount,
                reason: RefundReason::RequestedByCustomer,
                idempotency_key: key,
            })
            .await;
        let done = self
            .record_outcome(
                actor,
                &ticket,
                "refund.create",
                json!({ "order": order.order_id, "amount": amount.to_string() }),
                result,
            )
            .await?;
        let summary = format!("Refunded {} on order {} ({})", done.amount, order.reference, done.refund_id);
        let values = self.values(
            &ticket,
            &order.buyer_name,
            [("amount", done.amount.to_string()), ("order", order.reference.clone())],
        );
        let plan = MailPlan {
            template: "refund_done",
            kind: "refund",
            to: order.buyer_email.clone(),
            values,
            confirmed_foreign: false,
            key: Some(format!("mail:{}", idempotency_key(ticket_id, "refund", request_id))),
        };
        self.finish(actor, &ticket, summary, Some(plan), TicketStatus::Resolved).await
    }

    /// A double charge: the newest paid order of the same show (or the one named) is refunded in
    /// full as a duplicate and cancelled; the buyer keeps the other.
    pub async fn resolve_double_charge(
        &self,
        actor: &str,
        ticket_id: i64,
        duplicate: Option<&str>,
        request_id: &str,
    ) -> Result<ActionResult, SupportError> {
        let ticket = self.ticket_row(ticket_id).await?;
        let orders = self.ticket_orders(&ticket).await?;
        let duplicate = match duplicate {
            Some(id) => orders
                .iter()
                .find(|o| o.order_id == id || o.reference == id)
                .cloned()
                .ok_or_else(|| SupportError::NoSuchOrder(id.to_owned()))?,
            None => {
                let mut paid: Vec<&BuyerOrder> = orders.iter().filter(|o| o.is_paid()).collect();
                paid.sort_by_key(|o| o.purchased_at_ms);
                let newest = paid.last().copied().ok_or(SupportError::NoDuplicate)?;
                if paid.iter().filter(|o| o.show_title == newest.show_title).count() < 2 {
                    return Err(SupportError::NoDuplicate);
                }
                newest.clone()
            }
        };
        let amount = duplicate.refundable();
        let buyers = self.buyers();
        let refund = buyers
            .refund(RefundRequest {
                order_id: duplicate.order_id.clone(),
                amount,
                reason: RefundReason::Duplicate,
                idempotency_key: idempotency_key(ticket_id, "double_charge.refund", request_id),
            })
            .await;
        let detail = json!({ "order": duplicate.order_id, "amount": amount.to_string() });
        let done = self.record_outcome(actor, &ticket, "refund.duplicate", detail.clone(), refund).await?;
        let cancelled =
            buyers.cancel(&duplicate.order_id, &idempotency_key(ticket_id, "double_charge.cancel", request_id)).await;
        self.record_outcome(actor, &ticket, "order.cancel", detail, cancelled).await?;
        let summary = format!("Duplicate order {} refunded ({}) and cancelled", duplicate.reference, done.amount);
        let values = self.values(
            &ticket,
            &duplicate.buyer_name,
            [("amount", done.amount.to_string()), ("order", duplicate.reference.clone())],
        );
        let plan = MailPlan {
            template: "double_charge",
            kind: "refund",
            to: duplicate.buyer_email.clone(),
            values,
            confirmed_foreign: false,
            key: Some(format!("mail:{}", idempotency_key(ticket_id, "double_charge", request_id))),
        };
        self.finish(actor, &ticket, summary, Some(plan), TicketStatus::Resolved).await
    }

    /// Issues a single-use promo code for the buyer and mails it.
    pub async fn issue_promo(
        &self,
        actor: &str,
        ticket_id: i64,
        value: PromoValue,
        request_id: &str,
    ) -> Result<ActionResult, SupportError> {
        if let PromoValue::Percent(percent) = value
            && !(1..=100).contains(&percent)
        {
            return Err(SupportError::BadAmount(format!("{percent}%"), "a percentage is between 1 and 100".into()));
        }
        if let PromoValue::Fixed(money) = value
            && money.minor <= 0
        {
            return Err(SupportError::BadAmount(money.to_string(), "a fixed discount is more than zero".into()));
        }
        let ticket = self.ticket_row(ticket_id).await?;
        let email = ticket.buyer_email.clone().unwrap_or_else(|| ticket.requester_email.clone());
        let request = PromoRequest {
            email: email.clone(),
            value,
            reason: format!("support ticket {ticket_id}"),
            idempotency_key: idempotency_key(ticket_id, "promo", request_id),
        };
        let result = self.buyers().issue_promo(request).await;
        let issued = self
            .record_outcome(
                actor,
                &ticket,
                "promo.issue",
                json!({ "email": email, "value": value.to_string() }),
                result,
            )
            .await?;
        let summary = format!("Promo code {} ({}) issued", issued.code, issued.value);
        let values = self.values(
            &ticket,
            &ticket.requester_name,
            [("promo_code", issued.code.clone()), ("promo_value", issued.value.to_string())],
        );
        let plan = MailPlan {
            template: "promo_code",
            kind: "promo",
            to: email,
            values,
            confirmed_foreign: false,
            key: Some(format!("mail:{}", idempotency_key(ticket_id, "promo", request_id))),
        };
        self.finish(actor, &ticket, summary, Some(plan), TicketStatus::Answered).await
    }

    /// Mails the buyer their confirmation and watch link again.
    pub async fn resend_access(
        &self,
        actor: &str,
        ticket_id: i64,
        order_id: Option<&str>,
        request_id: &str,
    ) -> Result<ActionResult, SupportError> {
        let ticket = self.ticket_row(ticket_id).await?;
        let order = match order_id {
            Some(id) => self.order_of_ticket(&ticket, id).await?,
            None => self
                .ticket_orders(&ticket)
                .await?
                .into_iter()
                .find(BuyerOrder::is_paid)
                .ok_or_else(|| SupportError::NoSuchOrder("(a paid order)".into()))?,
        };
        let result = self.buyers().access_for(&order.order_id).await;
        let access =
            self.record_outcome(actor, &ticket, "access.resend", json!({ "order": order.order_id }), result).await?;
        let summary = format!("Access to {} sent again for order {}", access.show_title, order.reference);
        let mut values = self.values(
            &ticket,
            &access.buyer_name,
            [("watch_link", access.watch_link.clone()), ("order", order.reference.clone())],
        );
        values.insert("show_title", access.show_title.clone());
        let plan = MailPlan {
            template: "access",
            kind: "access",
            to: order.buyer_email.clone(),
            values,
            confirmed_foreign: false,
            key: Some(format!("mail:{}", idempotency_key(ticket_id, "access", request_id))),
        };
        self.finish(actor, &ticket, summary, Some(plan), TicketStatus::Answered).await
    }

    /// Cancels an order (access revoked) and tells the buyer.
    pub async fn cancel_order(
        &self,
        actor: &str,
        ticket_id: i64,
        order_id: &str,
        request_id: &str,
    ) -> Result<ActionResult, SupportError> {
        let ticket = self.ticket_row(ticket_id).await?;
        let order = self.order_of_ticket(&ticket, order_id).await?;
        let result = self.buyers().cancel(&order.order_id, &idempotency_key(ticket_id, "cancel", request_id)).await;
        self.record_outcome(actor, &ticket, "order.cancel", json!({ "order": order.order_id }), result).await?;
        let summary = format!("Order {} cancelled", order.reference);
        let values = self.values(&ticket, &order.buyer_name, [("order", order.reference.clone())]);
        let plan = MailPlan {
            template: "cancelled",
            kind: "cancel",
            to: order.buyer_email.clone(),
            values,
            confirmed_foreign: false,
            key: Some(format!("mail:{}", idempotency_key(ticket_id, "cancel", request_id))),
        };
        self.finish(actor, &ticket, summary, Some(plan), TicketStatus::Resolved).await
    }

    /// Replies with a macro (canned reply) to whoever wrote last. `extra` fills variables the
    /// ticket does not know (e.g. a watch link typed by the operator).
    pub async fn reply_with_macro(
        &self,
        actor: &str,
        ticket_id: i64,
        name: &str,
        extra: &BTreeMap<String, String>,
        confirm_foreign: bool,
    ) -> Result<ActionResult, SupportError> {
        let ticket = self.ticket_row(ticket_id).await?;
        let mut values = self.values(&ticket, &ticket.requester_name, []);
        for (key, value) in extra {
            if let Some(known) =
                ["watch_link", "promo_code", "promo_value", "order", "amount", "buyer_name", "show_title"]
                    .iter()
                    .find(|k| *k == key)
            {
                values.insert(known, value.clone());
            }
        }
        let to = self.last_sender(&ticket).await?;
        let plan =
            MailPlan { template: name, kind: "reply", to, values, confirmed_foreign: confirm_foreign, key: None };
        self.finish(actor, &ticket, format!("Replied with “{name}”"), Some(plan), TicketStatus::Answered).await
    }

    /// A free-text reply to whoever wrote last.
    pub async fn reply(&self, actor: &str, ticket_id: i64, text: &str) -> Result<ActionResult, SupportError> {
        let ticket = self.ticket_row(ticket_id).await?;
        let to = self.last_sender(&ticket).await?;
        let queued = self
            .queue_reply(
                &ticket,
                "reply",
                &to,
                reply_subject(&ticket.subject, &self.token(ticket.id)),
                text.to_owned(),
                None,
            )
            .await?;
        self.finish_with(actor, &ticket, "Replied".into(), Some(queued.id), TicketStatus::Answered).await
    }

    /// Moves a ticket to a status (resolving stamps the resolution time).
    pub async fn set_status(
        &self,
        actor: &str,
        ticket_id: i64,
        status: TicketStatus,
    ) -> Result<ActionResult, SupportError> {
        let ticket = self.ticket_row(ticket_id).await?;
        self.finish_with(actor, &ticket, format!("Marked {}", status.as_str()), None, status).await
    }

    /// The operator's correction of the triage.
    pub async fn set_category(
        &self,
        actor: &str,
        ticket_id: i64,
        category: Category,
    ) -> Result<ActionResult, SupportError> {
        let ticket = self.ticket_row(ticket_id).await?;
        self.store().update_ticket(ticket_id, TicketChange { category: Some(category), ..Default::default() }).await?;
        self.audit(
            actor,
            &ticket,
            "ticket.category",
            json!({ "from": ticket.category.as_str(), "to": category.as_str() }),
            AuditOutcome::Ok,
            None,
        )
        .await?;
        self.emit(SupportEvent::TicketsChanged);
        Ok(ActionResult { ticket_id, summary: format!("Category set to {category}"), outbox_id: None })
    }
}
