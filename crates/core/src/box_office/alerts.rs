//! Alert rules of a sale and a show: a rising decline rate, the processor's rate limit, and more
//! viewers than tickets. Each alert says what it likely means and what to do, in plain words; the
//! UI may translate by `kind` and keep the figures.

use serde::{Deserialize, Serialize};

/// Payment attempts in a window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttemptCounts {
    pub succeeded: u64,
    pub declined: u64,
    pub rate_limited: u64,
}

impl AttemptCounts {
    /// Attempts that reached the processor's decision (rate-limited calls did not).
    pub fn decided(&self) -> u64 {
        self.succeeded + self.declined
    }

    /// Declines per thousand decided attempts (integer, no floats).
    pub fn decline_per_mille(&self) -> Option<u64> {
        (self.decided() > 0).then(|| self.declined * 1000 / self.decided())
    }
}

/// When a decline rate is worth an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeclineRule {
    /// Fewer decided attempts than this in the window say nothing.
    pub min_attempts: u64,
    /// Warn from this rate (per mille).
    pub warn_per_mille: u64,
    /// Critical from this rate (per mille).
    pub critical_per_mille: u64,
    /// "Rising": the rate is at least this many times the previous window's (in tenths: 15 = 1.5×).
    pub rise_tenths: u64,
    /// 429s in the window from which the rate-limit alert fires.
    pub rate_limited_at: u64,
}

impl Default for DeclineRule {
    fn default() -> Self {
        // Card payments usually decline a few percent of the time; 15 % over 20+ attempts is not
        // noise, 30 % is an emergency.
        Self { min_attempts: 20, warn_per_mille: 150, critical_per_mille: 300, rise_tenths: 15, rate_limited_at: 3 }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Warning,
    Critical,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    DeclineRateRising,
    RateLimited,
    ViewersExceedTickets,
}

impl AlertKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DeclineRateRising => "decline_rate_rising",
            Self::RateLimited => "rate_limited",
            Self::ViewersExceedTickets => "viewers_exceed_tickets",
        }
    }
}

/// An alert for the operator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    pub kind: AlertKind,
    pub severity: Severity,
    pub title: String,
    /// What it likely means.
    pub meaning: String,
    /// What to do.
    pub action: String,
}

impl DeclineRule {
    /// A decline rate that is high and rising (against `previous`, the window before). `top_code`
    /// is the most frequent decline code in the window, when known.
    pub fn decline_alert(
        &self,
        current: AttemptCounts,
        previous: AttemptCounts,
        top_code: Option<&str>,
    ) -> Option<Alert> {
        if current.decided() < self.min_attempts {
            return None;
        }
        let rate = current.decline_per_mille()?;
        if rate < self.warn_per_mille {
            return None;
        }
        let rising = match previous.decline_per_mille() {
            Some(before) if previous.decided() >= self.min_attempts => rate * 10 >= before * self.rise_tenths,
            _ => true,
        };
        if !rising && rate < self.critical_per_mille {
            return None;
        }
        let severity = if rate >= self.critical_per_mille { Severity::Critical } else { Severity::Warning };
        let percent = format!("{}.{}", rate / 10, rate % 10);
        let (meaning, action) = match top_code {
            Some("fraudulent" | "do_not_honor" | "generic_decline" | "card_velocity_exceeded") => (
                "Most declines carry a risk code: the processor's fraud screening is likely blocking the rush, \
                 or someone is testing stolen cards on the ticket page.",
                "Open the processor's dashboard, look at who is declined: many attempts from one buyer or \
                 card means card testing — close sales for a few minutes. Many different buyers means the \
                 processor is wary of the burst — call its support and send the pre-show notice.",
            ),
            Some("insufficient_funds" | "expired_card" | "incorrect_cvc" | "incorrect_number") => (
                "Most declines are the buyers' own card problems, more of them because more people are buying.",
                "Nothing is wrong with the shop. Answer support tickets with 'try another card'; watch the rate.",
            ),
            _ => (
                "More payments are declined than usual: the processor may be screening the burst as fraud, or \
                 card testing may be under way.",
                "Check the decline codes in the processor's dashboard; if the processor is wary of the burst, call \
                 its support with the pre-show notice; if one buyer fails many times, close sales briefly.",
            ),
        };
        Some(Alert {
            kind: AlertKind::DeclineRateRising,
            severity,
            title: format!("{percent} % of payments declined ({} of {})", current.declined, current.decided()),
            meaning: meaning.into(),
            action: action.into(),
        })
    }

