//! The HTTP client every connector uses: rustls (ring), timeouts, no redirects to other hosts.

use std::time::Duration;

/// A client with these timeouts. TLS uses rustls with the ring provider, installed process-wide
/// the first time (reqwest is built without a default provider to avoid aws-lc's C build).
pub(crate) fn client(connect: Duration, total: Duration) -> Result<reqwest::Client, reqwest::Error> {
    // Fails only when a provider is already installed, which is what we want anyway.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .connect_timeout(connect)
        .timeout(total)
        .redirect(reqwest::redirect::Policy::limited(3))
        .user_agent(concat!("Showdesk/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// A reqwest error as text people can read, without the URL's query (which may hold a token) —
/// and scrubbed of registered secrets anyway.
pub(crate) fn describe(err: &reqwest::Error) -> String {
    let kind = if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "could not connect"
    } else if err.is_decode() {
        "sent a reply that could not be read"
    } else if err.is_body() {
        "broke off the reply"
    } else {
        "failed"
    };
    let host = err.url().and_then(|url| url.host_str().map(str::to_owned)).unwrap_or_else(|| "the host".into());
    let mut detail = String::new();
    let mut source = std::error::Error::source(err);
    while let Some(inner) = source {
        detail = inner.to_string();
        source = inner.source();
    }
    let text = if detail.is_empty() { format!("{host} {kind}") } else { format!("{host} {kind}: {detail}") };
    showdesk_platform::redact(&text).into_owned()
}
