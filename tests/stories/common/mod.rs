//! What the stories share: a plain support mail as a buyer writes it, and waiting for the real
//! services to catch up (never a fixed sleep).

// Each story is its own test binary and uses part of this.
#![allow(dead_code)]

use std::time::{Duration, Instant};

/// How long a story waits for something the services do before it fails.
const PATIENCE: Duration = Duration::from_secs(60);

/// A plain-text mail from `from`; `tag` makes its Message-ID unique to the story, `extra` adds
/// header lines (each ending in CRLF).
pub fn mail(tag: &str, n: usize, from: &str, subject: &str, body: &str, extra: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: support@ppv.example.org\r\nMessage-ID: <{tag}-{n}@example.com>\r\nSubject: {subject}\r\n\
         {extra}Content-Type: text/plain; charset=UTF-8\r\n\r\n{body}\r\n"
    )
    .into_bytes()
}

/// Polls `check` until it says yes; fails naming `what` after a minute.
pub async fn wait_for<F, Fut>(what: &str, mut check: F) -> Result<(), Box<dyn std::error::Error>>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<bool, Box<dyn std::error::Error>>>,
{
    let started = Instant::now();
    while !check().await? {
        if started.elapsed() > PATIENCE {
            return Err(format!("gave up waiting for {what}").into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}
