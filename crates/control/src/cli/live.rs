//! `showdesk live --profile FILE`: the show, headless.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use showdesk_control::ControlService;
use showdesk_control::live::profile::{self, SystemSecrets};
use showdesk_media::engine::EngineEvent;
use showdesk_media::output::OutputState;
use showdesk_platform::AppDirs;

use super::{end_signal, fail, print_json};

pub async fn run(
    dirs: &AppDirs,
    profile_path: &Path,
    show_id: Option<String>,
    duration: Option<u64>,
    json: bool,
) -> ExitCode {
    let profile = match profile::load(profile_path, &dirs.videos, &SystemSecrets) {
        Ok(profile) => profile,
        Err(err) => return fail(&err.to_string()),
    };
    for notice in &profile.notices {
        eprintln!("showdesk: note: {notice}");
    }
    // Through the control service, so the session's health and events go to the stream log for the
    // after-show report.
    let service = match ControlService::open(dirs.clone()).await {
        Ok(service) => service,
        Err(err) => return fail(&err.to_body().message),
    };
    if let Err(err) = service.go_live(profile.spec, show_id).await {
        return fail(&err.to_body().message);
    }
    let engine: Arc<_> = match service.live_engine().await {
        Ok(engine) => engine,
        Err(err) => return fail(&err.to_body().message),
    };
    let mut events = engine.subscribe();
    eprintln!("Live. Ctrl-C ends the show{}.", duration.map(|s| format!(" (or in {s} s)")).unwrap_or_default());
    let ended = end_signal(duration);
    tokio::pin!(ended);
    loop {
        tokio::select! {
            () = &mut ended => break,
            event = events.recv() => match event {
                Ok(EngineEvent::Stats(stats)) if json => {
                    if let Err(code) = print_json(&stats) {
                        let _ = service.end_show().await;
                        return code;
                    }
                }
                Ok(EngineEvent::Output(output)) => eprintln!("{}", describe_output(&output.id, &output.state)),
                Ok(EngineEvent::Alert(alert)) => eprintln!("alert: {}", showdesk_platform::redact(&format!("{alert:?}"))),
                Ok(EngineEvent::Source(source)) => eprintln!("source {}: {:?}", source.name, source.state),
                Ok(EngineEvent::Bitrate(change)) => {
                    eprintln!("bitrate {} → {} kb/s (an output was {} ms behind)", change.from_kbps, change.to_kbps, change.queue_ms);
                }
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            },
        }
    }
    eprintln!("Ending the show…");
    drop(engine);
    let report = match service.end_show().await {
        Ok(end) => end.stop,
        Err(err) => return fail(&err.to_body().message),
    };
    if let Some(recording) = &report.recording {
        eprintln!("Recording: {}", recording.display());
    }
    for output in &report.outputs {
        eprintln!(
            "  {:<12} {:>6} s live, {} reconnects, {:.2} % frames dropped",
            output.name, output.stats.live_seconds, output.stats.reconnects, output.stats.dropped_percent
        );
    }
    ExitCode::SUCCESS
}

fn describe_output(id: &str, state: &OutputState) -> String {
    match state {
        OutputState::Reconnecting { attempt, reason } => format!("{id}: reconnecting (attempt {attempt}): {reason}"),
        OutputState::Failed { reason } => format!("{id}: FAILED: {reason}"),
        other => format!("{id}: {}", other.name()),
    }
}
