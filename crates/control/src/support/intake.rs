//! Intake: the mailbox read incrementally (UIDVALIDITY + UID, cursor saved only after the messages
//! are stored, so a crash re-reads and the dedupe key drops what was already there), each mail
//! parsed, threaded (Message-ID / In-Reply-To / References, then the ticket token in the subject),
//! triaged, linked to the buyer's orders, acknowledged when asked — never when it is automatic.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::json;
use showdesk_connectors::mail::{DeliveryReport, ImapClient, ParsedMail, parse_mail};
use showdesk_core::support::{TicketToken, automatic_reason, priority, triage};
use showdesk_store::{
    AuditOutcome, Direction, MailboxCursor, MessageOrigin, NewAuditEntry, NewMessage, NewTicket, Recorded,
    StoredAttachment, TicketTarget,
};
use tokio::sync::watch;

use super::buyer::BuyerOrder;
use super::outbox::QueuedMail;
use super::{SupportDesk, SupportError, SupportEvent, now_ms};

/// What one pass over the mailbox did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IntakeReport {
    pub fetched: u32,
    pub recorded: u32,
    pub duplicates: u32,
    pub new_tickets: u32,
    pub acknowledged: u32,
    pub bounces: u32,
    /// The mailbox's UIDVALIDITY changed: it was read again from the start (duplicates dropped).
    pub resynced: bool,
}

/// What happened to one mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ingested {
    pub ticket_id: i64,
    pub new_ticket: bool,
    pub duplicate: bool,
    pub acknowledged: bool,
    pub bounce: bool,
}

const FETCH_CHUNK: usize = 100;

impl SupportDesk {
    /// Connects to the mailbox and imports what is new.
    pub async fn sync_mailbox(&self) -> Result<IntakeReport, SupportError> {
        let imap = self.settings().imap.clone().ok_or(SupportError::NotConfigured("IMAP"))?;
        let mut client = ImapClient::connect(&imap).await?;
        let report = self.sync_with(&mut client).await;
        client.logout().await;
        report
    }

    /// Imports what is new through an open session.
    pub async fn sync_with(&self, client: &mut ImapClient) -> Result<IntakeReport, SupportError> {
        let mailbox = self.settings().imap.as_ref().map_or_else(|| "INBOX".to_owned(), |imap| imap.mailbox.clone());
        let status = client.select(&mailbox).await?;
        let validity = i64::from(status.uid_validity);
        let cursor = self.store().mailbox_cursor(&mailbox).await?;
        let mut report = IntakeReport::default();
        let after = match cursor {
            Some(cursor) if cursor.uid_validity == validity => cursor.last_uid,
            Some(cursor) => {
                tracing::warn!(
                    mailbox,
                    old = cursor.uid_validity,
                    new = validity,
                    "UIDVALIDITY changed: reading the mailbox again"
                );
                report.resynced = true;
                0
            }
            None => 0,
        };
        let uids = client.uids_after(u32::try_from(after).unwrap_or(0)).await?;
        for chunk in uids.chunks(FETCH_CHUNK) {
            for mail in client.fetch(chunk).await? {
                report.fetched += 1;
                let origin =
                    MessageOrigin { mailbox: mailbox.clone(), uid_validity: validity, uid: i64::from(mail.uid) };
                let declared = (mail.size > mail.raw.len()).then_some(mail.size);
                let ingested = self.ingest(&mail.raw, declared, Some(origin)).await?;
                report.duplicates += u32::from(ingested.duplicate);
                report.recorded += u32::from(!ingested.duplicate);
                report.new_tickets += u32::from(ingested.new_ticket);
                report.acknowledged += u32::from(ingested.acknowledged);
                report.bounces += u32::from(ingested.bounce);
            }
            // Saved after the chunk is stored: a crash before this re-reads the chunk, and the
            // dedupe key drops what was already recorded.
            let last = chunk.last().copied().unwrap_or(0);
            self.store()
                .save_mailbox_cursor(&mailbox, MailboxCursor { uid_validity: validity, last_uid: i64::from(last) })
                .await?;
        }
        if cursor.is_none() || report.resynced || !uids.is_empty() {
            let last = uids.last().map_or(after, |&uid| i64::from(uid));
            self.store()
                .save_mailbox_cursor(&mailbox, MailboxCursor { uid_validity: validity, last_uid: last })
                .await?;
        }
        if report.recorded > 0 {
            self.emit(SupportEvent::TicketsChanged);
        }
        Ok(report)
    }

