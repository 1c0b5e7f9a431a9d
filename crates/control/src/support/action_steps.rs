//! The steps every action shares: who gets the mail (and whether they may see order details),
//! threading the reply, the note on the ticket, the audit entry, and moving the ticket on.

use std::collections::BTreeMap;

use serde_json::json;
use showdesk_connectors::mail::new_message_id;
use showdesk_core::support::{TicketStatus, TicketToken};
use showdesk_store::{
    AuditOutcome, Direction, NewAuditEntry, NewMessage, StoredMessage, Ticket, TicketChange, TicketTarget,
};

use super::actions::ActionResult;
use super::buyer::BuyerActionError;
use super::outbox::QueuedMail;
use super::{SupportDesk, SupportError, SupportEvent, now_ms};

/// The mail an action sends.
pub(super) struct MailPlan<'a> {
    pub template: &'a str,
    pub kind: &'a str,
    pub to: String,
    pub values: BTreeMap<&'a str, String>,
    pub confirmed_foreign: bool,
    /// The action's key: the same click twice queues one mail.
    pub key: Option<String>,
}

impl SupportDesk {
    pub(crate) async fn ticket_row(&self, ticket_id: i64) -> Result<Ticket, SupportError> {
        self.store().ticket(ticket_id).await.map_err(|err| match err {
            showdesk_store::StoreError::NotFound { .. } => SupportError::NoTicket(ticket_id),
            other => other.into(),
        })
    }

    pub(super) fn token(&self, ticket_id: i64) -> String {
        TicketToken::new(&self.settings().ticket_prefix, ticket_id).to_string()
    }

    pub(super) fn values<'a, const N: usize>(
        &self,
        ticket: &Ticket,
        name: &str,
        more: [(&'a str, String); N],
    ) -> BTreeMap<&'a str, String> {
        // No name: the templates greet without one (see `Templates::render`).
        let name = name.trim().to_owned();
        let mut values = BTreeMap::from([
            ("buyer_name", name),
            ("show_title", self.settings().show_title.clone()),
            ("ticket", self.token(ticket.id)),
        ]);
        values.extend(more);
        values
    }

    pub(super) async fn last_inbound(&self, ticket: &Ticket) -> Result<Option<StoredMessage>, SupportError> {
        let messages = self.store().ticket_messages(ticket.id).await?;
        Ok(messages
            .into_iter()
            .rev()
            .find(|m| m.direction == Direction::In && m.automatic.is_none() && !m.from_email.is_empty()))
    }

    pub(super) async fn last_sender(&self, ticket: &Ticket) -> Result<String, SupportError> {
        let last = self.last_inbound(ticket).await?.map(|m| m.from_email);
        let to = last.unwrap_or_else(|| ticket.requester_email.clone());
        if to.is_empty() { Err(SupportError::NoRecipient) } else { Ok(to) }
    }

    /// Whether order details may go to `to` without asking.
    pub(super) fn may_receive_details(ticket: &Ticket, to: &str) -> bool {
        match &ticket.buyer_email {
            Some(buyer) => buyer.eq_ignore_ascii_case(to),
            None => !ticket.sender_mismatch && ticket.requester_email.eq_ignore_ascii_case(to),
        }
    }

    pub(super) async fn queue_reply(
        &self,
        ticket: &Ticket,
        kind: &str,
        to: &str,
        subject: String,
        text: String,
        key: Option<String>,
    ) -> Result<showdesk_store::Enqueued, SupportError> {
        let parent = self.last_inbound(ticket).await?;
        let in_reply_to = parent.as_ref().and_then(|m| m.message_id.clone());
        let references = parent.map(|m| m.references.into_iter().chain(m.message_id).collect()).unwrap_or_default();
        let queued = self
            .queue_mail(QueuedMail {
                ticket_id: Some(ticket.id),
                kind: kind.into(),
                automatic: false,
                to: to.to_owned(),
                to_name: None,
                subject,
                text,
                in_reply_to,
                references,
                idempotency_key: key,
            })
            .await?;
        Ok(queued)
    }

