//! An SRT peer (`srt-live-transmit`) that receives a stream and writes it to a file, either listening
//! for our caller output or calling our listener output.

use std::path::PathBuf;
use std::process::Command;

use crate::ports::{PortLease, Protocol};
use crate::process::{ServiceProcess, service_dir};
use crate::{Result, TestkitError, Tools, wait};

/// Options of the SRT session, as a host would set them.
#[derive(Debug, Clone, Default)]
pub struct SrtPeerOptions {
    pub passphrase: Option<String>,
    pub latency_ms: Option<u32>,
}

/// A running SRT receiver.
#[derive(Debug)]
pub struct SrtPeer {
    process: ServiceProcess,
    port: u16,
    _lease: Option<PortLease>,
    received: PathBuf,
}

impl SrtPeer {
    /// Listens on a free loopback UDP port; our output calls it.
    pub fn listener(options: &SrtPeerOptions) -> Result<Self> {
        let lease = PortLease::new(Protocol::Udp)?;
        let port = lease.port();
        let uri = srt_uri(&format!("127.0.0.1:{port}"), "listener", options);
        let mut peer = Self::spawn(uri, port, Some(lease))?;
        wait::until_ready(&mut peer.process, || {
            if udp_port_bound(port) { Ok(()) } else { Err(format!("UDP {port} not bound yet")) }
        })?;
        Ok(peer)
    }

    /// Calls our listener output at `port`, retrying until it answers.
    pub fn caller(port: u16, options: &SrtPeerOptions) -> Result<Self> {
        let uri = srt_uri(&format!("127.0.0.1:{port}"), "caller", options);
        let mut peer = Self::spawn(uri, port, None)?;
        peer.process.check_alive()?;
        Ok(peer)
    }

    fn spawn(uri: String, port: u16, lease: Option<PortLease>) -> Result<Self> {
        let program = Tools::srt_live_transmit()?;
        let dir = service_dir("srt-peer")?;
        let received = dir.path().join("received.ts");
        let out = std::fs::File::create(&received).map_err(TestkitError::io("create received.ts"))?;
        let mut command = Command::new(program);
        // -a:yes keeps listening after a sender goes away (a reconnecting output comes back).
        command.args(["-a:yes", "-q"]).arg(uri).arg("file://con");
        // stdout carries the stream; the log keeps stderr only.
        let process = ServiceProcess::spawn_with_stdout("srt-peer", command, dir, out)?;
        Ok(Self { process, port, _lease: lease, received })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `srt://127.0.0.1:PORT` — where a caller output sends (add `?passphrase=` etc. as configured).
    pub fn url(&self) -> String {
        format!("srt://127.0.0.1:{}", self.port)
    }

    /// The MPEG-TS received so far.
    pub fn received_path(&self) -> &std::path::Path {
        &self.received
    }

    pub fn received_bytes(&self) -> u64 {
        std::fs::metadata(&self.received).map(|m| m.len()).unwrap_or(0)
    }

    pub fn pid(&self) -> Option<u32> {
        self.process.pid()
    }
}

fn srt_uri(address: &str, mode: &str, options: &SrtPeerOptions) -> String {
    let mut uri = format!("srt://{address}?mode={mode}");
    if let Some(passphrase) = &options.passphrase {
        uri.push_str(&format!("&passphrase={passphrase}&pbkeylen=16"));
    }
    if let Some(latency) = options.latency_ms {
        uri.push_str(&format!("&latency={latency}"));
    }
    uri
}

/// Whether something is bound to loopback UDP `port` (from /proc/net/udp).
pub(crate) fn udp_port_bound(port: u16) -> bool {
    let Ok(table) = std::fs::read_to_string("/proc/net/udp") else {
        return false;
    };
    let wanted = format!(":{port:04X}");
    table.lines().skip(1).any(|line| line.split_whitespace().nth(1).is_some_and(|local| local.ends_with(&wanted)))
}