    /// Runs intake until `shutdown` turns true: IDLE when the server offers it, polling otherwise;
    /// reconnects with a growing pause after errors.
    pub async fn run_intake(&self, mut shutdown: watch::Receiver<bool>) {
        let mut pause = Duration::from_secs(1);
        while !*shutdown.borrow() {
            let Some(imap) = self.settings().imap.clone() else {
                tracing::info!("support intake stopped: no mailbox configured");
                return;
            };
            let session = async {
                let mut client = ImapClient::connect(&imap).await?;
                loop {
                    let report = self.sync_with(&mut client).await?;
                    self.set_mailbox_problem(None);
                    if report.fetched > 0 {
                        tracing::info!(?report, "support mail imported");
                    }
                    let wait =
                        if client.offers_idle() { self.settings().idle_renew } else { self.settings().poll_interval };
                    client.wait(wait).await?;
                }
                #[allow(unreachable_code)]
                Ok::<(), SupportError>(())
            };
            tokio::select! {
                result = session => {
                    if let Err(err) = result {
                        tracing::warn!(code = %err.code(), "support intake: {err}; retrying in {pause:?}");
                        self.set_mailbox_problem(Some(err.to_string()));
                    }
                }
                _ = shutdown.changed() => return,
            }
            tokio::select! {
                _ = tokio::time::sleep(pause) => {}
                _ = shutdown.changed() => return,
            }
            pause = (pause * 2).min(Duration::from_secs(120));
        }
    }

