//! What the UI reads: the ticket list (filter and search), a ticket with its messages and the
//! buyer's orders, a message's HTML made safe, attachments, counts, SLA figures and the outbox.

use showdesk_connectors::mail::{RemoteContent, attachment_bytes, sanitize_html};
use showdesk_core::support::sla::SlaFigures;
use showdesk_core::support::{Category, TicketStatus, TicketToken};
use showdesk_store::TicketFilter;

use super::views::{
    CategoryCount, OutboxSummary, SafeHtml, SlaSnapshot, TicketCategory, TicketDetail, TicketListItem, list_item,
    message_view, order_view, outbox_summary,
};
use super::{SupportDesk, SupportError, now_ms};

/// The ticket list's filter, as the UI sends it.
#[derive(Debug, Clone, Default)]
pub struct TicketQuery {
    pub status: Option<TicketStatus>,
    pub category: Option<Category>,
    /// Free text; a token such as "SD-12" opens that ticket.
    pub text: Option<String>,
    pub limit: u32,
    pub offset: u32,
}

impl SupportDesk {
    pub async fn list_tickets(&self, query: &TicketQuery) -> Result<Vec<TicketListItem>, SupportError> {
        let prefix = self.settings().ticket_prefix.clone();
        if let Some(text) = query.text.as_deref()
            && let Some(token) = TicketToken::find_in(&format!("[{}]", text.trim()), &prefix)
        {
            return Ok(match self.store().ticket(token.number).await {
                Ok(ticket) => vec![list_item(&ticket, &prefix)],
                Err(_) => Vec::new(),
            });
        }
        let filter = TicketFilter {
            status: query.status,
            category: query.category,
            text: query.text.clone().filter(|t| !t.trim().is_empty()),
            limit: if query.limit == 0 { 100 } else { query.limit },
            offset: query.offset,
        };
        Ok(self.store().list_tickets(&filter).await?.iter().map(|t| list_item(t, &prefix)).collect())
    }

    pub async fn ticket_detail(&self, ticket_id: i64) -> Result<TicketDetail, SupportError> {
        let ticket = self.ticket_row(ticket_id).await?;
        let messages = self.store().ticket_messages(ticket_id).await?;
        // The orders come fresh from the box office; if it cannot answer, the ticket still opens.
        let orders = match self.ticket_orders(&ticket).await {
            Ok(orders) => orders.iter().map(order_view).collect(),
            Err(err) => {
                tracing::warn!(code = %err.code(), "orders of ticket {ticket_id} unavailable: {err}");
                Vec::new()
            }
        };
        let prefix = self.settings().ticket_prefix.clone();
        Ok(TicketDetail {
            ticket: list_item(&ticket, &prefix),
            buyer_email: ticket.buyer_email.clone(),
            orders,
            messages: messages.iter().map(message_view).collect(),
            first_response_at_ms: ticket.first_response_at_ms,
            resolved_at_ms: ticket.resolved_at_ms,
            // Acknowledgements and after-show follow-ups are sent by the desk itself, not picked as replies.
            macros: self
                .templates()
                .names()
                .into_iter()
                .filter(|name| !name.starts_with("ack_") && !name.starts_with("followup_"))
                .collect(),
        })
    }

    /// A message's HTML, sanitized; remote images only when the operator asked.
    pub async fn message_html(&self, message_id: i64, allow_remote: bool) -> Result<Option<SafeHtml>, SupportError> {
        let message = self.store().message(message_id).await?;
        let Some(html) = message.body_html else { return Ok(None) };
        let remote = if allow_remote { RemoteContent::Allowed } else { RemoteContent::Blocked };
        let clean = sanitize_html(&html, remote);
        Ok(Some(SafeHtml {
            document: clean.document,
            blocked_remote_images: u32::try_from(clean.blocked_remote_images).unwrap_or(u32::MAX),
        }))
    }

    /// The name and bytes of attachment `index` of a received message.
    pub async fn attachment(&self, message_id: i64, index: u32) -> Result<Option<(String, Vec<u8>)>, SupportError> {
        let message = self.store().message(message_id).await?;
        let Some(listed) = message.attachments.get(index as usize) else { return Ok(None) };
        let Some(raw) = self.store().message_raw(message_id).await? else { return Ok(None) };
        Ok(attachment_bytes(&raw, index as usize).map(|bytes| (listed.name.clone(), bytes)))
    }

    /// Tickets per category, every category listed.
    pub async fn category_counts(&self) -> Result<Vec<CategoryCount>, SupportError> {
        let open = self.store().ticket_counts(true).await?;
        let total = self.store().ticket_counts(false).await?;
        let count = |list: &[(Category, u64)], category| {
            list.iter().find(|(c, _)| *c == category).map_or(0, |(_, n)| u32::try_from(*n).unwrap_or(u32::MAX))
        };
        Ok(Category::ALL
            .iter()
            .map(|&category| CategoryCount {
                category: TicketCategory::from(category),
                open: count(&open, category),
                total: count(&total, category),
            })
            .collect())
    }

    /// SLA figures over the tickets created since `since_ms`, and the surge state now.
    pub async fn sla(&self, since_ms: i64) -> Result<SlaSnapshot, SupportError> {
        let now = now_ms();
        let figures = SlaFigures::compute(&self.store().ticket_times(since_ms).await?, now);
        let threshold = self.settings().surge_threshold_per_min;
        let last_minute = self.store().tickets_created_since(now - 60_000).await?.len();
        let (per_minute, raised) = {
            let mut surge = self.surge();
            surge.check(now);
            (surge.per_minute(now), surge.is_raised())
        };
        let narrow = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
        Ok(SlaSnapshot {
            tickets: narrow(figures.tickets),
            answered: narrow(figures.answered),
            resolved: narrow(figures.resolved),
            median_first_response_s: figures.median_first_response_s,
            p90_first_response_s: figures.p90_first_response_s,
            median_resolution_s: figures.median_resolution_s,
            waiting: narrow(figures.waiting),
            longest_wait_s: figures.longest_wait_s,
            // The store's count survives restarts; the detector's is what raised the alert.
            tickets_last_minute: narrow(last_minute as u64).max(per_minute),
            surge_threshold_per_min: threshold,
            surge: raised || last_minute as u64 > u64::from(threshold),
        })
    }

    pub async fn outbox_summary(&self) -> Result<OutboxSummary, SupportError> {
        Ok(outbox_summary(&self.store().outbox_counts().await?))
    }
}
