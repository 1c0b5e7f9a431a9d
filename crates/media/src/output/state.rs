//! An output's life, the reconnect policy, and how a failure is read. Pure: no GStreamer here.

use std::time::Duration;

use serde::Serialize;

/// Where an output is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum OutputState {
    Idle,
    Connecting,
    Live,
    /// Waiting to try again; `attempt` counts since the output was last live.
    Reconnecting {
        attempt: u32,
        reason: String,
    },
    /// Retries stopped: the operator must act (a refused key, a server that keeps dropping us).
    Failed {
        reason: String,
    },
    Stopped,
}

impl OutputState {
    pub fn name(&self) -> &'static str {
        match self {
            Self::Idle => "idle",
            Self::Connecting => "connecting",
            Self::Live => "live",
            Self::Reconnecting { .. } => "reconnecting",
            Self::Failed { .. } => "failed",
            Self::Stopped => "stopped",
        }
    }
}

/// What a failure means for the next step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// Nothing answers (refused, unresolvable, unreachable): keep probing, go as soon as it answers.
    Unreachable,
    /// The server answered and refused the stream (publish / connect rejected): stop and say so.
    Refused,
    /// The server accepted and the session then ended (reset, closed, timeout): reconnect.
    Dropped,
    /// Something local (the pipeline itself): reconnect with backoff.
    Local,
}

/// Reads a GStreamer error text from an output sink.
pub fn classify(message: &str) -> FailureKind {
    let text = message.to_ascii_lowercase();
    if text.contains("'publish' cmd failed")
        || text.contains("'connect' cmd failed")
        || text.contains("publish.badname")
        || text.contains("rejected")
        || text.contains("authentication")
    {
        FailureKind::Refused
    } else if text.contains("connection refused")
        || text.contains("error resolving")
        || text.contains("could not connect")
        || text.contains("no route to host")
        || text.contains("network is unreachable")
        || text.contains("name or service not known")
        || text.contains("connection setup failure")
    {
        FailureKind::Unreachable
    } else if text.contains("closed remotely")
        || text.contains("connection reset")
        || text.contains("broken pipe")
        || text.contains("timed out")
        || text.contains("connection error")
        || text.contains("connection lost")
        || text.contains("socket")
    {
        FailureKind::Dropped
    } else {
        FailureKind::Local
    }
}

/// Sessions shorter than this count toward "the server keeps dropping us".
pub const SHORT_SESSION: Duration = Duration::from_secs(10);
/// This many short sessions in a row stop the retries.
pub const SHORT_SESSIONS_TO_GIVE_UP: u32 = 3;
/// The longest wait between attempts.
pub const MAX_BACKOFF: Duration = Duration::from_secs(10);
/// How often an unreachable server is probed (one TCP connect): back on air within a second of it
/// accepting again.
pub const PROBE_INTERVAL: Duration = Duration::from_millis(250);

/// What to do after a session ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// Probe until the server answers, then connect (no backoff: the server was simply away).
    ProbeThenConnect { attempt: u32, reason: String },
    /// Wait this long, then connect.
    WaitThenConnect { attempt: u32, wait: Duration, reason: String },
    /// Stop retrying.
    GiveUp { reason: String },
}

/// The reconnect policy of one output: capped exponential backoff, never giving up on the network,
/// giving up on a refusal at once and on a server that keeps kicking us out right after accepting.
///
/// A short session alone proves nothing: an ingest that restarts (C05) also ends sessions early. A
/// short session is a *kick* only if the server takes us back at once afterwards; if it does not
/// answer for a while, it went away and the short session is forgiven.
#[derive(Debug, Default, Clone)]
pub struct Reconnect {
    /// Failed attempts since the output was last live.
    attempts: u32,
    /// Short sessions followed by an immediate reconnect, in a row.
    kicks: u32,
    /// The last session was short and ended by the server; judged by what the next attempt meets.
    short_pending: bool,
}

impl Reconnect {
    /// A session or an attempt ended with `kind` / `message`; `live_for` is how long it had been live
    /// (None: it never got there).
    pub fn after_failure(&mut self, kind: FailureKind, message: &str, live_for: Option<Duration>) -> Next {
        self.attempts += 1;
        let reason = reason_for(kind, message);
        if kind == FailureKind::Refused {
            return Next::GiveUp {
                reason: format!(
                    "the server refused the stream ({}): check the stream key and that the host's event is ready",
                    short(message)
                ),
            };
        }
        match live_for {
            Some(duration) if duration >= SHORT_SESSION => {
                self.kicks = 0;
                self.short_pending = false;
                self.attempts = 1;
            }
            Some(_) => {
                if self.kicks + 1 >= SHORT_SESSIONS_TO_GIVE_UP {
                    return Next::GiveUp {
                        reason: format!(
                            "the server accepted the stream and dropped it {} times within {} s: the stream key or the account is likely wrong (or the key is in use elsewhere)",
                            self.kicks + 1,
                            SHORT_SESSION.as_secs()
                        ),
                    };
                }
                self.short_pending = true;
            }
            None => {}
        }
        match kind {
            FailureKind::Unreachable => {
                // The server went away: whatever ended the last session, it was not a kick.
                self.short_pending = false;
                self.kicks = 0;
                Next::ProbeThenConnect { attempt: self.attempts, reason }
            }
            // The first retry after a live session goes at once; later ones back off.
            _ if live_for.is_some() && self.attempts == 1 => {
                Next::WaitThenConnect { attempt: self.attempts, wait: Duration::ZERO, reason }
            }
            _ => Next::WaitThenConnect { attempt: self.attempts, wait: backoff(self.attempts), reason },
        }
    }

