//! Where the show goes: ingest URLs and stream keys as people paste them, parsed into exactly what
//! the output elements need, validated before anything connects, and shown masked.
//!
//! The element properties are set one by one (host, port, application, stream, …) rather than
//! through a joined `location` URI: joining is where pasted URLs go wrong (a trailing slash becomes
//! part of the application name, a `#` in an SRT stream id becomes a URI fragment, a key gets
//! percent-encoded). See ../shared/cases/C09 and the tests below.

mod rtmp;
mod srt;

use showdesk_platform::redact::Secret;

pub use rtmp::{RtmpScheme, RtmpTarget};
pub use srt::{SrtMode, SrtTarget};

/// A destination ready to connect to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Rtmp(RtmpTarget),
    Srt(SrtTarget),
}

impl Target {
    /// Parses a server URL and a stream key as the operator entered them. The key may be empty for
    /// SRT (whose credentials live in the URL) and for RTMP when the URL carries it (then
    /// [`Parsed::notice`] says so, to offer moving it into the key field).
    pub fn parse(url: &str, key: &str) -> Result<Parsed, DestinationError> {
        let url = url.trim();
        if url.is_empty() {
            return Err(DestinationError::EmptyUrl);
        }
        let (scheme, _) = url.split_once("://").ok_or_else(|| DestinationError::NoScheme(masked_preview(url)))?;
        match scheme.to_ascii_lowercase().as_str() {
            "rtmp" | "rtmps" => rtmp::parse(url, key),
            "srt" => srt::parse(url, key),
            other => Err(DestinationError::UnsupportedScheme(other.to_owned())),
        }
    }

    /// The form shown in the UI and written to logs: scheme, host, port and application kept,
    /// every credential masked (C01).
    pub fn display(&self) -> String {
        match self {
            Self::Rtmp(target) => target.display(),
            Self::Srt(target) => target.display(),
        }
    }

    /// `host:port`, for "test connection" (DNS, TCP) and for the reconnect probe.
    pub fn host_port(&self) -> (String, u16) {
        match self {
            Self::Rtmp(target) => (target.host.clone(), target.port),
            Self::Srt(target) => (target.host.clone(), target.port),
        }
    }
}

/// A parsed destination and what the operator should be told about the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub target: Target,
    pub notice: Option<Notice>,
}

/// Something about the input worth telling the operator, though it is usable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// The stream key was pasted at the end of the server URL; it was taken from there. The UI offers
    /// to move it into the key field (and never shows it).
    KeyFoundInUrl,
}

/// Why a destination was refused, before connecting. Messages never contain a credential.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DestinationError {
    #[error("the server URL is empty")]
    EmptyUrl,
    #[error("the server URL {0:?} has no scheme: it should start with rtmp://, rtmps:// or srt://")]
    NoScheme(String),
    #[error("{0}:// is not supported: use rtmp://, rtmps:// or srt://")]
    UnsupportedScheme(String),
    #[error("the server URL has no host name")]
    NoHost,
    #[error("the port {0:?} is not a number between 1 and 65535")]
    BadPort(String),
    #[error("the server URL has no application (the part after the host, e.g. /live)")]
    NoApplication,
    #[error("the stream key is empty: paste it from your streaming host's dashboard")]
    EmptyKey,
    #[error("the stream key contains a space or a control character in the middle; copy it again from your host")]
    KeyWithSpace,
    #[error("the SRT mode {0:?} is not one of caller, listener or rendezvous")]
    BadSrtMode(String),
    #[error("the SRT passphrase must be 10 to 79 characters long (it has {0})")]
    BadPassphraseLength(usize),
    #[error("the SRT latency {0:?} is not a number of milliseconds")]
    BadLatency(String),
    #[error("an SRT caller needs the host to call")]
    SrtCallerWithoutHost,
    #[error("the host {0:?} is not a valid IPv6 address in brackets")]
    BadIpv6(String),
}

impl DestinationError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::EmptyUrl => "destination.empty_url",
            Self::NoScheme(_) => "destination.no_scheme",
            Self::UnsupportedScheme(_) => "destination.unsupported_scheme",
            Self::NoHost => "destination.no_host",
            Self::BadPort(_) => "destination.bad_port",
            Self::NoApplication => "destination.no_application",
            Self::EmptyKey => "destination.empty_key",
            Self::KeyWithSpace => "destination.key_with_space",
            Self::BadSrtMode(_) => "destination.bad_srt_mode",
            Self::BadPassphraseLength(_) => "destination.bad_passphrase_length",
            Self::BadLatency(_) => "destination.bad_latency",
            Self::SrtCallerWithoutHost => "destination.srt_caller_without_host",
            Self::BadIpv6(_) => "destination.bad_ipv6",
        }
    }
}

/// Splits `[user[:password]@]host[:port]` into its parts. IPv6 literals keep no brackets in `host`.
pub(crate) struct Authority {
    pub user: Option<String>,
    pub password: Option<Secret>,
    pub host: String,
    pub port: Option<u16>,
}

pub(crate) fn parse_authority(authority: &str) -> Result<Authority, DestinationError> {
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((userinfo, hostport)) => (Some(userinfo), hostport),
        None => (None, authority),
    };
    let (user, password) = match userinfo {
        Some(info) => match info.split_once(':') {
            Some((user, password)) => (Some(percent_decode(user)), Some(Secret::new(percent_decode(password)))),
            None => (Some(percent_decode(info)), None),
        },
        None => (None, None),
    };
    let (host, port) = if let Some(rest) = hostport.strip_prefix('[') {
        let (host, after) = rest.split_once(']').ok_or_else(|| DestinationError::BadIpv6(hostport.to_owned()))?;
        if host.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(DestinationError::BadIpv6(hostport.to_owned()));
        }
        let port = match after.strip_prefix(':') {
            Some(port) => Some(port),
            None if after.is_empty() => None,
            None => return Err(DestinationError::BadIpv6(hostport.to_owned())),
        };
        (host.to_owned(), port)
    } else {
        match hostport.rsplit_once(':') {
            Some((host, port)) => (host.to_owned(), Some(port)),
            None => (hostport.to_owned(), None),
        }
    };
    if host.is_empty() {
        return Err(DestinationError::NoHost);
    }
    let port = port
        .map(|port| {
            port.parse::<u16>().ok().filter(|p| *p > 0).ok_or_else(|| DestinationError::BadPort(port.to_owned()))
        })
        .transpose()?;
    Ok(Authority { user, password, host, port })
}

/// `host` as it appears in a URL: IPv6 literals in brackets.
pub(crate) fn url_host(host: &str) -> String {
    if host.contains(':') { format!("[{host}]") } else { host.to_owned() }
}

fn percent_decode(text: &str) -> String {
    fn hex(byte: u8) -> Option<u8> {
        match byte {
            b'0'..=b'9' => Some(byte - b'0'),
            b'a'..=b'f' => Some(byte - b'a' + 10),
            b'A'..=b'F' => Some(byte - b'A' + 10),
            _ => None,
        }
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let (Some(high), Some(low)) =
                (bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex))
        {
            out.push(high << 4 | low);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What an unparseable URL may show of itself in an error: the first characters, never a query.
fn masked_preview(url: &str) -> String {
    let head: String = url.chars().take(24).take_while(|c| *c != '?' && *c != '@').collect();
    if head.len() < url.len() { format!("{head}…") } else { head }
}

#[cfg(test)]
mod tests;
