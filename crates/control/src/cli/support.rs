//! `showdesk support …`: the support desk without a window — import the mailbox, send the queue.
//! Passwords come from the environment (SHOWDESK_IMAP_PASSWORD, SHOWDESK_SMTP_PASSWORD), never
//! from the command line where `ps` would show them; they are registered for redaction at once.

use std::time::Duration;

use clap::{Args, Subcommand, ValueEnum};
use showdesk_connectors::mail::{ImapSettings, Security, SmtpSecurity, SmtpSettings};
use showdesk_control::support::outbox::RunUntil;
use showdesk_control::{ControlService, SupportSettings};
use showdesk_platform::redact::Secret;

pub const IMAP_PASSWORD_ENV: &str = "SHOWDESK_IMAP_PASSWORD";
pub const SMTP_PASSWORD_ENV: &str = "SHOWDESK_SMTP_PASSWORD";

#[derive(Debug, Subcommand)]
pub enum SupportCommand {
    /// Imports new mail from the support mailbox once and prints what it did.
    Sync(MailArgs),
    /// Sends the queued mail through the paced outbox (recovering an interrupted run first).
    Send {
        #[command(flatten)]
        mail: MailArgs,
        /// Stop when nothing is left to send (otherwise run until Ctrl-C).
        #[arg(long)]
        until_empty: bool,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Protection {
    Tls,
    Starttls,
    /// Loopback only.
    Plain,
}

#[derive(Debug, Args)]
pub struct MailArgs {
    /// The support address (From of our mail, domain of our Message-IDs).
    #[arg(long)]
    from: String,
    #[arg(long, default_value = "Support")]
    from_name: String,
    #[arg(long)]
    imap_host: Option<String>,
    #[arg(long, default_value_t = 993)]
    imap_port: u16,
    #[arg(long, value_enum, default_value = "tls")]
    imap_security: Protection,
    /// The mailbox login (defaults to --from).
    #[arg(long)]
    imap_user: Option<String>,
    #[arg(long)]
    smtp_host: Option<String>,
    #[arg(long, default_value_t = 587)]
    smtp_port: u16,
    #[arg(long, value_enum, default_value = "starttls")]
    smtp_security: Protection,
    #[arg(long)]
    smtp_user: Option<String>,
    /// Mails per second.
    #[arg(long, default_value_t = 1.0)]
    rate: f64,
    #[arg(long, default_value_t = 10)]
    burst: u32,
}

impl MailArgs {
    fn settings(&self) -> Result<SupportSettings, String> {
        let secret = |env: &str| std::env::var(env).ok().filter(|v| !v.is_empty()).map(Secret::new);
        let imap = match &self.imap_host {
            Some(host) => {
                let security = match self.imap_security {
                    Protection::Tls => Security::Tls,
                    Protection::Plain => Security::Plain,
                    Protection::Starttls => return Err("IMAP supports --imap-security tls or plain".into()),
                };
                let password = secret(IMAP_PASSWORD_ENV).ok_or(format!("set {IMAP_PASSWORD_ENV}"))?;
                let user = self.imap_user.clone().unwrap_or_else(|| self.from.clone());
                Some(ImapSettings::new(host, self.imap_port, security, &user, password))
            }
            None => None,
        };
        let smtp = self.smtp_host.as_ref().map(|host| SmtpSettings {
            host: host.clone(),
            port: self.smtp_port,
            security: match self.smtp_security {
                Protection::Tls => SmtpSecurity::Tls,
                Protection::Starttls => SmtpSecurity::StartTls,
                Protection::Plain => SmtpSecurity::Plain,
            },
            user: self.smtp_user.clone().or_else(|| Some(self.from.clone())),
            password: secret(SMTP_PASSWORD_ENV),
            timeout: Duration::from_secs(30),
        });
        Ok(SupportSettings {
            address: self.from.clone(),
            display_name: self.from_name.clone(),
            imap,
            smtp,
            rate_per_sec: self.rate,
            burst: self.burst,
            ..SupportSettings::default()
        })
    }
}

pub async fn run(service: &ControlService, command: SupportCommand) -> Result<(), String> {
    let desk = service.support();
    match command {
        SupportCommand::Sync(args) => {
            desk.configure(args.settings()?);
            let report = desk.sync_mailbox().await.map_err(|err| err.to_string())?;
            say!(
                "fetched {} · recorded {} · duplicates {} · new tickets {} · acknowledged {} · bounces {}{}",
                report.fetched,
                report.recorded,
                report.duplicates,
                report.new_tickets,
                report.acknowledged,
                report.bounces,
                if report.resynced { " · mailbox re-read (UIDVALIDITY changed)" } else { "" }
            );
        }
        SupportCommand::Send { mail, until_empty } => {
            desk.configure(mail.settings()?);
            let (stop, shutdown) = tokio::sync::watch::channel(false);
            let until = if until_empty { RunUntil::QueueEmpty } else { RunUntil::Shutdown };
            let worker = desk.run_outbox(shutdown, until);
            tokio::pin!(worker);
            let result = tokio::select! {
                result = &mut worker => result,
                _ = tokio::signal::ctrl_c() => {
                    let _ = stop.send(true);
                    worker.await
                }
            };
            result.map_err(|err| err.to_string())?;
            let summary = desk.outbox_summary().await.map_err(|err| err.to_string())?;
            say!(
                "queued {} · sent {} · failed {} · bounced {} · held {}",
                summary.queued,
                summary.sent,
                summary.failed,
                summary.bounced,
                summary.held
            );
        }
    }
    Ok(())
}
