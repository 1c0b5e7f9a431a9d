//! Showdesk's connectors: one module per outside service. Each call has a timeout, a retry policy
//! and an idempotency story; none of them writes to the store (the control service does); secrets
//! are registered with the scrubber the moment a connector is given them.
//!
//! - [`stripe`]: payments — catalog (product, price, Payment Link), refunds, coupons and promotion
//!   codes, event polling done right (see the module).
//! - [`audience`]: viewer counts from nginx-rtmp `/stat`, Owncast, MediaMTX and any JSON URL.

pub mod audience;
mod http;
pub mod stripe;

pub use audience::AudienceError;
pub use stripe::StripeError;

/// Everything a connector can fail with, for callers that hold several.
#[derive(Debug, thiserror::Error)]
pub enum ConnectorError {
    #[error(transparent)]
    Stripe(#[from] StripeError),
    #[error(transparent)]
    Audience(#[from] AudienceError),
}

impl ConnectorError {
    /// Stable machine-readable code, mirrored in the UI.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Stripe(err) => err.code(),
            Self::Audience(err) => err.code(),
        }
    }
}
