//! The outside services a show talks to — Stripe and the support mailbox — connected from setup,
//! verified before they are called connected, and remembered (without a secret) in
//! `config/connections.toml` so the next launch reconnects by itself. Passwords and keys live in the
//! OS keyring; this file only names their entries.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use showdesk_connectors::mail::{ImapClient, ImapSettings, Security, SmtpSecurity, SmtpSender, SmtpSettings};
use showdesk_platform::keyring::Keyring;
use showdesk_platform::redact::Secret;
use showdesk_store::{AuditOutcome, NewAuditEntry};
use ts_rs::TS;

use crate::box_office::StripeStatus;
use crate::support::SupportError;
use crate::{ControlError, ControlService, SupportSettings};

/// The file in the config folder.
pub const CONNECTIONS_FILE: &str = "connections.toml";
/// Stripe's API; tests and the rehearsal point `SHOWDESK_STRIPE_API_BASE` elsewhere.
pub const STRIPE_API_BASE: &str = "https://api.stripe.com";
const STRIPE_API_BASE_ENV: &str = "SHOWDESK_STRIPE_API_BASE";

/// How a mail connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export_to = "MailSecurity.ts")]
pub enum MailSecurity {
    Tls,
    Starttls,
    /// No encryption: loopback only.
    Plain,
}

/// The support mailbox as setup enters it; the passwords are keyring entry names, never values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "MailboxInput.ts")]
pub struct MailboxInput {
    pub address: String,
    pub display_name: String,
    pub imap_host: String,
    pub imap_port: u16,
    pub imap_security: MailSecurity,
    pub imap_user: String,
    pub imap_password_secret: String,
    pub smtp_host: String,
    pub smtp_port: u16,
    pub smtp_security: MailSecurity,
    pub smtp_user: String,
    pub smtp_password_secret: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Remembered {
    stripe: Option<RememberedStripe>,
    mailbox: Option<MailboxInput>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct RememberedStripe {
    api_base: String,
    secret: String,
}

fn invalid(field: &str, why: &str) -> ControlError {
    ControlError::Invalid(format!("{field}: {why}"))
}

fn read_secret(entry: &str, what: &str) -> Result<Secret, ControlError> {
    if entry.trim().is_empty() {
        return Err(invalid(what, "name the keyring entry that holds it"));
    }
    let keyring = Keyring::open()?;
    keyring.get(entry.trim()).map_err(|err| match err {
        showdesk_platform::keyring::KeyringError::NotFound(..) => ControlError::NotReady(format!(
            "{what}: the keyring has no entry {entry:?}; store it first (setup, or `showdesk key set {entry}`)"
        )),
        other => other.into(),
    })
}

impl MailboxInput {
    /// The desk's settings, the passwords read from the keyring.
    fn settings(&self, base: &SupportSettings) -> Result<SupportSettings, ControlError> {
        let address = self.address.trim();
        if address.split_once('@').is_none_or(|(user, domain)| user.is_empty() || !domain.contains('.')) {
            return Err(invalid("address", &format!("{address:?} is not a mail address")));
        }
        for (field, host) in [("imapHost", &self.imap_host), ("smtpHost", &self.smtp_host)] {
            if host.trim().is_empty() || host.contains(['/', ' ', ':']) && !host.starts_with('[') {
                return Err(invalid(field, &format!("{host:?} is not a host name")));
            }
        }
        for (field, port) in [("imapPort", self.imap_port), ("smtpPort", self.smtp_port)] {
            if port == 0 {
                return Err(invalid(field, "give the server's port (IMAP 993, SMTP 587 or 465)"));
            }
        }
        let imap_security = match self.imap_security {
            MailSecurity::Tls => Security::Tls,
            MailSecurity::Plain => Security::Plain,
            MailSecurity::Starttls => {
                return Err(invalid("imapSecurity", "IMAP over STARTTLS is not supported: use TLS (usually port 993)"));
            }
        };
        let imap_user = if self.imap_user.trim().is_empty() { address } else { self.imap_user.trim() };
        let smtp_user = if self.smtp_user.trim().is_empty() { address } else { self.smtp_user.trim() };
        let imap_password = read_secret(&self.imap_password_secret, "imapPasswordSecret")?;
        let smtp_password = read_secret(&self.smtp_password_secret, "smtpPasswordSecret")?;
        Ok(SupportSettings {
            address: address.to_owned(),
            display_name: self.display_name.trim().to_owned(),
            imap: Some(ImapSettings::new(
                self.imap_host.trim(),
                self.imap_port,
                imap_security,
                imap_user,
                imap_password,
            )),
            smtp: Some(SmtpSettings {
                host: self.smtp_host.trim().to_owned(),
                port: self.smtp_port,
                security: match self.smtp_security {
                    MailSecurity::Tls => SmtpSecurity::Tls,
                    MailSecurity::Starttls => SmtpSecurity::StartTls,
                    MailSecurity::Plain => SmtpSecurity::Plain,
                },
                user: Some(smtp_user.to_owned()),
                password: Some(smtp_password),
                timeout: Duration::from_secs(30),
            }),
            ..base.clone()
        })
    }
}

/// Logs in to IMAP (and opens the inbox) and to SMTP, sending nothing.
async fn verify_mailbox(settings: &SupportSettings) -> Result<(), ControlError> {
    let imap = settings.imap.as_ref().ok_or(SupportError::NotConfigured("no IMAP server"))?;
    let mut client = ImapClient::connect(imap).await.map_err(SupportError::from)?;
    client.select("INBOX").await.map_err(SupportError::from)?;
    client.logout().await;
    let smtp = settings.smtp.as_ref().ok_or(SupportError::NotConfigured("no SMTP server"))?;
    SmtpSender::new(smtp).map_err(SupportError::from)?.verify().await.map_err(SupportError::from)?;
    Ok(())
}

impl ControlService {
    fn connections_path(&self) -> PathBuf {
        self.dirs().config.join(CONNECTIONS_FILE)
    }

    fn remembered(&self) -> Remembered {
        let path = self.connections_path();
        match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text).unwrap_or_else(|err| {
                tracing::warn!("{} is not readable ({err}); connect Stripe and the mailbox again", path.display());
                Remembered::default()
            }),
            Err(_) => Remembered::default(),
        }
    }

