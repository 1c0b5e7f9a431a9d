//! IMAP: the support mailbox, read incrementally by UIDVALIDITY + UID, woken by IDLE when the
//! server offers it; also the Sent folder (copies of what we send, and the crash-recovery lookup
//! by Message-ID).
//!
//! TLS is required except towards loopback (the tests' dovecot). Every network step has a timeout.

use std::fmt;
use std::future::Future;
use std::time::Duration;

use async_imap::Session;
use futures::TryStreamExt;
use showdesk_platform::redact::Secret;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

use crate::ConnectorError;

const SERVICE: &str = "IMAP";

/// How the connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// Implicit TLS (port 993).
    Tls,
    /// No encryption: refused unless the host is loopback.
    Plain,
}

/// Where the support mailbox is.
#[derive(Debug, Clone)]
pub struct ImapSettings {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub user: String,
    pub password: Secret,
    /// The folder support mail arrives in.
    pub mailbox: String,
    /// Where copies of sent mail go.
    pub sent_folder: String,
    /// Limit for each network step.
    pub timeout: Duration,
    /// Bytes fetched of one message at most; larger mail is cut (and says so).
    pub max_message_bytes: usize,
}

impl ImapSettings {
    pub fn new(host: &str, port: u16, security: Security, user: &str, password: Secret) -> Self {
        Self {
            host: host.to_owned(),
            port,
            security,
            user: user.to_owned(),
            password,
            mailbox: "INBOX".into(),
            sent_folder: "Sent".into(),
            timeout: Duration::from_secs(30),
            max_message_bytes: 8 << 20,
        }
    }

    fn address(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }
}

/// What SELECT says about the mailbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MailboxStatus {
    pub uid_validity: u32,
    pub uid_next: Option<u32>,
    pub exists: u32,
}

/// One fetched message.
#[derive(Debug, Clone)]
pub struct FetchedMail {
    pub uid: u32,
    pub raw: Vec<u8>,
    /// The size the server reports (larger than `raw` when the message was cut).
    pub size: usize,
}

/// Why a wait ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitOutcome {
    /// The server announced a change (IDLE).
    Changed,
    /// The time was up (a poll interval, or an IDLE renewal).
    TimeUp,
}

/// Any byte stream a session can run over (plain TCP on loopback, TLS elsewhere).
pub trait ImapStream: AsyncRead + AsyncWrite + Unpin + Send + fmt::Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + fmt::Debug> ImapStream for T {}
type Stream = Box<dyn ImapStream>;

/// A logged-in IMAP session.
pub struct ImapClient {
    session: Option<Session<Stream>>,
    settings: ImapSettings,
    idle: bool,
    selected: Option<String>,
}

impl fmt::Debug for ImapClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImapClient")
            .field("address", &self.settings.address())
            .field("user", &self.settings.user)
            .field("idle", &self.idle)
            .finish_non_exhaustive()
    }
}

pub(crate) fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
        || host.trim_matches(['[', ']']).parse::<std::net::Ipv6Addr>().is_ok_and(|ip| ip.is_loopback())
}

