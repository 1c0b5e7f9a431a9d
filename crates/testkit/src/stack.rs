//! The local stack: every service a show needs, on loopback, for the rehearsal and for story tests.

use serde::Serialize;

use crate::{Dovecot, LocalStripe, NginxRtmp, Postgres, Result, SmtpSink, SrtPeer, SrtPeerOptions};

/// Which optional services to start.
#[derive(Debug, Clone, Copy, Default)]
pub struct StackOptions {
    /// PostgreSQL, for crew mode.
    pub postgres: bool,
}

/// Where each service of a running stack answers. Holds the stack's local, throwaway credentials.
#[derive(Debug, Clone, Serialize)]
pub struct StackEndpoints {
    /// `rtmp://127.0.0.1:PORT/live` — publish to `<this>/<stream key>`.
    pub rtmp_server_url: String,
    /// nginx-rtmp's `/stat` XML.
    pub rtmp_stat_url: String,
    /// An SRT listener that records what it receives.
    pub srt_url: String,
    /// localstripe's API base and the key it accepts.
    pub stripe_api_base: String,
    pub stripe_secret_key: String,
    pub imap_host: String,
    pub imap_port: u16,
    pub imap_user: String,
    pub imap_password: String,
    pub smtp_host: String,
    pub smtp_port: u16,
    /// The SMTP sink's API listing what was sent.
    pub smtp_api_url: String,
    pub postgres_url: Option<String>,
}

/// A running local stack. Dropping it stops every service.
///
/// Services are killed if the thread that started them ends (see `ServiceProcess`): start the stack
/// on a thread that lives as long as it does.
#[derive(Debug)]
pub struct LocalStack {
    pub ingest: NginxRtmp,
    pub srt: SrtPeer,
    pub stripe: LocalStripe,
    pub imap: Dovecot,
    pub smtp: SmtpSink,
    pub postgres: Option<Postgres>,
}

impl LocalStack {
    /// Starts every service, one after the other (each start waits for readiness; about five
    /// seconds in all on two cores).
    pub fn start(options: StackOptions) -> Result<Self> {
        Ok(Self {
            ingest: NginxRtmp::start()?,
            srt: SrtPeer::listener(&SrtPeerOptions::default())?,
            stripe: LocalStripe::start()?,
            imap: Dovecot::start()?,
            smtp: SmtpSink::start()?,
            postgres: if options.postgres { Some(Postgres::start()?) } else { None },
        })
    }

    pub fn endpoints(&self) -> StackEndpoints {
        StackEndpoints {
            rtmp_server_url: self.ingest.server_url(),
            rtmp_stat_url: self.ingest.stat_url(),
            srt_url: self.srt.url(),
            stripe_api_base: self.stripe.base_url(),
            stripe_secret_key: self.stripe.secret_key().to_owned(),
            imap_host: self.imap.host().to_owned(),
            imap_port: self.imap.port(),
            imap_user: self.imap.user().to_owned(),
            imap_password: self.imap.password().to_owned(),
            smtp_host: self.smtp.host().to_owned(),
            smtp_port: self.smtp.smtp_port(),
            smtp_api_url: self.smtp.api_url("/api/messages"),
            postgres_url: self.postgres.as_ref().map(|pg| pg.url("postgres")),
        }
    }

    /// Each service's name and process id, for status displays and leak checks.
    pub fn processes(&self) -> Vec<(&'static str, Option<u32>)> {
        let mut list = vec![
            ("nginx-rtmp", self.ingest.pid()),
            ("srt-peer", self.srt.pid()),
            ("localstripe", self.stripe.pid()),
            ("dovecot", self.imap.pid()),
            ("smtp-sink", self.smtp.pid()),
        ];
        if let Some(pg) = &self.postgres {
            list.push(("postgres", pg.pid()));
        }
        list
    }
}
