//! The report's arithmetic, without I/O: refunds by reason and what is still owed, the sales curve
//! around the start, the audience's peak and average, each output's health from the stream log's
//! samples, support figures for the show's tickets. Every number the report prints comes from here,
//! so each is tested once, next to its rule.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;
use showdesk_core::support::sla::{SlaFigures, TicketTimes};
use showdesk_core::support::{Category, TicketStatus};
use showdesk_store::ledger::{RefundRecord, RefundStatus, SalesMinute};
use showdesk_store::{AudienceSample, AudienceState, StreamSample, Ticket};

/// Refunds of one reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReasonTally {
    /// duplicate, requested_by_customer, fraudulent; `outside` for refunds made at the processor
    /// without Showdesk (its dashboard), which the ledger sees only as a total.
    pub reason: String,
    pub count: i64,
    pub amount_minor: i64,
}

/// A refund asked for and not (yet) done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OwedRefund {
    pub refund_id: i64,
    pub order_id: String,
    pub amount_minor: i64,
    /// requested (the processor has not confirmed) or failed (it refused; the money is still owed).
    pub status: String,
    pub error_code: Option<String>,
    pub requested_ms: i64,
}

/// Refunds of the show.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Refunds {
    /// Refunds that went through (ours, succeeded).
    pub count: i64,
    /// What the processor says went back (the ledger's total), ours and any made outside.
    pub amount_minor: i64,
    pub by_reason: Vec<ReasonTally>,
    pub owed: Vec<OwedRefund>,
}

impl Refunds {
    pub fn owed_minor(&self) -> i64 {
        self.owed.iter().map(|r| r.amount_minor).sum()
    }
}

/// Refunds by reason, the processor's total as the amount, and what is still owed: a `requested`
/// refund, or a `failed` one with no later refund that went through on the same order.
pub fn refunds(records: &[RefundRecord], ledger_refunded_minor: i64) -> Refunds {
    let mut by_reason: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    let mut ours = 0;
    for record in records.iter().filter(|r| r.status == RefundStatus::Succeeded) {
        let tally = by_reason.entry(record.reason.as_str()).or_default();
        tally.0 += 1;
        tally.1 += record.amount.minor;
        ours += record.amount.minor;
    }
    let mut by_reason: Vec<ReasonTally> = by_reason
        .into_iter()
        .map(|(reason, (count, amount_minor))| ReasonTally { reason: reason.to_owned(), count, amount_minor })
        .collect();
    if ledger_refunded_minor > ours {
        by_reason.push(ReasonTally { reason: "outside".into(), count: 0, amount_minor: ledger_refunded_minor - ours });
    }
    let settled_later = |failed: &RefundRecord| {
        records.iter().any(|r| {
            r.order_id == failed.order_id
                && r.status == RefundStatus::Succeeded
                && r.requested_ms >= failed.requested_ms
        })
    };
    let owed = records
        .iter()
        .filter(|r| match r.status {
            RefundStatus::Requested => true,
            RefundStatus::Failed => !settled_later(r),
            RefundStatus::Succeeded => false,
        })
        .map(|r| OwedRefund {
            refund_id: r.id,
            order_id: r.order_id.clone(),
            amount_minor: r.amount.minor,
            status: r.status.as_str().to_owned(),
            error_code: r.error_code.clone(),
            requested_ms: r.requested_ms,
        })
        .collect();
    Refunds {
        count: records.iter().filter(|r| r.status == RefundStatus::Succeeded).count() as i64,
        amount_minor: ledger_refunded_minor,
        by_reason,
        owed,
    }
}

/// Tickets sold over time, around the start.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SalesCurve {
    /// Tickets first issued per minute, oldest first.
    pub minutes: Vec<(i64, i64)>,
    pub before_start: i64,
    pub during: i64,
    pub after_end: i64,
    /// The last hour before the start: the rush.
    pub last_hour_before_start: i64,
    /// The busiest minute and its tickets.
    pub peak_minute: Option<(i64, i64)>,
}

