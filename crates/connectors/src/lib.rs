//! Showdesk's connectors: one module per outside service. Each call has a timeout, a retry policy
//! and an idempotency story; none of them writes to the store (the control service does); secrets
//! are registered with the scrubber the moment a connector is given them.
//!
//! - [`stripe`]: payments — catalog (product, price, Payment Link), refunds, coupons and promotion
//!   codes, event polling done right (see the module).
//! - [`audience`]: viewer counts from nginx-rtmp `/stat`, Owncast, MediaMTX and any JSON URL.
//! - [`mail`]: the support mailbox — MIME parsing that never gives up on a mail, HTML made safe to
//!   show, IMAP intake (IDLE or polling, UIDVALIDITY + UID), SMTP sending and the Sent folder.

pub mod audience;
mod http;
pub mod mail;
pub mod stripe;

pub use audience::AudienceError;
pub use stripe::StripeError;

/// Everything that can go wrong talking to an outside service. Stripe and the audience hosts have
/// their own detailed errors (wrapped here); mail uses the general variants.
#[derive(Debug, thiserror::Error)]
pub enum ConnectorError {
    #[error(transparent)]
    Stripe(#[from] StripeError),
    #[error(transparent)]
    Audience(#[from] AudienceError),
    #[error("cannot connect to {service} at {address}: {detail}")]
    Connect { service: &'static str, address: String, detail: String },
    #[error("{service} refused the login for {user}: {detail}")]
    Auth { service: &'static str, user: String, detail: String },
    #[error("{service} did not answer within {seconds} s ({doing})")]
    Timeout { service: &'static str, seconds: u64, doing: &'static str },
    #[error("{service} failed while {doing}: {detail}")]
    Protocol { service: &'static str, doing: &'static str, detail: String },
    /// The server refused a recipient or the message for good (SMTP 5xx): retrying will not help.
    #[error("the mail server refused the message for good ({code}): {detail}")]
    Permanent { code: String, detail: String, recipient: Option<String> },
    /// The server asked us to come back later (SMTP 4xx, a dropped connection).
    #[error("the mail server failed temporarily: {detail}")]
    Transient { detail: String },
    #[error("the mail could not be built: {0}")]
    Compose(String),
    #[error("the settings are incomplete: {0}")]
    Settings(String),
}

impl ConnectorError {
    /// Stable machine-readable code, mirrored in the UI.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Stripe(err) => err.code(),
            Self::Audience(err) => err.code(),
            Self::Connect { .. } => "connector.connect",
            Self::Auth { .. } => "connector.auth",
            Self::Timeout { .. } => "connector.timeout",
            Self::Protocol { .. } => "connector.protocol",
            Self::Permanent { .. } => "connector.permanent",
            Self::Transient { .. } => "connector.transient",
            Self::Compose(_) => "connector.compose",
            Self::Settings(_) => "connector.settings",
        }
    }

    /// Whether trying again later may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Connect { .. } | Self::Timeout { .. } | Self::Transient { .. } | Self::Protocol { .. })
    }
}
