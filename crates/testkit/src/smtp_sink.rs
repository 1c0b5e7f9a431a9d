//! An SMTP sink: a real SMTP server (aiosmtpd) that accepts and keeps every message, with an HTTP
//! API to read what was sent and to arm faults (a rejected recipient, temporary failures).

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::process::Command;
use std::time::Duration;

use serde::Deserialize;

use crate::ports::{PortLease, Protocol};
use crate::process::{ServiceProcess, service_dir};
use crate::{Result, TestkitError, Tools, wait};

const SCRIPT: &str = include_str!("../python/smtp_sink.py");

/// One message the sink accepted.
#[derive(Debug, Clone, Deserialize)]
pub struct SentMail {
    pub id: u64,
    pub mail_from: String,
    pub rcpt_tos: Vec<String>,
    /// The login the client authenticated with, if it did.
    pub auth_login: Option<String>,
    /// Seconds since the epoch, when the sink accepted it.
    pub received_at: f64,
    /// The message as sent (headers and body).
    pub raw: String,
}

/// A running SMTP sink.
#[derive(Debug)]
pub struct SmtpSink {
    process: ServiceProcess,
    smtp: PortLease,
    http: PortLease,
}

impl SmtpSink {
    pub fn start() -> Result<Self> {
        let python = Tools::python()?;
        let smtp = PortLease::new(Protocol::Tcp)?;
        let http = PortLease::new(Protocol::Tcp)?;
        let dir = service_dir("smtp-sink")?;
        let script = dir.path().join("smtp_sink.py");
        std::fs::write(&script, SCRIPT).map_err(TestkitError::io("write the SMTP sink script"))?;
        let mut command = Command::new(python);
        command
            .arg(&script)
            .args(["--smtp-port", &smtp.port().to_string(), "--http-port", &http.port().to_string()])
            .env("PYTHONUNBUFFERED", "1");
        let process = ServiceProcess::spawn("smtp-sink", command, dir)?;
        let mut sink = Self { process, smtp, http };
        let (smtp_port, api) = (sink.smtp_port(), sink.api_url("/api/messages"));
        wait::until_ready(&mut sink.process, || {
            smtp_greeting(smtp_port)?;
            crate::nginx_rtmp::http_get(&api).map(drop)
        })?;
        Ok(sink)
    }

    pub fn host(&self) -> &'static str {
        "127.0.0.1"
    }

    pub fn smtp_port(&self) -> u16 {
        self.smtp.port()
    }

    pub fn api_url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.http.port())
    }

    /// Every message accepted so far, oldest first.
    pub fn messages(&self) -> Result<Vec<SentMail>> {
        let body = crate::nginx_rtmp::http_get(&self.api_url("/api/messages"))
            .map_err(|detail| TestkitError::Protocol { service: "smtp-sink", detail })?;
        serde_json::from_str(&body)
            .map_err(|err| TestkitError::Protocol { service: "smtp-sink", detail: err.to_string() })
    }

    /// Rejects these recipients with 550 and refuses the next `fail_next` messages with 451.
    pub fn set_faults(&self, reject: &[&str], fail_next: u32) -> Result<()> {
        let agent = ureq::Agent::config_builder().timeout_global(Some(Duration::from_secs(5))).build().new_agent();
        agent
            .post(&self.api_url("/api/faults"))
            .send_json(serde_json::json!({ "reject": reject, "fail_next": fail_next }))
            .map(drop)
            .map_err(|err| TestkitError::Protocol { service: "smtp-sink", detail: err.to_string() })
    }

    pub fn pid(&self) -> Option<u32> {
        self.process.pid()
    }
}

fn smtp_greeting(port: u16) -> Result<(), String> {
    let stream = TcpStream::connect(("127.0.0.1", port)).map_err(|err| format!("SMTP port: {err}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).map_err(|err| err.to_string())?;
    let mut line = String::new();
    BufReader::new(stream).read_line(&mut line).map_err(|err| format!("SMTP greeting: {err}"))?;
    if line.starts_with("220") { Ok(()) } else { Err(format!("SMTP greeting was {line:?}")) }
}
