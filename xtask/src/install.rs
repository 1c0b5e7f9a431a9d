//! Installs what is missing, and says plainly when nothing was.
//!
//! Debian packages with apt-get (through sudo when not root); the UI's and the e2e tests' npm
//! packages from their committed lock files; a Python virtualenv with localstripe and the SMTP sink
//! from the pinned requirements; tauri-driver into a local cargo root. Each step checks first, so a
//! second run installs nothing.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::proc::{self, file_hash};
use crate::system::{self, System};
use crate::{root, step};

/// Same rule as `showdesk_testkit::Tools::dir` (and exported to every child as SHOWDESK_TOOLS_DIR).
pub fn tools_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("SHOWDESK_TOOLS_DIR").filter(|v| !v.is_empty()) {
        return PathBuf::from(dir);
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    cache.join("showdesk").join("tools")
}

/// Where tauri-driver is installed.
pub fn tauri_driver() -> PathBuf {
    tools_dir().join("cargo").join("bin").join("tauri-driver")
}

/// The npm projects of the repository.
pub const NPM_PROJECTS: &[&str] = &["ui", "tests/e2e"];

/// Installs everything `run` and `test` need. Returns what it installed (empty: nothing was missing).
pub fn install_everything() -> Result<Vec<String>, String> {
    step("Checking what is installed");
    let tools = tools_dir();
    let mut installed = Vec::new();
    installed.extend(system_packages()?);
    check_node()?;
    installed.extend(nextest()?);
    for project in NPM_PROJECTS {
        installed.extend(npm_project(&root().join(project))?);
    }
    installed.extend(python_tools(&tools)?);
    installed.extend(tauri_driver_tool(&tools)?);
    if installed.is_empty() {
        eprintln!("Everything needed is already installed: nothing to install.");
    } else {
        eprintln!("Installed: {}.", installed.join("; "));
    }
    Ok(installed)
}

fn system_packages() -> Result<Vec<String>, String> {
    match system::detect() {
        System::Debian => {
            let missing = system::missing_debian_packages(system::DEBIAN_PACKAGES);
            if missing.is_empty() {
                eprintln!("  system packages: all {} present", system::DEBIAN_PACKAGES.len());
                return Ok(Vec::new());
            }
            eprintln!("  system packages: installing {}", missing.join(" "));
            apt_get(&["update", "-q"])?;
            let mut args = vec!["install", "-y", "-q"];
            args.extend(missing.iter().map(String::as_str));
            apt_get(&args)?;
            let still = system::missing_debian_packages(system::DEBIAN_PACKAGES);
            if !still.is_empty() {
                return Err(format!("apt-get finished but these packages are still missing: {}", still.join(" ")));
            }
            if missing.iter().any(|p| p == "nginx" || p == "dovecot-imapd" || p == "postgresql") {
                eprintln!(
                    "  note: Debian starts nginx, dovecot and PostgreSQL as system services when it installs them. Showdesk\n  \
                     does not use those (it starts its own on loopback); stop them with\n  \
                     `sudo systemctl disable --now nginx dovecot postgresql` if you do not want them."
                );
            }
            Ok(vec![format!("{} system packages", missing.len())])
        }
        System::Other => {
            let needed =
                ["gst-launch-1.0", "nginx", "dovecot", "srt-live-transmit", "node", "python3", "ffmpeg", "xvfb-run"];
            let mut absent: Vec<&str> = needed.iter().copied().filter(|tool| !proc::on_path(tool)).collect();
            // The libraries the build links against, through pkg-config.
            for library in ["gstreamer-1.0", "gstreamer-plugins-base-1.0", "webkit2gtk-4.1", "libsoup-3.0"] {
                let found = std::process::Command::new("pkg-config")
                    .args(["--exists", library])
                    .status()
                    .is_ok_and(|s| s.success());
                if !found {
                    absent.push(library);
                }
            }
            if absent.is_empty() {
                eprintln!("  system packages: not a Debian system; the tools and libraries are there, going on");
                Ok(Vec::new())
            } else {
                Err(format!("{}\nMissing here: {}", system::manual_instructions(), absent.join(", ")))
            }
        }
    }
}

