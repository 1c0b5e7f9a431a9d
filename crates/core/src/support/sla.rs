//! SLA figures (time to first response, time to resolution) and the surge alert.

use std::collections::VecDeque;

/// Response times over a set of tickets, in seconds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SlaFigures {
    pub tickets: u64,
    pub answered: u64,
    pub resolved: u64,
    pub median_first_response_s: Option<f64>,
    pub p90_first_response_s: Option<f64>,
    pub median_resolution_s: Option<f64>,
    /// Open tickets still waiting for a first answer, and the longest wait among them.
    pub waiting: u64,
    pub longest_wait_s: Option<f64>,
}

/// One ticket's timestamps (ms since the epoch).
#[derive(Debug, Clone, Copy)]
pub struct TicketTimes {
    pub created_ms: i64,
    pub first_response_ms: Option<i64>,
    pub resolved_ms: Option<i64>,
}

impl SlaFigures {
    pub fn compute(tickets: &[TicketTimes], now_ms: i64) -> Self {
        let seconds = |from: i64, to: i64| (to - from).max(0) as f64 / 1000.0;
        let mut first: Vec<f64> =
            tickets.iter().filter_map(|t| t.first_response_ms.map(|at| seconds(t.created_ms, at))).collect();
        let mut resolution: Vec<f64> =
            tickets.iter().filter_map(|t| t.resolved_ms.map(|at| seconds(t.created_ms, at))).collect();
        let waits: Vec<f64> = tickets
            .iter()
            .filter(|t| t.first_response_ms.is_none() && t.resolved_ms.is_none())
            .map(|t| seconds(t.created_ms, now_ms))
            .collect();
        first.sort_by(f64::total_cmp);
        resolution.sort_by(f64::total_cmp);
        Self {
            tickets: tickets.len() as u64,
            answered: first.len() as u64,
            resolved: resolution.len() as u64,
            median_first_response_s: percentile(&first, 50),
            p90_first_response_s: percentile(&first, 90),
            median_resolution_s: percentile(&resolution, 50),
            waiting: waits.len() as u64,
            longest_wait_s: waits.into_iter().reduce(f64::max),
        }
    }
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[f64], pct: usize) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (pct * sorted.len()).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

/// Raises the surge alert when more than `threshold` tickets arrive within one minute, and lowers
/// it once the last minute is back under the threshold.
#[derive(Debug, Clone)]
pub struct SurgeDetector {
    threshold_per_min: u32,
    arrivals: VecDeque<i64>,
    raised: bool,
}

/// What a new arrival changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SurgeChange {
    Started { per_min: u32 },
    Ended,
    Unchanged,
}

impl SurgeDetector {
    pub fn new(threshold_per_min: u32) -> Self {
        Self { threshold_per_min: threshold_per_min.max(1), arrivals: VecDeque::new(), raised: false }
    }

    /// Tickets in the minute before `now_ms`.
    pub fn per_minute(&mut self, now_ms: i64) -> u32 {
        while self.arrivals.front().is_some_and(|&at| at <= now_ms - 60_000) {
            self.arrivals.pop_front();
        }
        u32::try_from(self.arrivals.len()).unwrap_or(u32::MAX)
    }

    pub fn is_raised(&self) -> bool {
        self.raised
    }

    /// Notes a ticket that arrived at `at_ms` (arrivals in any order within the window are fine).
    pub fn record(&mut self, at_ms: i64, now_ms: i64) -> SurgeChange {
        if at_ms > now_ms - 60_000 {
            self.arrivals.push_back(at_ms);
        }
        self.check(now_ms)
    }

    /// Re-evaluates without a new arrival (the alert also ends when tickets stop coming).
    pub fn check(&mut self, now_ms: i64) -> SurgeChange {
        let per_min = self.per_minute(now_ms);
        match (self.raised, per_min > self.threshold_per_min) {
            (false, true) => {
                self.raised = true;
                SurgeChange::Started { per_min }
            }
            (true, false) => {
                self.raised = false;
                SurgeChange::Ended
            }
            _ => SurgeChange::Unchanged,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_cover_answered_resolved_and_waiting_tickets() {
        let tickets = [
            TicketTimes { created_ms: 0, first_response_ms: Some(60_000), resolved_ms: Some(120_000) },
            TicketTimes { created_ms: 0, first_response_ms: Some(180_000), resolved_ms: None },
            TicketTimes { created_ms: 100_000, first_response_ms: None, resolved_ms: None },
        ];
        let figures = SlaFigures::compute(&tickets, 400_000);
        assert_eq!(figures.tickets, 3);
        assert_eq!(figures.median_first_response_s, Some(60.0));
        assert_eq!(figures.p90_first_response_s, Some(180.0));
        assert_eq!(figures.median_resolution_s, Some(120.0));
        assert_eq!((figures.waiting, figures.longest_wait_s), (1, Some(300.0)));
        assert_eq!(SlaFigures::compute(&[], 0).median_first_response_s, None);
    }

    #[test]
    fn the_surge_alert_rises_past_the_threshold_and_falls_when_it_calms() {
        let mut surge = SurgeDetector::new(3);
        let changes: Vec<_> = (0..5).map(|i| surge.record(i * 1_000, i * 1_000)).collect();
        assert_eq!(changes[..3], [SurgeChange::Unchanged; 3]);
        assert_eq!(changes[3], SurgeChange::Started { per_min: 4 });
        assert!(surge.is_raised());
        assert_eq!(surge.check(62_000), SurgeChange::Ended);
        assert_eq!(surge.per_minute(62_000), 2);
    }
}
