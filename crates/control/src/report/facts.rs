//! Everything the report says about one show, read once from the store: the ledger (totals, orders,
//! refunds, promo codes, double purchases, attempts), the audience, the stream log, the support
//! desk's tickets and the follow-up mails. The HTML, the PDF, the CSV files, the retrospective's
//! prefill and the open items are all written from this one snapshot, so they never disagree.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;
use showdesk_core::Currency;
use showdesk_core::box_office::Show;
use showdesk_store::ledger::{DoublePurchaseRecord, DoublePurchaseStatus, OrderRecord, RefundRecord, ShowTotals};
use showdesk_store::{KeyedMail, LiveSession, ShowAttempts, Store, StoreError, Ticket, TicketFilter};

use super::figures::{self, Audience, OutputHealth, Refunds, SalesCurve, Support};
use crate::ControlError;

/// A ticket that came in with no order found counts for the show when it came while the show was
/// on sale or up to this long after its end (buyers write about the replay and refunds for days).
pub const SUPPORT_AFTER_END_MS: i64 = 3 * 24 * 3_600_000;
/// The first-response target the report counts breaches against: buyers who cannot watch give up
/// within the half hour.
pub const FIRST_RESPONSE_TARGET_S: i64 = 30 * 60;
/// Support arrivals are charted per ten minutes (the surge is a matter of minutes).
pub const SUPPORT_BUCKET_MS: i64 = 10 * 60_000;
/// Orders and tickets are read in pages of this size.
const PAGE: u32 = 500;

/// Use of one promo code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PromoUse {
    pub code: String,
    pub paid_orders: i64,
    pub tickets: i64,
    /// What its buyers paid.
    pub revenue_minor: i64,
    /// What it cost: the discounts it gave.
    pub discount_minor: i64,
}

/// Double purchases found and what became of them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Doubles {
    pub found: i64,
    pub refunded: i64,
    pub dismissed: i64,
    pub open: i64,
}

/// One live session and its outputs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionSummary {
    pub started_ms: i64,
    pub ended_ms: Option<i64>,
}

/// Something that happened on air, already scrubbed of secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OnAirEvent {
    pub at_ms: i64,
    /// alert (dropped frames, sound), off_air (an output lost the ingest), failed (it gave up).
    pub kind: String,
    pub subject: String,
    pub message: String,
}

/// The stream's health.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Stream {
    pub sessions: Vec<SessionSummary>,
    /// Wall time on air over all sessions (a session still open counts up to the report).
    pub on_air_seconds: i64,
    pub outputs: Vec<OutputHealth>,
    /// Bitrate samples of the destinations (not the recording): (at, output, bits/s).
    pub bitrate_series: Vec<(i64, String, i64)>,
    pub alerts: Vec<OnAirEvent>,
}

/// Follow-up mails of one kind and how they went.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FollowUpTally {
    pub kind: String,
    pub queued: i64,
    pub sent: i64,
    pub bounced: i64,
    pub failed: i64,
}

/// The whole report of one show.
#[derive(Debug, Clone)]
pub struct ShowReport {
    pub show: Show,
    pub currency: Currency,
    pub generated_ms: i64,
    pub totals: ShowTotals,
    pub refunds: Refunds,
    pub promos: Vec<PromoUse>,
    pub doubles: Doubles,
    pub double_purchases: Vec<DoublePurchaseRecord>,
    pub attempts: ShowAttempts,
    pub sales: SalesCurve,
    pub audience: Audience,
    pub stream: Stream,
    pub support: Support,
    pub follow_ups: Vec<FollowUpTally>,
    /// The rows behind the CSV files.
    pub orders: Vec<OrderRecord>,
    pub refund_records: Vec<RefundRecord>,
    pub tickets: Vec<Ticket>,
}

impl ShowReport {
    pub fn net_minor(&self) -> i64 {
        self.totals.gross_minor - self.totals.refunded_minor
    }

    pub fn decline_per_mille(&self) -> Option<u64> {
        self.attempts.counts.decline_per_mille()
    }

    /// The buyer's address of an order, when known.
    pub fn buyer_of(&self, order_id: &str) -> Option<&str> {
        self.orders.iter().find(|o| o.id == order_id).and_then(|o| o.buyer.email.as_deref())
    }
}