fn apt_get(args: &[&str]) -> Result<(), String> {
    let mut command = if system::is_root() {
        Command::new("apt-get")
    } else if proc::on_path("sudo") {
        let mut sudo = Command::new("sudo");
        sudo.arg("apt-get");
        sudo
    } else {
        return Err(format!("installing system packages needs root: run `apt-get {}` as root", args.join(" ")));
    };
    command.args(args).env("DEBIAN_FRONTEND", "noninteractive");
    proc::run(&mut command)
}

fn check_node() -> Result<(), String> {
    match system::node_version() {
        Some(version) if version >= system::NODE_MIN => Ok(()),
        found => Err(format!(
            "Node.js {}.{} or newer is needed (found {}). On Debian/Ubuntu: \
             curl -fsSL https://deb.nodesource.com/setup_20.x | sudo bash - && sudo apt-get install -y nodejs",
            system::NODE_MIN.0,
            system::NODE_MIN.1,
            found.map_or_else(|| "none".to_owned(), |(major, minor)| format!("{major}.{minor}"))
        )),
    }
}

fn nextest() -> Result<Option<String>, String> {
    let present = Command::new("cargo").args(["nextest", "--version"]).output().is_ok_and(|out| out.status.success());
    if present {
        return Ok(None);
    }
    eprintln!("  cargo-nextest: installing");
    proc::run(Command::new("cargo").args(["install", "cargo-nextest", "--locked"]))?;
    Ok(Some("cargo-nextest".into()))
}

/// `npm ci` when node_modules is missing or older than the lock file.
fn npm_project(dir: &Path) -> Result<Option<String>, String> {
    let lock = dir.join("package-lock.json");
    let stamp = dir.join("node_modules").join(".showdesk-lock-hash");
    let wanted = file_hash(&lock)?;
    if std::fs::read_to_string(&stamp).is_ok_and(|have| have.trim() == wanted) {
        return Ok(None);
    }
    let name = dir.strip_prefix(root()).unwrap_or(dir).display().to_string();
    eprintln!("  npm packages in {name}: installing from package-lock.json");
    proc::run(Command::new("npm").args(["ci", "--no-audit", "--no-fund", "--loglevel=error"]).current_dir(dir))?;
    std::fs::write(&stamp, &wanted).map_err(|err| format!("cannot write {}: {err}", stamp.display()))?;
    Ok(Some(format!("npm packages in {name}")))
}

/// A virtualenv with the pinned requirements of the testkit's Python services.
fn python_tools(tools: &Path) -> Result<Option<String>, String> {
    let requirements = root().join("crates/testkit/python/requirements.txt");
    let venv = tools.join("venv");
    let marker = venv.join(".showdesk-requirements");
    let wanted = file_hash(&requirements)?;
    if std::fs::read_to_string(&marker).is_ok_and(|have| have.trim() == wanted) && venv.join("bin/python3").exists() {
        return Ok(None);
    }
    eprintln!("  Python tools (localstripe, aiosmtpd): creating {}", venv.display());
    if venv.exists() {
        std::fs::remove_dir_all(&venv).map_err(|err| format!("cannot remove the old {}: {err}", venv.display()))?;
    }
    std::fs::create_dir_all(tools).map_err(|err| format!("cannot create {}: {err}", tools.display()))?;
    proc::run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    proc::run(
        Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "--disable-pip-version-check", "-r"])
            .arg(&requirements),
    )?;
    std::fs::write(&marker, &wanted).map_err(|err| format!("cannot write {}: {err}", marker.display()))?;
    Ok(Some("Python tools".into()))
}

fn tauri_driver_tool(tools: &Path) -> Result<Option<String>, String> {
    if proc::is_executable(&tauri_driver()) {
        return Ok(None);
    }
    eprintln!("  tauri-driver: installing into {}", tools.join("cargo").display());
    proc::run(
        Command::new("cargo")
            .args(["install", "tauri-driver", "--locked", "--version", "^2", "--root"])
            .arg(tools.join("cargo")),
    )?;
    Ok(Some("tauri-driver".into()))
}