    pub(super) async fn finish(
        &self,
        actor: &str,
        ticket: &Ticket,
        summary: String,
        plan: Option<MailPlan<'_>>,
        status: TicketStatus,
    ) -> Result<ActionResult, SupportError> {
        let mut outbox_id = None;
        if let Some(plan) = plan {
            let rendered = self.templates().render(plan.template, ticket.language, &plan.values)?;
            if rendered.sensitive && !plan.confirmed_foreign && !Self::may_receive_details(ticket, &plan.to) {
                self.audit(
                    actor,
                    ticket,
                    "mail.refused",
                    json!({ "recipient": plan.to, "template": plan.template }),
                    AuditOutcome::Error,
                    Some("support.foreign_recipient"),
                )
                .await?;
                return Err(SupportError::ForeignRecipient { recipient: plan.to });
            }
            let queued =
                self.queue_reply(ticket, plan.kind, &plan.to, rendered.subject, rendered.body, plan.key).await?;
            if queued.existing {
                // The same action again (a double click, a retried call): already done and told.
                return Ok(ActionResult {
                    ticket_id: ticket.id,
                    summary: format!("{summary} (already done)"),
                    outbox_id: Some(queued.id),
                });
            }
            outbox_id = Some(queued.id);
        }
        self.finish_with(actor, ticket, summary, outbox_id, status).await
    }

    pub(super) async fn finish_with(
        &self,
        actor: &str,
        ticket: &Ticket,
        summary: String,
        outbox_id: Option<i64>,
        status: TicketStatus,
    ) -> Result<ActionResult, SupportError> {
        let now = now_ms();
        self.store()
            .update_ticket(
                ticket.id,
                TicketChange {
                    status: Some(status),
                    responded_at_ms: outbox_id.map(|_| now),
                    resolved_at_ms: (status == TicketStatus::Resolved).then_some(now),
                    ..Default::default()
                },
            )
            .await?;
        self.note(ticket.id, actor, &summary).await?;
        self.audit(
            actor,
            ticket,
            "ticket.action",
            json!({ "summary": summary, "outbox_id": outbox_id, "status": status.as_str() }),
            AuditOutcome::Ok,
            None,
        )
        .await?;
        self.emit(SupportEvent::TicketsChanged);
        Ok(ActionResult { ticket_id: ticket.id, summary, outbox_id })
    }

    /// Audits a box-office call and, when it failed, notes it on the ticket and returns the error.
    pub(super) async fn record_outcome<T>(
        &self,
        actor: &str,
        ticket: &Ticket,
        action: &str,
        detail: serde_json::Value,
        result: Result<T, BuyerActionError>,
    ) -> Result<T, SupportError> {
        match result {
            Ok(value) => {
                self.audit(actor, ticket, action, detail, AuditOutcome::Ok, None).await?;
                Ok(value)
            }
            Err(err) => {
                let code = format!("box_office.{}", err.code.trim_start_matches("box_office."));
                self.audit(
                    actor,
                    ticket,
                    action,
                    json!({ "request": detail, "error": err.message }),
                    AuditOutcome::Error,
                    Some(&code),
                )
                .await?;
                self.note(ticket.id, actor, &format!("{action} failed: {}", err.message)).await?;
                Err(err.into())
            }
        }
    }

    pub(super) async fn note(&self, ticket_id: i64, actor: &str, text: &str) -> Result<(), SupportError> {
        let id = new_message_id("note.showdesk.invalid");
        self.store()
            .record_message(
                TicketTarget::Existing(ticket_id),
                NewMessage {
                    direction: Direction::Note,
                    dedupe_key: format!("note:{id}"),
                    message_id: None,
                    in_reply_to: None,
                    references: vec![],
                    from_email: String::new(),
                    from_name: actor.to_owned(),
                    subject: String::new(),
                    body_text: text.to_owned(),
                    body_html: None,
                    attachments: vec![],
                    notes: vec![],
                    automatic: None,
                    sender_is_buyer: true,
                    raw: None,
                    origin: None,
                    at_ms: now_ms(),
                },
            )
            .await?;
        Ok(())
    }

    pub(super) async fn audit(
        &self,
        actor: &str,
        ticket: &Ticket,
        action: &str,
        detail: serde_json::Value,
        outcome: AuditOutcome,
        code: Option<&str>,
    ) -> Result<(), SupportError> {
        self.store()
            .record_audit(NewAuditEntry {
                actor: actor.to_owned(),
                action: action.to_owned(),
                subject: format!("ticket:{}", ticket.id),
                detail,
                outcome,
                error_code: code.map(str::to_owned),
            })
            .await?;
        Ok(())
    }
}

pub(super) fn idempotency_key(ticket_id: i64, action: &str, request_id: &str) -> String {
    let request: String = request_id.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').take(64).collect();
    format!("showdesk:ticket:{ticket_id}:{action}:{request}")
}

/// "Re: <subject> [SD-12]", without stacking "Re:" or tokens.
pub(super) fn reply_subject(subject: &str, token: &str) -> String {
    let base = showdesk_core::support::automatic::strip_reply_prefixes(subject);
    let bracketed = format!("[{token}]");
    if base.to_ascii_uppercase().contains(&bracketed) {
        format!("Re: {base}")
    } else {
        format!("Re: {base} {bracketed}")
    }
}
