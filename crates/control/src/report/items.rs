//! Open items after a show: refunds still owed, support tickets not closed, double purchases not
//! resolved — each with the one action that settles it (the window maps `action` to its button).

use showdesk_core::support::TicketStatus;
use showdesk_store::ledger::DoublePurchaseStatus;

use super::content::term;
use super::facts::ShowReport;
use super::text::Words;
use super::views::OpenItem;

/// Every open item of the show, money first.
pub fn open_items(r: &ShowReport, w: &Words, ticket_prefix: &str) -> Vec<OpenItem> {
    let mut items = Vec::new();
    for owed in &r.refunds.owed {
        let buyer = r.buyer_of(&owed.order_id).unwrap_or("?");
        let why = match &owed.error_code {
            Some(code) if owed.status == "failed" => {
                format!("{} ({code})", w.pick("refused by the processor", "refusé par le processeur"))
            }
            _ => term(w, &owed.status),
        };
        items.push(OpenItem {
            kind: "refund_owed".into(),
            subject: owed.order_id.clone(),
            description: format!(
                "{} {} {buyer} — {why}, {} {}",
                w.money(owed.amount_minor, r.currency),
                w.pick("to", "à"),
                w.pick("asked", "demandé le"),
                w.date_time(owed.requested_ms)
            ),
            action: "refund".into(),
        });
    }
    for double in r.double_purchases.iter().filter(|d| d.status == DoublePurchaseStatus::Open) {
        let flag = &double.flag;
        items.push(OpenItem {
            kind: "double_purchase".into(),
            subject: double.id.to_string(),
            description: format!(
                "{} {} {} ({} {}) — {}",
                flag.duplicate_order_id,
                w.pick("repeats", "répète"),
                flag.original_order_id,
                w.pick("same", "même"),
                flag.matched_on.as_str(),
                r.buyer_of(&flag.duplicate_order_id).unwrap_or("?")
            ),
            action: "double_purchase_refund".into(),
        });
    }
    for ticket in r.tickets.iter().filter(|t| t.status != TicketStatus::Resolved) {
        let waiting = if ticket.status == TicketStatus::Open {
            w.pick("waiting for us", "en attente de notre réponse")
        } else {
            w.pick("answered, not closed", "répondu, non clos")
        };
        items.push(OpenItem {
            kind: "ticket_open".into(),
            subject: format!("{ticket_prefix}-{}", ticket.id),
            description: format!(
                "{} — {} — {} ({waiting}, {} {})",
                term(w, ticket.category.as_str()),
                ticket.subject,
                ticket.requester_email,
                w.pick("since", "depuis le"),
                w.date_time(ticket.created_at_ms)
            ),
            action: "ticket".into(),
        });
    }
    items
}
