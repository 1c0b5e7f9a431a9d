//! Stripe over its REST API: form-encoded POSTs with an Idempotency-Key derived from the operator's
//! action, a pinned `Stripe-Version`, a client-side rate limit (25 calls/s in test mode, 100 live),
//! backoff on 429 and on transient failures, timeouts, and errors with codes. The secret key is
//! registered with the scrubber when the client is made and only ever sent in the Authorization
//! header; logs carry method, path and status, never bodies.
//!
//! - [`catalog`]: product, price and Payment Link for a show; coupons and promotion codes.
//! - [`payments`]: refunds, re-reading a payment's current state, reconcile listings, test payments.
//! - [`events`]: Stripe's events (and re-read objects) → the ledger's [`PaymentEvent`]s.
//! - [`poll`]: walking the events list the right way.
//!
//! [`PaymentEvent`]: showdesk_core::box_office::PaymentEvent

pub mod catalog;
mod error;
pub mod events;
pub mod payments;
pub mod poll;
mod rate;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use serde_json::Value;
use showdesk_platform::redact::Secret;

pub use error::StripeError;
use rate::RateLimiter;

/// The API version every call is pinned to: the shapes this code reads (promotion codes changed in
/// 2025-09-30) and the recorded replies in the contract tests are this version's.
pub const STRIPE_VERSION: &str = "2024-06-20";

/// Stripe's API.
pub const STRIPE_API: &str = "https://api.stripe.com";

/// Test or live: decided by the key, shown in the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StripeMode {
    Test,
    Live,
}

impl StripeMode {
    /// Stripe's own limit: 25 operations/s in test mode, 100 live. We stay at it.
    pub fn calls_per_second(self) -> u32 {
        match self {
            Self::Test => 25,
            Self::Live => 100,
        }
    }
}

/// A secret or restricted key. Registered with the scrubber when made.
#[derive(Debug, Clone)]
pub struct StripeKey {
    secret: Secret,
    mode: StripeMode,
}

impl StripeKey {
    pub fn new(text: &str) -> Result<Self, StripeError> {
        let text = text.trim();
        let mode = if text.starts_with("sk_test_") || text.starts_with("rk_test_") {
            StripeMode::Test
        } else if text.starts_with("sk_live_") || text.starts_with("rk_live_") {
            StripeMode::Live
        } else if text.starts_with("pk_") {
            return Err(StripeError::Config(
                "this is a publishable key (pk_…); Showdesk needs the secret key (sk_…)".into(),
            ));
        } else {
            return Err(StripeError::Config("a Stripe secret key starts with sk_test_ or sk_live_".into()));
        };
        Ok(Self { secret: Secret::new(text), mode })
    }

    pub fn mode(&self) -> StripeMode {
        self.mode
    }

    /// `sk_test_****abcd`, for the UI.
    pub fn masked(&self) -> String {
        showdesk_platform::mask(self.secret.expose())
    }
}

/// Where and how to reach Stripe.
#[derive(Debug, Clone)]
pub struct StripeConfig {
    /// `https://api.stripe.com`, or localstripe's address in rehearsal and tests.
    pub api_base: String,
    pub key: StripeKey,
    pub timeout: Duration,
    /// Tries per call, the first included.
    pub max_tries: u32,
    /// The first wait after a 429 or a transient failure; doubled each time, capped at 8 s.
    pub retry_base: Duration,
}

impl StripeConfig {
    pub fn new(api_base: impl Into<String>, key: StripeKey) -> Self {
        Self {
            api_base: api_base.into().trim_end_matches('/').to_owned(),
            key,
            timeout: Duration::from_secs(20),
            max_tries: 5,
            retry_base: Duration::from_millis(500),
        }
    }
}

