//! PostgreSQL: a throwaway server for crew-mode store tests, initialised in its own folder.

use std::os::unix::process::CommandExt;
use std::process::Command;

use crate::ports::{PortLease, Protocol};
use crate::process::{ServiceProcess, ServiceUser, service_dir};
use crate::{Result, TestkitError, Tools, wait};

/// The superuser initdb creates (trust auth on loopback only).
pub const SUPERUSER: &str = "showdesk";

/// A running PostgreSQL server.
#[derive(Debug)]
pub struct Postgres {
    process: ServiceProcess,
    lease: PortLease,
}

impl Postgres {
    pub fn start() -> Result<Self> {
        let bin = Tools::postgres_bin_dir()?;
        let lease = PortLease::new(Protocol::Tcp)?;
        let dir = service_dir("postgres")?;
        // PostgreSQL refuses to run as root.
        let account = ServiceUser::unprivileged();
        account.own(dir.path())?;
        let data = dir.path().join("data");

        let mut initdb = Command::new(bin.join("initdb"));
        initdb.arg("-D").arg(&data).args([
            "-U",
            SUPERUSER,
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
            "--no-instructions",
        ]);
        run_as(&mut initdb, account);
        let output = initdb.output().map_err(TestkitError::io("run initdb"))?;
        if !output.status.success() {
            return Err(TestkitError::Protocol {
                service: "postgres",
                detail: format!("initdb failed: {}", String::from_utf8_lossy(&output.stderr)),
            });
        }

        let mut server = Command::new(bin.join("postgres"));
        server
            .arg("-D")
            .arg(&data)
            .arg("-k")
            .arg(dir.path())
            .args(["-p", &lease.port().to_string()])
            .args(["-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off"])
            .args(["-c", "full_page_writes=off", "-c", "max_connections=50"]);
        let process = ServiceProcess::spawn_as("postgres", server, dir, account)?;
        let mut postgres = Self { process, lease };
        let port = postgres.port();
        let isready = bin.join("pg_isready");
        wait::until_ready(&mut postgres.process, || {
            let status = Command::new(&isready)
                .args(["-q", "-h", "127.0.0.1", "-p", &port.to_string(), "-U", SUPERUSER])
                .status()
                .map_err(|err| format!("pg_isready: {err}"))?;
            if status.success() { Ok(()) } else { Err(format!("pg_isready: {status}")) }
        })?;
        Ok(postgres)
    }

    pub fn port(&self) -> u16 {
        self.lease.port()
    }

    /// `postgres://showdesk@127.0.0.1:PORT/DATABASE`.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://{SUPERUSER}@127.0.0.1:{}/{database}", self.port())
    }

    pub fn pid(&self) -> Option<u32> {
        self.process.pid()
    }
}

fn run_as(command: &mut Command, account: ServiceUser) {
    if !account.is_current() {
        command.uid(account.uid).gid(account.gid);
    }
}