impl ImapClient {
    /// Connects, logs in and learns whether the server offers IDLE.
    pub async fn connect(settings: &ImapSettings) -> Result<Self, ConnectorError> {
        if settings.security == Security::Plain && !is_loopback(&settings.host) {
            return Err(ConnectorError::Settings(format!(
                "IMAP without TLS is only allowed on this computer (loopback), not to {}",
                settings.host
            )));
        }
        let address = settings.address();
        let connect_error =
            |detail: String| ConnectorError::Connect { service: SERVICE, address: address.clone(), detail };
        let tcp = step(settings, "connecting", TcpStream::connect((settings.host.as_str(), settings.port)))
            .await?
            .map_err(|err| connect_error(err.to_string()))?;
        let stream: Stream = match settings.security {
            Security::Plain => Box::new(tcp),
            Security::Tls => {
                let connector =
                    tokio_native_tls::native_tls::TlsConnector::new().map_err(|err| connect_error(err.to_string()))?;
                let connector = tokio_native_tls::TlsConnector::from(connector);
                let tls = step(settings, "negotiating TLS", connector.connect(&settings.host, tcp))
                    .await?
                    .map_err(|err| connect_error(format!("TLS: {err}")))?;
                Box::new(tls)
            }
        };
        let mut client = async_imap::Client::new(stream);
        let greeting = step(settings, "reading the greeting", client.read_response()).await?;
        if !matches!(greeting, Ok(Some(_))) {
            return Err(connect_error("the server closed the connection before greeting".into()));
        }
        let mut session = step(settings, "logging in", client.login(&settings.user, settings.password.expose()))
            .await?
            .map_err(|(err, _)| ConnectorError::Auth {
                service: SERVICE,
                user: settings.user.clone(),
                detail: showdesk_platform::redact(&err.to_string()).into_owned(),
            })?;
        let capabilities = step(settings, "asking capabilities", session.capabilities())
            .await?
            .map_err(protocol("asking capabilities"))?;
        let idle = capabilities.has_str("IDLE");
        Ok(Self { session: Some(session), settings: settings.clone(), idle, selected: None })
    }

    /// Whether the server offers IDLE (else the caller polls).
    pub fn offers_idle(&self) -> bool {
        self.idle
    }

    fn session(&mut self) -> Result<&mut Session<Stream>, ConnectorError> {
        self.session.as_mut().ok_or(ConnectorError::Protocol {
            service: SERVICE,
            doing: "using the session",
            detail: "the connection was lost; reconnect".into(),
        })
    }

    /// Selects `mailbox` (read-write, so IDLE reports new mail; we never change flags in it).
    pub async fn select(&mut self, mailbox: &str) -> Result<MailboxStatus, ConnectorError> {
        let settings = self.settings.clone();
        let session = self.session()?;
        let selected = step(&settings, "selecting the mailbox", session.select(mailbox))
            .await?
            .map_err(protocol("selecting the mailbox"))?;
        self.selected = Some(mailbox.to_owned());
        Ok(MailboxStatus {
            uid_validity: selected.uid_validity.unwrap_or(0),
            uid_next: selected.uid_next,
            exists: selected.exists,
        })
    }

    /// UIDs above `after_uid` in the selected mailbox, ascending.
    pub async fn uids_after(&mut self, after_uid: u32) -> Result<Vec<u32>, ConnectorError> {
        let settings = self.settings.clone();
        let session = self.session()?;
        let query = format!("UID {}:*", after_uid.saturating_add(1));
        let found = step(&settings, "searching new mail", session.uid_search(query))
            .await?
            .map_err(protocol("searching new mail"))?;
        // "n:*" also matches the highest UID when it is below n: filter.
        let mut uids: Vec<u32> = found.into_iter().filter(|&uid| uid > after_uid).collect();
        uids.sort_unstable();
        Ok(uids)
    }

    /// Fetches these messages (at most `max_message_bytes` of each), without marking them read.
    pub async fn fetch(&mut self, uids: &[u32]) -> Result<Vec<FetchedMail>, ConnectorError> {
        if uids.is_empty() {
            return Ok(Vec::new());
        }
        let settings = self.settings.clone();
        let set = uids.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
        let query = format!("(UID RFC822.SIZE BODY.PEEK[]<0.{}>)", settings.max_message_bytes);
        let session = self.session()?;
        let fetched = step(&settings, "fetching mail", async {
            let stream = session.uid_fetch(&set, &query).await?;
            stream.try_collect::<Vec<_>>().await
        })
        .await?
        .map_err(protocol("fetching mail"))?;
        let mut mails: Vec<FetchedMail> = fetched
            .iter()
            .filter_map(|fetch| {
                let uid = fetch.uid?;
                let raw = fetch.body().unwrap_or_default().to_vec();
                let size = fetch.size.map_or(raw.len(), |size| size as usize);
                Some(FetchedMail { uid, raw, size })
            })
            .collect();
        mails.sort_by_key(|mail| mail.uid);
        Ok(mails)
    }

