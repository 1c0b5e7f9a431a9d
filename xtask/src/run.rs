//! `cargo xtask run`: install, build, and open the control room on the local rehearsal stack.

use std::process::{Command, ExitCode};

use crate::install::{self, tools_dir};
use crate::tiers::npm;
use crate::{proc, root, step, target_dir};

pub fn run(args: &[String]) -> Result<ExitCode, String> {
    let mut headless = false;
    let mut duration: Option<String> = None;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--headless" => headless = true,
            "--duration" => {
                let value = iter.next().ok_or("--duration needs a number of seconds")?;
                // Checked before anything is installed or built.
                let seconds: u64 =
                    value.parse().map_err(|_| format!("--duration {value:?} is not a whole number of seconds"))?;
                duration = Some(seconds.to_string());
            }
            other => return Err(format!("unknown option {other:?} for run (see `cargo xtask help`)")),
        }
    }
    let display = ["DISPLAY", "WAYLAND_DISPLAY"].iter().any(|var| std::env::var_os(var).is_some_and(|v| !v.is_empty()));
    install::install_everything()?;

    // The rehearsal keeps its own data (shows, orders, mail, recordings) out of a real installation.
    let home = std::env::var_os("SHOWDESK_HOME").map(Into::into).unwrap_or_else(|| target_dir().join("rehearsal-home"));
    eprintln!("Rehearsal data folder: {} (set SHOWDESK_HOME to choose another)", home.display());

    if headless || !display {
        if !headless {
            eprintln!(
                "\nNo display: DISPLAY and WAYLAND_DISPLAY are unset, so the window cannot open. Running the same job\n\
                 headless instead: `showdesk rehearse` (the local stack, a Rehearsal show on sale, live to the local\n\
                 ingest, the drill). (Under a virtual display: `xvfb-run -a cargo xtask run`.)"
            );
        }
        step("Building the showdesk CLI");
        proc::run(
            Command::new("cargo")
                .args(["build", "--package", "showdesk-control", "--bin", "showdesk"])
                .current_dir(root()),
        )?;
        step("Running headless: showdesk rehearse (Ctrl-C ends the show)");
        let mut command = Command::new(target_dir().join("debug").join("showdesk"));
        let report = home.join("last-report");
        command.arg("rehearse").env("SHOWDESK_HOME", &home).env("SHOWDESK_TOOLS_DIR", tools_dir());
        command.arg("--report").arg(&report);
        if let Some(secs) = duration {
            command.args(["--duration", &secs]);
        }
        let status = proc::status(&mut command)?;
        return Ok(if status.success() { ExitCode::SUCCESS } else { ExitCode::FAILURE });
    }

    build_everything()?;
    step("Opening the control room on the rehearsal stack");
    let mut command = Command::new(target_dir().join("debug").join("showdesk-desktop"));
    command.arg("--rehearsal").env("SHOWDESK_HOME", &home).env("SHOWDESK_TOOLS_DIR", tools_dir());
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        // No session bus (a bare X server, xvfb-run): GTK's accessibility bridge would wait ~20 s
        // for one before the window paints.
        command.env("NO_AT_BRIDGE", "1");
    }
    if let Some(secs) = duration {
        // For scripted runs (screenshots): close after the given time.
        command.env("SHOWDESK_EXIT_AFTER_SECS", secs);
    }
    let status = proc::status(&mut command)?;
    Ok(if status.success() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// The UI, then the whole workspace as one build — the same feature set the tests build, so a
/// `run` after a `test` reuses everything instead of rebuilding.
fn build_everything() -> Result<(), String> {
    step("Building the UI");
    proc::run(&mut npm(&root().join("ui"), &["run", "build", "--", "--logLevel", "warn"]))?;
    step("Building the app and the showdesk CLI");
    proc::run(Command::new("cargo").args(["build", "--workspace", "--bins"]).current_dir(root()))
}
