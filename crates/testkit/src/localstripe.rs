//! localstripe: a local imitation of Stripe's API (payment intents, refunds, events), bound to
//! loopback by our wrapper. See FACTS.md for what it lacks.

use std::process::Command;
use std::time::Duration;

use crate::ports::{PortLease, Protocol};
use crate::process::{ServiceProcess, service_dir};
use crate::{Result, TestkitError, Tools, wait};

const WRAPPER: &str = include_str!("../python/localstripe_loopback.py");

/// The secret key tests use; localstripe accepts any `sk_test_` key.
pub const SECRET_KEY: &str = "sk_test_showdesk_local";

/// A running localstripe.
#[derive(Debug)]
pub struct LocalStripe {
    process: ServiceProcess,
    lease: PortLease,
}

impl LocalStripe {
    pub fn start() -> Result<Self> {
        let python = Tools::python()?;
        let lease = PortLease::new(Protocol::Tcp)?;
        let dir = service_dir("localstripe")?;
        let script = dir.path().join("localstripe_loopback.py");
        std::fs::write(&script, WRAPPER).map_err(TestkitError::io("write the localstripe wrapper"))?;
        let mut command = Command::new(python);
        command
            .arg(&script)
            .arg("--port")
            .arg(lease.port().to_string())
            // Anything it still writes to "the temp dir" lands in its own folder.
            .env("TMPDIR", dir.path())
            .env("PYTHONUNBUFFERED", "1");
        let process = ServiceProcess::spawn("localstripe", command, dir)?;
        let mut stripe = Self { process, lease };
        let probe = stripe.api_url("/v1/customers?limit=1");
        wait::until_ready(&mut stripe.process, || {
            let agent = agent();
            agent
                .get(&probe)
                .header("Authorization", &format!("Bearer {SECRET_KEY}"))
                .call()
                .map(drop)
                .map_err(|err| format!("GET /v1/customers: {err}"))
        })?;
        Ok(stripe)
    }

    /// `http://127.0.0.1:PORT` — the API base to give the Stripe connector.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.lease.port())
    }

    pub fn api_url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url())
    }

    pub fn secret_key(&self) -> &'static str {
        SECRET_KEY
    }

    /// A form-encoded POST to the API, as the Stripe connector will make: for tests that set up state.
    pub fn post_form(&self, path: &str, form: &[(&str, &str)]) -> Result<serde_json::Value> {
        let mut response = agent()
            .post(&self.api_url(path))
            .header("Authorization", &format!("Bearer {SECRET_KEY}"))
            .send_form(form.iter().copied())
            .map_err(|err| TestkitError::Protocol { service: "localstripe", detail: format!("POST {path}: {err}") })?;
        response
            .body_mut()
            .read_json()
            .map_err(|err| TestkitError::Protocol { service: "localstripe", detail: format!("POST {path}: {err}") })
    }

    /// A GET from the API, parsed as JSON.
    pub fn get_json(&self, path: &str) -> Result<serde_json::Value> {
        let mut response =
            agent().get(&self.api_url(path)).header("Authorization", &format!("Bearer {SECRET_KEY}")).call().map_err(
                |err| TestkitError::Protocol { service: "localstripe", detail: format!("GET {path}: {err}") },
            )?;
        response
            .body_mut()
            .read_json()
            .map_err(|err| TestkitError::Protocol { service: "localstripe", detail: format!("GET {path}: {err}") })
    }

    pub fn pid(&self) -> Option<u32> {
        self.process.pid()
    }

    pub fn port(&self) -> u16 {
        self.lease.port()
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder().timeout_global(Some(Duration::from_secs(10))).build().new_agent()
}
