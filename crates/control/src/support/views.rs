//! What the UI shows of the support desk: typed snapshots with their TypeScript form (ts-rs).
//! Subjects, names and bodies are plain text: the UI renders them as text, never as HTML. HTML
//! bodies cross only as a sanitized document for a sandboxed frame ([`SafeHtml`]).

use serde::Serialize;
use showdesk_core::support::{Category, Language, OutboxState, TicketStatus};
use showdesk_store::{Direction, StoredMessage, Ticket};
use ts_rs::TS;

use super::buyer::{BuyerOrder, OrderStatus};

/// A ticket's kind, as the UI names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export_to = "TicketCategory.ts")]
pub enum TicketCategory {
    Payment,
    Refund,
    Overcharge,
    PromoCode,
    Access,
    Other,
}

impl From<Category> for TicketCategory {
    fn from(category: Category) -> Self {
        match category {
            Category::Payment => Self::Payment,
            Category::Refund => Self::Refund,
            Category::Overcharge => Self::Overcharge,
            Category::PromoCode => Self::PromoCode,
            Category::Access => Self::Access,
            Category::Other => Self::Other,
        }
    }
}

impl From<TicketCategory> for Category {
    fn from(category: TicketCategory) -> Self {
        match category {
            TicketCategory::Payment => Self::Payment,
            TicketCategory::Refund => Self::Refund,
            TicketCategory::Overcharge => Self::Overcharge,
            TicketCategory::PromoCode => Self::PromoCode,
            TicketCategory::Access => Self::Access,
            TicketCategory::Other => Self::Other,
        }
    }
}

/// Where a ticket is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export_to = "TicketState.ts")]
pub enum TicketState {
    Open,
    Answered,
    Resolved,
}

impl From<TicketStatus> for TicketState {
    fn from(status: TicketStatus) -> Self {
        match status {
            TicketStatus::Open => Self::Open,
            TicketStatus::Answered => Self::Answered,
            TicketStatus::Resolved => Self::Resolved,
        }
    }
}

/// One row of the ticket list.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export_to = "TicketListItem.ts")]
pub struct TicketListItem {
    pub id: i64,
    /// e.g. "SD-1234".
    pub token: String,
    pub subject: String,
    pub requester_name: String,
    pub requester_email: String,
    pub category: TicketCategory,
    /// 0–100.
    pub confidence: u8,
    pub category_by_operator: bool,
    /// "en" or "fr".
    pub language: String,
    /// 0–100, higher first.
    pub priority: u8,
    pub status: TicketState,
    pub order_refs: Vec<String>,
    /// Someone other than the buyer wrote in this ticket: check before sending order details.
    pub sender_mismatch: bool,
    /// Opened by an automatic mail (out-of-office, bounce…): never answered automatically.
    pub automatic: bool,
    pub message_count: u32,
    #[ts(type = "number")]
    pub created_at_ms: i64,
    #[ts(type = "number")]
    pub last_message_at_ms: i64,
}

pub(crate) fn list_item(ticket: &Ticket, prefix: &str) -> TicketListItem {
    TicketListItem {
        id: ticket.id,
        token: format!("{}-{}", prefix, ticket.id),
        subject: ticket.subject.clone(),
        requester_name: ticket.requester_name.clone(),
        requester_email: ticket.requester_email.clone(),
        category: ticket.category.into(),
        confidence: ticket.confidence,
        category_by_operator: ticket.category_by_operator,
        language: language_code(ticket.language),
        priority: ticket.priority,
        status: ticket.status.into(),
        order_refs: ticket.order_refs.clone(),
        sender_mismatch: ticket.sender_mismatch,
        automatic: ticket.automatic,
        message_count: ticket.message_count,
        created_at_ms: ticket.created_at_ms,
        last_message_at_ms: ticket.last_message_at_ms,
    }
}

fn language_code(language: Language) -> String {
    language.as_str().to_owned()
}

/// An attachment as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export_to = "AttachmentView.ts")]
pub struct AttachmentView {
    /// Its position, for downloading it.
    pub index: u32,
    pub name: String,
    pub content_type: String,
    #[ts(type = "number")]
    pub size: u64,
    /// The container it was found in, e.g. "winmail.dat".
    pub inside: Option<String>,
}

/// One message of a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export_to = "MessageView.ts")]
pub struct MessageView {
    pub id: i64,
    /// "in", "out" or "note".
    pub direction: String,
    pub from_name: String,
    pub from_email: String,
    pub subject: String,
    /// Plain text; always shown as text.
    pub text: String,
    /// There is an HTML version (ask for it sanitized).
    pub has_html: bool,
    pub attachments: Vec<AttachmentView>,
    /// What the desk had to do to read it.
    pub notes: Vec<String>,
    /// Why it is automatic, if it is.
    pub automatic: Option<String>,
    pub sender_is_buyer: bool,
    #[ts(type = "number")]
    pub at_ms: i64,
}

