//! SMTP with lettre: implicit TLS or STARTTLS, plain only towards loopback (the tests' sink).
//! Sends the exact bytes the outbox stored, so a retry is the same message with the same Message-ID.

use std::time::Duration;

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use showdesk_platform::redact::Secret;

use super::imap::is_loopback;
use crate::ConnectorError;

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Implicit TLS (port 465).
    Tls,
    /// STARTTLS, required (port 587).
    StartTls,
    /// No encryption: refused unless the host is loopback.
    Plain,
}

/// Where outgoing mail goes.
#[derive(Debug, Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub user: Option<String>,
    pub password: Option<Secret>,
    pub timeout: Duration,
}

/// A pooled SMTP transport.
#[derive(Debug, Clone)]
pub struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    /// For messages: `host:port` and the login.
    address: String,
    user: Option<String>,
}

impl SmtpSender {
    pub fn new(settings: &SmtpSettings) -> Result<Self, ConnectorError> {
        let refused = |err: lettre::transport::smtp::Error| {
            ConnectorError::Settings(format!("SMTP server {}: {err}", settings.host))
        };
        let builder = match settings.security {
            SmtpSecurity::Plain if !is_loopback(&settings.host) => {
                return Err(ConnectorError::Settings(format!(
                    "SMTP without TLS is only allowed on this computer (loopback), not to {}",
                    settings.host
                )));
            }
            SmtpSecurity::Plain => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host),
            SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&settings.host).map_err(refused)?,
            SmtpSecurity::StartTls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&settings.host).map_err(refused)?
            }
        };
        let mut builder = builder.port(settings.port).timeout(Some(settings.timeout));
        if let (Some(user), Some(password)) = (&settings.user, &settings.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.expose().to_owned()));
        }
        Ok(Self {
            transport: builder.build(),
            address: format!("{}:{}", settings.host, settings.port),
            user: settings.user.clone(),
        })
    }

    /// Connects, greets and logs in (when credentials are set) without sending anything: the check
    /// setup runs before it says the mailbox is connected.
    pub async fn verify(&self) -> Result<(), ConnectorError> {
        match self.transport.test_connection().await {
            Ok(true) => Ok(()),
            Ok(false) => Err(ConnectorError::Connect {
                service: "SMTP",
                address: self.address.clone(),
                detail: "the server did not answer NOOP".into(),
            }),
            Err(err) if err.status().is_some_and(|code| code.to_string().starts_with("535")) => {
                Err(ConnectorError::Auth {
                    service: "SMTP",
                    user: self.user.clone().unwrap_or_default(),
                    detail: showdesk_platform::redact(&err.to_string()).into_owned(),
                })
            }
            Err(err) => Err(ConnectorError::Connect {
                service: "SMTP",
                address: self.address.clone(),
                detail: showdesk_platform::redact(&err.to_string()).into_owned(),
            }),
        }
    }

    /// Sends `raw` from `from` to `to`. A 5xx is [`ConnectorError::Permanent`] (naming the
    /// recipient when there is one), a 4xx or a network fault [`ConnectorError::Transient`].
    pub async fn send(&self, from: &str, to: &str, raw: &[u8]) -> Result<(), ConnectorError> {
        let parse = |address: &str| {
            address.trim().parse().map_err(|err| ConnectorError::Permanent {
                code: "address".into(),
                detail: format!("{address:?} is not a mail address: {err}"),
                recipient: Some(to.to_owned()),
            })
        };
        let envelope = Envelope::new(Some(parse(from)?), vec![parse(to)?])
            .map_err(|err| ConnectorError::Compose(err.to_string()))?;
        match self.transport.send_raw(&envelope, raw).await {
            Ok(_) => Ok(()),
            Err(err) if err.is_permanent() => Err(ConnectorError::Permanent {
                code: err.status().map(|code| code.to_string()).unwrap_or_else(|| "5xx".into()),
                detail: showdesk_platform::redact(&err.to_string()).into_owned(),
                recipient: Some(to.to_owned()),
            }),
            Err(err) => {
                Err(ConnectorError::Transient { detail: showdesk_platform::redact(&err.to_string()).into_owned() })
            }
        }
    }
}
