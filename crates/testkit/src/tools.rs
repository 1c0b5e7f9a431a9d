//! Where the service programs are. Debian packages for the servers; a Python virtualenv made by
//! `cargo xtask` for localstripe and the SMTP sink.

use std::path::{Path, PathBuf};

use crate::{Result, TestkitError};

/// Overrides the folder holding the tools `cargo xtask` installs (the Python virtualenv).
/// Default: `$XDG_CACHE_HOME/showdesk/tools`, else `~/.cache/showdesk/tools` — the same rule as xtask.
pub const TOOLS_DIR_ENV: &str = "SHOWDESK_TOOLS_DIR";

/// Marker xtask writes in the virtualenv once the pinned requirements are installed.
pub const VENV_READY_MARKER: &str = ".showdesk-requirements";

/// Finds the programs the services need.
#[derive(Debug, Clone, Copy)]
pub struct Tools;

impl Tools {
    pub fn dir() -> PathBuf {
        if let Some(dir) = std::env::var_os(TOOLS_DIR_ENV).filter(|v| !v.is_empty()) {
            return PathBuf::from(dir);
        }
        let cache = std::env::var_os("XDG_CACHE_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))
            .unwrap_or_else(std::env::temp_dir);
        cache.join("showdesk").join("tools")
    }

    /// The virtualenv's Python, with localstripe and aiosmtpd installed.
    pub fn python() -> Result<PathBuf> {
        let venv = Self::dir().join("venv");
        let python = venv.join("bin").join("python3");
        if python.is_file() && venv.join(VENV_READY_MARKER).is_file() {
            Ok(python)
        } else {
            Err(TestkitError::ToolMissing {
                tool: "the Python tools (localstripe, aiosmtpd)",
                detail: format!("no ready virtualenv at {}", venv.display()),
            })
        }
    }

    pub fn nginx() -> Result<PathBuf> {
        find("nginx", &["/usr/sbin/nginx"], "Debian package nginx")
    }

    pub fn nginx_rtmp_module() -> Result<PathBuf> {
        let module = Path::new("/usr/lib/nginx/modules/ngx_rtmp_module.so");
        if module.is_file() {
            Ok(module.to_path_buf())
        } else {
            Err(TestkitError::ToolMissing {
                tool: "nginx's RTMP module",
                detail: "Debian package libnginx-mod-rtmp".into(),
            })
        }
    }

    pub fn dovecot() -> Result<PathBuf> {
        find("dovecot", &["/usr/sbin/dovecot"], "Debian package dovecot-imapd")
    }

    pub fn srt_live_transmit() -> Result<PathBuf> {
        find("srt-live-transmit", &[], "Debian package srt-tools")
    }

    /// The folder holding `initdb` and `postgres` (Debian keeps them out of PATH, per version).
    pub fn postgres_bin_dir() -> Result<PathBuf> {
        let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|entry| {
                let version = entry.file_name().to_str()?.parse().ok()?;
                let bin = entry.path().join("bin");
                bin.join("postgres").is_file().then_some((version, bin))
            })
            .collect();
        versions.sort();
        if let Some((_, bin)) = versions.pop() {
            return Ok(bin);
        }
        find("postgres", &[], "Debian package postgresql").and_then(|postgres| {
            postgres
                .parent()
                .map(Path::to_path_buf)
                .ok_or_else(|| TestkitError::ToolMissing { tool: "postgres", detail: "unexpected location".into() })
        })
    }
}

fn find(name: &'static str, fallbacks: &[&str], package: &str) -> Result<PathBuf> {
    let in_path = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).map(|dir| dir.join(name)).collect::<Vec<_>>())
        .unwrap_or_default();
    in_path
        .into_iter()
        .chain(fallbacks.iter().map(PathBuf::from))
        .find(|candidate| candidate.is_file())
        .ok_or_else(|| TestkitError::ToolMissing { tool: name, detail: package.to_owned() })
}
