//! The outbox: every outgoing mail — replies, acknowledgements, purchase confirmations, follow-ups —
//! is stored first (the exact bytes, with our Message-ID), then sent by one paced worker.
//!
//! Crash safety, step by step: a mail is marked `sending` (committed) before SMTP; after the
//! server accepts it, `sent` (committed); then its copy is appended to the Sent folder. After a
//! crash, a mail still `sending` may or may not have left: the Sent folder is searched for its
//! Message-ID (providers that file sent mail themselves make this exact); found → `sent`, not
//! found → `held` for the operator, who can send it again. Nothing is sent twice by the machine,
//! and nothing is dropped.

use std::time::Duration;

use serde_json::json;
use showdesk_connectors::ConnectorError;
use showdesk_connectors::mail::{ImapClient, OutgoingMail, SmtpSender, compose, new_message_id};
use showdesk_core::support::{OutboxState, Pacer};
use showdesk_store::{AuditOutcome, Direction, Enqueued, NewAuditEntry, NewMessage, NewOutboxMail, OutboxMail};
use tokio::sync::watch;

use super::{SupportDesk, SupportError, now_ms};

/// A mail to queue.
#[derive(Debug, Clone)]
pub struct QueuedMail {
    pub ticket_id: Option<i64>,
    /// reply, ack, confirmation, access, promo, refund, followup…
    pub kind: String,
    pub automatic: bool,
    pub to: String,
    pub to_name: Option<String>,
    pub subject: String,
    pub text: String,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    /// The same key never queues a second mail (e.g. "confirmation:<order>").
    pub idempotency_key: Option<String>,
}

/// What recovery found after a restart.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecoveryReport {
    /// Found in the Sent folder: they had left.
    pub confirmed_sent: u32,
    /// Not found: held for the operator.
    pub held: u32,
}

/// When the worker stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunUntil {
    Shutdown,
    /// Also when nothing is queued or due any more (the CLI's "send the queue").
    QueueEmpty,
}

impl SupportDesk {
    /// Queues a mail (any kind; the box office's purchase confirmations too). Returns the outbox
    /// entry; with an idempotency key already used, the earlier one.
    pub async fn queue_mail(&self, mail: QueuedMail) -> Result<Enqueued, SupportError> {
        let settings = self.settings();
        let message_id = new_message_id(settings.domain());
        let mut references: Vec<String> = mail.references.iter().rev().take(10).rev().cloned().collect();
        references.dedup();
        let raw = compose(&OutgoingMail {
            from_name: settings.display_name.clone(),
            from_address: settings.address.clone(),
            to_name: mail.to_name.clone(),
            to_address: mail.to.clone(),
            subject: mail.subject.clone(),
            text: mail.text.clone(),
            message_id: message_id.clone(),
            in_reply_to: mail.in_reply_to.clone(),
            references: references.clone(),
            automatic: mail.automatic,
        })?;
        let enqueued = self
            .store()
            .enqueue_mail(NewOutboxMail {
                message_id: message_id.clone(),
                idempotency_key: mail.idempotency_key.clone(),
                ticket_id: mail.ticket_id,
                kind: mail.kind.clone(),
                automatic: mail.automatic,
                from_address: settings.address.clone(),
                recipient: mail.to.clone(),
                subject: mail.subject.clone(),
                raw,
                not_before_ms: now_ms(),
            })
            .await?;
        if !enqueued.existing
            && let Some(ticket_id) = mail.ticket_id
        {
            // The conversation shows what we sent, and a reply to it threads by this Message-ID.
            self.store()
                .record_message(
                    showdesk_store::TicketTarget::Existing(ticket_id),
                    NewMessage {
                        direction: Direction::Out,
                        dedupe_key: format!("mid:{message_id}"),
                        message_id: Some(message_id),
                        in_reply_to: mail.in_reply_to,
                        references,
                        from_email: settings.address.clone(),
                        from_name: settings.display_name.clone(),
                        subject: mail.subject,
                        body_text: mail.text,
                        body_html: None,
                        attachments: vec![],
                        notes: vec![],
                        automatic: mail.automatic.then(|| "auto_generated".to_owned()),
                        sender_is_buyer: true,
                        raw: None,
                        origin: None,
                        at_ms: now_ms(),
                    },
                )
                .await?;
        }
        self.wake_outbox();
        Ok(enqueued)
    }

