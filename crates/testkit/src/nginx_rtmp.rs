//! nginx with the RTMP module: the ingest, and its `/stat` XML for viewer counts.

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use crate::ports::{PortLease, Protocol};
use crate::process::{ServiceProcess, service_dir};
use crate::{Result, TestkitError, Tools, wait};

/// The RTMP application that accepts publishing and playing.
pub const LIVE_APP: &str = "live";

/// A running nginx-rtmp on loopback.
#[derive(Debug)]
pub struct NginxRtmp {
    process: ServiceProcess,
    rtmp: PortLease,
    http: PortLease,
    conf: PathBuf,
}

/// How the ingest behaves.
#[derive(Debug, Clone, Default)]
pub struct NginxOptions {
    /// nginx asks this URL (GET) before accepting a publish; non-2xx refuses it (see `PublishHook`).
    pub on_publish: Option<String>,
}

impl NginxRtmp {
    pub fn start() -> Result<Self> {
        Self::start_with(&NginxOptions::default())
    }

    pub fn start_with(options: &NginxOptions) -> Result<Self> {
        let nginx = Tools::nginx()?;
        let module = Tools::nginx_rtmp_module()?;
        let rtmp = PortLease::new(Protocol::Tcp)?;
        let http = PortLease::new(Protocol::Tcp)?;
        let dir = service_dir("nginx-rtmp")?;
        let prefix = dir.path().to_path_buf();
        for sub in ["temp", "logs"] {
            std::fs::create_dir_all(prefix.join(sub)).map_err(TestkitError::io("create nginx folders"))?;
        }
        let conf = prefix.join("nginx.conf");
        std::fs::write(&conf, config(&prefix, &module, rtmp.port(), http.port(), options))
            .map_err(TestkitError::io("write nginx.conf"))?;
        let process = ServiceProcess::spawn("nginx-rtmp", command(&nginx, &prefix, &conf), dir)?;
        let mut ingest = Self { process, rtmp, http, conf };
        ingest.wait_ready()?;
        Ok(ingest)
    }

    fn wait_ready(&mut self) -> Result<()> {
        let (rtmp, stat) = (self.rtmp.port(), self.stat_url());
        wait::until_ready(&mut self.process, || {
            TcpStream::connect(("127.0.0.1", rtmp)).map_err(|err| format!("RTMP port: {err}"))?;
            let xml = http_get(&stat)?;
            if xml.contains("<rtmp>") { Ok(()) } else { Err("/stat is not RTMP stat XML".into()) }
        })
    }

    /// `rtmp://127.0.0.1:PORT/live` — the server URL to give a publisher, without the key.
    pub fn server_url(&self) -> String {
        format!("rtmp://127.0.0.1:{}/{LIVE_APP}", self.rtmp.port())
    }

    /// The full URL to publish or play `stream_key`.
    pub fn stream_url(&self, stream_key: &str) -> String {
        format!("{}/{stream_key}", self.server_url())
    }

    pub fn rtmp_port(&self) -> u16 {
        self.rtmp.port()
    }

    /// `http://127.0.0.1:PORT/stat`.
    pub fn stat_url(&self) -> String {
        format!("http://127.0.0.1:{}/stat", self.http.port())
    }

    /// The `/stat` XML now. It names streams by their key: never log it.
    pub fn stat_xml(&self) -> Result<String> {
        http_get(&self.stat_url()).map_err(|detail| TestkitError::Protocol { service: "nginx-rtmp", detail })
    }

    /// `nginx -s reload`: the stream keeps flowing but `/stat` restarts its counts (new worker).
    pub fn reload(&self) -> Result<()> {
        let nginx = Tools::nginx()?;
        let prefix = self.process.dir();
        let status = Command::new(nginx)
            .args(["-e", &prefix.join("logs/error.log").to_string_lossy(), "-p"])
            .arg(prefix)
            .arg("-c")
            .arg(&self.conf)
            .args(["-s", "reload"])
            .status()
            .map_err(TestkitError::io("nginx -s reload"))?;
        if status.success() {
            Ok(())
        } else {
            Err(TestkitError::Protocol { service: "nginx-rtmp", detail: format!("reload exited {status}") })
        }
    }

    /// Stops the ingest, as when the host's server goes away; the ports stay leased to us.
    pub fn stop(&mut self) {
        self.process.stop_process();
    }

    /// Starts the ingest again on the same ports (after [`stop`](Self::stop), or to restart it).
    pub fn start_again(&mut self) -> Result<()> {
        self.process.restart()?;
        self.wait_ready()
    }

    pub fn pid(&self) -> Option<u32> {
        self.process.pid()
    }

    /// Drops the publisher of `stream_key`, as a host does when it ends a session (rtmp_control).
    /// Returns how many publishers were dropped.
    pub fn drop_publisher(&self, stream_key: &str) -> Result<u32> {
        let url =
            format!("http://127.0.0.1:{}/control/drop/publisher?app={LIVE_APP}&name={stream_key}", self.http.port());
        let body = http_get(&url).map_err(|detail| TestkitError::Protocol { service: "nginx-rtmp", detail })?;
        Ok(body.trim().parse().unwrap_or(0))
    }

    pub fn process(&self) -> &ServiceProcess {
        &self.process
    }
}

fn command(nginx: &std::path::Path, prefix: &std::path::Path, conf: &std::path::Path) -> Command {
    let mut command = Command::new(nginx);
    // -e: without it nginx first opens /var/log/nginx/error.log, which a user cannot write.
    command.arg("-e").arg(prefix.join("logs/error.log")).arg("-p").arg(prefix).arg("-c").arg(conf);
    command
}

fn config(prefix: &std::path::Path, module: &std::path::Path, rtmp: u16, http: u16, options: &NginxOptions) -> String {
    let prefix = prefix.display();
    let hook = options
        .on_publish
        .as_ref()
        .map(|url| format!("notify_method get;\n            on_publish {url};"))
        .unwrap_or_default();
    format!(
        r#"load_module {module};
daemon off;
master_process on;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log info;
events {{ worker_connections 512; }}
rtmp {{
    server {{
        listen 127.0.0.1:{rtmp};
        chunk_size 4096;
        application {LIVE_APP} {{
            live on;
            record off;
            # A publisher that stops sending is dropped, like a real host does.
            drop_idle_publisher 10s;
            {hook}
        }}
    }}
}}
http {{
    access_log {prefix}/logs/access.log;
    client_body_temp_path {prefix}/temp/body;
    proxy_temp_path {prefix}/temp/proxy;
    fastcgi_temp_path {prefix}/temp/fastcgi;
    uwsgi_temp_path {prefix}/temp/uwsgi;
    scgi_temp_path {prefix}/temp/scgi;
    server {{
        listen 127.0.0.1:{http};
        location /stat {{ rtmp_stat all; }}
        location /control {{ rtmp_control all; }}
    }}
}}
"#,
        module = module.display()
    )
}

pub(crate) fn http_get(url: &str) -> Result<String, String> {
    let agent = ureq::Agent::config_builder().timeout_global(Some(Duration::from_secs(5))).build().new_agent();
    let mut response = agent.get(url).call().map_err(|err| format!("GET {url}: {err}"))?;
    response.body_mut().read_to_string().map_err(|err| format!("GET {url}: {err}"))
}
