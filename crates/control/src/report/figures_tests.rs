use std::collections::HashSet;

use showdesk_core::box_office::RefundReason;
use showdesk_core::support::{Category, Language, TicketStatus};
use showdesk_core::{Currency, Money};
use showdesk_store::ledger::{RefundRecord, RefundStatus, SalesMinute};
use showdesk_store::{AudienceSample, AudienceState, StreamSample, Ticket};

use super::*;

const MIN: i64 = 60_000;

fn refund(id: i64, order: &str, minor: i64, reason: RefundReason, status: RefundStatus, at: i64) -> RefundRecord {
    RefundRecord {
        id,
        order_id: order.into(),
        amount: Money::new(minor, Currency::EUR),
        reason,
        status,
        idempotency_key: format!("k{id}"),
        processor_refund_id: None,
        error_code: (status == RefundStatus::Failed).then(|| "stripe.api".into()),
        requested_by: "op".into(),
        requested_ms: at,
        settled_ms: None,
    }
}

#[test]
fn refunds_add_up_by_reason_and_what_is_owed_is_listed() {
    use RefundReason::{Duplicate, RequestedByCustomer};
    use RefundStatus::{Failed, Requested, Succeeded};
    let records = [
        refund(1, "a", 2000, Duplicate, Succeeded, 1),
        refund(2, "b", 500, RequestedByCustomer, Succeeded, 2),
        refund(3, "b", 1500, RequestedByCustomer, Failed, 3),
        refund(4, "c", 2000, RequestedByCustomer, Failed, 4),
        refund(5, "c", 2000, RequestedByCustomer, Succeeded, 5),
        refund(6, "d", 700, RequestedByCustomer, Requested, 6),
    ];
    // The processor reports 300 more than our records: a refund made in its dashboard.
    let refunds = refunds(&records, 4800);
    assert_eq!(refunds.count, 3);
    assert_eq!(refunds.amount_minor, 4800);
    assert_eq!(
        refunds.by_reason,
        [
            ReasonTally { reason: "duplicate".into(), count: 1, amount_minor: 2000 },
            ReasonTally { reason: "requested_by_customer".into(), count: 2, amount_minor: 2500 },
            ReasonTally { reason: "outside".into(), count: 0, amount_minor: 300 },
        ]
    );
    // b's failed refund is still owed; c's failure was retried and went through.
    assert_eq!(
        refunds.owed.iter().map(|o| (o.order_id.as_str(), o.status.as_str())).collect::<Vec<_>>(),
        [("b", "failed"), ("d", "requested")]
    );
    assert_eq!(refunds.owed_minor(), 2200);
}

#[test]
fn the_sales_curve_splits_at_the_start_and_the_end() {
    let start = 1_000 * MIN;
    let minutes = [
        SalesMinute { minute_ms: start - 120 * MIN, tickets: 3 },
        SalesMinute { minute_ms: start - 30 * MIN, tickets: 9 },
        SalesMinute { minute_ms: start - MIN, tickets: 4 },
        SalesMinute { minute_ms: start, tickets: 9 },
        SalesMinute { minute_ms: start + 200 * MIN, tickets: 1 },
    ];
    let curve = sales_curve(&minutes, start, start + 120 * MIN);
    assert_eq!((curve.before_start, curve.during, curve.after_end), (16, 9, 1));
    assert_eq!(curve.last_hour_before_start, 13);
    assert_eq!(curve.peak_minute, Some((start - 30 * MIN, 9)), "the first of equal minutes");
    assert_eq!(sales_curve(&[], start, start).peak_minute, None);
}

#[test]
fn the_audience_counts_only_readings_with_a_count() {
    let sample = |at_ms, state, viewers| AudienceSample { at_ms, state, viewers };
    let samples = [
        sample(1, AudienceState::Online, Some(10)),
        sample(2, AudienceState::Unknown, None),
        sample(3, AudienceState::Online, Some(25)),
        sample(4, AudienceState::Online, Some(25)),
        sample(5, AudienceState::Offline, None),
        sample(6, AudienceState::Online, Some(0)),
    ];
    let audience = audience(&samples);
    assert_eq!((audience.peak, audience.peak_at_ms), (Some(25), Some(3)));
    assert_eq!(audience.average, Some(15.0));
    assert_eq!((audience.readings, audience.unknown_readings, audience.points.len()), (6, 1, 4));
    assert_eq!(super::audience(&[]).average, None);
}

fn sample(at_ms: i64, output: &str, state: &str, bps: i64, dropped: f64, reconnects: i64, live: i64) -> StreamSample {
    StreamSample {
        at_ms,
        output_id: output.into(),
        state: state.into(),
        bitrate_bps: bps,
        dropped_percent: dropped,
        reconnects,
        queue_ms: 0,
        live_seconds: live,
    }
}

