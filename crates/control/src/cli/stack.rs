use std::process::ExitCode;
use std::time::Duration;

use showdesk_control::{ControlService, RehearsalPhase};
use showdesk_platform::{AppDirs, mask};

use super::{end_signal, fail, print_json};

pub async fn run(dirs: AppDirs, duration: Option<u64>, json: bool, reveal: bool) -> ExitCode {
    let service = match ControlService::open(dirs).await {
        Ok(service) => service,
        Err(err) => return fail(&err.to_body().message),
    };
    let rehearsal = service.rehearsal();
    eprintln!("Starting the rehearsal stack…");
    rehearsal.start();
    let status = tokio::task::block_in_place(|| rehearsal.wait_until_settled(Duration::from_secs(120)));
    if status.phase != RehearsalPhase::Running {
        let why = status.error.map(|e| e.message).unwrap_or_else(|| "it did not start in time".into());
        return fail(&format!("the rehearsal stack is not running: {why}"));
    }
    let Some(mut endpoints) = rehearsal.endpoints() else { return fail("the rehearsal stack has no endpoints") };
    if !reveal {
        endpoints.imap_password = mask(&endpoints.imap_password);
        endpoints.stripe_secret_key = mask(&endpoints.stripe_secret_key);
    }
    if json {
        if let Err(code) = print_json(&endpoints) {
            return code;
        }
    } else {
        say!("Rehearsal stack running (loopback only):");
        for service in &status.services {
            say!("  {:<14} {:<18} {}", service.role, service.program, service.address);
        }
        say!("  mailbox login  {} / {}", endpoints.imap_user, endpoints.imap_password);
        say!("  sent mail API  {}", endpoints.smtp_api_url);
        say!("Press Ctrl-C to stop.");
    }
    end_signal(duration).await;
    tokio::task::block_in_place(|| rehearsal.stop());
    eprintln!("Rehearsal stack stopped.");
    ExitCode::SUCCESS
}
