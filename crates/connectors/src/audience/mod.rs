//! Viewer counts from the streaming host. One poller per source kind:
//!
//! - [`nginx_rtmp`]: `/stat` XML. The publisher is not a viewer; after `nginx -s reload` the new
//!   worker knows no stream until it reconnects, so the count is *unknown*, not 0. The stream's
//!   name there is its key: the XML is never logged nor kept.
//! - [`owncast`]: `/api/status`. Online without `viewerCount` is 0; offline is offline (not the
//!   last count).
//! - [`mediamtx`]: the v3 API's paths list, every page, readers of the path. Never the config
//!   endpoint (it holds credentials).
//! - [`json`]: any URL, a JSON pointer to the number, an optional auth header (a secret).

pub mod json;
pub mod mediamtx;
pub mod nginx_rtmp;
pub mod owncast;

use std::time::Duration;

use serde::Serialize;

/// What a host says about its audience now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum AudienceReading {
    Online {
        viewers: u64,
    },
    Offline,
    /// The host answered but its count cannot be trusted now.
    Unknown {
        reason: String,
    },
}

impl AudienceReading {
    pub fn viewers(&self) -> Option<u64> {
        match self {
            Self::Online { viewers } => Some(*viewers),
            _ => None,
        }
    }
}

/// Why a reading failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AudienceError {
    #[error("the audience source is not set up right: {0}")]
    Config(String),
    #[error("the audience source could not be reached: {0}")]
    Network(String),
    #[error("the audience source answered HTTP {status}")]
    Http { status: u16 },
    #[error("the audience source's reply could not be read: {0}")]
    Decode(String),
}

impl AudienceError {
    /// Stable machine-readable code, mirrored in the UI.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Config(_) => "audience.config",
            Self::Network(_) => "audience.network",
            Self::Http { .. } => "audience.http",
            Self::Decode(_) => "audience.decode",
        }
    }
}

/// The client pollers share: short timeouts (a count every few seconds, never a stuck one).
pub(crate) fn http_client() -> Result<reqwest::Client, AudienceError> {
    crate::http::client(Duration::from_secs(3), Duration::from_secs(5))
        .map_err(|err| AudienceError::Config(crate::http::describe(&err)))
}

/// GETs `request` and returns the body; the body is never logged (it may name a stream key).
pub(crate) async fn fetch(request: reqwest::RequestBuilder) -> Result<String, AudienceError> {
    let response = request.send().await.map_err(|err| AudienceError::Network(crate::http::describe(&err)))?;
    let status = response.status();
    if !status.is_success() {
        return Err(AudienceError::Http { status: status.as_u16() });
    }
    response.text().await.map_err(|err| AudienceError::Network(crate::http::describe(&err)))
}

pub(crate) fn check_url(url: &str) -> Result<reqwest::Url, AudienceError> {
    let parsed = reqwest::Url::parse(url.trim())
        .map_err(|err| AudienceError::Config(format!("{}: {err}", showdesk_platform::redact(url))))?;
    match parsed.scheme() {
        "http" | "https" => Ok(parsed),
        other => Err(AudienceError::Config(format!("{other}: only http and https URLs"))),
    }
}
