//! `showdesk`: the control room without a window.

use std::process::ExitCode;
use std::time::Duration;

mod support_cli;

use clap::{Parser, Subcommand};
use showdesk_control::{ControlService, RehearsalPhase};
use showdesk_platform::{AppDirs, LogOptions, init_logging, mask};

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
    /// Runs the local rehearsal stack (ingest, SRT, payments, mailbox, SMTP) until Ctrl-C.
    Stack {
        /// Stop after this many seconds instead of waiting for Ctrl-C.
        #[arg(long, value_name = "SECS")]
        duration: Option<u64>,
        /// Print the endpoints as one JSON line.
        #[arg(long)]
        json: bool,
        /// Show the stack's local passwords instead of masking them.
        #[arg(long)]
        reveal: bool,
    },
    /// The support desk, headless: import the mailbox, send the outbox.
    Support {
        #[command(subcommand)]
        command: support_cli::SupportCommand,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let dirs = match AppDirs::resolve() {
        Ok(dirs) => dirs,
        Err(err) => return fail(&err.to_string()),
    };
    let _log = match init_logging(&LogOptions {
        default_filter: "warn,showdesk=info".into(),
        ..LogOptions::to_dir(&dirs.logs)
    }) {
        Ok(guard) => guard,
        Err(err) => return fail(&err.to_string()),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => return fail(&format!("cannot start the async runtime: {err}")),
    };
    let service = match runtime.block_on(ControlService::open(dirs)) {
        Ok(service) => service,
        Err(err) => return fail(&err.to_body().message),
    };
    match cli.command {
        Command::Info { json } => info(&service, json),
        Command::Stack { duration, json, reveal } => stack(&runtime, &service, duration, json, reveal),
        Command::Support { command } => match runtime.block_on(support_cli::run(&service, command)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => fail(&message),
        },
    }
}

fn info(service: &ControlService, json: bool) -> ExitCode {
    let info = service.app_info();
    if json {
        return match serde_json::to_string(&info) {
            Ok(line) => {
                println!("{line}");
                ExitCode::SUCCESS
            }
            Err(err) => fail(&err.to_string()),
        };
    }
    println!("Showdesk {}", info.version);
    println!("  data     {}", info.data_dir);
    println!("  config   {}", info.config_dir);
    println!("  logs     {}", info.log_dir);
    println!("  videos   {}", info.videos_dir);
    println!("  media    {}", info.gstreamer);
    if info.missing_media_elements.is_empty() {
        println!("           every element the engine needs is present");
    } else {
        println!("           missing: {}", info.missing_media_elements.join(", "));
    }
    ExitCode::SUCCESS
}

fn stack(
    runtime: &tokio::runtime::Runtime,
    service: &ControlService,
    duration: Option<u64>,
    json: bool,
    reveal: bool,
) -> ExitCode {
    let rehearsal = service.rehearsal();
    eprintln!("Starting the rehearsal stack…");
    rehearsal.start();
    let status = rehearsal.wait_until_settled(Duration::from_secs(120));
    if status.phase != RehearsalPhase::Running {
        let why = status.error.map(|e| e.message).unwrap_or_else(|| "it did not start in time".into());
        return fail(&format!("the rehearsal stack is not running: {why}"));
    }
    let Some(mut endpoints) = rehearsal.endpoints() else {
        return fail("the rehearsal stack has no endpoints");
    };
    if !reveal {
        endpoints.imap_password = mask(&endpoints.imap_password);
        endpoints.stripe_secret_key = mask(&endpoints.stripe_secret_key);
    }
    if json {
        match serde_json::to_string(&endpoints) {
            Ok(line) => println!("{line}"),
            Err(err) => return fail(&err.to_string()),
        }
    } else {
        println!("Rehearsal stack running (loopback only):");
        for service in &status.services {
            println!("  {:<14} {:<18} {}", service.role, service.program, service.address);
        }
        println!("  mailbox login  {} / {}", endpoints.imap_user, endpoints.imap_password);
        println!("  sent mail API  {}", endpoints.smtp_api_url);
        println!("Press Ctrl-C to stop.");
    }
    runtime.block_on(wait_for_end(duration));
    rehearsal.stop();
    eprintln!("Rehearsal stack stopped.");
    ExitCode::SUCCESS
}

/// Sleeps for `duration`, or until Ctrl-C / SIGTERM when there is none.
async fn wait_for_end(duration: Option<u64>) {
    let limit = async {
        match duration {
            Some(secs) => tokio::time::sleep(Duration::from_secs(secs)).await,
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

fn fail(message: &str) -> ExitCode {
    eprintln!("showdesk: {}", showdesk_platform::redact(message));
    ExitCode::FAILURE
}
