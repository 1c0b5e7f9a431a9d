//! The support desk: the queue, a ticket, its one-step actions and replies, the numbers.

use std::collections::BTreeMap;

use serde::Deserialize;
use showdesk_control::SupportError;
use showdesk_control::support::actions::ActionResult;
use showdesk_control::support::buyer::PromoValue;
use showdesk_control::support::queries::TicketQuery;
use showdesk_control::support::views::{
    CategoryCount, MailboxStatus, OutboxSummary, SafeHtml, SlaSnapshot, TicketDetail, TicketListItem,
};
use showdesk_core::money::{Currency, Money};
use showdesk_core::support::{Category, TicketStatus};

use super::{OPERATOR, Reply, Service, body, invalid};

/// The queue's filter as the window sends it.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TicketQueryInput {
    pub status: Option<String>,
    pub category: Option<String>,
    pub text: Option<String>,
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

/// A page of the queue is at most this many tickets.
const MAX_PAGE: u32 = 500;

impl TicketQueryInput {
    fn to_query(&self) -> Reply<TicketQuery> {
        let status = match self.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(status) => Some(parse_status(status)?),
        };
        let category = match self.category.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(category) => Some(category.parse::<Category>().map_err(|_| {
                invalid("category", format!("{category:?}: payment, refund, overcharge, promo_code, access or other"))
            })?),
        };
        let limit = self.limit.unwrap_or(200);
        if limit == 0 || limit > MAX_PAGE {
            return Err(invalid("limit", format!("{limit} tickets per page: ask for 1 to {MAX_PAGE}")));
        }
        Ok(TicketQuery {
            status,
            category,
            text: self.text.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned),
            limit,
            offset: self.offset.unwrap_or(0),
        })
    }
}

fn parse_status(status: &str) -> Reply<TicketStatus> {
    status.parse().map_err(|_| invalid("status", format!("{status:?}: open, answered or resolved")))
}

/// What keys a one-step action for idempotency: the same click twice within the minute (a double
/// click, a retry after a timeout) is done once; the same action asked again later is new.
fn request_id(action: &str, parts: &[&str]) -> String {
    let minute =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |since| since.as_secs() / 60);
    format!("{action}-{}-{minute}", parts.join("-"))
}

/// The desk's reads say `support.not_configured` until a mailbox is connected, so the window asks
/// for one instead of showing an empty desk as if mail were coming in.
fn connected(service: &Service<'_>) -> Reply<()> {
    let settings = service.support().settings();
    if settings.imap.is_some() && settings.smtp.is_some() {
        Ok(())
    } else {
        Err(body(SupportError::NotConfigured("connect the support mailbox in Setup")))
    }
}

#[tauri::command]
pub async fn tickets(service: Service<'_>, query: Option<TicketQueryInput>) -> Reply<Vec<TicketListItem>> {
    connected(&service)?;
    let query = query.unwrap_or_default().to_query()?;
    service.support().list_tickets(&query).await.map_err(body)
}

#[tauri::command]
pub async fn ticket(service: Service<'_>, ticket_id: i64) -> Reply<TicketDetail> {
    service.support().ticket_detail(ticket_id).await.map_err(body)
}

/// Sanitized HTML for the sandboxed frame; remote images only when the operator asked.
#[tauri::command]
pub async fn message_html(service: Service<'_>, message_id: i64, allow_remote_images: bool) -> Reply<SafeHtml> {
    service
        .support()
        .message_html(message_id, allow_remote_images)
        .await
        .map_err(body)?
        .ok_or_else(|| invalid("messageId", format!("message {message_id} does not exist or has no HTML part")))
}

#[tauri::command]
pub async fn ticket_counts(service: Service<'_>) -> Reply<Vec<CategoryCount>> {
    connected(&service)?;
    service.support().category_counts().await.map_err(body)
}

#[tauri::command]
pub async fn sla(service: Service<'_>, since_ms: i64) -> Reply<SlaSnapshot> {
    connected(&service)?;
    service.support().sla(since_ms).await.map_err(body)
}

#[tauri::command]
pub async fn outbox_summary(service: Service<'_>) -> Reply<OutboxSummary> {
    connected(&service)?;
    service.support().outbox_summary().await.map_err(body)
}

/// Whether a mailbox is connected and answering (never an error: "not configured" is a state here).
#[tauri::command]
pub fn mailbox_status(service: Service<'_>) -> Reply<MailboxStatus> {
    Ok(service.support().mailbox_status())
}

#[tauri::command]
pub fn macros(service: Service<'_>) -> Reply<Vec<String>> {
    Ok(service.support().macro_names())
}

#[tauri::command]
pub async fn ticket_refund(
    service: Service<'_>,
    ticket_id: i64,
    order_id: String,
    amount_minor: Option<i64>,
) -> Reply<ActionResult> {
    let amount = amount_minor.map_or_else(|| "all".to_owned(), |m| m.to_string());
    let request = request_id("refund", &[&ticket_id.to_string(), &order_id, &amount]);
    service.support().refund_minor(OPERATOR, ticket_id, order_id.trim(), amount_minor, &request).await.map_err(body)
}

#[tauri::command]
pub async fn ticket_double_charge(service: Service<'_>, ticket_id: i64) -> Reply<ActionResult> {
    let request = request_id("double", &[&ticket_id.to_string()]);
    service.support().resolve_double_charge(OPERATOR, ticket_id, None, &request).await.map_err(body)
}

