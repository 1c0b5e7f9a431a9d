//! The support desk: mail comes in over IMAP, is parsed, threaded, triaged and linked to the
//! buyer's orders; operators act on tickets in one step (refund, double charge, promo code,
//! resend access, cancel, macros); everything outgoing goes through one paced, crash-safe outbox.
//!
//! - [`intake`]: IMAP → parse → thread → triage → store (+ acknowledgements, bounces, surge).
//! - [`outbox`]: the paced sender and its crash recovery (the Sent folder decides, or the operator).
//! - [`actions`]: the one-step actions and replies, each written to the ticket and the audit log.
//! - [`buyer`]: the narrow trait through which the box office serves orders and money actions.
//! - [`views`]: what the UI shows (TypeScript bindings).

mod action_steps;
pub mod actions;
pub mod buyer;
mod error;
pub mod intake;
pub mod outbox;
pub mod queries;
pub mod templates;
pub mod views;

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::Duration;

use serde::Serialize;
use showdesk_connectors::mail::{ImapSettings, ParseLimits, SmtpSettings};
use showdesk_core::support::{Backoff, Category, SurgeDetector};
use showdesk_store::Store;
use tokio::sync::{Notify, broadcast, watch};
use ts_rs::TS;

pub use buyer::{BuyerActions, NoBoxOffice};
pub use error::SupportError;
pub use templates::Templates;

/// How the desk is set up. Passwords sit in the IMAP/SMTP settings as `Secret`s (registered for
/// redaction when made); nothing here is ever written to the store.
#[derive(Debug, Clone)]
pub struct SupportSettings {
    /// The support address mail is sent from (and the domain of our Message-IDs).
    pub address: String,
    pub display_name: String,
    /// The ticket token prefix: tickets are `[SD-1234]`.
    pub ticket_prefix: String,
    /// The show the support is for (in macros).
    pub show_title: String,
    pub imap: Option<ImapSettings>,
    pub smtp: Option<SmtpSettings>,
    /// Categories whose new tickets get an automatic acknowledgement.
    pub auto_ack: BTreeSet<Category>,
    /// At most this many automatic mails to one address per `auto_cap_window`.
    pub auto_cap: u32,
    pub auto_cap_window: Duration,
    /// Outbox pacing: mails per second on average, and how many may go at once.
    pub rate_per_sec: f64,
    pub burst: u32,
    pub backoff: Backoff,
    /// Without IDLE, how often the mailbox is polled; with IDLE, how often IDLE is renewed.
    pub poll_interval: Duration,
    pub idle_renew: Duration,
    pub surge_threshold_per_min: u32,
    pub parse_limits: ParseLimits,
}

impl Default for SupportSettings {
    fn default() -> Self {
        Self {
            address: "support@showdesk.invalid".into(),
            display_name: "Support".into(),
            ticket_prefix: "SD".into(),
            show_title: "the show".into(),
            imap: None,
            smtp: None,
            auto_ack: BTreeSet::new(),
            auto_cap: 3,
            auto_cap_window: Duration::from_secs(24 * 3600),
            // ~1 mail/s keeps a new sending domain well below providers' bulk thresholds (FACTS: Mail).
            rate_per_sec: 1.0,
            burst: 10,
            backoff: Backoff::default(),
            poll_interval: Duration::from_secs(30),
            idle_renew: Duration::from_secs(25 * 60),
            surge_threshold_per_min: 10,
            parse_limits: ParseLimits::default(),
        }
    }
}

impl SupportSettings {
    /// The domain of our Message-IDs.
    pub fn domain(&self) -> &str {
        self.address.rsplit_once('@').map_or("showdesk.invalid", |(_, domain)| domain)
    }
}

/// What changed, for the UI to refresh (sent as a typed event by the shell).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export_to = "SupportEvent.ts")]
pub enum SupportEvent {
    TicketsChanged,
    OutboxChanged,
    /// The mailbox stopped answering, or answers again (see `mailbox_status`).
    MailboxChanged,
    SurgeStarted {
        per_min: u32,
    },
    SurgeEnded,
}

struct Inner {
    store: Arc<dyn Store>,
    buyers: RwLock<Arc<dyn BuyerActions>>,
    settings: RwLock<SupportSettings>,
    templates: RwLock<Templates>,
    show_live: AtomicBool,
    surge: Mutex<SurgeDetector>,
    outbox_wake: Notify,
    events: broadcast::Sender<SupportEvent>,
    /// Why the last IMAP session failed (secrets masked); None once a sync succeeds.
    mailbox_problem: Mutex<Option<String>>,
    /// Bumped by every `configure`, so the running intake and outbox restart with the new mailbox.
    generation: watch::Sender<u64>,
}