    /// Resolves mails left `sending` by a crash: the Sent folder decides, else the operator.
    /// Call once before the worker starts (the worker does).
    pub async fn recover_outbox(&self) -> Result<RecoveryReport, SupportError> {
        let stuck = self.store().outbox_in_state(OutboxState::Sending, 10_000).await?;
        let mut report = RecoveryReport::default();
        if stuck.is_empty() {
            return Ok(report);
        }
        let imap = self.settings().imap.clone();
        let mut client = match &imap {
            Some(settings) => match ImapClient::connect(settings).await {
                Ok(client) => Some(client),
                Err(err) => {
                    tracing::warn!(code = err.code(), "outbox recovery cannot read the Sent folder: {err}");
                    None
                }
            },
            None => None,
        };
        let sent_folder = imap.as_ref().map_or_else(|| "Sent".to_owned(), |s| s.sent_folder.clone());
        for mail in stuck {
            let found = match client.as_mut() {
                Some(client) => client.folder_has_message_id(&sent_folder, &mail.message_id).await.unwrap_or(false),
                None => false,
            };
            if found {
                self.store().mark_mail_sent(mail.id, now_ms()).await?;
                self.store().mark_copy_saved(mail.id).await?;
                report.confirmed_sent += 1;
            } else {
                let why = "interrupted while sending and not in the Sent folder: it may or may not have left; send it again or drop it";
                self.store().set_mail_state(mail.id, OutboxState::Held, why).await?;
                self.audit_mail(&mail, "mail.held", AuditOutcome::Error, Some("outbox.held"), why).await?;
                report.held += 1;
            }
        }
        if let Some(client) = client {
            client.logout().await;
        }
        self.wake_outbox();
        Ok(report)
    }

    /// The operator's "send again" for a held or failed mail.
    pub async fn resend_held_mail(&self, outbox_id: i64, actor: &str) -> Result<(), SupportError> {
        let mail = self.store().outbox_mail(outbox_id).await?;
        self.store().requeue_mail(outbox_id, now_ms()).await?;
        self.audit_mail(&mail, "mail.requeue", AuditOutcome::Ok, None, &format!("by {actor}")).await?;
        self.wake_outbox();
        Ok(())
    }