    fn remember(&self, change: impl FnOnce(&mut Remembered)) -> Result<(), ControlError> {
        let mut remembered = self.remembered();
        change(&mut remembered);
        let text = toml::to_string(&remembered).map_err(|err| ControlError::Internal(err.to_string()))?;
        let path = self.connections_path();
        let temporary = path.with_extension("toml.new");
        std::fs::write(&temporary, text)
            .and_then(|()| std::fs::rename(&temporary, &path))
            .map_err(|err| ControlError::Internal(format!("cannot save {}: {err}", path.display())))
    }

    /// Connects Stripe with the secret key kept in the keyring entry `secret_name`, verifies it
    /// (an API call), and remembers the entry's name for the next launch.
    pub async fn connect_stripe_from_keyring(&self, secret_name: &str) -> Result<StripeStatus, ControlError> {
        let secret_name = secret_name.trim();
        let key = read_secret(secret_name, "the Stripe key")?;
        let api_base = std::env::var(STRIPE_API_BASE_ENV).unwrap_or_else(|_| STRIPE_API_BASE.to_owned());
        let status = self.box_office().connect_stripe("operator", &api_base, key.expose()).await?;
        self.remember(|r| r.stripe = Some(RememberedStripe { api_base, secret: secret_name.to_owned() }))?;
        Ok(status)
    }

