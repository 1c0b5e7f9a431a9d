//! Ticket and message rows.

use serde::{Deserialize, Serialize};
use showdesk_core::support::{Category, Language, TicketStatus};

/// A new ticket, opened by its first message.
#[derive(Debug, Clone)]
pub struct NewTicket {
    pub subject: String,
    pub requester_email: String,
    pub requester_name: String,
    pub buyer_email: Option<String>,
    pub category: Category,
    pub confidence: u8,
    pub language: Language,
    pub priority: u8,
    pub order_refs: Vec<String>,
    pub linked_orders: Vec<String>,
    pub automatic: bool,
    pub sender_mismatch: bool,
    pub created_at_ms: i64,
}

/// Where a message goes.
#[derive(Debug, Clone)]
pub enum TicketTarget {
    Existing(i64),
    New(NewTicket),
}

/// Which way a message went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// From the buyer (or anyone) to us.
    In,
    /// From us (a reply, an acknowledgement, an action's mail).
    Out,
    /// An internal note: an action's result, a bounce, never sent.
    Note,
}

impl Direction {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::In => "in",
            Self::Out => "out",
            Self::Note => "note",
        }
    }

    pub(crate) fn parse(text: &str) -> Self {
        match text {
            "in" => Self::In,
            "out" => Self::Out,
            _ => Self::Note,
        }
    }
}

/// An attachment as listed (the bytes stay in the raw message).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredAttachment {
    pub name: String,
    pub content_type: String,
    pub size: u64,
    pub inside: Option<String>,
}

/// Where a received message sits in the mailbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageOrigin {
    pub mailbox: String,
    pub uid_validity: i64,
    pub uid: i64,
}

/// A message to record.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub direction: Direction,
    /// "mid:<Message-ID>" when there is one, else "raw:<hash of the bytes>"; unique.
    pub dedupe_key: String,
    pub message_id: Option<String>,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    pub from_email: String,
    pub from_name: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
    pub attachments: Vec<StoredAttachment>,
    pub notes: Vec<String>,
    /// Why the message is automatic (RFC 3834 and kin), if it is.
    pub automatic: Option<String>,
    pub sender_is_buyer: bool,
    pub raw: Option<Vec<u8>>,
    pub origin: Option<MessageOrigin>,
    pub at_ms: i64,
}

/// What recording did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// Already stored (same Message-ID, or the same bytes).
    Duplicate {
        ticket_id: i64,
    },
    Added {
        ticket_id: i64,
        message_row: i64,
        new_ticket: bool,
    },
}

/// A stored message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMessage {
    pub id: i64,
    pub ticket_id: i64,
    pub direction: Direction,
    pub message_id: Option<String>,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    pub from_email: String,
    pub from_name: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
    pub attachments: Vec<StoredAttachment>,
    pub notes: Vec<String>,
    pub automatic: Option<String>,
    pub sender_is_buyer: bool,
    pub at_ms: i64,
}

/// A ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    pub id: i64,
    pub subject: String,
    pub requester_email: String,
    pub requester_name: String,
    pub buyer_email: Option<String>,
    pub category: Category,
    pub confidence: u8,
    pub category_by_operator: bool,
    pub language: Language,
    pub priority: u8,
    pub status: TicketStatus,
    pub order_refs: Vec<String>,
    pub linked_orders: Vec<String>,
    pub automatic: bool,
    pub sender_mismatch: bool,
    pub message_count: u32,
    pub created_at_ms: i64,
    pub last_message_at_ms: i64,
    pub first_response_at_ms: Option<i64>,
    pub resolved_at_ms: Option<i64>,
}

/// What to change on a ticket; `None` leaves a field alone.
#[derive(Debug, Clone, Default)]
pub struct TicketChange {
    pub status: Option<TicketStatus>,
    /// The operator's correction of the triage.
    pub category: Option<Category>,
    pub priority: Option<u8>,
    pub buyer_email: Option<String>,
    pub linked_orders: Option<Vec<String>>,
    pub sender_mismatch: Option<bool>,
    /// Sets the first response time unless one is already set.
    pub responded_at_ms: Option<i64>,
    /// Sets the resolution time (and clears it when the status leaves `resolved`).
    pub resolved_at_ms: Option<i64>,
}

/// Which tickets to list.
#[derive(Debug, Clone)]
pub struct TicketFilter {
    pub status: Option<TicketStatus>,
    pub category: Option<Category>,
    /// Words to find in the token, subject, people, order references and first lines.
    pub text: Option<String>,
    pub limit: u32,
    pub offset: u32,
}

impl Default for TicketFilter {
    fn default() -> Self {
        Self { status: None, category: None, text: None, limit: 100, offset: 0 }
    }
}

/// How far the mailbox has been read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MailboxCursor {
    pub uid_validity: i64,
    pub last_uid: i64,
}
