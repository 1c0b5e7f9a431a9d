//! SRT destinations: caller (we call the host), listener (the host calls us), rendezvous.

use showdesk_platform::redact::{MASK, Secret};

use super::{DestinationError, Parsed, Target, parse_authority, url_host};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SrtMode {
    Caller,
    Listener,
    Rendezvous,
}

impl SrtMode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Caller => "caller",
            Self::Listener => "listener",
            Self::Rendezvous => "rendezvous",
        }
    }
}

/// Everything srtsink needs, split: the stream id and passphrase are set as properties, never
/// through the URI (a `#` in a stream id would become a URI fragment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SrtTarget {
    /// Host to call, or the local address to listen on (empty: every interface).
    pub host: String,
    pub port: u16,
    pub mode: SrtMode,
    /// Access-control stream id (`#!::r=live/show,m=publish`): often holds the key.
    pub stream_id: Option<Secret>,
    pub passphrase: Option<Secret>,
    pub latency_ms: Option<u32>,
    /// Other parameters, kept in their order, passed through as they were.
    pub extra: Vec<(String, String)>,
}

impl SrtTarget {
    /// Masked form: `srt://host:port?streamid=****&passphrase=****&latency=200`.
    pub fn display(&self) -> String {
        let mut params = Vec::new();
        if self.mode != SrtMode::Caller {
            params.push(format!("mode={}", self.mode.as_str()));
        }
        if self.stream_id.is_some() {
            params.push(format!("streamid={MASK}"));
        }
        if self.passphrase.is_some() {
            params.push(format!("passphrase={MASK}"));
        }
        if let Some(latency) = self.latency_ms {
            params.push(format!("latency={latency}"));
        }
        params.extend(self.extra.iter().map(|(name, value)| format!("{name}={value}")));
        let query = if params.is_empty() { String::new() } else { format!("?{}", params.join("&")) };
        format!("srt://{}:{}{query}", url_host(&self.host), self.port)
    }

    /// The URI given to srtsink: host, port and mode only.
    pub fn element_uri(&self) -> String {
        format!("srt://{}:{}?mode={}", url_host(&self.host), self.port, self.mode.as_str())
    }
}

pub(super) fn parse(url: &str, key: &str) -> Result<Parsed, DestinationError> {
    let (_, rest) = url.split_once("://").ok_or(DestinationError::NoHost)?;
    let (authority, query) = match rest.split_once('?') {
        Some((authority, query)) => (authority.trim_end_matches('/'), query),
        None => (rest.trim_end_matches('/'), ""),
    };
    let mut mode = SrtMode::Caller;
    let mut stream_id = None;
    let mut passphrase = None;
    let mut latency_ms = None;
    let mut extra = Vec::new();
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        match name.to_ascii_lowercase().as_str() {
            "mode" => {
                mode = match value.to_ascii_lowercase().as_str() {
                    "caller" | "client" => SrtMode::Caller,
                    "listener" | "server" => SrtMode::Listener,
                    "rendezvous" => SrtMode::Rendezvous,
                    other => return Err(DestinationError::BadSrtMode(other.to_owned())),
                }
            }
            // The stream id's own characters (# ! : , =) are kept exactly as given.
            "streamid" => stream_id = Some(Secret::new(value)),
            "passphrase" => {
                let length = value.chars().count();
                if !(10..=79).contains(&length) {
                    showdesk_platform::register_secret(value);
                    return Err(DestinationError::BadPassphraseLength(length));
                }
                passphrase = Some(Secret::new(value));
            }
            "latency" => {
                latency_ms = Some(value.parse().map_err(|_| DestinationError::BadLatency(value.to_owned()))?);
            }
            _ => extra.push((name.to_owned(), value.to_owned())),
        }
    }
    // A key given separately is the stream id (how hosts that use SRT access control present it).
    let key = key.trim();
    if stream_id.is_none() && !key.is_empty() {
        stream_id = Some(Secret::new(key));
    }
    let (host, port) = if authority.is_empty() || authority.starts_with(':') {
        let port = authority.trim_start_matches(':');
        (String::new(), port.parse().ok().filter(|p| *p > 0).ok_or_else(|| DestinationError::BadPort(port.to_owned()))?)
    } else {
        let authority = parse_authority(authority)?;
        (authority.host, authority.port.ok_or_else(|| DestinationError::BadPort(String::new()))?)
    };
    if mode == SrtMode::Caller && host.is_empty() {
        return Err(DestinationError::SrtCallerWithoutHost);
    }
    let target = SrtTarget { host, port, mode, stream_id, passphrase, latency_ms, extra };
    Ok(Parsed { target: Target::Srt(target), notice: None })
}