/// A promo code's value as the window sends it: `{percent}` or `{amountMinor, currency}`.
#[derive(Debug, Deserialize)]
#[serde(untagged, deny_unknown_fields)]
pub enum PromoValueInput {
    Percent {
        percent: u8,
    },
    #[serde(rename_all = "camelCase")]
    Fixed {
        amount_minor: i64,
        currency: String,
    },
}

impl PromoValueInput {
    fn to_value(&self) -> Reply<PromoValue> {
        match self {
            Self::Percent { percent } => Ok(PromoValue::Percent(*percent)),
            Self::Fixed { amount_minor, currency } => {
                let currency: Currency = currency.trim().parse().map_err(|_| {
                    invalid("value.currency", format!("{currency:?} is not a currency code (EUR, USD…)"))
                })?;
                if *amount_minor <= 0 {
                    return Err(invalid("value.amountMinor", "a fixed discount is more than zero"));
                }
                Ok(PromoValue::Fixed(Money::new(*amount_minor, currency)))
            }
        }
    }
}

#[tauri::command]
pub async fn ticket_promo(service: Service<'_>, ticket_id: i64, value: PromoValueInput) -> Reply<ActionResult> {
    let value = value.to_value()?;
    let request = request_id("promo", &[&ticket_id.to_string(), &value.to_string()]);
    service.support().issue_promo(OPERATOR, ticket_id, value, &request).await.map_err(body)
}

#[tauri::command]
pub async fn ticket_resend_access(service: Service<'_>, ticket_id: i64) -> Reply<ActionResult> {
    let request = request_id("access", &[&ticket_id.to_string()]);
    service.support().resend_access(OPERATOR, ticket_id, None, &request).await.map_err(body)
}

#[tauri::command]
pub async fn ticket_cancel(service: Service<'_>, ticket_id: i64, order_id: String) -> Reply<ActionResult> {
    let request = request_id("cancel", &[&ticket_id.to_string(), &order_id]);
    service.support().cancel_order(OPERATOR, ticket_id, order_id.trim(), &request).await.map_err(body)
}

/// A reply: free text, or a macro by name.
#[derive(Debug, Deserialize)]
#[serde(untagged, deny_unknown_fields)]
pub enum ReplyInput {
    Text { text: String },
    Macro { r#macro: String },
}

#[tauri::command]
pub async fn ticket_reply(
    service: Service<'_>,
    ticket_id: i64,
    reply: ReplyInput,
    confirm_foreign: bool,
) -> Reply<ActionResult> {
    let support = service.support();
    match reply {
        ReplyInput::Text { text } if text.trim().is_empty() => Err(invalid("reply.text", "the reply is empty")),
        ReplyInput::Text { text } => support.reply(OPERATOR, ticket_id, &text).await.map_err(body),
        ReplyInput::Macro { r#macro } => support
            .reply_with_macro(OPERATOR, ticket_id, r#macro.trim(), &BTreeMap::new(), confirm_foreign)
            .await
            .map_err(body),
    }
}

#[tauri::command]
pub async fn ticket_status(service: Service<'_>, ticket_id: i64, status: String) -> Reply<()> {
    let status = parse_status(status.trim())?;
    service.support().set_status(OPERATOR, ticket_id, status).await.map(drop).map_err(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(reply: Reply<impl std::fmt::Debug>) -> Option<(String, String)> {
        reply.err().map(|e| (e.code, e.message))
    }

    #[test]
    fn the_queue_filter_is_checked_and_names_the_field() {
        let query =
            TicketQueryInput { status: Some("open".into()), category: Some("refund".into()), ..Default::default() };
        let query = query.to_query().ok();
        assert_eq!(
            query.as_ref().map(|q| (q.status, q.category, q.limit)),
            Some((Some(TicketStatus::Open), Some(Category::Refund), 200))
        );
        let closed = code(TicketQueryInput { status: Some("closed".into()), ..Default::default() }.to_query());
        assert!(closed.is_some_and(|(code, message)| code == "invalid" && message.starts_with("status:")));
        let big = code(TicketQueryInput { limit: Some(100_000), ..Default::default() }.to_query());
        assert!(big.is_some_and(|(_, message)| message.starts_with("limit:")));
    }

    #[test]
    fn promo_values_arrive_in_either_shape_and_bad_ones_are_refused() {
        let percent: Result<PromoValueInput, _> = serde_json::from_str(r#"{"percent": 20}"#);
        assert!(matches!(percent.map(|v| v.to_value()), Ok(Ok(PromoValue::Percent(20)))));
        let fixed: Result<PromoValueInput, _> = serde_json::from_str(r#"{"amountMinor": 500, "currency": "eur"}"#);
        assert!(matches!(fixed.map(|v| v.to_value()), Ok(Ok(PromoValue::Fixed(_)))));
        let bad: PromoValueInput = serde_json::from_str(r#"{"amountMinor": 500, "currency": "euros"}"#).expect("shape");
        assert!(code(bad.to_value()).is_some_and(|(_, message)| message.starts_with("value.currency:")));
        assert!(serde_json::from_str::<PromoValueInput>(r#"{"percent": 300}"#).is_err(), "a u8 refuses 300");
    }

    #[test]
    fn replies_are_text_or_a_macro() {
        assert!(matches!(serde_json::from_str::<ReplyInput>(r#"{"text": "hi"}"#), Ok(ReplyInput::Text { .. })));
        assert!(matches!(
            serde_json::from_str::<ReplyInput>(r#"{"macro": "watch_link"}"#),
            Ok(ReplyInput::Macro { .. })
        ));
        assert!(serde_json::from_str::<ReplyInput>(r#"{"html": "<b>"}"#).is_err());
    }
}