    /// Waits for new mail in the selected mailbox: IDLE up to `max` when offered, else sleeps
    /// `max` (polling). Ends early when the server reports a change.
    pub async fn wait(&mut self, max: Duration) -> Result<WaitOutcome, ConnectorError> {
        if !self.idle {
            tokio::time::sleep(max).await;
            return Ok(WaitOutcome::TimeUp);
        }
        let settings = self.settings.clone();
        // The server may already have announced new mail in an answer to an earlier command.
        if self.drain_announcements() {
            return Ok(WaitOutcome::Changed);
        }
        let session = self.session.take().ok_or(ConnectorError::Protocol {
            service: SERVICE,
            doing: "idling",
            detail: "the connection was lost; reconnect".into(),
        })?;
        let mut handle = session.idle();
        step(&settings, "starting IDLE", handle.init()).await?.map_err(protocol("starting IDLE"))?;
        let outcome = {
            let (wait, _stop) = handle.wait_with_timeout(max);
            wait.await.map_err(protocol("idling"))?
        };
        let session = step(&settings, "ending IDLE", handle.done()).await?.map_err(protocol("ending IDLE"))?;
        self.session = Some(session);
        // Announcements that came while IDLE was starting or ending count too.
        let announced = self.drain_announcements();
        Ok(match outcome {
            async_imap::extensions::idle::IdleResponse::NewData(_) => WaitOutcome::Changed,
            _ if announced => WaitOutcome::Changed,
            _ => WaitOutcome::TimeUp,
        })
    }

    /// Empties the queue of unsolicited responses (it is bounded: left full, it would stall the
    /// connection) and says whether any announced new mail.
    fn drain_announcements(&mut self) -> bool {
        let Some(session) = self.session.as_mut() else { return false };
        let mut news = false;
        while let Ok(response) = session.unsolicited_responses.try_recv() {
            news |= matches!(
                response,
                async_imap::types::UnsolicitedResponse::Exists(_) | async_imap::types::UnsolicitedResponse::Recent(_)
            );
        }
        news
    }

    /// Whether `folder` holds a message with this Message-ID (angle brackets optional).
    pub async fn folder_has_message_id(&mut self, folder: &str, message_id: &str) -> Result<bool, ConnectorError> {
        let id = message_id.trim().trim_start_matches('<').trim_end_matches('>');
        if id.is_empty() || id.contains(['"', '\\', '\r', '\n']) {
            return Ok(false);
        }
        let settings = self.settings.clone();
        let session = self.session()?;
        step(&settings, "opening the Sent folder", session.examine(folder))
            .await?
            .map_err(protocol("opening the Sent folder"))?;
        let found =
            step(&settings, "searching the Sent folder", session.uid_search(format!("HEADER Message-ID \"<{id}>\"")))
                .await?
                .map_err(protocol("searching the Sent folder"))?;
        self.selected = None;
        Ok(!found.is_empty())
    }

    /// Appends `raw` to `folder` as read (a copy of what we sent).
    pub async fn append(&mut self, folder: &str, raw: &[u8]) -> Result<(), ConnectorError> {
        let settings = self.settings.clone();
        let session = self.session()?;
        step(&settings, "saving to the Sent folder", session.append(folder, Some("(\\Seen)"), None, raw))
            .await?
            .map_err(protocol("saving to the Sent folder"))
    }

    /// Logs out (best effort).
    pub async fn logout(mut self) {
        let timeout = self.settings.timeout;
        if let Some(mut session) = self.session.take() {
            let _ = tokio::time::timeout(timeout, session.logout()).await;
        }
    }
}

async fn step<T>(
    settings: &ImapSettings,
    doing: &'static str,
    work: impl Future<Output = T>,
) -> Result<T, ConnectorError> {
    tokio::time::timeout(settings.timeout, work).await.map_err(|_| ConnectorError::Timeout {
        service: SERVICE,
        seconds: settings.timeout.as_secs(),
        doing,
    })
}

fn protocol(doing: &'static str) -> impl Fn(async_imap::error::Error) -> ConnectorError {
    move |err| ConnectorError::Protocol {
        service: SERVICE,
        doing,
        detail: showdesk_platform::redact(&err.to_string()).into_owned(),
    }
}
