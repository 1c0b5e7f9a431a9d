//! Free loopback ports that no other test process can be handed at the same time.
//!
//! Asking the kernel for port 0 and releasing it races with every other test process doing the same
//! (nextest runs each test in its own process). Instead a port is leased: a lock file per port in one
//! shared folder, held with an OS file lock for as long as the service lives, and only taken when the
//! port is also bindable. The lock dies with the process, so a crashed test never strands a port.

use std::fs::{File, OpenOptions};
use std::net::{Ipv4Addr, TcpListener, UdpSocket};
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::{Result, TestkitError};

/// Below the Linux ephemeral range (32768+), so outgoing connections never take our ports.
const RANGE: std::ops::Range<u16> = 20_000..32_000;
const TRIES: usize = 500;

/// What the port will be used for; a lease checks that kind of socket can bind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Tcp,
    Udp,
}

/// A port reserved for this process until dropped.
#[derive(Debug)]
pub struct PortLease {
    port: u16,
    _lock: File,
}

impl PortLease {
    /// Leases a loopback port that is free now for `protocol`.
    pub fn new(protocol: Protocol) -> Result<Self> {
        let dir = lock_dir();
        std::fs::create_dir_all(&dir).map_err(TestkitError::io(format!("create {}", dir.display())))?;
        let mut rng = Seed::new();
        for _ in 0..TRIES {
            let port = RANGE.start + (rng.next() % u64::from(RANGE.end - RANGE.start)) as u16;
            let path = dir.join(format!("{port}.lock"));
            let Ok(lock) = OpenOptions::new().create(true).truncate(false).write(true).open(&path) else {
                continue;
            };
            if lock.try_lock().is_err() {
                continue; // another test holds it
            }
            if port_is_free(port, protocol) {
                return Ok(Self { port, _lock: lock });
            }
        }
        Err(TestkitError::NoFreePort(TRIES))
    }

    pub fn port(&self) -> u16 {
        self.port
    }
}

/// Whether a loopback socket of that kind can bind the port right now.
pub fn port_is_free(port: u16, protocol: Protocol) -> bool {
    match protocol {
        Protocol::Tcp => TcpListener::bind((Ipv4Addr::LOCALHOST, port)).is_ok(),
        Protocol::Udp => UdpSocket::bind((Ipv4Addr::LOCALHOST, port)).is_ok(),
    }
}

/// One folder for every process on the machine, whatever its TMPDIR: leases only exclude each other
/// when they meet here.
fn lock_dir() -> PathBuf {
    let shared = std::path::Path::new("/tmp");
    let base = if shared.is_dir() { shared.to_path_buf() } else { std::env::temp_dir() };
    base.join("showdesk-testkit-ports")
}

/// xorshift seeded from the clock and pid: enough to spread parallel tests over the range.
struct Seed(u64);

impl Seed {
    fn new() -> Self {
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(1);
        Self(nanos ^ (u64::from(std::process::id()) << 32) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leases_are_distinct_and_bindable() -> Result<()> {
        let leases: Vec<_> = (0..20).map(|_| PortLease::new(Protocol::Tcp)).collect::<Result<_>>()?;
        let mut ports: Vec<_> = leases.iter().map(PortLease::port).collect();
        ports.sort_unstable();
        ports.dedup();
        assert_eq!(ports.len(), 20, "a port was leased twice");
        assert!(ports.iter().all(|p| RANGE.contains(p)));
        assert!(port_is_free(ports[0], Protocol::Tcp));
        Ok(())
    }

    #[test]
    fn a_held_lease_is_not_handed_out_again() -> Result<()> {
        let held = PortLease::new(Protocol::Udp)?;
        for _ in 0..200 {
            assert_ne!(PortLease::new(Protocol::Udp)?.port(), held.port());
        }
        Ok(())
    }
}