    /// The processor answered our own calls with 429 (too many requests).
    pub fn rate_limit_alert(&self, current: AttemptCounts) -> Option<Alert> {
        (current.rate_limited >= self.rate_limited_at).then(|| Alert {
            kind: AlertKind::RateLimited,
            severity: if current.rate_limited >= self.rate_limited_at * 10 {
                Severity::Critical
            } else {
                Severity::Warning
            },
            title: format!("The payment processor slowed us down {} times", current.rate_limited),
            meaning: "Showdesk is calling the processor faster than it allows (25 calls/s in test mode, 100 in \
                      live mode). Showdesk waits and retries, so nothing is lost, but refunds and promo codes \
                      take longer."
                .into(),
            action: "Avoid bulk actions during the rush; if this continues in live mode, ask the processor's \
                     support for a higher rate limit."
                .into(),
        })
    }
}

/// More people watch than hold tickets: a ticket (or a watch link) is being shared.
pub fn viewers_exceed_tickets(viewers: u64, tickets: u64) -> Option<Alert> {
    (viewers > tickets).then(|| Alert {
        kind: AlertKind::ViewersExceedTickets,
        severity: if viewers > tickets.saturating_mul(2) { Severity::Critical } else { Severity::Warning },
        title: format!("{viewers} viewers for {tickets} tickets"),
        meaning: "More people are watching than tickets were sold: a watch link or a stream key is being shared."
            .into(),
        action: "If the host supports per-buyer links, rotate the shared one; otherwise note it for the report and \
                 consider changing the playback key before the next show."
            .into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(succeeded: u64, declined: u64) -> AttemptCounts {
        AttemptCounts { succeeded, declined, rate_limited: 0 }
    }

    #[test]
    fn a_rising_decline_rate_says_what_it_means() {
        let rule = DeclineRule::default();
        let alert = rule.decline_alert(counts(70, 30), counts(95, 5), Some("fraudulent")).unwrap();
        assert_eq!(alert.kind, AlertKind::DeclineRateRising);
        assert_eq!(alert.severity, Severity::Critical);
        assert!(alert.title.starts_with("30.0 %"), "{}", alert.title);
        assert!(alert.meaning.contains("fraud"));
        let warning = rule.decline_alert(counts(80, 20), counts(95, 5), None).unwrap();
        assert_eq!(warning.severity, Severity::Warning);
    }

    #[test]
    fn few_attempts_or_a_steady_rate_stay_quiet() {
        let rule = DeclineRule::default();
        assert_eq!(rule.decline_alert(counts(2, 3), counts(0, 0), None), None, "too few to say");
        assert_eq!(rule.decline_alert(counts(95, 5), counts(95, 5), None), None, "normal rate");
        assert_eq!(rule.decline_alert(counts(80, 20), counts(80, 20), None), None, "high but steady");
        assert!(rule.decline_alert(counts(60, 40), counts(60, 40), None).is_some(), "critical even when steady");
    }

    #[test]
    fn rate_limits_and_shared_tickets() {
        let rule = DeclineRule::default();
        assert!(rule.rate_limit_alert(AttemptCounts { rate_limited: 2, ..Default::default() }).is_none());
        assert!(rule.rate_limit_alert(AttemptCounts { rate_limited: 3, ..Default::default() }).is_some());
        assert!(viewers_exceed_tickets(10, 10).is_none());
        assert_eq!(viewers_exceed_tickets(12, 10).map(|a| a.severity), Some(Severity::Warning));
        assert_eq!(viewers_exceed_tickets(30, 10).map(|a| a.severity), Some(Severity::Critical));
    }
}
