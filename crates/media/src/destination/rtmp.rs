//! RTMP and RTMPS destinations.

use showdesk_platform::redact::{MASK, Secret};

use super::{DestinationError, Notice, Parsed, Target, parse_authority, url_host};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RtmpScheme {
    Rtmp,
    /// RTMP over TLS; port 443 when none is given.
    Rtmps,
}

impl RtmpScheme {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rtmp => "rtmp",
            Self::Rtmps => "rtmps",
        }
    }

    pub fn default_port(self) -> u16 {
        match self {
            Self::Rtmp => 1935,
            Self::Rtmps => 443,
        }
    }
}

/// Everything rtmp2sink needs, split: no joined URL ever carries the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RtmpTarget {
    pub scheme: RtmpScheme,
    /// Without brackets for IPv6 literals.
    pub host: String,
    pub port: u16,
    /// Whether the URL named the port (then the display keeps it).
    pub port_in_url: bool,
    /// The application, possibly several segments (`app/_definst_`) and with its query
    /// (`live?auth=…`), which then reaches the server in connect / tcUrl.
    pub application: String,
    /// The stream key, trimmed, never percent-encoded; a query on it (`key?token=…`) is kept whole.
    pub stream: Secret,
    pub username: Option<String>,
    pub password: Option<Secret>,
}

impl RtmpTarget {
    /// `rtmp://host:port/app` — as the server's tcUrl, without credentials.
    pub fn server_url(&self) -> String {
        format!("{}://{}:{}/{}", self.scheme.as_str(), url_host(&self.host), self.port, self.application)
    }

    /// Masked form: `rtmp://user:****@host:port/app?auth=****/****`.
    pub fn display(&self) -> String {
        let credentials = match (&self.username, &self.password) {
            (Some(user), Some(_)) => format!("{user}:{MASK}@"),
            (Some(user), None) => format!("{user}@"),
            _ => String::new(),
        };
        let application = match self.application.split_once('?') {
            Some((app, query)) => format!("{app}?{}", mask_query(query)),
            None => self.application.clone(),
        };
        let port = if self.port_in_url || self.port != self.scheme.default_port() {
            format!(":{}", self.port)
        } else {
            String::new()
        };
        format!("{}://{credentials}{}{port}/{application}/{MASK}", self.scheme.as_str(), url_host(&self.host))
    }
}

/// Every value of a query masked, names kept: `auth=****&x=****`.
pub(crate) fn mask_query(query: &str) -> String {
    query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) => format!("{name}={MASK}"),
            None => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

pub(super) fn parse(url: &str, key: &str) -> Result<Parsed, DestinationError> {
    let (scheme, rest) = url.split_once("://").ok_or(DestinationError::NoHost)?;
    let scheme = if scheme.eq_ignore_ascii_case("rtmps") { RtmpScheme::Rtmps } else { RtmpScheme::Rtmp };
    // The authority ends at the first '/' or '?'.
    let split = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(split);
    let authority = parse_authority(authority)?;
    // Register the URL's own secrets the moment we see them.
    let path = path.trim_start_matches('/');
    let (path, path_query) = match path.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (path, None),
    };
    let segments: Vec<&str> = path.split('/').filter(|segment| !segment.is_empty()).collect();
    let key = key.trim();
    if key.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(DestinationError::KeyWithSpace);
    }

    let (application_segments, stream, notice) = if !key.is_empty() {
        (segments.as_slice(), key.to_owned(), None)
    } else if segments.len() >= 2 && path_query.is_none() {
        // The key was pasted at the end of the URL: the last segment is the stream.
        let (stream, application) = segments.split_last().ok_or(DestinationError::EmptyKey)?;
        (application, (*stream).to_owned(), Some(Notice::KeyFoundInUrl))
    } else {
        return Err(DestinationError::EmptyKey);
    };
    if application_segments.is_empty() {
        return Err(DestinationError::NoApplication);
    }
    let mut application = application_segments.join("/");
    if let Some(query) = path_query {
        application.push('?');
        application.push_str(query);
        // Values on the application's query are credentials more often than not (auth tokens).
        for pair in query.split('&') {
            if let Some((_, value)) = pair.split_once('=') {
                showdesk_platform::register_secret(value);
            }
        }
    }
    let target = RtmpTarget {
        scheme,
        port: authority.port.unwrap_or(scheme.default_port()),
        port_in_url: authority.port.is_some(),
        host: authority.host,
        application,
        stream: Secret::new(stream),
        username: authority.user,
        password: authority.password,
    };
    Ok(Parsed { target: Target::Rtmp(target), notice })
}
