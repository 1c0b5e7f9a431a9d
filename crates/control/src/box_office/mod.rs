//! The box office and the audience: the use cases the window and the CLI call. Stripe is connected
//! with a key the shell reads from the keyring; purchases come in by polling (a laptop cannot get
//! webhooks) into the ledger; refunds, promo codes and double purchases are one call each, checked
//! against the ledger before Stripe is called and recorded in the audit log (who, what, when, how
//! it ended) whatever the outcome.

mod audience;
mod buyers;
mod dashboard;
mod promos;
mod refunds;
mod sales;
pub mod views;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use serde_json::Value;
use showdesk_connectors::stripe::{StripeClient, StripeConfig, StripeKey};
use showdesk_core::box_office::DeclineRule;
use showdesk_platform::redact::Secret;
use showdesk_store::{AuditOutcome, NewAuditEntry, Store};

pub use audience::AudiencePollers;
pub(crate) use sales::EVENTS_CURSOR;
pub use views::*;

use crate::ControlError;

/// The audit actor for work nobody clicked (polls, closing a sold-out show).
pub const SYSTEM_ACTOR: &str = "system";

/// Tunables of the box office.
#[derive(Debug, Clone, Copy)]
pub struct BoxOfficeSettings {
    /// Two valid tickets of one buyer for one show this close together: "possible double purchase".
    pub double_purchase_window_ms: i64,
    /// An identical refund request within this window is the same click.
    pub refund_repeat_window_ms: i64,
    /// The decline-rate window (and the one before it, for "rising").
    pub attempts_window_ms: i64,
    pub decline_rule: DeclineRule,
}

impl Default for BoxOfficeSettings {
    fn default() -> Self {
        Self {
            double_purchase_window_ms: 24 * 3_600_000,
            refund_repeat_window_ms: 2 * 60_000,
            attempts_window_ms: 15 * 60_000,
            decline_rule: DeclineRule::default(),
        }
    }
}

/// The box office: one per control service.
#[derive(Debug)]
pub struct BoxOffice {
    store: Arc<dyn Store>,
    stripe: RwLock<Option<Arc<StripeClient>>>,
    settings: BoxOfficeSettings,
    last_poll_ms: Mutex<Option<i64>>,
    /// Why the last poll of Stripe failed; None once it answers again.
    poll_problem: Mutex<Option<String>>,
    /// Secrets by reference (keyring entry names), given by the shell; never stored.
    secrets: RwLock<HashMap<String, Secret>>,
    audience: AudiencePollers,
    /// Connected to the rehearsal's localstripe, which has no Prices, Payment Links or Promotion
    /// Codes: shows go on sale and promo codes exist in the ledger only (the drill's buyers pay
    /// through PaymentIntents, which it has).
    rehearsal_stripe: std::sync::atomic::AtomicBool,
}