    /// The output went live: a pending short session was a kick; failure counts start over.
    pub fn went_live(&mut self) {
        if std::mem::take(&mut self.short_pending) {
            self.kicks += 1;
        }
        self.attempts = 0;
    }

    /// The operator pressed "retry now": start over.
    pub fn reset(&mut self) {
        *self = Self::default();
    }
}

/// 1 s, 2 s, 4 s, 8 s, then 10 s.
pub fn backoff(attempt: u32) -> Duration {
    let exponent = attempt.saturating_sub(1).min(4);
    Duration::from_secs(1 << exponent).min(MAX_BACKOFF)
}

fn reason_for(kind: FailureKind, message: &str) -> String {
    match kind {
        FailureKind::Unreachable => format!("the server does not answer ({})", short(message)),
        FailureKind::Refused => format!("the server refused the stream ({})", short(message)),
        FailureKind::Dropped => format!("the connection dropped ({})", short(message)),
        FailureKind::Local => format!("the output stopped ({})", short(message)),
    }
}

/// The useful end of a GStreamer error message, scrubbed.
fn short(message: &str) -> String {
    let text = message.trim().trim_start_matches("Failed to connect: ");
    showdesk_platform::redact(text).chars().take(160).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rtmp2sink_messages_are_read_right() {
        assert_eq!(
            classify("Connection refused: Could not connect to 127.0.0.1: Connection refused"),
            FailureKind::Unreachable
        );
        assert_eq!(
            classify("Failed to connect: Error resolving “nonexistent.invalid”: Name or service not known"),
            FailureKind::Unreachable
        );
        assert_eq!(
            classify("Failed to connect: 'publish' cmd failed: connection closed remotely"),
            FailureKind::Refused
        );
        assert_eq!(classify("Connection error: connection closed remotely"), FailureKind::Dropped);
        assert_eq!(classify("Internal data stream error."), FailureKind::Local);
    }

    #[test]
    fn backoff_doubles_and_caps_at_ten_seconds() {
        let waits: Vec<u64> = (1..=7).map(|n| backoff(n).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 10, 10, 10]);
    }

    #[test]
    fn an_unreachable_server_is_probed_forever() {
        let mut policy = Reconnect::default();
        for attempt in 1..=100 {
            let next = policy.after_failure(FailureKind::Unreachable, "Connection refused", None);
            assert!(matches!(next, Next::ProbeThenConnect { attempt: n, .. } if n == attempt), "{next:?}");
        }
    }

    #[test]
    fn a_refused_publish_gives_up_at_once_and_says_why() {
        let mut policy = Reconnect::default();
        let next = policy.after_failure(
            FailureKind::Refused,
            "Failed to connect: 'publish' cmd failed: connection closed remotely",
            None,
        );
        let Next::GiveUp { reason } = next else { panic!("{next:?}") };
        assert!(reason.contains("stream key"), "{reason}");
    }

    #[test]
    fn three_short_sessions_in_a_row_give_up() {
        let mut policy = Reconnect::default();
        let short = Some(Duration::from_secs(2));
        policy.went_live();
        assert!(matches!(
            policy.after_failure(FailureKind::Dropped, "closed remotely", short),
            Next::WaitThenConnect { .. }
        ));
        policy.went_live();
        assert!(matches!(
            policy.after_failure(FailureKind::Dropped, "closed remotely", short),
            Next::WaitThenConnect { .. }
        ));
        policy.went_live();
        let next = policy.after_failure(FailureKind::Dropped, "closed remotely", short);
        let Next::GiveUp { reason } = next else { panic!("{next:?}") };
        assert!(reason.contains("likely wrong"), "{reason}");
    }

    #[test]
    fn c05_an_ingest_that_restarts_is_never_taken_for_a_bad_key() {
        let mut policy = Reconnect::default();
        let short = Some(Duration::from_millis(700));
        for _ in 0..10 {
            policy.went_live();
            // The server goes away: the session ends early, then nothing answers for a while.
            assert!(matches!(
                policy.after_failure(FailureKind::Dropped, "closed remotely", short),
                Next::WaitThenConnect { .. }
            ));
            assert!(matches!(
                policy.after_failure(FailureKind::Unreachable, "Connection refused", None),
                Next::ProbeThenConnect { .. }
            ));
        }
    }

    #[test]
    fn a_long_session_resets_the_count_and_the_first_retry_is_immediate() {
        let mut policy = Reconnect::default();
        policy.after_failure(FailureKind::Dropped, "closed remotely", Some(Duration::from_secs(2)));
        policy.after_failure(FailureKind::Dropped, "closed remotely", Some(Duration::from_secs(2)));
        let next = policy.after_failure(FailureKind::Dropped, "closed remotely", Some(Duration::from_secs(600)));
        assert!(matches!(next, Next::WaitThenConnect { attempt: 1, wait: Duration::ZERO, .. }), "{next:?}");
        // Failing again without going live backs off.
        let next = policy.after_failure(FailureKind::Dropped, "closed remotely", None);
        assert!(
            matches!(next, Next::WaitThenConnect { attempt: 2, wait, .. } if wait == Duration::from_secs(2)),
            "{next:?}"
        );
    }

    #[test]
    fn reasons_never_carry_a_key() {
        let mut policy = Reconnect::default();
        let next =
            policy.after_failure(FailureKind::Dropped, "could not publish rtmp://h/live/sk_TESTKEY_9f8e7d6c5b4a", None);
        assert!(!format!("{next:?}").contains("9f8e7d6c5b4a"));
    }
}
