//! Readiness: poll a check until it passes, the deadline passes, or the process dies.

use std::time::{Duration, Instant};

use crate::Result;
use crate::process::ServiceProcess;

/// How long a service gets to become ready. Generous: two cores running a parallel test suite.
pub const START_TIMEOUT: Duration = Duration::from_secs(30);

/// Polls `check` every 50 ms. `check` returns `Ok(())` when ready and `Err(reason)` otherwise; the
/// last reason is reported if the deadline passes.
pub fn until_ready(process: &mut ServiceProcess, mut check: impl FnMut() -> Result<(), String>) -> Result<()> {
    let started = Instant::now();
    let mut reason = String::from("not checked yet");
    while started.elapsed() < START_TIMEOUT {
        process.check_alive()?;
        match check() {
            Ok(()) => {
                tracing::debug!(service = process.name(), after = ?started.elapsed(), "service ready");
                return Ok(());
            }
            Err(why) => reason = why,
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(process.not_ready(started.elapsed(), reason))
}