impl BoxOffice {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self::with_settings(store, BoxOfficeSettings::default())
    }

    pub fn with_settings(store: Arc<dyn Store>, settings: BoxOfficeSettings) -> Self {
        Self {
            store,
            stripe: RwLock::new(None),
            settings,
            last_poll_ms: Mutex::new(None),
            poll_problem: Mutex::new(None),
            secrets: RwLock::new(HashMap::new()),
            audience: AudiencePollers::default(),
            rehearsal_stripe: std::sync::atomic::AtomicBool::new(false),
        }
    }

    pub fn settings(&self) -> &BoxOfficeSettings {
        &self.settings
    }

    /// Connects Stripe with a secret key (from the keyring) at `api_base` (Stripe, or localstripe in
    /// rehearsal). The key is registered with the scrubber; only its masked form is ever shown.
    pub async fn connect_stripe(
        &self,
        actor: &str,
        api_base: &str,
        secret_key: &str,
    ) -> Result<StripeStatus, ControlError> {
        let result = async {
            let key = StripeKey::new(secret_key)?;
            let client = Arc::new(StripeClient::new(StripeConfig::new(api_base, key))?);
            client.verify_key().await?;
            *self.stripe.write().unwrap_or_else(|e| e.into_inner()) = Some(client);
            // A key that was just verified answers: an earlier poll's failure is history.
            *self.poll_problem.lock().unwrap_or_else(|e| e.into_inner()) = None;
            self.set_rehearsal_stripe(false);
            self.stripe_status().await
        }
        .await;
        let detail = match &result {
            Ok(status) => serde_json::json!({ "mode": status.mode, "key": status.key_masked }),
            Err(_) => serde_json::json!({}),
        };
        self.audit(actor, "stripe.connect", "stripe", detail, &result).await;
        result
    }

    /// Registers a secret the shell read from the keyring under `reference` (an nginx stream key, an
    /// audience auth header). Only the reference is ever stored.
    pub fn provide_secret(&self, reference: &str, value: &str) {
        let secret = Secret::new(value);
        self.secrets.write().unwrap_or_else(|e| e.into_inner()).insert(reference.to_owned(), secret);
    }

    /// A secret given with `provide_secret`, or else the keyring entry of that name.
    fn secret(&self, reference: &str) -> Result<Secret, ControlError> {
        if let Some(secret) = self.secrets.read().unwrap_or_else(|e| e.into_inner()).get(reference).cloned() {
            return Ok(secret);
        }
        let from_keyring = showdesk_platform::keyring::Keyring::open().and_then(|keyring| keyring.get(reference));
        from_keyring.map_err(|err| ControlError::NotReady(format!("the secret {reference:?} is not available: {err}")))
    }

    pub(crate) fn stripe(&self) -> Result<Arc<StripeClient>, ControlError> {
        self.stripe
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
            .ok_or_else(|| ControlError::NotReady("Stripe is not connected: give Showdesk a secret key first".into()))
    }

    /// Marks the connected Stripe as the rehearsal's localstripe (see the field); any other
    /// connection clears it.
    pub(crate) fn set_rehearsal_stripe(&self, rehearsal: bool) {
        self.rehearsal_stripe.store(rehearsal, std::sync::atomic::Ordering::Relaxed);
    }

    pub(crate) fn is_rehearsal_stripe(&self) -> bool {
        self.rehearsal_stripe.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Whether a Stripe key was given (not whether Stripe answers).
    pub fn stripe_connected(&self) -> bool {
        self.stripe.read().unwrap_or_else(|e| e.into_inner()).is_some()
    }

    pub async fn stripe_status(&self) -> Result<StripeStatus, ControlError> {
        let client = self.stripe.read().unwrap_or_else(|e| e.into_inner()).clone();
        let cursor = self.store.cursor(sales::EVENTS_CURSOR).await?;
        Ok(StripeStatus {
            connected: client.is_some(),
            mode: client.as_ref().map(|c| match c.mode() {
                showdesk_connectors::stripe::StripeMode::Test => "test".to_owned(),
                showdesk_connectors::stripe::StripeMode::Live => "live".to_owned(),
            }),
            key_masked: client.as_ref().map(|c| c.masked_key()),
            last_poll_ms: *self.last_poll_ms.lock().unwrap_or_else(|e| e.into_inner()),
            problem: client.as_ref().and(self.poll_problem.lock().unwrap_or_else(|e| e.into_inner()).clone()),
            cursor: cursor.as_ref().map(|c| c.position.clone()),
            cursor_created_ms: cursor.map(|c| c.position_ms),
        })
    }

    /// Records an operator action and how it ended. A failure to write the audit log is logged,
    /// never allowed to turn a done refund into an error.
    pub(crate) async fn audit<T>(
        &self,
        actor: &str,
        action: &str,
        subject: &str,
        detail: Value,
        result: &Result<T, ControlError>,
    ) {
        let (outcome, error_code) = match result {
            Ok(_) => (AuditOutcome::Ok, None),
            Err(err) => (AuditOutcome::Error, Some(err.code())),
        };
        let entry = NewAuditEntry {
            actor: actor.to_owned(),
            action: action.to_owned(),
            subject: subject.to_owned(),
            detail,
            outcome,
            error_code,
        };
        if let Err(err) = self.store.record_audit(entry).await {
            tracing::error!(code = err.code(), action, "the audit log could not be written");
        }
    }
}
