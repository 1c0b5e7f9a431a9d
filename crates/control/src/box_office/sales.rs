//! Shows on sale and purchases coming in: creating a show, putting it on sale (product, price,
//! Payment Link), opening and closing sales, and polling Stripe's events into the ledger.

use showdesk_connectors::stripe::poll::{EVENT_RETENTION_MS, EventCursor};
use showdesk_core::box_office::{NewShow, PaymentEvent};
use showdesk_core::{Currency, Money};
use showdesk_store::ledger::{ApplyOptions, ApplyReport, ShowListing};
use showdesk_store::now_ms;

use super::{BoxOffice, NewShowInput, OrderView, PollReport, SYSTEM_ACTOR, ShowView};
use crate::ControlError;

/// The cursor of Stripe's events in the store.
pub(crate) const EVENTS_CURSOR: &str = "stripe.events";

/// `Fight Night!` on 2025-03-15 → `fight-night-2025-03-15` (plus `-2`, `-3` when taken).
fn slug(title: &str, starts_at_ms: i64) -> String {
    let mut slug = String::new();
    for c in title.trim().chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug: String = slug.trim_end_matches('-').chars().take(48).collect();
    let days = starts_at_ms.div_euclid(86_400_000);
    let (year, month, day) = civil_from_days(days);
    let slug = if slug.is_empty() { "show".to_owned() } else { slug };
    format!("{slug}-{year:04}-{month:02}-{day:02}")
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

impl BoxOffice {
    pub async fn create_show(&self, actor: &str, input: &NewShowInput) -> Result<ShowView, ControlError> {
        let result = async {
            let currency: Currency =
                input.price.currency.parse().map_err(showdesk_core::box_office::RuleError::from)?;
            let show = NewShow {
                title: input.title.trim().to_owned(),
                starts_at_ms: input.starts_at_ms,
                ends_at_ms: input.ends_at_ms,
                price: Money::new(input.price.minor, currency),
                capacity: input.capacity,
                watch_url: input.watch_url.as_deref().map(str::trim).filter(|url| !url.is_empty()).map(str::to_owned),
            };
            show.validate()?;
            let base = slug(&show.title, show.starts_at_ms);
            let mut id = base.clone();
            let mut n = 1;
            while self.store.show(&id).await?.is_some() {
                n += 1;
                id = format!("{base}-{n}");
            }
            Ok(ShowView::from(&self.store.create_show(&id, &show).await?))
        }
        .await;
        let subject = result.as_ref().map(|s| format!("show:{}", s.id)).unwrap_or_else(|_| "show:new".into());
        self.audit(actor, "show.create", &subject, serde_json::to_value(input).unwrap_or_default(), &result).await;
        result
    }

    pub async fn shows(&self) -> Result<Vec<ShowView>, ControlError> {
        Ok(self.store.list_shows().await?.iter().map(ShowView::from).collect())
    }

    async fn show_or_not_found(&self, show_id: &str) -> Result<showdesk_core::box_office::Show, ControlError> {
        self.store
            .show(show_id)
            .await?
            .ok_or_else(|| showdesk_store::StoreError::NotFound { what: "show", id: show_id.to_owned() }.into())
    }

    /// Creates the show's product, price and Payment Link in Stripe (promotion codes allowed, the
    /// capacity as the link's limit) and opens sales. Doing it twice gives the same link.
    pub async fn put_on_sale(&self, actor: &str, show_id: &str) -> Result<ShowView, ControlError> {
        let result = async {
            let show = self.show_or_not_found(show_id).await?;
            if self.is_rehearsal_stripe() {
                // localstripe sells nothing: no link, sales open in the ledger.
                self.store.set_sales_open(&show.id, true).await?;
                return Ok(ShowView::from(&self.show_or_not_found(show_id).await?));
            }
            let catalog = self.stripe()?.create_show_catalog(&show.id, &show.title, show.price, show.capacity).await?;
            let listing = ShowListing {
                product_id: catalog.product_id,
                price_id: catalog.price_id,
                payment_link_id: catalog.payment_link_id,
                payment_link_url: catalog.payment_link_url,
                sales_open: true,
            };
            self.store.set_show_listing(&show.id, &listing).await?;
            Ok(ShowView::from(&self.show_or_not_found(show_id).await?))
        }
        .await;
        let detail =
            serde_json::json!({ "payment_link_url": result.as_ref().ok().and_then(|s| s.payment_link_url.clone()) });
        self.audit(actor, "show.put_on_sale", &format!("show:{show_id}"), detail, &result).await;
        result
    }

    /// Opens or closes sales: the Payment Link is (de)activated in Stripe, then in the ledger.
    pub async fn set_sales_open(&self, actor: &str, show_id: &str, open: bool) -> Result<ShowView, ControlError> {
        let subject = format!("show:{show_id}");
        let result = async {
            let show = self.show_or_not_found(show_id).await?;
            if let Some(link) = &show.payment_link_id {
                // Each opening or closing is its own action: its key counts the earlier ones.
                let generation = u32::try_from(self.store.audit_for(&subject).await?.len()).unwrap_or(u32::MAX);
                self.stripe()?.set_payment_link_active(link, open, generation).await?;
            }
            self.store.set_sales_open(show_id, open).await?;
            Ok(ShowView::from(&self.show_or_not_found(show_id).await?))
        }
        .await;
        let action = if open { "show.open_sales" } else { "show.close_sales" };
        self.audit(actor, action, &subject, serde_json::json!({}), &result).await;
        result
    }

    /// One poll of Stripe's events into the ledger (the shell calls this every few seconds).
    /// Events are applied oldest first, each once ever; refunds and disputes re-read the payment;
    /// a cursor older than Stripe's 30 days triggers a reconcile from the payments themselves; a
    /// show that sells out has its Payment Link closed.
    /// The outcome is kept for `stripe_status`: the window's overview turns red while Stripe does not
    /// answer, not only the alert feed.
    pub async fn poll_payments(&self) -> Result<PollReport, ControlError> {
        let result = self.poll_payments_once().await;
        let problem = result.as_ref().err().map(|err| showdesk_platform::redact(&err.to_body().message).into_owned());
        *self.poll_problem.lock().unwrap_or_else(|e| e.into_inner()) = problem;
        result
    }

    async fn poll_payments_once(&self) -> Result<PollReport, ControlError> {
        let stripe = self.stripe()?;
        let now = now_ms();
        let cursor = self.store.cursor(EVENTS_CURSOR).await?;
        let position = cursor.as_ref().map(|c| EventCursor { event_id: c.position.clone(), created_ms: c.position_ms });
        let since = now - EVENT_RETENTION_MS + 3_600_000;
        let mut outcome = stripe.poll_events(position.as_ref(), since, now).await?;
        let mut events: Vec<PaymentEvent> = std::mem::take(&mut outcome.events);
        let reconciled = outcome.reconcile_needed;
        if reconciled {
            tracing::warn!("the payments cursor is older than Stripe keeps events: reconciling from the payments");
            let from = cursor.as_ref().map_or(since, |c| c.position_ms.min(since));
            events = stripe.reconcile_since(from, now).await?;
            // Start again from the window's events; ids already applied are skipped.
            let fresh = stripe.poll_events(None, since, now).await?;
            events.extend(fresh.events);
            outcome.newest = fresh.newest;
            outcome.rereads = fresh.rereads;
        }
        for payment in &outcome.rereads {
            events.extend(stripe.observe_payment(payment, now).await?);
        }
        let report = self.apply_payment_events(&events).await?;
        let rate_limited = stripe.take_rate_limited();
        for _ in 0..rate_limited {
            self.store.record_attempt(now, None, &showdesk_core::box_office::AttemptOutcome::RateLimited).await?;
        }
        if let Some(newest) = &outcome.newest {
            self.store.set_cursor(EVENTS_CURSOR, &newest.event_id, newest.created_ms).await?;
        }
        *self.last_poll_ms.lock().unwrap_or_else(|e| e.into_inner()) = Some(now);
        let sold_out = self.close_sold_out_shows().await?;
        if reconciled {
            let result: Result<(), ControlError> = Ok(());
            self.audit(
                SYSTEM_ACTOR,
                "payments.reconcile",
                "stripe",
                serde_json::json!({ "events": events.len() }),
                &result,
            )
            .await;
        }
        Ok(PollReport {
            listed: u32::try_from(outcome.listed).unwrap_or(u32::MAX),
            applied: count(report.applied),
            already_seen: count(report.already_seen),
            tickets_issued: count(report.tickets_issued.len()),
            access_revoked: count(report.access_revoked.len()),
            double_purchases: count(report.double_purchases.len()),
            reconciled,
            sold_out,
        })
    }

    /// Applies payment events to the ledger (from a poll, a re-read, or a recorded case).
    pub async fn apply_payment_events(&self, events: &[PaymentEvent]) -> Result<ApplyReport, ControlError> {
        let options =
            ApplyOptions { now_ms: now_ms(), double_purchase_window_ms: self.settings.double_purchase_window_ms };
        let report = self.store.apply_payment_events(events, &options).await?;
        if !report.double_purchases.is_empty() {
            tracing::info!(count = report.double_purchases.len(), "possible double purchases flagged");
        }
        Ok(report)
    }

    async fn close_sold_out_shows(&self) -> Result<Vec<String>, ControlError> {
        let mut closed = Vec::new();
        for show in self.store.list_shows().await? {
            if !show.sales_open {
                continue;
            }
            let totals = self.store.ledger_totals(&show.id, now_ms()).await?;
            if totals.totals.tickets >= i64::from(show.capacity) {
                self.set_sales_open(SYSTEM_ACTOR, &show.id, false).await?;
                closed.push(show.id);
            }
        }
        Ok(closed)
    }

    /// A show's orders, newest first.
    pub async fn orders(&self, show_id: &str, limit: u32, offset: u32) -> Result<Vec<OrderView>, ControlError> {
        let mut views = Vec::new();
        for order in self.store.orders_for_show(show_id, limit, offset).await? {
            views.push(self.order_view(&order).await?);
        }
        Ok(views)
    }

    /// Every order of a buyer: what a support ticket shows next to the mail.
    pub async fn buyer_orders(&self, email: &str) -> Result<Vec<OrderView>, ControlError> {
        let mut views = Vec::new();
        for order in self.store.orders_for_buyer(email).await? {
            views.push(self.order_view(&order).await?);
        }
        Ok(views)
    }

    pub(crate) async fn order_view(
        &self,
        order: &showdesk_store::ledger::OrderRecord,
    ) -> Result<OrderView, ControlError> {
        let requested = super::refunds::requested_minor(&self.store.refunds_for_order(&order.id).await?);
        Ok(OrderView::of(order, requested))
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn show_ids_read_like_the_show() {
        assert_eq!(slug("Fight Night!  Main card", 1_742_068_800_000), "fight-night-main-card-2025-03-15");
        assert_eq!(slug("  ", 0), "show-1970-01-01");
        assert_eq!(slug("Über Café", 951_782_400_000), "ber-caf-2000-02-29");
    }
}