/// The idempotency-key prefix of a show's follow-up mails (`follow-up:<show>:<kind>:<address>`).
pub fn follow_up_prefix(show_id: &str) -> String {
    format!("follow-up:{show_id}:")
}

/// Reads the report of `show_id` as of `now_ms`.
pub async fn gather(store: &dyn Store, show_id: &str, now_ms: i64) -> Result<ShowReport, ControlError> {
    let show = store.show(show_id).await?.ok_or_else(|| StoreError::NotFound { what: "show", id: show_id.into() })?;
    let ledger = store.ledger_totals(show_id, 0).await?;
    let orders = all_orders(store, show_id).await?;
    let refund_records = store.refunds_for_show(show_id).await?;
    let double_purchases = store.double_purchases(show_id, None).await?;
    let count = |status| double_purchases.iter().filter(|d| d.status == status).count() as i64;
    let doubles = Doubles {
        found: double_purchases.len() as i64,
        refunded: count(DoublePurchaseStatus::Refunded),
        dismissed: count(DoublePurchaseStatus::Dismissed),
        open: count(DoublePurchaseStatus::Open),
    };
    let promos = promo_uses(store, show_id, &ledger.promo).await?;

    let show_orders: HashSet<String> = orders.iter().map(|o| o.id.clone()).collect();
    let buyers: HashSet<String> = orders.iter().filter_map(|o| o.buyer.email.clone()).collect();
    let every_ticket = all_tickets(store).await?;
    let window = (show.created_ms, show.ends_at_ms + SUPPORT_AFTER_END_MS);
    let show_tickets = figures::show_tickets(&every_ticket, &show_orders, &buyers, window);
    let support = figures::support(&show_tickets, FIRST_RESPONSE_TARGET_S, SUPPORT_BUCKET_MS, now_ms);
    let mut tickets: Vec<Ticket> = show_tickets.into_iter().cloned().collect();
    tickets.sort_by_key(|t| t.id);

    // "Before / during / after the show" follow when it was on air, not the slot it was planned
    // for (a show that started late sold its last tickets "during" the planned slot); a show that
    // never went on air keeps its slot.
    let stream = stream(store, show_id, now_ms).await?;
    let on_air = match (stream.sessions.first(), stream.sessions.last()) {
        // Sales are counted by the minute: the minute the show went on air is "during".
        (Some(first), Some(last)) => {
            (first.started_ms - first.started_ms.rem_euclid(60_000), last.ended_ms.unwrap_or(now_ms))
        }
        _ => (show.starts_at_ms, show.ends_at_ms),
    };

    Ok(ShowReport {
        currency: show.price.currency,
        generated_ms: now_ms,
        totals: ledger.totals,
        refunds: figures::refunds(&refund_records, ledger.totals.refunded_minor),
        promos,
        doubles,
        double_purchases,
        attempts: store.show_attempts(show_id).await?,
        sales: figures::sales_curve(&ledger.sales_per_minute, on_air.0, on_air.1),
        audience: figures::audience(&store.audience_series(show_id, 0).await?),
        stream,
        support,
        follow_ups: follow_up_tallies(&store.mails_with_key_prefix(&follow_up_prefix(show_id)).await?, show_id),
        orders,
        refund_records,
        tickets,
        show,
    })
}

async fn all_orders(store: &dyn Store, show_id: &str) -> Result<Vec<OrderRecord>, ControlError> {
    let mut orders = Vec::new();
    loop {
        let page = store.orders_for_show(show_id, PAGE, u32::try_from(orders.len()).unwrap_or(u32::MAX)).await?;
        let done = page.len() < PAGE as usize;
        orders.extend(page);
        if done {
            break;
        }
    }
    // Oldest first reads best in a table and a spreadsheet.
    orders.reverse();
    Ok(orders)
}

async fn all_tickets(store: &dyn Store) -> Result<Vec<Ticket>, ControlError> {
    let mut tickets = Vec::new();
    loop {
        let filter = TicketFilter {
            limit: PAGE,
            offset: u32::try_from(tickets.len()).unwrap_or(u32::MAX),
            ..Default::default()
        };
        let page = store.list_tickets(&filter).await?;
        let done = page.len() < PAGE as usize;
        tickets.extend(page);
        if done {
            break;
        }
    }
    Ok(tickets)
}

