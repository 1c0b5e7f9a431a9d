//! A small report for the unit tests of what is written from the facts.

use showdesk_core::box_office::{AttemptCounts, Show};
use showdesk_core::{Currency, Money};
use showdesk_store::ShowAttempts;
use showdesk_store::ledger::ShowTotals;

use super::*;
use crate::report::figures::{OwedRefund, ReasonTally};

pub const T0: i64 = 1_742_065_200_000;
const MIN: i64 = 60_000;

pub fn report() -> ShowReport {
    let show = Show {
        id: "fight-night".into(),
        title: "Fight night".into(),
        starts_at_ms: T0,
        ends_at_ms: T0 + 120 * MIN,
        price: Money::new(2000, Currency::EUR),
        capacity: 100,
        payment_link_id: None,
        payment_link_url: None,
        watch_url: Some("https://watch.example.org/fight-night".into()),
        sales_open: false,
        created_ms: T0 - 10 * 24 * 60 * MIN,
    };
    let support = Support {
        tickets: 42,
        by_category: vec![("access".into(), 30, 1), ("refund".into(), 12, 1)],
        median_first_response_s: Some(420.0),
        p90_first_response_s: Some(900.0),
        median_resolution_s: Some(1200.0),
        answered: 40,
        resolved: 40,
        target_s: FIRST_RESPONSE_TARGET_S,
        breaches: 1,
        open_left: 2,
        per_bucket: vec![(T0, 40), (T0 + 30 * MIN, 2)],
        bucket_ms: SUPPORT_BUCKET_MS,
        busiest: Some((T0, 40)),
    };
    ShowReport {
        currency: Currency::EUR,
        generated_ms: T0 + 180 * MIN,
        totals: ShowTotals {
            tickets: 3,
            paid_orders: 4,
            gross_minor: 8000,
            refunded_minor: 3500,
            pending_orders: 0,
            failed_orders: 1,
            refunded_orders: 1,
            disputed_orders: 0,
        },
        refunds: Refunds {
            count: 2,
            amount_minor: 3500,
            by_reason: vec![
                ReasonTally { reason: "duplicate".into(), count: 1, amount_minor: 2000 },
                ReasonTally { reason: "requested_by_customer".into(), count: 1, amount_minor: 1500 },
            ],
            owed: vec![OwedRefund {
                refund_id: 3,
                order_id: "ord_3".into(),
                amount_minor: 500,
                status: "requested".into(),
                error_code: None,
                requested_ms: T0 + 150 * MIN,
            }],
        },
        promos: vec![PromoUse {
            code: "EARLY".into(),
            paid_orders: 1,
            tickets: 1,
            revenue_minor: 1500,
            discount_minor: 500,
        }],
        doubles: Doubles { found: 1, refunded: 1, dismissed: 0, open: 0 },
        double_purchases: vec![],
        attempts: ShowAttempts {
            counts: AttemptCounts { succeeded: 3, declined: 1, rate_limited: 0 },
            decline_codes: vec![("card_declined".into(), 1)],
        },
        sales: SalesCurve {
            minutes: vec![(T0 - 90 * MIN, 1), (T0 - 20 * MIN, 2), (T0 - 19 * MIN, 1)],
            before_start: 4,
            during: 0,
            after_end: 0,
            last_hour_before_start: 3,
            peak_minute: Some((T0 - 20 * MIN, 2)),
        },
        audience: Audience {
            points: vec![(T0, 1), (T0 + 10 * MIN, 2)],
            peak: Some(2),
            peak_at_ms: Some(T0 + 10 * MIN),
            average: Some(1.5),
            readings: 3,
            unknown_readings: 1,
        },
        stream: Stream {
            sessions: vec![SessionSummary { started_ms: T0, ended_ms: Some(T0 + 118 * MIN) }],
            on_air_seconds: 118 * 60,
            outputs: vec![OutputHealth {
                output_id: "main".into(),
                recording: false,
                live_seconds: 7000,
                reconnects: 2,
                dropped_percent: 0.4,
                bitrate_avg_bps: Some(2_400_000),
                bitrate_min_bps: Some(1_800_000),
                bitrate_max_bps: Some(2_600_000),
                samples: 700,
            }],
            bitrate_series: vec![(T0, "main".into(), 2_400_000), (T0 + 60 * MIN, "main".into(), 2_500_000)],
            alerts: vec![OnAirEvent {
                at_ms: T0 + 30 * MIN,
                kind: "off_air".into(),
                subject: "main".into(),
                message: "connection reset".into(),
            }],
        },
        support,
        follow_ups: vec![],
        orders: vec![],
        refund_records: vec![],
        tickets: vec![],
        show,
    }
}