/// An Idempotency-Key: the same operator action always gives the same key, so a double click, a
/// retry after a timeout or a restart mid-call makes Stripe do the work once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// Stripe accepts at most 255 characters.
    const MAX: usize = 255;

    /// `action` names what is done ("refund", "show.payment_link"), `subject` what to (an order id,
    /// a show id, a refund's own key).
    pub fn for_action(action: &str, subject: &str) -> Self {
        let key = format!("showdesk:{action}:{subject}");
        if key.len() <= Self::MAX {
            return Self(key);
        }
        // Too long: keep a readable prefix and make it unique with a stable hash of the whole.
        let mut prefix: String = key.chars().take(200).collect();
        prefix.push_str(&format!(":{:016x}", fnv1a(key.as_bytes())));
        Self(prefix)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// FNV-1a: stable across runs and Rust versions (the std hasher is not).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3))
}

/// The Stripe client.
#[derive(Debug)]
pub struct StripeClient {
    http: reqwest::Client,
    config: StripeConfig,
    limiter: RateLimiter,
    rate_limited: AtomicU64,
    /// Set once the server refused `ending_before` on events (localstripe).
    ending_before_unsupported: AtomicBool,
}

impl StripeClient {
    pub fn new(config: StripeConfig) -> Result<Self, StripeError> {
        let http = crate::http::client(Duration::from_secs(5), config.timeout)
            .map_err(|err| StripeError::Config(crate::http::describe(&err)))?;
        let limiter = RateLimiter::per_second(config.key.mode().calls_per_second());
        Ok(Self {
            http,
            config,
            limiter,
            rate_limited: AtomicU64::new(0),
            ending_before_unsupported: AtomicBool::new(false),
        })
    }

    pub fn mode(&self) -> StripeMode {
        self.config.key.mode()
    }

    pub fn masked_key(&self) -> String {
        self.config.key.masked()
    }

    /// 429 answers received since the last call (for the rate-limit alert).
    pub fn take_rate_limited(&self) -> u64 {
        self.rate_limited.swap(0, Ordering::Relaxed)
    }

    /// Checks the key with a read any secret key may make (the balance): a wrong or revoked key
    /// is `StripeError::Auth` here, not at the first sale.
    pub async fn verify_key(&self) -> Result<(), StripeError> {
        self.get("/v1/balance", &[]).await.map(drop)
    }

    pub(crate) async fn get(&self, path: &str, query: &[(&str, String)]) -> Result<Value, StripeError> {
        self.send(reqwest::Method::GET, path, query, &[], None).await
    }

    pub(crate) async fn post(
        &self,
        path: &str,
        form: &[(String, String)],
        key: &IdempotencyKey,
    ) -> Result<Value, StripeError> {
        self.send(reqwest::Method::POST, path, &[], form, Some(key)).await
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        query: &[(&str, String)],
        form: &[(String, String)],
        key: Option<&IdempotencyKey>,
    ) -> Result<Value, StripeError> {
        let url = format!("{}{path}", self.config.api_base);
        let mut tries = 0;
        loop {
            tries += 1;
            self.limiter.wait_turn().await;
            let mut request = self
                .http
                .request(method.clone(), &url)
                .bearer_auth(self.config.key.secret.expose())
                .header("Stripe-Version", STRIPE_VERSION)
                .query(query);
            if let Some(key) = key {
                request = request.header("Idempotency-Key", key.as_str()).form(form);
            }
            let outcome = match request.send().await {
                Ok(response) => Self::read(response).await,
                Err(err) => Err((StripeError::Network(crate::http::describe(&err)), true)),
            };
            let (error, may_retry) = match outcome {
                Ok(value) => {
                    tracing::debug!(%method, path, tries, "stripe call done");
                    return Ok(value);
                }
                Err(failure) => failure,
            };
            if matches!(error, StripeError::RateLimited { .. }) {
                self.rate_limited.fetch_add(1, Ordering::Relaxed);
            }
            if !may_retry || tries >= self.config.max_tries {
                tracing::warn!(%method, path, tries, code = error.code(), "stripe call failed");
                return Err(match error {
                    StripeError::RateLimited { .. } => StripeError::RateLimited { attempts: tries },
                    other => other,
                });
            }
            let wait = self.config.retry_base.saturating_mul(1 << (tries - 1).min(4)).min(Duration::from_secs(8));
            tracing::info!(%method, path, tries, code = error.code(), wait_ms = wait.as_millis() as u64, "stripe call retried");
            tokio::time::sleep(wait).await;
        }
    }