#[test]
fn output_health_takes_each_sessions_last_counters_and_the_live_bitrates() {
    let first = vec![
        sample(0, "main", "connecting", 0, 0.0, 0, 0),
        sample(0, "recording", "live", 3_000_000, 0.0, 0, 0),
        sample(10, "main", "live", 2_000_000, 0.5, 0, 10),
        sample(20, "main", "reconnecting", 0, 1.5, 1, 18),
        sample(30, "main", "live", 2_400_000, 1.2, 1, 26),
    ];
    let second = vec![sample(100, "main", "live", 2_600_000, 0.1, 0, 40)];
    let health = output_health(&[first, second]);
    assert_eq!(health.iter().map(|h| h.output_id.as_str()).collect::<Vec<_>>(), ["main", "recording"]);
    let main = &health[0];
    assert_eq!((main.live_seconds, main.reconnects, main.samples), (66, 1, 5));
    assert_eq!(main.dropped_percent, 1.2, "the worst session's total");
    assert_eq!(
        (main.bitrate_avg_bps, main.bitrate_min_bps, main.bitrate_max_bps),
        (Some(2_333_333), Some(2_000_000), Some(2_600_000))
    );
    assert!(health[1].recording);
}

fn ticket(id: i64, category: Category, status: TicketStatus, created: i64, first: Option<i64>) -> Ticket {
    Ticket {
        id,
        subject: format!("t{id}"),
        requester_email: format!("buyer{id}@example.com"),
        requester_name: String::new(),
        buyer_email: None,
        category,
        confidence: 90,
        category_by_operator: false,
        language: Language::En,
        priority: 50,
        status,
        order_refs: vec![],
        linked_orders: vec![],
        automatic: false,
        sender_mismatch: false,
        message_count: 1,
        created_at_ms: created,
        last_message_at_ms: created,
        first_response_at_ms: first,
        resolved_at_ms: (status == TicketStatus::Resolved).then_some(created + 20 * MIN),
    }
}

#[test]
fn a_shows_tickets_are_those_of_its_orders_buyers_and_sale_window() {
    let mut linked = ticket(1, Category::Refund, TicketStatus::Open, 5_000 * MIN, None);
    linked.linked_orders = vec!["ord_1".into()];
    let mut elsewhere = ticket(2, Category::Refund, TicketStatus::Open, 50, None);
    elsewhere.linked_orders = vec!["ord_other".into()];
    let buyer = ticket(3, Category::Access, TicketStatus::Open, 5_000 * MIN, None);
    let in_window = ticket(4, Category::Payment, TicketStatus::Open, 50, None);
    let before = ticket(5, Category::Payment, TicketStatus::Open, 5, None);
    let all = [linked, elsewhere, buyer, in_window, before];
    let orders = HashSet::from(["ord_1".to_owned()]);
    let buyers = HashSet::from(["buyer3@example.com".to_owned()]);
    let ids: Vec<i64> = show_tickets(&all, &orders, &buyers, (10, 100)).iter().map(|t| t.id).collect();
    assert_eq!(ids, [1, 3, 4]);
}

#[test]
fn support_figures_count_breaches_open_tickets_and_the_busiest_ten_minutes() {
    let start = 1_000 * MIN;
    let tickets = [
        ticket(1, Category::Access, TicketStatus::Resolved, start, Some(start + 5 * MIN)),
        ticket(2, Category::Access, TicketStatus::Answered, start + MIN, Some(start + 41 * MIN)),
        ticket(3, Category::Refund, TicketStatus::Open, start + 2 * MIN, None),
        ticket(4, Category::Payment, TicketStatus::Open, start + 25 * MIN, None),
    ];
    let refs: Vec<&Ticket> = tickets.iter().collect();
    let now = start + 40 * MIN;
    let support = support(&refs, 30 * 60, 10 * MIN, now);
    assert_eq!(support.tickets, 4);
    assert_eq!(support.median_first_response_s, Some(300.0));
    // Ticket 2 was answered after 40 min; ticket 3 has waited 38 min; ticket 4 only 15.
    assert_eq!(support.breaches, 2);
    assert_eq!(support.open_left, 3);
    assert_eq!(support.busiest, Some((start, 3)));
    assert_eq!(support.per_bucket, [(start, 3), (start + 20 * MIN, 1)]);
    let access = support.by_category.iter().find(|c| c.0 == "access").cloned();
    assert_eq!(access, Some(("access".to_owned(), 2, 1)));
    assert_eq!(support.by_category.len(), Category::ALL.len());
}