    /// Connects the support mailbox: both servers are logged in to before anything changes; then
    /// intake and the outbox use it, and it is remembered (entry names only) for the next launch.
    pub async fn connect_mailbox(&self, input: &MailboxInput) -> Result<(), ControlError> {
        let result = async {
            let settings = input.settings(&self.support().settings())?;
            verify_mailbox(&settings).await?;
            self.support().configure(settings);
            self.remember(|r| r.mailbox = Some(input.clone()))
        }
        .await;
        self.audit_connection("mailbox.connect", &input.address, &result).await;
        result
    }

    /// The mailbox as last connected (for the setup form).
    pub fn mailbox_settings(&self) -> Option<MailboxInput> {
        self.remembered().mailbox
    }

    /// Reconnects what was connected last time. Nothing is verified over the network here (the
    /// window must open at once, even offline): intake and the outbox retry by themselves. Returns
    /// what could not be restored, one sentence each.
    pub async fn restore_connections(&self) -> Vec<String> {
        let remembered = self.remembered();
        let mut problems = Vec::new();
        if let Some(stripe) = remembered.stripe {
            let result = async {
                let key = read_secret(&stripe.secret, "the Stripe key")?;
                self.box_office().connect_stripe("startup", &stripe.api_base, key.expose()).await
            }
            .await;
            if let Err(err) = result {
                problems.push(format!("Stripe is not connected: {}", err.to_body().message));
            }
        }
        if let Some(mailbox) = remembered.mailbox {
            match mailbox.settings(&self.support().settings()) {
                Ok(settings) => self.support().configure(settings),
                Err(err) => problems.push(format!("the support mailbox is not connected: {}", err.to_body().message)),
            }
        }
        for problem in &problems {
            tracing::warn!("{problem}");
        }
        problems
    }

    async fn audit_connection(&self, action: &str, subject: &str, result: &Result<(), ControlError>) {
        let entry = NewAuditEntry {
            actor: "operator".into(),
            action: action.into(),
            subject: format!("mailbox:{subject}"),
            detail: serde_json::json!({}),
            outcome: if result.is_ok() { AuditOutcome::Ok } else { AuditOutcome::Error },
            error_code: result.as_ref().err().map(ControlError::code),
        };
        if let Err(err) = self.store().record_audit(entry).await {
            tracing::error!(code = err.code(), action, "the audit log could not be written");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> MailboxInput {
        MailboxInput {
            address: "help@show.example".into(),
            display_name: "Help".into(),
            imap_host: "imap.show.example".into(),
            imap_port: 993,
            imap_security: MailSecurity::Tls,
            imap_user: String::new(),
            imap_password_secret: "imap".into(),
            smtp_host: "smtp.show.example".into(),
            smtp_port: 587,
            smtp_security: MailSecurity::Starttls,
            smtp_user: String::new(),
            smtp_password_secret: "smtp".into(),
        }
    }

    fn refusal(input: &MailboxInput) -> String {
        input.settings(&SupportSettings::default()).map(|_| ()).map_err(|e| e.to_string()).err().unwrap_or_default()
    }

    #[test]
    fn a_bad_mailbox_form_names_the_field_before_touching_the_keyring() {
        assert!(refusal(&MailboxInput { address: "help".into(), ..input() }).starts_with("address:"));
        assert!(refusal(&MailboxInput { imap_host: "imap://x".into(), ..input() }).starts_with("imapHost:"));
        assert!(refusal(&MailboxInput { smtp_port: 0, ..input() }).starts_with("smtpPort:"));
        let starttls = refusal(&MailboxInput { imap_security: MailSecurity::Starttls, ..input() });
        assert!(starttls.starts_with("imapSecurity:") && starttls.contains("993"), "{starttls}");
        let unnamed = refusal(&MailboxInput { imap_password_secret: " ".into(), ..input() });
        assert!(unnamed.starts_with("imapPasswordSecret:"), "{unnamed}");
    }

    #[test]
    fn the_setup_form_arrives_in_camel_case() {
        let json = serde_json::to_value(input()).unwrap_or_default();
        assert_eq!(json["imapPasswordSecret"], "imap");
        assert_eq!(json["smtpSecurity"], "starttls");
    }
}