pub fn sales_curve(minutes: &[SalesMinute], starts_ms: i64, ends_ms: i64) -> SalesCurve {
    let mut curve =
        SalesCurve { minutes: minutes.iter().map(|m| (m.minute_ms, m.tickets)).collect(), ..Default::default() };
    for minute in minutes {
        // A minute is counted where it starts: sales minutes are truncated to the minute.
        if minute.minute_ms < starts_ms {
            curve.before_start += minute.tickets;
            if minute.minute_ms >= starts_ms - 3_600_000 {
                curve.last_hour_before_start += minute.tickets;
            }
        } else if minute.minute_ms < ends_ms {
            curve.during += minute.tickets;
        } else {
            curve.after_end += minute.tickets;
        }
        if curve.peak_minute.is_none_or(|(_, peak)| minute.tickets > peak) {
            curve.peak_minute = Some((minute.minute_ms, minute.tickets));
        }
    }
    curve
}

/// The audience over the show.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Audience {
    /// Readings with a count, oldest first.
    pub points: Vec<(i64, i64)>,
    pub peak: Option<i64>,
    pub peak_at_ms: Option<i64>,
    /// Mean of the readings with a count.
    pub average: Option<f64>,
    pub readings: i64,
    /// Readings where the host could not tell (never counted as 0).
    pub unknown_readings: i64,
}

pub fn audience(samples: &[AudienceSample]) -> Audience {
    let points: Vec<(i64, i64)> = samples
        .iter()
        .filter(|s| s.state == AudienceState::Online)
        .filter_map(|s| s.viewers.map(|v| (s.at_ms, v)))
        .collect();
    let peak = points.iter().copied().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)));
    let average = (!points.is_empty()).then(|| points.iter().map(|p| p.1 as f64).sum::<f64>() / points.len() as f64);
    Audience {
        peak: peak.map(|p| p.1),
        peak_at_ms: peak.map(|p| p.0),
        average,
        readings: samples.len() as i64,
        unknown_readings: samples.iter().filter(|s| s.state == AudienceState::Unknown).count() as i64,
        points,
    }
}

/// One output's health over the show (all sessions).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct OutputHealth {
    pub output_id: String,
    /// The local recording (not a destination: its bitrate is the file's).
    pub recording: bool,
    pub live_seconds: i64,
    pub reconnects: i64,
    /// Frames not sent, of all frames: the last sample of each session, the worst session.
    pub dropped_percent: f64,
    /// Mean, lowest and highest bitrate while live.
    pub bitrate_avg_bps: Option<i64>,
    pub bitrate_min_bps: Option<i64>,
    pub bitrate_max_bps: Option<i64>,
    pub samples: i64,
}

/// The outputs' health from the samples of each session (oldest first within a session). The
/// counters in a sample (live seconds, reconnects, dropped %) are running totals of that session,
/// so a session contributes its last value; sessions add up.
pub fn output_health(sessions: &[Vec<StreamSample>]) -> Vec<OutputHealth> {
    let mut outputs: BTreeMap<String, (OutputHealth, Vec<i64>)> = BTreeMap::new();
    for samples in sessions {
        let mut last: BTreeMap<&str, &StreamSample> = BTreeMap::new();
        for sample in samples {
            let (health, rates) = outputs.entry(sample.output_id.clone()).or_insert_with(|| {
                let health = OutputHealth {
                    output_id: sample.output_id.clone(),
                    recording: sample.output_id == "recording",
                    ..Default::default()
                };
                (health, Vec::new())
            });
            health.samples += 1;
            if sample.state == "live" {
                rates.push(sample.bitrate_bps);
            }
            let entry = last.entry(sample.output_id.as_str()).or_insert(sample);
            if sample.at_ms >= entry.at_ms {
                *entry = sample;
            }
        }
        for (id, sample) in last {
            if let Some((health, _)) = outputs.get_mut(id) {
                health.live_seconds += sample.live_seconds;
                health.reconnects += sample.reconnects;
                health.dropped_percent = health.dropped_percent.max(sample.dropped_percent);
            }
        }
    }
    let mut health: Vec<OutputHealth> = outputs
        .into_values()
        .map(|(mut health, rates)| {
            if !rates.is_empty() {
                health.bitrate_avg_bps = Some(rates.iter().sum::<i64>() / rates.len() as i64);
                health.bitrate_min_bps = rates.iter().min().copied();
                health.bitrate_max_bps = rates.iter().max().copied();
            }
            health
        })
        .collect();
    // Destinations first (by id), the recording last.
    health.sort_by_key(|h| h.recording);
    health
}

