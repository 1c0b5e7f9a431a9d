//! Polling Stripe's events the right way (a laptop cannot receive webhooks).
//!
//! - Stripe lists events newest first; `ending_before=<id>` walks towards newer ones, page by page,
//!   while `has_more`. The cursor is the newest event applied.
//! - Delivery is at least once and the list order is not the order to apply: every page is
//!   collected, de-duplicated by id and sorted oldest first by `created`, then id (localstripe lists
//!   oldest first; same-second events have no order at all — C14). The ledger also remembers every
//!   id it applied, so overlapping polls and restarts that lost the cursor apply nothing twice (C13).
//! - Events are kept 30 days: a cursor older than that cannot be walked from; the caller must
//!   reconcile by listing the payments themselves ([`super::payments`]).
//! - Servers that do not know `ending_before` (localstripe) are walked by `created[gte]` from the
//!   cursor's second with `starting_after`, which re-reads that second's events (harmless: ids
//!   already applied are skipped).

use std::collections::HashSet;
use std::sync::atomic::Ordering;

use serde_json::Value;
use showdesk_core::box_office::{PaymentEvent, oldest_first};

use super::events::{from_event, needs_reread, position};
use super::{StripeClient, StripeError, id_of};

/// How long Stripe keeps events.
pub const EVENT_RETENTION_MS: i64 = 30 * 24 * 3_600_000;

/// A cursor this close to the retention limit is treated as expired (the walk itself takes time).
const RETENTION_MARGIN_MS: i64 = 3_600_000;

/// Events per page: Stripe's maximum.
const PAGE_LIMIT: &str = "100";

/// A poll that needs more pages than this is cut short with an error rather than looping forever
/// on a server that keeps answering `has_more`.
const MAX_PAGES: u32 = 5_000;

/// The newest event applied: where the next poll starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventCursor {
    pub event_id: String,
    pub created_ms: i64,
}

/// What a poll found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PollOutcome {
    /// Ledger events, oldest first, each id once.
    pub events: Vec<PaymentEvent>,
    /// The newest event listed (of any type): the next cursor.
    pub newest: Option<EventCursor>,
    /// Payments (`pi_…`, `ch_…`) to re-read because an event changed their state in a way the event
    /// alone does not fully tell (refunds, disputes).
    pub rereads: Vec<String>,
    pub pages: u32,
    /// Events listed, of any type, before de-duplication.
    pub listed: usize,
    /// The cursor is past Stripe's 30-day window: list the payments instead.
    pub reconcile_needed: bool,
}

impl StripeClient {
    /// Lists the events after `cursor` (or, without one, those created since `since_ms`).
    pub async fn poll_events(
        &self,
        cursor: Option<&EventCursor>,
        since_ms: i64,
        now_ms: i64,
    ) -> Result<PollOutcome, StripeError> {
        let mut outcome = PollOutcome::default();
        if let Some(cursor) = cursor
            && cursor.created_ms < now_ms - EVENT_RETENTION_MS + RETENTION_MARGIN_MS
        {
            outcome.reconcile_needed = true;
            return Ok(outcome);
        }
        let raw = match cursor {
            Some(cursor) if !self.ending_before_unsupported.load(Ordering::Relaxed) => {
                match self.walk_newer(&cursor.event_id, &mut outcome).await {
                    Ok(raw) => raw,
                    Err(StripeError::NotFound { .. }) => {
                        // The cursor's event is gone (older than Stripe keeps): reconcile.
                        outcome.reconcile_needed = true;
                        return Ok(outcome);
                    }
                    Err(StripeError::InvalidRequest { message, .. }) if message.contains("ending_before") => {
                        tracing::info!("this Stripe server cannot walk with ending_before; walking by creation time");
                        self.ending_before_unsupported.store(true, Ordering::Relaxed);
                        self.walk_window(cursor.created_ms, &mut outcome).await?
                    }
                    Err(err) => return Err(err),
                }
            }
            Some(cursor) => self.walk_window(cursor.created_ms, &mut outcome).await?,
            None => self.walk_window(since_ms, &mut outcome).await?,
        };
        outcome.listed = raw.len();
        let mut seen = HashSet::new();
        let mut rereads = Vec::new();
        let mut events = Vec::new();
        for event in &raw {
            let Some((id, created_ms)) = position(event) else { continue };
            if !seen.insert(id.clone()) {
                continue;
            }
            let newer =
                outcome.newest.as_ref().is_none_or(|n| (created_ms, id.as_str()) > (n.created_ms, n.event_id.as_str()));
            if newer {
                outcome.newest = Some(EventCursor { event_id: id.clone(), created_ms });
            }
            let kind = event["type"].as_str().unwrap_or_default();
            if needs_reread(kind) {
                let object = &event["data"]["object"];
                if let Some(payment) = id_of(object, "payment_intent").or_else(|| id_of(object, "charge")) {
                    rereads.push(payment);
                }
            }
            events.extend(from_event(event));
        }
        rereads.sort();
        rereads.dedup();
        outcome.rereads = rereads;
        outcome.events = oldest_first(events);
        Ok(outcome)
    }

    /// `ending_before` from the cursor, page after page, towards the newest.
    async fn walk_newer(&self, from: &str, outcome: &mut PollOutcome) -> Result<Vec<Value>, StripeError> {
        let mut raw = Vec::new();
        let mut before = from.to_owned();
        loop {
            let page =
                self.get("/v1/events", &[("limit", PAGE_LIMIT.into()), ("ending_before", before.clone())]).await?;
            let (data, has_more) = page_of(&page)?;
            self.count_page(outcome)?;
            // The next page starts after the newest event of this one. "Newest" by (created, id):
            // if that is not the list's own first item, the overlap is re-read and skipped, never lost.
            let newest = data.iter().filter_map(position).max_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
            raw.extend(data);
            match newest {
                Some((id, _)) if has_more => before = id,
                _ => return Ok(raw),
            }
        }
    }

    /// `created[gte]` from `since_ms`'s second, `starting_after` page after page.
    async fn walk_window(&self, since_ms: i64, outcome: &mut PollOutcome) -> Result<Vec<Value>, StripeError> {
        let mut raw = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let mut query =
                vec![("limit", PAGE_LIMIT.to_owned()), ("created[gte]", (since_ms.max(0) / 1000).to_string())];
            if let Some(after) = &after {
                query.push(("starting_after", after.clone()));
            }
            let page = self.get("/v1/events", &query).await?;
            let (data, has_more) = page_of(&page)?;
            self.count_page(outcome)?;
            // `starting_after` is positional: the last item as listed, whatever the order.
            let last = data.last().and_then(|event| event["id"].as_str()).map(str::to_owned);
            raw.extend(data);
            match last {
                Some(id) if has_more => after = Some(id),
                _ => return Ok(raw),
            }
        }
    }

    fn count_page(&self, outcome: &mut PollOutcome) -> Result<(), StripeError> {
        outcome.pages += 1;
        if outcome.pages > MAX_PAGES {
            return Err(StripeError::Decode(format!("the events list did not end after {MAX_PAGES} pages")));
        }
        Ok(())
    }
}

/// `data` and `has_more` of a list reply.
pub(crate) fn page_of(page: &Value) -> Result<(Vec<Value>, bool), StripeError> {
    if page["object"].as_str() != Some("list") {
        return Err(super::decode_error("a list", page));
    }
    let data = page["data"].as_array().cloned().ok_or_else(|| StripeError::Decode("a list without data".into()))?;
    Ok((data, page["has_more"].as_bool().unwrap_or(false)))
}