    /// Runs the paced sender. Recovers first; then sends due mail at the configured rate, retries
    /// temporary failures with backoff, records bounces, and saves copies to the Sent folder.
    pub async fn run_outbox(&self, mut shutdown: watch::Receiver<bool>, until: RunUntil) -> Result<(), SupportError> {
        let recovered = self.recover_outbox().await?;
        if recovered != RecoveryReport::default() {
            tracing::warn!(?recovered, "outbox recovered after an interrupted run");
        }
        let settings = self.settings();
        let smtp = SmtpSender::new(settings.smtp.as_ref().ok_or(SupportError::NotConfigured("SMTP"))?)?;
        let mut pacer = Pacer::new(settings.rate_per_sec, settings.burst);
        let mut sent_folder: Option<ImapClient> = None;
        loop {
            if *shutdown.borrow() {
                break;
            }
            if let Err(wait_ms) = pacer.try_take(now_ms()) {
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_millis(u64::try_from(wait_ms).unwrap_or(1))) => {}
                    _ = shutdown.changed() => {}
                }
                continue;
            }
            match self.store().claim_next_mail(now_ms()).await? {
                Some((mail, raw)) => {
                    self.deliver(&smtp, &mail, &raw, &mut sent_folder).await?;
                }
                None => {
                    pacer.give_back();
                    self.save_pending_copies(&mut sent_folder).await;
                    if until == RunUntil::QueueEmpty
                        && self.store().outbox_in_state(OutboxState::Queued, 1).await?.is_empty()
                    {
                        break;
                    }
                    tokio::select! {
                        _ = self.outbox_woken(Duration::from_millis(250)) => {}
                        _ = shutdown.changed() => {}
                    }
                }
            }
        }
        self.save_pending_copies(&mut sent_folder).await;
        if let Some(client) = sent_folder {
            client.logout().await;
        }
        Ok(())
    }

    async fn deliver(
        &self,
        smtp: &SmtpSender,
        mail: &OutboxMail,
        raw: &[u8],
        sent_folder: &mut Option<ImapClient>,
    ) -> Result<(), SupportError> {
        match smtp.send(&mail.from_address, &mail.recipient, raw).await {
            Ok(()) => {
                self.store().mark_mail_sent(mail.id, now_ms()).await?;
                self.save_copy(mail.id, raw, sent_folder).await;
            }
            Err(ConnectorError::Permanent { recipient, detail, code }) => {
                let failed = recipient.unwrap_or_else(|| mail.recipient.clone());
                self.store().bounce_mail(mail.id, &failed, &format!("{code} {detail}")).await?;
                self.audit_mail(mail, "mail.bounced", AuditOutcome::Error, Some("mail.bounced"), &detail).await?;
            }
            Err(err) if err.is_transient() => {
                let backoff = self.settings().backoff;
                match backoff.delay_after(mail.attempts) {
                    Some(delay) => self.store().retry_mail_later(mail.id, now_ms() + delay, &err.to_string()).await?,
                    None => {
                        self.store().set_mail_state(mail.id, OutboxState::Failed, &err.to_string()).await?;
                        self.audit_mail(mail, "mail.failed", AuditOutcome::Error, Some(err.code()), &err.to_string())
                            .await?;
                    }
                }
            }
            Err(err) => {
                self.store().set_mail_state(mail.id, OutboxState::Failed, &err.to_string()).await?;
                self.audit_mail(mail, "mail.failed", AuditOutcome::Error, Some(err.code()), &err.to_string()).await?;
            }
        }
        self.emit(super::SupportEvent::OutboxChanged);
        Ok(())
    }

    /// Appends a copy to the Sent folder; on failure the sweep tries again later.
    async fn save_copy(&self, id: i64, raw: &[u8], sent_folder: &mut Option<ImapClient>) {
        let Some(imap) = self.settings().imap.clone() else { return };
        if sent_folder.is_none() {
            match ImapClient::connect(&imap).await {
                Ok(client) => *sent_folder = Some(client),
                Err(err) => {
                    tracing::warn!(code = err.code(), "cannot open the Sent folder: {err}");
                    return;
                }
            }
        }
        let Some(client) = sent_folder.as_mut() else { return };
        match client.append(&imap.sent_folder, raw).await {
            Ok(()) => {
                if let Err(err) = self.store().mark_copy_saved(id).await {
                    tracing::warn!(code = err.code(), "cannot record the Sent copy: {err}");
                }
            }
            Err(err) => {
                tracing::warn!(code = err.code(), "cannot save a copy to the Sent folder: {err}");
                *sent_folder = None;
            }
        }
    }

    async fn save_pending_copies(&self, sent_folder: &mut Option<ImapClient>) {
        if self.settings().imap.is_none() {
            return;
        }
        let pending = match self.store().sent_without_copy(50).await {
            Ok(pending) => pending,
            Err(err) => {
                tracing::warn!(code = err.code(), "cannot list mails without a Sent copy: {err}");
                return;
            }
        };
        for (mail, raw) in pending {
            self.save_copy(mail.id, &raw, sent_folder).await;
        }
    }

    async fn audit_mail(
        &self,
        mail: &OutboxMail,
        action: &str,
        outcome: AuditOutcome,
        code: Option<&str>,
        detail: &str,
    ) -> Result<(), SupportError> {
        self.store()
            .record_audit(NewAuditEntry {
                actor: "system".into(),
                action: action.into(),
                subject: mail.ticket_id.map_or_else(|| format!("mail:{}", mail.id), |t| format!("ticket:{t}")),
                detail: json!({ "outbox_id": mail.id, "message_id": mail.message_id, "recipient": mail.recipient, "detail": detail }),
                outcome,
                error_code: code.map(str::to_owned),
            })
            .await?;
        Ok(())
    }
}
