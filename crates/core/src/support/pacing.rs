//! How fast the outbox may send: a token bucket (a configured rate with a burst allowance) and the
//! retry backoff. Pure arithmetic over milliseconds, so it is tested without sleeping.

/// A token bucket: `rate_per_sec` tokens accrue each second up to `burst`; each mail costs one.
#[derive(Debug, Clone)]
pub struct Pacer {
    rate_per_sec: f64,
    burst: f64,
    tokens: f64,
    last_ms: Option<i64>,
}

impl Pacer {
    /// A bucket that starts full. A rate of zero or less, or a burst under one, is raised to the
    /// smallest that still sends (a paused outbox is the operator's switch, not a zero rate).
    pub fn new(rate_per_sec: f64, burst: u32) -> Self {
        let rate_per_sec = if rate_per_sec.is_finite() && rate_per_sec > 0.0 { rate_per_sec } else { 0.001 };
        let burst = f64::from(burst.max(1));
        Self { rate_per_sec, burst, tokens: burst, last_ms: None }
    }

    pub fn rate_per_sec(&self) -> f64 {
        self.rate_per_sec
    }

    fn refill(&mut self, now_ms: i64) {
        if let Some(last) = self.last_ms {
            let elapsed = (now_ms - last).max(0) as f64 / 1000.0;
            self.tokens = (self.tokens + elapsed * self.rate_per_sec).min(self.burst);
        }
        self.last_ms = Some(now_ms);
    }

    /// Takes a token if one is there; otherwise says how many milliseconds until one is.
    pub fn try_take(&mut self, now_ms: i64) -> Result<(), i64> {
        self.refill(now_ms);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            let missing = 1.0 - self.tokens;
            Err(((missing / self.rate_per_sec) * 1000.0).ceil().max(1.0) as i64)
        }
    }

    /// Gives a token back (the mail it was taken for was not sent after all).
    pub fn give_back(&mut self) {
        self.tokens = (self.tokens + 1.0).min(self.burst);
    }
}

/// Exponential backoff for temporary SMTP failures: `first_ms` × 2^(attempt−1), capped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub first_ms: i64,
    pub max_ms: i64,
    /// After this many failed attempts the mail is `failed` and the operator is told.
    pub max_attempts: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Self { first_ms: 5_000, max_ms: 15 * 60_000, max_attempts: 8 }
    }
}

impl Backoff {
    /// The wait before the next try after `attempts` failed tries, or `None` when it is time to give up.
    pub fn delay_after(&self, attempts: u32) -> Option<i64> {
        if attempts >= self.max_attempts {
            return None;
        }
        let exponent = attempts.saturating_sub(1).min(30);
        Some(self.first_ms.saturating_mul(1_i64 << exponent).min(self.max_ms))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_bucket_allows_the_burst_then_paces_at_the_rate() {
        let mut pacer = Pacer::new(2.0, 3);
        for _ in 0..3 {
            assert_eq!(pacer.try_take(0), Ok(()));
        }
        assert_eq!(pacer.try_take(0), Err(500));
        assert_eq!(pacer.try_take(499), Err(2));
        assert_eq!(pacer.try_take(500), Ok(()));
        // Over a long run the count is rate × time (+ the burst).
        let mut sent = 0;
        for ms in (1_000..=61_000).step_by(10) {
            if pacer.try_take(ms).is_ok() {
                sent += 1;
            }
        }
        assert_eq!(sent, 121);
    }

    #[test]
    fn nonsense_rates_still_send() {
        let mut pacer = Pacer::new(f64::NAN, 0);
        assert_eq!(pacer.try_take(0), Ok(()));
        assert!(pacer.try_take(0).is_err());
    }

    #[test]
    fn backoff_doubles_then_caps_then_gives_up() {
        let backoff = Backoff { first_ms: 1_000, max_ms: 5_000, max_attempts: 5 };
        let delays: Vec<_> = (1..=5).map(|attempt| backoff.delay_after(attempt)).collect();
        assert_eq!(delays, [Some(1_000), Some(2_000), Some(4_000), Some(5_000), None]);
    }
}
