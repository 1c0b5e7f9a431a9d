//! The dashboard snapshot (one call, cheap enough every second: it reads kept totals, never scans
//! orders) and the pre-show risk notices.

use showdesk_core::Money;
use showdesk_core::box_office::{SalesForecast, viewers_exceed_tickets};
use showdesk_store::{AudienceState, StoreError, now_ms};

use super::BoxOffice;
use super::views::{
    AlertView, DashboardSnapshot, ForecastInput, PromoUseView, RiskNoticeView, SalesMinuteView, ShowView,
};
use crate::ControlError;

/// The sales-per-minute series covers the last hour.
const SALES_SERIES_MS: i64 = 60 * 60_000;

impl BoxOffice {
    pub async fn dashboard(&self, show_id: &str) -> Result<DashboardSnapshot, ControlError> {
        let now = now_ms();
        let show =
            self.store.show(show_id).await?.ok_or_else(|| StoreError::NotFound { what: "show", id: show_id.into() })?;
        let currency = show.price.currency;
        let money = |minor: i64| Money::new(minor, currency).into();
        let ledger = self.store.ledger_totals(show_id, now - SALES_SERIES_MS).await?;
        let window = self.settings.attempts_window_ms;
        let (current, top_code) = self.store.attempt_counts(now - window, now + 1).await?;
        let (previous, _) = self.store.attempt_counts(now - 2 * window, now - window).await?;
        let audience = self.store.audience_summary(show_id).await?;

        let online: Vec<i64> = audience
            .latest
            .iter()
            .filter(|(_, sample)| sample.state == AudienceState::Online)
            .filter_map(|(_, sample)| sample.viewers)
            .collect();
        let audience_state = if audience.latest.is_empty() {
            "none"
        } else if !online.is_empty() {
            "online"
        } else if audience.latest.iter().any(|(_, s)| s.state == AudienceState::Unknown) {
            "unknown"
        } else {
            "offline"
        };
        let viewers_now = (!online.is_empty()).then(|| online.iter().sum());

        let totals = ledger.totals;
        let rule = &self.settings.decline_rule;
        let mut alerts = Vec::new();
        alerts.extend(rule.decline_alert(current, previous, top_code.as_deref()));
        alerts.extend(rule.rate_limit_alert(current));
        if let Some(viewers) = viewers_now {
            alerts.extend(viewers_exceed_tickets(
                u64::try_from(viewers).unwrap_or(0),
                u64::try_from(totals.tickets).unwrap_or(0),
            ));
        }
        Ok(DashboardSnapshot {
            show: ShowView::from(&show),
            at_ms: now,
            sold: totals.tickets,
            capacity: show.capacity,
            gross: money(totals.gross_minor),
            refunded: money(totals.refunded_minor),
            net: money(totals.gross_minor - totals.refunded_minor),
            paid_orders: totals.paid_orders,
            pending_orders: totals.pending_orders,
            failed_orders: totals.failed_orders,
            refunded_orders: totals.refunded_orders,
            disputed_orders: totals.disputed_orders,
            promo: ledger
                .promo
                .iter()
                .map(|p| PromoUseView {
                    code: p.code.clone().unwrap_or_else(|| p.promotion_code_id.clone()),
                    tickets: p.tickets,
                    paid_orders: p.paid_orders,
                    gross: money(p.gross_minor),
                    discount: money(p.discount_minor),
                })
                .collect(),
            sales_per_minute: ledger
                .sales_per_minute
                .iter()
                .map(|m| SalesMinuteView { minute_ms: m.minute_ms, tickets: m.tickets })
                .collect(),
            pending_refunds: ledger.pending_refunds,
            pending_refunds_amount: money(ledger.pending_refunds_minor),
            double_purchases_open: ledger.open_double_purchases,
            decline_rate_per_mille: current.decline_per_mille().map(|r| i64::try_from(r).unwrap_or(i64::MAX)),
            attempts_succeeded: i64::try_from(current.succeeded).unwrap_or(i64::MAX),
            attempts_declined: i64::try_from(current.declined).unwrap_or(i64::MAX),
            rate_limited: i64::try_from(current.rate_limited).unwrap_or(i64::MAX),
            viewers_now,
            viewers_peak: audience.peak_viewers,
            audience_state: audience_state.to_owned(),
            alerts: alerts.iter().map(AlertView::from).collect(),
        })
    }

    /// The notices to send the payment processor and the mail provider before the show.
    pub async fn risk_notice(&self, input: &ForecastInput) -> Result<RiskNoticeView, ControlError> {
        let show = self
            .store
            .show(&input.show_id)
            .await?
            .ok_or_else(|| StoreError::NotFound { what: "show", id: input.show_id.clone() })?;
        let notice = SalesForecast {
            price: show.price,
            capacity: show.capacity,
            sell_through_percent: input.sell_through_percent,
            on_sale_from_ms: input.on_sale_from_ms,
            show_starts_ms: show.starts_at_ms,
            rush_share_percent: input.rush_share_percent,
            rush_window_minutes: input.rush_window_minutes,
        }
        .notice()?;
        let (p, m) = (&notice.processor, &notice.mail);
        let processor_letter = format!(
            "Hello,\n\nWe are selling tickets for a live pay-per-view show, \"{title}\", starting {start} (UTC). \
             We expect about {orders} orders for a total of {volume} (about {average} each). Most of them will come \
             in the {window} minutes before the start, with peaks of up to {peak} payments per minute and {hour} per \
             hour. This burst is expected; please do not treat it as fraud.\n\nThank you.",
            title = show.title,
            start = utc(show.starts_at_ms),
            orders = p.expected_orders,
            volume = p.expected_volume,
            average = p.average_ticket,
            window = input.rush_window_minutes,
            peak = p.peak_orders_per_minute,
            hour = p.peak_volume_per_hour,
        );
        let mail_provider_letter = format!(
            "Hello,\n\nOn {start} (UTC) we will send order confirmations for a live show: about {total} in total, \
             up to {peak} per hour in the {window} minutes before the start. They are transactional messages to \
             buyers, one per purchase. Please expect this volume.\n\nThank you.",
            start = utc(show.starts_at_ms),
            total = m.total_confirmations,
            peak = m.peak_confirmations_per_hour,
            window = input.rush_window_minutes,
        );
        Ok(RiskNoticeView {
            expected_orders: p.expected_orders,
            expected_volume: p.expected_volume.into(),
            average_ticket: p.average_ticket.into(),
            peak_orders_per_minute: p.peak_orders_per_minute,
            peak_volume_per_hour: p.peak_volume_per_hour.into(),
            peak_confirmations_per_hour: m.peak_confirmations_per_hour,
            rush_starts_ms: p.rush_starts_ms,
            rush_ends_ms: p.rush_ends_ms,
            processor_letter,
            mail_provider_letter,
        })
    }
}

/// `2025-03-15 20:00` from UTC milliseconds.
fn utc(ms: i64) -> String {
    let minutes = ms.div_euclid(60_000);
    let (days, minute_of_day) = (minutes.div_euclid(1440), minutes.rem_euclid(1440));
    let (year, month, day) = super::sales::civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02}", minute_of_day / 60, minute_of_day % 60)
}
