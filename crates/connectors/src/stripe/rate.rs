//! A client-side rate limit: calls are spaced so that at most N start per second. Stripe counts
//! every call against one budget per account (25/s in test mode, 100/s live); staying under it on
//! our side means a rush of refunds never meets 429s in the first place.

use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

#[derive(Debug)]
pub(crate) struct RateLimiter {
    spacing: Duration,
    next: Mutex<Option<Instant>>,
}

impl RateLimiter {
    pub fn per_second(calls: u32) -> Self {
        Self { spacing: Duration::from_secs(1) / calls.max(1), next: Mutex::new(None) }
    }

    /// Waits until this call may start.
    pub async fn wait_turn(&self) {
        let start = {
            let mut next = self.next.lock().await;
            let now = Instant::now();
            let start = next.map_or(now, |at| at.max(now));
            *next = Some(start + self.spacing);
            start
        };
        tokio::time::sleep_until(start).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn calls_are_spaced_to_the_limit() {
        let limiter = RateLimiter::per_second(25);
        let begin = Instant::now();
        for _ in 0..50 {
            limiter.wait_turn().await;
        }
        // 50 calls at 25/s: the last starts 49 spacings (1.96 s) after the first. Paused clock: exact.
        assert_eq!(begin.elapsed(), Duration::from_millis(40) * 49);
    }
}
