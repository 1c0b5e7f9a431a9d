//! Dynamic bitrate: when an output's queue grows, lower the encoder's bitrate to what gets
//! through; climb back gradually once clear (after OBS: react from 200 ms queued, climb 10 % every
//! 4 s). The encoder is shared by every output, so the most congested live output decides. Pure:
//! the time is passed in.

use std::time::Duration;

use serde::Serialize;

/// Queued video above this means the network is not keeping up.
pub const CONGESTED_AT_MS: u64 = 200;
/// Below this the path is clear.
pub const CLEAR_BELOW_MS: u64 = 50;
/// Between two decreases.
const DECREASE_EVERY: Duration = Duration::from_secs(2);
/// Between two increases, and how long the path must be clear first.
const INCREASE_EVERY: Duration = Duration::from_secs(4);

/// A bitrate decision to apply and report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BitrateChange {
    pub from_kbps: u32,
    pub to_kbps: u32,
    /// The worst queue that caused it.
    pub queue_ms: u64,
}

#[derive(Debug, Clone)]
pub struct BitrateController {
    target_kbps: u32,
    min_kbps: u32,
    current_kbps: u32,
    last_change: Option<Duration>,
    clear_since: Option<Duration>,
}

impl BitrateController {
    pub fn new(target_kbps: u32, min_kbps: u32) -> Self {
        Self {
            target_kbps,
            min_kbps: min_kbps.min(target_kbps),
            current_kbps: target_kbps,
            last_change: None,
            clear_since: None,
        }
    }

    pub fn current_kbps(&self) -> u32 {
        self.current_kbps
    }

    /// Feeds one observation at `now`: the worst queue among live network outputs and, when known,
    /// the rate that output actually sent over the last interval.
    pub fn observe(&mut self, now: Duration, worst_queue_ms: u64, sent_kbps: Option<u32>) -> Option<BitrateChange> {
        let since_change = |last: Option<Duration>| last.is_none_or(|last| now.saturating_sub(last) >= DECREASE_EVERY);
        if worst_queue_ms >= CONGESTED_AT_MS {
            self.clear_since = None;
            if !since_change(self.last_change) {
                return None;
            }
            // Down to what got through (with a margin), at least by a fifth, never below the floor.
            let by_fifth = self.current_kbps * 4 / 5;
            let measured = sent_kbps.map_or(by_fifth, |sent| sent * 9 / 10);
            let to = measured.min(by_fifth).max(self.min_kbps);
            return self.change(now, to, worst_queue_ms);
        }
        if worst_queue_ms < CLEAR_BELOW_MS && self.current_kbps < self.target_kbps {
            let clear_since = *self.clear_since.get_or_insert(now);
            let last_ok = self.last_change.is_none_or(|last| now.saturating_sub(last) >= INCREASE_EVERY);
            if now.saturating_sub(clear_since) >= INCREASE_EVERY && last_ok {
                let to = (self.current_kbps + self.target_kbps.div_ceil(10)).min(self.target_kbps);
                return self.change(now, to, worst_queue_ms);
            }
        } else if worst_queue_ms >= CLEAR_BELOW_MS {
            self.clear_since = None;
        }
        None
    }

    fn change(&mut self, now: Duration, to: u32, queue_ms: u64) -> Option<BitrateChange> {
        if to == self.current_kbps {
            return None;
        }
        let change = BitrateChange { from_kbps: self.current_kbps, to_kbps: to, queue_ms };
        self.current_kbps = to;
        self.last_change = Some(now);
        Some(change)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: f64) -> Duration {
        Duration::from_secs_f64(seconds)
    }

    #[test]
    fn a_clear_path_keeps_the_target() {
        let mut control = BitrateController::new(2500, 500);
        assert!((0..100).all(|t| control.observe(at(t as f64 * 0.5), 10, Some(2500)).is_none()));
    }

    #[test]
    fn congestion_drops_to_what_gets_through_then_climbs_back_gradually() {
        let mut control = BitrateController::new(2500, 500);
        let drop = control.observe(at(0.0), 400, Some(1200));
        assert_eq!(drop, Some(BitrateChange { from_kbps: 2500, to_kbps: 1080, queue_ms: 400 }));
        // No second drop within two seconds.
        assert_eq!(control.observe(at(1.0), 400, Some(1000)), None);
        // Clear again: nothing for four seconds, then +10 % of the target every four seconds.
        let mut climbs = Vec::new();
        for tenth in 30..400 {
            if let Some(change) = control.observe(at(tenth as f64 / 10.0), 5, None) {
                climbs.push((tenth, change.to_kbps));
            }
        }
        assert_eq!(climbs.first(), Some(&(70, 1330)));
        assert_eq!(climbs.last().map(|c| c.1), Some(2500));
        assert!(climbs.windows(2).all(|pair| pair[1].0 - pair[0].0 >= 40), "{climbs:?}");
    }

    #[test]
    fn never_below_the_floor() {
        let mut control = BitrateController::new(2500, 800);
        for step in 0..20 {
            control.observe(at(step as f64 * 3.0), 900, Some(100));
        }
        assert_eq!(control.current_kbps(), 800);
    }
}