/// Every code of the show, used or not, with what its buyers paid and what it cost.
async fn promo_uses(
    store: &dyn Store,
    show_id: &str,
    used: &[showdesk_store::ledger::PromoTotals],
) -> Result<Vec<PromoUse>, ControlError> {
    let mut uses: Vec<PromoUse> = used
        .iter()
        .map(|p| PromoUse {
            code: p.code.clone().unwrap_or_else(|| p.promotion_code_id.clone()),
            paid_orders: p.paid_orders,
            tickets: p.tickets,
            revenue_minor: p.gross_minor,
            discount_minor: p.discount_minor,
        })
        .collect();
    for code in store.promo_codes_for_show(show_id).await? {
        if !uses.iter().any(|u| u.code == code.rules.code) {
            uses.push(PromoUse {
                code: code.rules.code,
                paid_orders: 0,
                tickets: 0,
                revenue_minor: 0,
                discount_minor: 0,
            });
        }
    }
    Ok(uses)
}

async fn stream(store: &dyn Store, show_id: &str, now_ms: i64) -> Result<Stream, ControlError> {
    let sessions: Vec<LiveSession> = store.live_sessions(Some(show_id)).await?;
    let mut samples = Vec::with_capacity(sessions.len());
    let mut alerts = Vec::new();
    for session in &sessions {
        samples.push(store.stream_samples(session.id).await?);
        for event in store.stream_events(session.id).await? {
            let (kind, message) = match (event.kind.as_str(), event.detail["state"].as_str()) {
                ("alert", _) => ("alert", event.detail["message"].as_str()),
                // The first retry is the moment the output went off the air; later ones repeat it.
                ("output_state", Some("reconnecting")) if event.detail["attempt"] == 1 => {
                    ("off_air", event.detail["reason"].as_str())
                }
                ("output_state", Some("failed")) => ("failed", event.detail["reason"].as_str()),
                _ => continue,
            };
            // What the engine wrote may quote a URL: it goes through the scrubber like any log line.
            alerts.push(OnAirEvent {
                at_ms: event.at_ms,
                kind: kind.to_owned(),
                subject: showdesk_platform::redact(&event.subject).into_owned(),
                message: showdesk_platform::redact(message.unwrap_or_default()).into_owned(),
            });
        }
    }
    let bitrate_series = samples
        .iter()
        .flatten()
        .filter(|s| s.output_id != "recording" && s.state == "live")
        .map(|s| (s.at_ms, showdesk_platform::redact(&s.output_id).into_owned(), s.bitrate_bps))
        .collect();
    let mut outputs = figures::output_health(&samples);
    for output in &mut outputs {
        output.output_id = showdesk_platform::redact(&output.output_id).into_owned();
    }
    Ok(Stream {
        on_air_seconds: sessions.iter().map(|s| (s.ended_ms.unwrap_or(now_ms) - s.started_ms).max(0) / 1000).sum(),
        sessions: sessions.iter().map(|s| SessionSummary { started_ms: s.started_ms, ended_ms: s.ended_ms }).collect(),
        outputs,
        bitrate_series,
        alerts,
    })
}

/// Follow-up mails per kind, by state (keys are `follow-up:<show>:<kind>:<address>`).
fn follow_up_tallies(mails: &[KeyedMail], show_id: &str) -> Vec<FollowUpTally> {
    use showdesk_core::support::OutboxState;
    let prefix = follow_up_prefix(show_id);
    let mut by_kind: BTreeMap<String, FollowUpTally> = BTreeMap::new();
    for mail in mails {
        let Some(kind) = mail.idempotency_key.strip_prefix(&prefix).and_then(|rest| rest.split(':').next()) else {
            continue;
        };
        let tally = by_kind
            .entry(kind.to_owned())
            .or_insert_with(|| FollowUpTally { kind: kind.to_owned(), ..Default::default() });
        match mail.state {
            OutboxState::Sent => tally.sent += 1,
            OutboxState::Bounced => tally.bounced += 1,
            OutboxState::Failed | OutboxState::Held => tally.failed += 1,
            OutboxState::Queued | OutboxState::Sending => tally.queued += 1,
        }
    }
    by_kind.into_values().collect()
}

#[cfg(test)]
#[path = "facts_fixture.rs"]
pub mod fixture;