/// The support desk (cheap to clone: one shared state).
#[derive(Clone)]
pub struct SupportDesk {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for SupportDesk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SupportDesk").field("settings", &self.settings()).finish_non_exhaustive()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl SupportDesk {
    pub fn new(store: Arc<dyn Store>) -> Self {
        let settings = SupportSettings::default();
        let (events, _) = broadcast::channel(256);
        Self {
            inner: Arc::new(Inner {
                store,
                buyers: RwLock::new(Arc::new(NoBoxOffice)),
                surge: Mutex::new(SurgeDetector::new(settings.surge_threshold_per_min)),
                settings: RwLock::new(settings),
                templates: RwLock::new(Templates::builtin()),
                show_live: AtomicBool::new(false),
                outbox_wake: Notify::new(),
                events,
                mailbox_problem: Mutex::new(None),
                generation: watch::Sender::new(0),
            }),
        }
    }

    /// Whether a mailbox is connected and answering, for the window's overview.
    pub fn mailbox_status(&self) -> views::MailboxStatus {
        let settings = self.settings();
        views::MailboxStatus {
            configured: settings.imap.is_some(),
            address: settings.imap.is_some().then(|| settings.address.clone()),
            problem: settings.imap.as_ref().and(lock(&self.inner.mailbox_problem).clone()),
        }
    }

    /// Records how the last IMAP session went; tells the window when that changes.
    pub(crate) fn set_mailbox_problem(&self, problem: Option<String>) {
        let problem = problem.map(|text| showdesk_platform::redact(&text).into_owned());
        let changed = {
            let mut current = lock(&self.inner.mailbox_problem);
            let changed = *current != problem;
            *current = problem;
            changed
        };
        if changed {
            self.emit(SupportEvent::MailboxChanged);
        }
    }

    /// Replaces the settings (the surge threshold takes effect at once).
    pub fn configure(&self, settings: SupportSettings) {
        *lock(&self.inner.surge) = SurgeDetector::new(settings.surge_threshold_per_min);
        *self.inner.settings.write().unwrap_or_else(|p| p.into_inner()) = settings;
        // A new mailbox has not failed yet.
        *lock(&self.inner.mailbox_problem) = None;
        self.inner.generation.send_modify(|generation| *generation += 1);
    }

    /// Changes whenever the settings are replaced.
    pub fn watch_configuration(&self) -> watch::Receiver<u64> {
        self.inner.generation.subscribe()
    }

    /// Plugs in the box office.
    pub fn set_buyer_actions(&self, buyers: Arc<dyn BuyerActions>) {
        *self.inner.buyers.write().unwrap_or_else(|p| p.into_inner()) = buyers;
    }

    pub fn set_templates(&self, templates: Templates) {
        *self.inner.templates.write().unwrap_or_else(|p| p.into_inner()) = templates;
    }

    /// Whether the show is live now (a paying buyer who cannot watch then comes first).
    pub fn set_show_live(&self, live: bool) {
        self.inner.show_live.store(live, Ordering::Relaxed);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<SupportEvent> {
        self.inner.events.subscribe()
    }

    /// A copy of the settings (a copy, so no lock is held while the caller works with them).
    pub fn settings(&self) -> SupportSettings {
        self.inner.settings.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub(crate) fn store(&self) -> &Arc<dyn Store> {
        &self.inner.store
    }

    pub(crate) fn buyers(&self) -> Arc<dyn BuyerActions> {
        Arc::clone(&self.inner.buyers.read().unwrap_or_else(|p| p.into_inner()))
    }

    /// The canned replies an operator can send, by name.
    pub fn macro_names(&self) -> Vec<String> {
        self.templates().names()
    }

    pub(crate) fn templates(&self) -> Templates {
        self.inner.templates.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub(crate) fn show_is_live(&self) -> bool {
        self.inner.show_live.load(Ordering::Relaxed)
    }

    pub(crate) fn emit(&self, event: SupportEvent) {
        let _ = self.inner.events.send(event);
    }

    pub(crate) fn wake_outbox(&self) {
        self.inner.outbox_wake.notify_one();
        self.emit(SupportEvent::OutboxChanged);
    }

    pub(crate) async fn outbox_woken(&self, max: Duration) {
        let _ = tokio::time::timeout(max, self.inner.outbox_wake.notified()).await;
    }

    pub(crate) fn surge(&self) -> MutexGuard<'_, SurgeDetector> {
        lock(&self.inner.surge)
    }
}

/// Milliseconds since the epoch.
pub(crate) fn now_ms() -> i64 {
    showdesk_store::now_ms()
}
