//! Outbox rows.

use showdesk_core::support::OutboxState;

/// A mail to queue.
#[derive(Debug, Clone)]
pub struct NewOutboxMail {
    /// Without angle brackets; unique.
    pub message_id: String,
    pub idempotency_key: Option<String>,
    pub ticket_id: Option<i64>,
    pub kind: String,
    pub automatic: bool,
    pub from_address: String,
    pub recipient: String,
    pub subject: String,
    pub raw: Vec<u8>,
    /// Not sent before this time (ms).
    pub not_before_ms: i64,
}

/// What enqueueing did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Enqueued {
    pub id: i64,
    /// The idempotency key was already used: this is the earlier mail.
    pub existing: bool,
}

/// A mail in the outbox (its bytes are fetched separately).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMail {
    pub id: i64,
    pub message_id: String,
    pub idempotency_key: Option<String>,
    pub ticket_id: Option<i64>,
    pub kind: String,
    pub automatic: bool,
    pub from_address: String,
    pub recipient: String,
    pub subject: String,
    pub state: OutboxState,
    pub attempts: u32,
    pub next_attempt_at_ms: i64,
    pub last_error: Option<String>,
    pub failed_address: Option<String>,
    pub copy_saved: bool,
    pub created_at_ms: i64,
    pub sent_at_ms: Option<i64>,
}