pub(crate) fn message_view(message: &StoredMessage) -> MessageView {
    MessageView {
        id: message.id,
        direction: match message.direction {
            Direction::In => "in",
            Direction::Out => "out",
            Direction::Note => "note",
        }
        .to_owned(),
        from_name: message.from_name.clone(),
        from_email: message.from_email.clone(),
        subject: message.subject.clone(),
        text: message.body_text.clone(),
        has_html: message.body_html.is_some(),
        attachments: message
            .attachments
            .iter()
            .enumerate()
            .map(|(index, a)| AttachmentView {
                index: u32::try_from(index).unwrap_or(u32::MAX),
                name: a.name.clone(),
                content_type: a.content_type.clone(),
                size: a.size,
                inside: a.inside.clone(),
            })
            .collect(),
        notes: message.notes.clone(),
        automatic: message.automatic.clone(),
        sender_is_buyer: message.sender_is_buyer,
        at_ms: message.at_ms,
    }
}

/// One of the buyer's orders, beside the ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export_to = "BuyerOrderView.ts")]
pub struct BuyerOrderView {
    pub order_id: String,
    pub reference: String,
    pub buyer_email: String,
    pub show_title: String,
    #[ts(type = "number")]
    pub amount_minor: i64,
    #[ts(type = "number")]
    pub refunded_minor: i64,
    pub currency: String,
    pub status: OrderStatus,
    #[ts(type = "number")]
    pub purchased_at_ms: i64,
}

pub(crate) fn order_view(order: &BuyerOrder) -> BuyerOrderView {
    BuyerOrderView {
        order_id: order.order_id.clone(),
        reference: order.reference.clone(),
        buyer_email: order.buyer_email.clone(),
        show_title: order.show_title.clone(),
        amount_minor: order.amount.minor,
        refunded_minor: order.refunded.minor,
        currency: order.amount.currency.as_str().to_owned(),
        status: order.status,
        purchased_at_ms: order.purchased_at_ms,
    }
}

/// A ticket opened.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export_to = "TicketDetail.ts")]
pub struct TicketDetail {
    pub ticket: TicketListItem,
    /// Whose orders are linked (may differ from the requester: see `sender_mismatch`).
    pub buyer_email: Option<String>,
    pub orders: Vec<BuyerOrderView>,
    pub messages: Vec<MessageView>,
    #[ts(type = "number | null")]
    pub first_response_at_ms: Option<i64>,
    #[ts(type = "number | null")]
    pub resolved_at_ms: Option<i64>,
    /// Macros that can be used as replies.
    pub macros: Vec<String>,
}

/// An HTML body made safe, for `<iframe sandbox srcdoc=…>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export_to = "SafeHtml.ts")]
pub struct SafeHtml {
    pub document: String,
    /// Remote images held back until the operator asks.
    pub blocked_remote_images: u32,
}

/// Tickets per category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export_to = "CategoryCount.ts")]
pub struct CategoryCount {
    pub category: TicketCategory,
    pub open: u32,
    pub total: u32,
}

/// Response times and the surge alert.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export_to = "SlaSnapshot.ts")]
pub struct SlaSnapshot {
    pub tickets: u32,
    pub answered: u32,
    pub resolved: u32,
    pub median_first_response_s: Option<f64>,
    pub p90_first_response_s: Option<f64>,
    pub median_resolution_s: Option<f64>,
    /// Open tickets with no answer yet, and the longest wait among them.
    pub waiting: u32,
    pub longest_wait_s: Option<f64>,
    pub tickets_last_minute: u32,
    pub surge_threshold_per_min: u32,
    /// More tickets per minute than the threshold.
    pub surge: bool,
}

/// The mailbox the desk reads, for the overview: connected, and answering or not.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export_to = "MailboxStatus.ts")]
pub struct MailboxStatus {
    pub configured: bool,
    /// The support address.
    pub address: Option<String>,
    /// Why the last IMAP session failed (secrets masked); None while it answers.
    pub problem: Option<String>,
}

/// The outbox at a glance.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export_to = "OutboxSummary.ts")]
pub struct OutboxSummary {
    pub queued: u32,
    pub sending: u32,
    pub sent: u32,
    pub failed: u32,
    pub bounced: u32,
    /// Caught mid-send by a crash and not found in the Sent folder: the operator decides.
    pub held: u32,
}

pub(crate) fn outbox_summary(counts: &[(OutboxState, u64)]) -> OutboxSummary {
    let mut summary = OutboxSummary::default();
    for &(state, count) in counts {
        let count = u32::try_from(count).unwrap_or(u32::MAX);
        match state {
            OutboxState::Queued => summary.queued = count,
            OutboxState::Sending => summary.sending = count,
            OutboxState::Sent => summary.sent = count,
            OutboxState::Failed => summary.failed = count,
            OutboxState::Bounced => summary.bounced = count,
            OutboxState::Held => summary.held = count,
        }
    }
    summary
}