    /// The reply as JSON, or the error and whether retrying may help (Stripe says so in
    /// `Stripe-Should-Retry` when it knows).
    async fn read(response: reqwest::Response) -> Result<Value, (StripeError, bool)> {
        let status = response.status().as_u16();
        let should_retry =
            response.headers().get("stripe-should-retry").and_then(|v| v.to_str().ok()).map(|v| v == "true");
        let body = response.text().await.map_err(|err| (StripeError::Network(crate::http::describe(&err)), true))?;
        let value: Value = serde_json::from_str(&body).map_err(|err| {
            let error = if (200..300).contains(&status) {
                StripeError::Decode(format!("not JSON: {err}"))
            } else {
                // Not Stripe's error body (a proxy, a server without the endpoint): judge by status.
                StripeError::from_reply(status, &Value::Null)
            };
            (error, status >= 500)
        })?;
        if (200..300).contains(&status) {
            return Ok(value);
        }
        let error = StripeError::from_reply(status, &value);
        // 409: another request with the same key is in flight — wait and ask again.
        let transient = status == 429 || status == 409 || status >= 500;
        Err((error, should_retry.unwrap_or(transient)))
    }
}

/// A string field of a JSON object.
pub(crate) fn text(value: &Value, key: &str) -> Option<String> {
    value[key].as_str().filter(|s| !s.is_empty()).map(str::to_owned)
}

/// An id field that may be a plain id or an expanded object.
pub(crate) fn id_of(value: &Value, key: &str) -> Option<String> {
    match &value[key] {
        Value::String(id) if !id.is_empty() => Some(id.clone()),
        Value::Object(object) => object.get("id").and_then(Value::as_str).map(str::to_owned),
        _ => None,
    }
}

pub(crate) fn decode_error(what: &str, value: &Value) -> StripeError {
    let object = value["object"].as_str().unwrap_or("?");
    StripeError::Decode(format!("{what}: unexpected {object} object"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_say_their_mode_and_are_masked() {
        let key = StripeKey::new(" sk_test_51ABCDEFghijklmnop\n").unwrap();
        assert_eq!(key.mode(), StripeMode::Test);
        assert!(!key.masked().contains("ABCDEFghij"));
        assert!(!format!("{key:?}").contains("ABCDEFghij"), "Debug never shows the key");
        assert_eq!(StripeKey::new("sk_live_xyz").map(|k| k.mode()).ok(), Some(StripeMode::Live));
        assert_eq!(StripeKey::new("pk_test_1").map(|_| ()).map_err(|e| e.code()), Err("stripe.config"));
        assert!(StripeKey::new("hello").is_err());
    }

    #[test]
    fn idempotency_keys_are_stable_and_short_enough() {
        let a = IdempotencyKey::for_action("refund", "showdesk-refund-ord_cs_1-1");
        assert_eq!(a, IdempotencyKey::for_action("refund", "showdesk-refund-ord_cs_1-1"));
        assert_eq!(a.as_str(), "showdesk:refund:showdesk-refund-ord_cs_1-1");
        let long = IdempotencyKey::for_action("x", &"y".repeat(400));
        assert!(long.as_str().len() <= 255);
        assert_ne!(long, IdempotencyKey::for_action("x", &"y".repeat(401)));
    }

    #[test]
    fn stripe_error_bodies_become_codes() {
        let body = |kind: &str| serde_json::json!({"error": {"type": kind, "code": "card_declined", "decline_code": "generic_decline", "message": "Your card was declined."}});
        assert_eq!(StripeError::from_reply(402, &body("card_error")).code(), "stripe.card_declined");
        assert_eq!(StripeError::from_reply(401, &body("invalid_request_error")).code(), "stripe.auth");
        assert_eq!(StripeError::from_reply(400, &body("idempotency_error")).code(), "stripe.idempotency");
        assert_eq!(StripeError::from_reply(404, &body("invalid_request_error")).code(), "stripe.not_found");
        assert_eq!(StripeError::from_reply(500, &body("api_error")).code(), "stripe.api");
    }
}