    /// Imports one raw mail (from IMAP, or a file the operator drops in).
    pub async fn ingest(
        &self,
        raw: &[u8],
        declared_size: Option<usize>,
        origin: Option<MessageOrigin>,
    ) -> Result<Ingested, SupportError> {
        let settings = self.settings();
        let parsed = parse_mail(raw, declared_size, settings.parse_limits);
        let dedupe_key = match &parsed.message_id {
            Some(id) => format!("mid:{id}"),
            None => format!("raw:{}", content_hash(raw)),
        };
        let automatic = automatic_reason(&parsed.signals);
        let mut bounce = false;
        if let Some(report) = &parsed.delivery_report {
            bounce = self.apply_bounce(report).await?;
        }

        // Threading: the newest referenced id first, then the token in the subject.
        let mut thread_ids: Vec<String> =
            parsed.in_reply_to.iter().chain(parsed.references.iter().rev()).cloned().collect();
        if let Some(original) = parsed.delivery_report.as_ref().and_then(|r| r.original_message_id.clone()) {
            thread_ids.insert(0, original);
        }
        let mut existing = self.store().ticket_for_message_ids(&thread_ids).await?;
        if existing.is_none()
            && let Some(token) = TicketToken::find_in(&parsed.subject, &settings.ticket_prefix)
            && self.store().ticket(token.number).await.is_ok()
        {
            existing = Some(token.number);
        }

        let now = now_ms();
        let mut message = NewMessage {
            direction: Direction::In,
            dedupe_key,
            message_id: parsed.message_id.clone(),
            in_reply_to: parsed.in_reply_to.first().cloned(),
            references: parsed.references.clone(),
            from_email: parsed.from_address.clone(),
            from_name: parsed.from_name.clone(),
            subject: parsed.subject.clone(),
            body_text: parsed.text.clone(),
            body_html: parsed.html.clone(),
            attachments: parsed
                .attachments
                .iter()
                .map(|a| StoredAttachment {
                    name: a.name.clone(),
                    content_type: a.content_type.clone(),
                    size: a.size as u64,
                    inside: a.inside.clone(),
                })
                .collect(),
            notes: parsed.notes.clone(),
            automatic: automatic.map(|reason| reason.as_str().to_owned()),
            sender_is_buyer: true,
            raw: Some(raw.to_vec()),
            origin,
            at_ms: now,
        };

        let (target, new_ticket_info) = match existing {
            Some(ticket_id) => {
                let ticket = self.store().ticket(ticket_id).await?;
                let buyer = ticket.buyer_email.as_deref().unwrap_or(&ticket.requester_email);
                message.sender_is_buyer = automatic.is_some()
                    || parsed.from_address.eq_ignore_ascii_case(buyer)
                    || parsed.from_address.eq_ignore_ascii_case(&ticket.requester_email);
                (TicketTarget::Existing(ticket_id), None)
            }
            None => {
                let verdict = triage(&parsed.subject, &parsed.text);
                let orders =
                    if automatic.is_some() { Vec::new() } else { self.orders_for(&parsed, &verdict.order_refs).await };
                let own: Vec<&BuyerOrder> =
                    orders.iter().filter(|o| o.buyer_email.eq_ignore_ascii_case(&parsed.from_address)).collect();
                let buyer_email = own.first().copied().or(orders.first()).map(|o| o.buyer_email.to_lowercase());
                let mismatch = buyer_email.as_deref().is_some_and(|buyer| buyer != parsed.from_address);
                let paid = orders.iter().any(BuyerOrder::is_paid);
                let ticket = NewTicket {
                    subject: if parsed.subject.is_empty() { "(no subject)".into() } else { parsed.subject.clone() },
                    requester_email: parsed.from_address.clone(),
                    requester_name: parsed.from_name.clone(),
                    buyer_email,
                    category: verdict.category,
                    confidence: verdict.confidence,
                    language: verdict.language,
                    priority: priority(verdict.category, paid, self.show_is_live(), automatic.is_some()),
                    order_refs: verdict.order_refs.clone(),
                    linked_orders: orders.iter().map(|o| o.order_id.clone()).collect(),
                    automatic: automatic.is_some(),
                    sender_mismatch: mismatch,
                    created_at_ms: now,
                };
                message.sender_is_buyer = !mismatch;
                (TicketTarget::New(ticket.clone()), Some(ticket))
            }
        };

        let recorded = self.store().record_message(target, message).await?;
        let (ticket_id, new_ticket, duplicate) = match recorded {
            Recorded::Duplicate { ticket_id } => (ticket_id, false, true),
            Recorded::Added { ticket_id, new_ticket, .. } => (ticket_id, new_ticket, false),
        };
        let mut acknowledged = false;
        if new_ticket && let Some(ticket) = new_ticket_info {
            if !ticket.automatic {
                self.note_arrival(now);
                acknowledged = self.acknowledge(ticket_id, &ticket, &parsed).await?;
            } else {
                tracing::info!(ticket_id, reason = ?automatic, "automatic mail: no acknowledgement");
            }
        }
        Ok(Ingested { ticket_id, new_ticket, duplicate, acknowledged, bounce })
    }

    async fn orders_for(&self, parsed: &ParsedMail, refs: &[String]) -> Vec<BuyerOrder> {
        let buyers = self.buyers();
        let mut orders = match buyers.orders_of(&parsed.from_address).await {
            Ok(orders) => orders,
            Err(err) => {
                tracing::warn!(code = %err.code, "the box office could not list orders: {}", err.message);
                Vec::new()
            }
        };
        for reference in refs.iter().take(5) {
            if orders.iter().any(|o| &o.reference == reference || &o.order_id == reference) {
                continue;
            }
            match buyers.order_by_reference(reference).await {
                Ok(Some(order)) => orders.push(order),
                Ok(None) => {}
                Err(err) => {
                    tracing::warn!(code = %err.code, "the box office could not find order {reference}: {}", err.message)
                }
            }
        }
        orders
    }

