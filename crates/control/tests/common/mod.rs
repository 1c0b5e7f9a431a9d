//! Shared set-up of the support tests: a desk over a real store, wired to the testkit's dovecot
//! and SMTP sink.

#![allow(dead_code)]

pub mod fake_box_office;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use showdesk_connectors::mail::{ImapSettings, Security, SmtpSecurity, SmtpSettings};
use showdesk_control::support::{SupportDesk, SupportSettings};
use showdesk_core::support::{Backoff, Category};
use showdesk_platform::redact::Secret;
use showdesk_testkit::{Dovecot, SmtpSink};

pub fn imap(dovecot: &Dovecot) -> ImapSettings {
    ImapSettings::new(dovecot.host(), dovecot.port(), Security::Plain, dovecot.user(), Secret::new(dovecot.password()))
}

pub fn smtp(sink: &SmtpSink) -> SmtpSettings {
    SmtpSettings {
        host: sink.host().into(),
        port: sink.smtp_port(),
        security: SmtpSecurity::Plain,
        user: Some("support@ppv.example.org".into()),
        password: Some(Secret::new("SMTP_CANARY_PASSWORD_41")),
        timeout: Duration::from_secs(10),
    }
}

/// Settings for tests: fast pacing and backoff (speed is measured by the benchmark, not here).
pub fn settings(dovecot: &Dovecot, sink: &SmtpSink) -> SupportSettings {
    SupportSettings {
        address: "support@ppv.example.org".into(),
        display_name: "PPV Support".into(),
        ticket_prefix: "SD".into(),
        show_title: "Nuit de la boxe".into(),
        imap: Some(imap(dovecot)),
        smtp: Some(smtp(sink)),
        auto_ack: Category::ALL.into_iter().collect::<BTreeSet<_>>(),
        rate_per_sec: 200.0,
        burst: 50,
        backoff: Backoff { first_ms: 20, max_ms: 200, max_attempts: 5 },
        ..SupportSettings::default()
    }
}

pub async fn sqlite_desk(
    dir: &std::path::Path,
) -> Result<(SupportDesk, Arc<dyn showdesk_store::Store>), showdesk_store::StoreError> {
    let store = showdesk_store::open_sqlite(&dir.join("showdesk.db")).await?;
    Ok((SupportDesk::new(Arc::clone(&store)), store))
}

pub fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/mail/cases").join(name);
    std::fs::read(&path).unwrap_or_else(|err| panic!("fixture {}: {err}", path.display()))
}
