//! The `showdesk` commands. Each prints for people by default and JSON with `--json`; errors are
//! one clear line on stderr (secrets scrubbed) and a non-zero exit.

/// `println!` for the commands' output. A reader that went away (`showdesk info | head -1`, a
/// closed log viewer) is no reason to panic, and never a reason to stop a show: the line is dropped.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::cli::write_line(format_args!($($arg)*))
    };
}

mod devices;
mod info;
mod key;
mod live;
mod preflight;
mod rehearse;
mod report;
mod stack;
mod support;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use showdesk_platform::{AppDirs, LogOptions, init_logging};

#[derive(Debug, Parser)]
#[command(name = "showdesk", version, about = "Showdesk: the control room for live pay-per-view shows, headless")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Version, folders and the media elements this machine has.
    Info {
        /// One JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// The cameras and microphones connected now.
    Devices {
        #[arg(long)]
        json: bool,
    },
    /// Goes live with a show profile until Ctrl-C (or --duration): every destination, the recording.
    Live {
        /// The show profile (TOML; see assets/profiles/example.toml).
        #[arg(long, value_name = "FILE")]
        profile: PathBuf,
        /// End the show after this many seconds.
        #[arg(long, value_name = "SECS", value_parser = seconds, allow_negative_numbers = true)]
        duration: Option<u64>,
        /// One line of JSON stats per second on stdout (events go to stderr).
        #[arg(long)]
        json: bool,
        /// The box-office show this is (its id), so the after-show report includes the stream.
        #[arg(long, value_name = "ID")]
        show: Option<String>,
        /// Keep FILE updated with the program's latest picture (JPEG, about 10 a second), to see a
        /// headless show in any image viewer that reloads. Without it no preview is encoded.
        #[arg(long, value_name = "FILE")]
        preview: Option<PathBuf>,
    },
    /// Checks before the show: every destination (DNS, TCP, publish), the upload bandwidth, the
    /// sources. Publishes a test picture for a few seconds.
    Preflight {
        #[arg(long, value_name = "FILE")]
        profile: PathBuf,
        /// Skip the bandwidth test (it takes about 20 s per destination).
        #[arg(long)]
        no_bandwidth: bool,
        #[arg(long)]
        json: bool,
    },
    /// Runs the local rehearsal stack (ingest, SRT, payments, mailbox, SMTP) until Ctrl-C.
    Stack {
        /// Stop after this many seconds instead of waiting for Ctrl-C.
        #[arg(long, value_name = "SECS", value_parser = seconds, allow_negative_numbers = true)]
        duration: Option<u64>,
        /// Print the endpoints as one JSON line.
        #[arg(long)]
        json: bool,
        /// Show the stack's local passwords instead of masking them.
        #[arg(long)]
        reveal: bool,
    },
    /// The rehearsal, headless: the local stack, a "Rehearsal" show on sale, live to the local
    /// ingest, and the drill (a ticket rush, viewers, support mail in English and French) until
    /// Ctrl-C or --duration; then a summary.
    Rehearse {
        /// End the show after this many seconds.
        #[arg(long, value_name = "SECS", value_parser = seconds, allow_negative_numbers = true)]
        duration: Option<u64>,
        /// The summary as one JSON line (live_s, reconnects, orders_paid, gross_minor, currency,
        /// tickets_opened, viewers_peak, recording_path, recording_playable, …).
        #[arg(long)]
        json: bool,
        /// After the show, write its report (report.html, report.pdf, orders.csv, refunds.csv,
        /// tickets.csv) into this folder.
        #[arg(long, value_name = "DIR")]
        report: Option<PathBuf>,
        /// The report's language: en or fr.
        #[arg(long, default_value = "en")]
        language: String,
    },
    /// Stream keys and passwords in the OS keyring.
    Key {
        #[command(subcommand)]
        action: key::KeyAction,
    },
    /// The after-show report of a show: report.html, report.pdf, orders.csv, refunds.csv and
    /// tickets.csv in a folder.
    Report {
        /// The show's id (as the box office named it).
        #[arg(long, value_name = "ID")]
        show: String,
        /// The folder to write into (created if missing; files there are replaced).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// The report's language: en or fr.
        #[arg(long, default_value = "en")]
        language: String,
        /// Print the written files as one JSON line.
        #[arg(long)]
        json: bool,
    },
    /// The support desk, headless: import the mailbox, send the outbox.
    Support {
        #[command(subcommand)]
        command: support::SupportCommand,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let dirs = match AppDirs::resolve() {
        Ok(dirs) => dirs,
        Err(err) => return fail(&err.to_string()),
    };
    // `info` and `key` only read: they leave no folder or log file behind.
    let writes = !matches!(cli.command, Command::Info { .. } | Command::Key { .. } | Command::Devices { .. });
    let _log = if writes {
        match init_logging(&LogOptions {
            default_filter: "warn,showdesk=info".into(),
            ..LogOptions::to_dir(&dirs.logs)
        }) {
            Ok(guard) => Some(guard),
            Err(err) => return fail(&err.to_string()),
        }
    } else {
        None
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => return fail(&format!("cannot start the async runtime: {err}")),
    };
    match cli.command {
        Command::Info { json } => info::run(&dirs, json),
        Command::Devices { json } => devices::run(json),
        Command::Key { action } => key::run(action),
        Command::Live { profile, duration, json, show, preview } => {
            runtime.block_on(live::run(&dirs, &profile, live::LiveArgs { show_id: show, duration, json, preview }))
        }
        Command::Preflight { profile, no_bandwidth, json } => {
            runtime.block_on(preflight::run(&dirs, &profile, !no_bandwidth, json))
        }
        Command::Rehearse { duration, json, report, language } => {
            runtime.block_on(rehearse::run(dirs, rehearse::RehearseArgs { duration, json, report, language }))
        }
        Command::Stack { duration, json, reveal } => runtime.block_on(stack::run(dirs, duration, json, reveal)),
        Command::Report { show, out, language, json } => runtime.block_on(async {
            let service = match showdesk_control::ControlService::open(dirs).await {
                Ok(service) => service,
                Err(err) => return fail(&err.to_body().message),
            };
            match report::run(&service, &show, &out, &language, json).await {
                Ok(()) => ExitCode::SUCCESS,
                Err(message) => fail(&message),
            }
        }),
        Command::Support { command } => runtime.block_on(async {
            let service = match showdesk_control::ControlService::open(dirs).await {
                Ok(service) => service,
                Err(err) => return fail(&err.to_body().message),
            };
            match support::run(&service, command).await {
                Ok(()) => ExitCode::SUCCESS,
                Err(message) => fail(&message),
            }
        }),
    }
}

/// Prints `message` (scrubbed) and returns a failure.
pub fn fail(message: &str) -> ExitCode {
    let message = showdesk_platform::redact(message);
    tracing::error!("{message}");
    eprintln!("showdesk: {message}");
    ExitCode::FAILURE
}

/// `--duration`: a whole number of seconds, at least 1 ("0" would end the show before it starts).
fn seconds(text: &str) -> Result<u64, String> {
    match text.trim().parse::<i64>() {
        Ok(secs) if secs >= 1 => u64::try_from(secs).map_err(|err| err.to_string()),
        Ok(_) => Err(format!("{text} is not a duration: give a number of seconds, 1 or more")),
        Err(_) => Err(format!("{text:?} is not a number of seconds (for example 60)")),
    }
}

/// Writes one line to stdout, dropping it when stdout is gone (see `say!`).
pub fn write_line(line: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(err) = out.write_fmt(line).and_then(|()| out.write_all(b"\n")).and_then(|()| out.flush())
        && err.kind() != std::io::ErrorKind::BrokenPipe
    {
        tracing::warn!("cannot write to stdout: {err}");
    }
}

/// Prints one JSON line, or fails.
pub fn print_json(value: &impl serde::Serialize) -> Result<(), ExitCode> {
    match serde_json::to_string(value) {
        Ok(line) => {
            say!("{line}");
            Ok(())
        }
        Err(err) => Err(fail(&err.to_string())),
    }
}

/// Resolves when `duration` has passed, or at Ctrl-C / SIGTERM.
pub async fn end_signal(duration: Option<u64>) {
    let limit = async {
        match duration {
            Some(secs) => tokio::time::sleep(std::time::Duration::from_secs(secs)).await,
            None => std::future::pending().await,
        }
    };
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    let terminated = async {
        match term.as_mut() {
            Some(signal) => {
                signal.recv().await;
            }
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        () = limit => {}
        _ = tokio::signal::ctrl_c() => {}
        () = terminated => {}
    }
}