    fn note_arrival(&self, now: i64) {
        use showdesk_core::support::sla::SurgeChange;
        let change = self.surge().record(now, now);
        match change {
            SurgeChange::Started { per_min } => {
                tracing::warn!(per_min, "support surge: more tickets per minute than the threshold");
                self.emit(SupportEvent::SurgeStarted { per_min });
            }
            SurgeChange::Ended => self.emit(SupportEvent::SurgeEnded),
            SurgeChange::Unchanged => {}
        }
    }

    /// Sends the category's acknowledgement when it is switched on and the sender has not had
    /// too many automatic mails already.
    async fn acknowledge(&self, ticket_id: i64, ticket: &NewTicket, parsed: &ParsedMail) -> Result<bool, SupportError> {
        let settings = self.settings();
        let to = parsed.reply_to.clone().unwrap_or_else(|| parsed.from_address.clone());
        if !settings.auto_ack.contains(&ticket.category) || to.is_empty() || to.eq_ignore_ascii_case(&settings.address)
        {
            return Ok(false);
        }
        let since = now_ms() - i64::try_from(settings.auto_cap_window.as_millis()).unwrap_or(i64::MAX);
        if self.store().automatic_mail_count(&to, since).await? >= u64::from(settings.auto_cap) {
            tracing::info!(ticket_id, "automatic mail cap reached for this address: no acknowledgement");
            return Ok(false);
        }
        let token = TicketToken::new(&settings.ticket_prefix, ticket_id).to_string();
        let name = parsed.from_name.trim().to_owned();
        let values =
            BTreeMap::from([("buyer_name", name), ("show_title", settings.show_title.clone()), ("ticket", token)]);
        let rendered =
            self.templates().render(&format!("ack_{}", ticket.category.as_str()), ticket.language, &values)?;
        let queued = self
            .queue_mail(QueuedMail {
                ticket_id: Some(ticket_id),
                kind: "ack".into(),
                automatic: true,
                to,
                to_name: Some(parsed.from_name.clone()).filter(|n| !n.is_empty()),
                subject: rendered.subject,
                text: rendered.body,
                in_reply_to: parsed.message_id.clone(),
                references: parsed.references.iter().cloned().chain(parsed.message_id.clone()).collect(),
                idempotency_key: Some(format!("ack:{ticket_id}")),
            })
            .await?;
        Ok(!queued.existing)
    }

    /// Marks the bounced message of ours (if we know it) bounced, naming the failed address.
    async fn apply_bounce(&self, report: &DeliveryReport) -> Result<bool, SupportError> {
        let Some(original) = &report.original_message_id else { return Ok(false) };
        let Some(mail) = self.store().outbox_mail_by_message_id(original).await? else { return Ok(false) };
        let failed = report.failed_recipients.first().cloned().unwrap_or_else(|| mail.recipient.clone());
        let detail = report.diagnostic.clone().unwrap_or_else(|| "delivery failed".into());
        self.store().bounce_mail(mail.id, &failed, &detail).await?;
        self.store()
            .record_audit(NewAuditEntry {
                actor: "system".into(),
                action: "mail.bounced".into(),
                subject: mail.ticket_id.map_or_else(|| format!("mail:{}", mail.id), |t| format!("ticket:{t}")),
                detail: json!({ "message_id": original, "failed_address": failed, "diagnostic": detail }),
                outcome: AuditOutcome::Error,
                error_code: Some("mail.bounced".into()),
            })
            .await?;
        self.wake_outbox();
        Ok(true)
    }
}

/// A stable key for mail without a Message-ID: two FNV-1a hashes of the bytes (128 bits).
fn content_hash(raw: &[u8]) -> String {
    let fnv =
        |seed: u64| raw.iter().fold(seed, |hash, &byte| (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01B3));
    format!("{:016x}{:016x}{:x}", fnv(0xcbf2_9ce4_8422_2325), fnv(0x8422_2325_cbf2_9ce4), raw.len())
}
