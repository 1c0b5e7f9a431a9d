//! What a Stripe call can fail with. Messages come from Stripe or from the network, and are scrubbed
//! of registered secrets before they are kept (Stripe echoes a masked key in auth errors; a proxy
//! might echo more).

/// A Stripe failure, with a stable code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StripeError {
    #[error("the Stripe key is not usable: {0}")]
    Config(String),
    #[error("Stripe refused the key: {message}")]
    Auth { message: String },
    #[error("the card was declined: {message}")]
    CardDeclined { code: Option<String>, decline_code: Option<String>, message: String },
    #[error("Stripe refused the request: {message}")]
    InvalidRequest { code: Option<String>, param: Option<String>, message: String },
    #[error("Stripe has no {what}: {message}")]
    NotFound { what: String, message: String },
    #[error("Stripe kept answering 'too many requests' after {attempts} tries")]
    RateLimited { attempts: u32 },
    #[error("the same action was sent to Stripe with different details: {message}")]
    Idempotency { message: String },
    #[error("Stripe failed ({status}): {message}")]
    Api { status: u16, message: String },
    #[error("Stripe could not be reached: {0}")]
    Network(String),
    #[error("Stripe sent a reply Showdesk does not understand: {0}")]
    Decode(String),
}

impl StripeError {
    /// Stable machine-readable code, mirrored in the UI.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Config(_) => "stripe.config",
            Self::Auth { .. } => "stripe.auth",
            Self::CardDeclined { .. } => "stripe.card_declined",
            Self::InvalidRequest { .. } => "stripe.invalid_request",
            Self::NotFound { .. } => "stripe.not_found",
            Self::RateLimited { .. } => "stripe.rate_limited",
            Self::Idempotency { .. } => "stripe.idempotency",
            Self::Api { .. } => "stripe.api",
            Self::Network(_) => "stripe.network",
            Self::Decode(_) => "stripe.decode",
        }
    }

    /// Whether trying again later could work.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::RateLimited { .. } | Self::Api { .. } | Self::Network(_))
    }

    /// From Stripe's error body `{"error": {"type", "code", "decline_code", "param", "message"}}`.
    pub(crate) fn from_reply(status: u16, body: &serde_json::Value) -> Self {
        let error = &body["error"];
        let text = |key: &str| error[key].as_str().map(|s| showdesk_platform::redact(s).into_owned());
        let message = text("message").unwrap_or_else(|| format!("HTTP {status}"));
        match (status, error["type"].as_str()) {
            (401, _) => Self::Auth { message },
            (_, Some("card_error")) | (402, _) => {
                Self::CardDeclined { code: text("code"), decline_code: text("decline_code"), message }
            }
            (_, Some("idempotency_error")) => Self::Idempotency { message },
            (404, _) => Self::NotFound { what: text("param").unwrap_or_else(|| "such object".into()), message },
            (429, _) => Self::RateLimited { attempts: 1 },
            (400..=499, _) => Self::InvalidRequest { code: text("code"), param: text("param"), message },
            _ => Self::Api { status, message },
        }
    }
}
