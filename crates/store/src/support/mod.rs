//! The support desk's repositories: tickets with their messages and the mailbox read cursor
//! ([`SupportTickets`]), and the one outbox of outgoing mail ([`MailOutbox`]).
//!
//! The SQL is portable (both backends run the same statements, see `sql.rs`); what differs is only
//! the column types in each backend's migration.

mod outbox;
mod sql;
mod sql_impl;
mod tickets;

use async_trait::async_trait;
use showdesk_core::support::sla::TicketTimes;
use showdesk_core::support::{Category, OutboxState};

pub use outbox::{Enqueued, NewOutboxMail, OutboxMail};
pub use tickets::{
    Direction, MailboxCursor, MessageOrigin, NewMessage, NewTicket, Recorded, StoredAttachment, StoredMessage, Ticket,
    TicketChange, TicketFilter, TicketTarget,
};

use crate::StoreError;

/// Tickets, their messages and the mailbox cursor.
#[async_trait]
pub trait SupportTickets {
    /// The ticket holding a message with one of these Message-IDs (the newest match), if any.
    async fn ticket_for_message_ids(&self, message_ids: &[String]) -> Result<Option<i64>, StoreError>;
    /// Records a message on an existing or a new ticket, atomically. A message whose dedupe key is
    /// already stored is not recorded again ([`Recorded::Duplicate`]).
    async fn record_message(&self, target: TicketTarget, message: NewMessage) -> Result<Recorded, StoreError>;
    async fn ticket(&self, id: i64) -> Result<Ticket, StoreError>;
    /// A ticket's messages, oldest first (without raw bytes).
    async fn ticket_messages(&self, ticket_id: i64) -> Result<Vec<StoredMessage>, StoreError>;
    /// One message (without raw bytes).
    async fn message(&self, id: i64) -> Result<StoredMessage, StoreError>;
    /// The raw bytes of a received message, when kept.
    async fn message_raw(&self, id: i64) -> Result<Option<Vec<u8>>, StoreError>;
    /// Tickets matching `filter`, most urgent first.
    async fn list_tickets(&self, filter: &TicketFilter) -> Result<Vec<Ticket>, StoreError>;
    /// How many tickets per category (only unresolved ones when `open_only`).
    async fn ticket_counts(&self, open_only: bool) -> Result<Vec<(Category, u64)>, StoreError>;
    async fn update_ticket(&self, id: i64, change: TicketChange) -> Result<Ticket, StoreError>;
    /// Timestamps of tickets created since `since_ms`, for SLA figures.
    async fn ticket_times(&self, since_ms: i64) -> Result<Vec<TicketTimes>, StoreError>;
    /// Creation times of tickets created since `since_ms` (the surge detector's input).
    async fn tickets_created_since(&self, since_ms: i64) -> Result<Vec<i64>, StoreError>;
    async fn mailbox_cursor(&self, mailbox: &str) -> Result<Option<MailboxCursor>, StoreError>;
    async fn save_mailbox_cursor(&self, mailbox: &str, cursor: MailboxCursor) -> Result<(), StoreError>;
}

/// The outbox: every outgoing mail, persistent, with its delivery state.
#[async_trait]
pub trait MailOutbox {
    /// Queues a mail. With an idempotency key already used, nothing new is queued and the
    /// existing mail is returned.
    async fn enqueue_mail(&self, mail: NewOutboxMail) -> Result<Enqueued, StoreError>;
    /// Takes the oldest due queued mail and marks it `sending` (committed before any SMTP), with
    /// its raw bytes. Counts the attempt.
    async fn claim_next_mail(&self, now_ms: i64) -> Result<Option<(OutboxMail, Vec<u8>)>, StoreError>;
    /// `sending` → `sent`.
    async fn mark_mail_sent(&self, id: i64, at_ms: i64) -> Result<(), StoreError>;
    /// The copy is in the Sent folder.
    async fn mark_copy_saved(&self, id: i64) -> Result<(), StoreError>;
    /// `sending` → `queued` again, due at `next_attempt_at_ms`.
    async fn retry_mail_later(&self, id: i64, next_attempt_at_ms: i64, error: &str) -> Result<(), StoreError>;
    /// → `failed` (gave up) or `held` (the operator decides), with why.
    async fn set_mail_state(&self, id: i64, state: OutboxState, error: &str) -> Result<(), StoreError>;
    /// → `bounced`, naming the address that failed.
    async fn bounce_mail(&self, id: i64, failed_address: &str, detail: &str) -> Result<(), StoreError>;
    /// A held or failed mail goes back to the queue (the operator's "send again").
    async fn requeue_mail(&self, id: i64, now_ms: i64) -> Result<(), StoreError>;
    async fn outbox_mail(&self, id: i64) -> Result<OutboxMail, StoreError>;
    async fn outbox_mail_by_message_id(&self, message_id: &str) -> Result<Option<OutboxMail>, StoreError>;
    /// Mails in `state`, oldest first.
    async fn outbox_in_state(&self, state: OutboxState, limit: u32) -> Result<Vec<OutboxMail>, StoreError>;
    /// Sent mails whose copy is not yet in the Sent folder, with their bytes.
    async fn sent_without_copy(&self, limit: u32) -> Result<Vec<(OutboxMail, Vec<u8>)>, StoreError>;
    async fn outbox_counts(&self) -> Result<Vec<(OutboxState, u64)>, StoreError>;
    /// Automatic mails queued for `recipient` since `since_ms` (whatever became of them).
    async fn automatic_mail_count(&self, recipient: &str, since_ms: i64) -> Result<u64, StoreError>;
}
