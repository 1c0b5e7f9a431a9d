//! Desktop notifications for the alerts that matter when the operator looks elsewhere: the stream
//! down or back, an output given up, the program or recording failing, a sales spike, the decline
//! rate, rate limiting, a support surge, viewers above tickets.
//!
//! Showing one talks to the desktop's notification server over D-Bus, which can hang or be absent
//! (a bare Xvfb, CI): it happens on a thread of its own, fed by a bounded queue, so nothing else
//! ever waits for it, and a failure is logged once, not per alert.

use std::sync::mpsc::{SyncSender, TrySendError, sync_channel};

use showdesk_control::live::views::LiveAlert;

/// Alerts worth a notification, beyond every error.
const NOTIFIED_KINDS: &[&str] = &[
    "output_down",
    "output_back",
    "output_failed",
    "program",
    "sales_spike",
    "decline_rate_rising",
    "rate_limited",
    "support_surge",
    "viewers_exceed_tickets",
    "payments_unreachable",
];

/// More waiting than this and the oldest news is stale: new ones are dropped (the window's alert
/// feed still has them all).
const QUEUE: usize = 16;

pub fn should_notify(alert: &LiveAlert) -> bool {
    alert.severity == "error" || NOTIFIED_KINDS.contains(&alert.kind.as_str())
}

/// The notifier: `notify` never blocks.
#[derive(Debug, Clone)]
pub struct Notifier {
    queue: SyncSender<LiveAlert>,
}

impl Notifier {
    /// Starts the notification thread. `enabled: false` (tests, `SHOWDESK_NOTIFICATIONS=0`) keeps
    /// the queue but shows nothing.
    pub fn start(app_name: &'static str, enabled: bool) -> Self {
        let (queue, alerts) = sync_channel::<LiveAlert>(QUEUE);
        let spawned = std::thread::Builder::new().name("notifications".into()).spawn(move || {
            let mut warned = false;
            for alert in alerts {
                if !enabled {
                    continue;
                }
                let shown = notify_rust::Notification::new()
                    .appname(app_name)
                    .summary(&summary(&alert))
                    .body(&showdesk_platform::redact(&alert.message))
                    .timeout(notify_rust::Timeout::Milliseconds(8_000))
                    .show();
                match shown {
                    Ok(_) => warned = false,
                    Err(err) if !warned => {
                        warned = true;
                        tracing::warn!("desktop notifications are unavailable ({err}); alerts stay in the window");
                    }
                    Err(_) => {}
                }
            }
        });
        if let Err(err) = spawned {
            tracing::warn!("no notification thread: {err}");
        }
        Self { queue }
    }

    pub fn notify(&self, alert: &LiveAlert) {
        if !should_notify(alert) {
            return;
        }
        match self.queue.try_send(alert.clone()) {
            Ok(()) | Err(TrySendError::Disconnected(_)) => {}
            Err(TrySendError::Full(_)) => tracing::debug!(kind = alert.kind, "notification queue full: skipped"),
        }
    }
}

fn summary(alert: &LiveAlert) -> String {
    let what = match alert.kind.as_str() {
        "output_down" => "Stream down",
        "output_back" => "Stream on the air",
        "output_failed" => "Output stopped",
        "program" => "Program error",
        "sales_spike" => "Sales spike",
        "decline_rate_rising" => "Card declines rising",
        "rate_limited" => "Stripe is rate limiting",
        "support_surge" => "Support surge",
        "viewers_exceed_tickets" => "More viewers than tickets",
        "payments_unreachable" => "Stripe unreachable",
        _ => "Showdesk",
    };
    if alert.subject.is_empty() { what.to_owned() } else { format!("{what} — {}", alert.subject) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(kind: &str, severity: &str) -> LiveAlert {
        LiveAlert {
            kind: kind.into(),
            severity: severity.into(),
            subject: "rtmp".into(),
            message: "m".into(),
            at_ms: 0,
        }
    }

    #[test]
    fn the_serious_ones_and_the_news_the_brief_lists_are_notified() {
        assert!(should_notify(&alert("output_down", "error")));
        assert!(should_notify(&alert("output_back", "info")));
        assert!(should_notify(&alert("support_surge", "warn")));
        assert!(should_notify(&alert("anything", "error")));
        assert!(!should_notify(&alert("clipping", "warn")));
        assert!(!should_notify(&alert("sound_back", "info")));
        assert_eq!(summary(&alert("output_down", "error")), "Stream down — rtmp");
    }

    #[test]
    fn notifying_never_blocks_even_when_nothing_reads_the_queue() {
        let notifier = Notifier::start("showdesk-test", false);
        for _ in 0..(QUEUE * 4) {
            notifier.notify(&alert("output_down", "error"));
        }
    }
}
