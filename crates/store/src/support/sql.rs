//! The support repositories in SQL that both backends run unchanged ($n placeholders, RETURNING,
//! ON CONFLICT, COALESCE, LIKE … ESCAPE). The macro only saves writing the code twice.

use showdesk_core::support::{Category, Language, OutboxState, TicketStatus};

use super::{Direction, OutboxMail, StoredAttachment, StoredMessage, Ticket};
use crate::StoreError;

pub(super) const TICKET_COLUMNS: &str = "id, subject, requester_email, requester_name, buyer_email, category, confidence, \
     category_by_operator, language, priority, status, order_refs, linked_orders, automatic, sender_mismatch, \
     message_count, created_at_ms, last_message_at_ms, first_response_at_ms, resolved_at_ms";

pub(super) const MESSAGE_COLUMNS: &str = "id, ticket_id, direction, message_id, in_reply_to, refs, from_email, from_name, \
     subject, body_text, body_html, attachments, notes, automatic, sender_is_buyer, at_ms";

pub(super) const OUTBOX_COLUMNS: &str = "id, message_id, idempotency_key, ticket_id, kind, automatic, from_address, recipient, \
     subject, state, attempts, next_attempt_at_ms, last_error, failed_address, copy_saved, created_at_ms, sent_at_ms";

#[derive(sqlx::FromRow)]
pub(super) struct TicketRow {
    id: i64,
    subject: String,
    requester_email: String,
    requester_name: String,
    buyer_email: Option<String>,
    category: String,
    confidence: i64,
    category_by_operator: bool,
    language: String,
    priority: i64,
    status: String,
    order_refs: String,
    linked_orders: String,
    automatic: bool,
    sender_mismatch: bool,
    message_count: i64,
    created_at_ms: i64,
    last_message_at_ms: i64,
    first_response_at_ms: Option<i64>,
    resolved_at_ms: Option<i64>,
}

fn corrupt(what: &str) -> impl Fn(showdesk_core::support::UnknownName) -> StoreError + '_ {
    move |err| StoreError::Corrupt(format!("{what}: {err}"))
}

pub(super) fn json_list<T: serde::de::DeserializeOwned>(text: &str) -> Result<Vec<T>, StoreError> {
    serde_json::from_str(text).map_err(|err| StoreError::Corrupt(format!("stored list: {err}")))
}

pub(super) fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "[]".into())
}

impl TryFrom<TicketRow> for Ticket {
    type Error = StoreError;
    fn try_from(row: TicketRow) -> Result<Self, StoreError> {
        Ok(Ticket {
            id: row.id,
            subject: row.subject,
            requester_email: row.requester_email,
            requester_name: row.requester_name,
            buyer_email: row.buyer_email,
            category: row.category.parse::<Category>().map_err(corrupt("ticket category"))?,
            confidence: u8::try_from(row.confidence.clamp(0, 100)).unwrap_or(0),
            category_by_operator: row.category_by_operator,
            language: row.language.parse::<Language>().map_err(corrupt("ticket language"))?,
            priority: u8::try_from(row.priority.clamp(0, 100)).unwrap_or(0),
            status: row.status.parse::<TicketStatus>().map_err(corrupt("ticket status"))?,
            order_refs: json_list(&row.order_refs)?,
            linked_orders: json_list(&row.linked_orders)?,
            automatic: row.automatic,
            sender_mismatch: row.sender_mismatch,
            message_count: u32::try_from(row.message_count).unwrap_or(0),
            created_at_ms: row.created_at_ms,
            last_message_at_ms: row.last_message_at_ms,
            first_response_at_ms: row.first_response_at_ms,
            resolved_at_ms: row.resolved_at_ms,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct MessageRow {
    id: i64,
    ticket_id: i64,
    direction: String,
    message_id: Option<String>,
    in_reply_to: Option<String>,
    refs: String,
    from_email: String,
    from_name: String,
    subject: String,
    body_text: String,
    body_html: Option<String>,
    attachments: String,
    notes: String,
    automatic: Option<String>,
    sender_is_buyer: bool,
    at_ms: i64,
}

impl TryFrom<MessageRow> for StoredMessage {
    type Error = StoreError;
    fn try_from(row: MessageRow) -> Result<Self, StoreError> {
        Ok(StoredMessage {
            id: row.id,
            ticket_id: row.ticket_id,
            direction: Direction::parse(&row.direction),
            message_id: row.message_id,
            in_reply_to: row.in_reply_to,
            references: json_list(&row.refs)?,
            from_email: row.from_email,
            from_name: row.from_name,
            subject: row.subject,
            body_text: row.body_text,
            body_html: row.body_html,
            attachments: json_list::<StoredAttachment>(&row.attachments)?,
            notes: json_list(&row.notes)?,
            automatic: row.automatic,
            sender_is_buyer: row.sender_is_buyer,
            at_ms: row.at_ms,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct OutboxRow {
    id: i64,
    message_id: String,
    idempotency_key: Option<String>,
    ticket_id: Option<i64>,
    kind: String,
    automatic: bool,
    from_address: String,
    recipient: String,
    subject: String,
    state: String,
    attempts: i64,
    next_attempt_at_ms: i64,
    last_error: Option<String>,
    failed_address: Option<String>,
    copy_saved: bool,
    created_at_ms: i64,
    sent_at_ms: Option<i64>,
}

impl TryFrom<OutboxRow> for OutboxMail {
    type Error = StoreError;
    fn try_from(row: OutboxRow) -> Result<Self, StoreError> {
        Ok(OutboxMail {
            id: row.id,
            message_id: row.message_id,
            idempotency_key: row.idempotency_key,
            ticket_id: row.ticket_id,
            kind: row.kind,
            automatic: row.automatic,
            from_address: row.from_address,
            recipient: row.recipient,
            subject: row.subject,
            state: row.state.parse::<OutboxState>().map_err(corrupt("outbox state"))?,
            attempts: u32::try_from(row.attempts).unwrap_or(0),
            next_attempt_at_ms: row.next_attempt_at_ms,
            last_error: row.last_error,
            failed_address: row.failed_address,
            copy_saved: row.copy_saved,
            created_at_ms: row.created_at_ms,
            sent_at_ms: row.sent_at_ms,
        })
    }
}

/// `%word%` for LIKE, with the wildcards of the word escaped (ESCAPE '\').
pub(super) fn like_pattern(word: &str) -> String {
    let mut escaped = String::with_capacity(word.len() + 2);
    escaped.push('%');
    for ch in word.to_lowercase().chars() {
        if matches!(ch, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(ch);
    }
    escaped.push('%');
    escaped
}

/// What a ticket is found by: lower-cased subject, people, references and the first words.
pub(super) fn search_text(ticket: &super::NewTicket, body: &str) -> String {
    let start: String = body.chars().take(600).collect();
    format!(
        "{} {} {} {} {}",
        ticket.subject,
        ticket.requester_email,
        ticket.requester_name,
        ticket.order_refs.join(" "),
        start
    )
    .to_lowercase()
}