/// Which support tickets are the show's: those linked to its orders or written by its buyers; a
/// ticket with no order found (a buyer whose payment failed, a question before buying) counts when
/// it came while the show was on sale or within `after_end_ms` of its end.
pub fn show_tickets<'a>(
    tickets: &'a [Ticket],
    show_orders: &HashSet<String>,
    show_buyers: &HashSet<String>,
    window: (i64, i64),
) -> Vec<&'a Ticket> {
    tickets
        .iter()
        .filter(|t| {
            if t.linked_orders.iter().any(|o| show_orders.contains(o)) {
                return true;
            }
            let buyer = t.buyer_email.as_deref().unwrap_or(&t.requester_email).trim().to_lowercase();
            if show_buyers.contains(&buyer) {
                return true;
            }
            t.linked_orders.is_empty() && t.created_at_ms >= window.0 && t.created_at_ms <= window.1
        })
        .collect()
}

/// Support over the show.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Support {
    pub tickets: i64,
    /// Every category, in the desk's order: (category, all tickets, not resolved).
    pub by_category: Vec<(String, i64, i64)>,
    pub median_first_response_s: Option<f64>,
    pub p90_first_response_s: Option<f64>,
    pub median_resolution_s: Option<f64>,
    pub answered: i64,
    pub resolved: i64,
    /// The first-response target, and the tickets that missed it (answered late, or still waiting
    /// longer than it).
    pub target_s: i64,
    pub breaches: i64,
    /// Not resolved yet.
    pub open_left: i64,
    /// Tickets per bucket of `bucket_ms`, oldest first.
    pub per_bucket: Vec<(i64, i64)>,
    pub bucket_ms: i64,
    /// The busiest bucket.
    pub busiest: Option<(i64, i64)>,
}

pub fn support(tickets: &[&Ticket], target_s: i64, bucket_ms: i64, now_ms: i64) -> Support {
    let times: Vec<TicketTimes> = tickets
        .iter()
        .map(|t| TicketTimes {
            created_ms: t.created_at_ms,
            first_response_ms: t.first_response_at_ms,
            resolved_ms: t.resolved_at_ms,
        })
        .collect();
    let sla = SlaFigures::compute(&times, now_ms);
    let target_ms = target_s * 1000;
    let breaches = times
        .iter()
        .filter(|t| match (t.first_response_ms, t.resolved_ms) {
            (Some(first), _) => first - t.created_ms > target_ms,
            // Resolved without a reply (a duplicate, spam): no wait to count.
            (None, Some(_)) => false,
            (None, None) => now_ms - t.created_ms > target_ms,
        })
        .count() as i64;
    let by_category = Category::ALL
        .iter()
        .map(|&category| {
            let of = tickets.iter().filter(|t| t.category == category);
            let open = of.clone().filter(|t| t.status != TicketStatus::Resolved).count() as i64;
            (category.as_str().to_owned(), of.count() as i64, open)
        })
        .collect();
    let bucket_ms = bucket_ms.max(60_000);
    let mut buckets: BTreeMap<i64, i64> = BTreeMap::new();
    for ticket in tickets {
        *buckets.entry(ticket.created_at_ms.div_euclid(bucket_ms) * bucket_ms).or_default() += 1;
    }
    let busiest = buckets.iter().map(|(&at, &n)| (at, n)).max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)));
    Support {
        tickets: tickets.len() as i64,
        by_category,
        median_first_response_s: sla.median_first_response_s,
        p90_first_response_s: sla.p90_first_response_s,
        median_resolution_s: sla.median_resolution_s,
        answered: sla.answered as i64,
        resolved: sla.resolved as i64,
        target_s,
        breaches,
        open_left: tickets.iter().filter(|t| t.status != TicketStatus::Resolved).count() as i64,
        per_bucket: buckets.into_iter().collect(),
        bucket_ms,
        busiest,
    }
}

#[cfg(test)]
#[path = "figures_tests.rs"]
mod tests;
