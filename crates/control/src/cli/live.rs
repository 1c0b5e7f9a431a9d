//! `showdesk live --profile FILE`: the show, headless.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use showdesk_control::ControlService;
use showdesk_control::live::profile::{self, SystemSecrets};
use showdesk_media::engine::{Alert, EngineEvent};
use showdesk_media::meters::SoundAlert;
use showdesk_media::output::OutputState;
use showdesk_media::program::{PreviewFrame, SourceState};
use showdesk_platform::AppDirs;

use super::{end_signal, fail, print_json};

/// `showdesk live`'s options besides the profile.
pub struct LiveArgs {
    pub show_id: Option<String>,
    pub duration: Option<u64>,
    pub json: bool,
    pub preview: Option<PathBuf>,
}

pub async fn run(dirs: &AppDirs, profile_path: &Path, args: LiveArgs) -> ExitCode {
    let LiveArgs { show_id, duration, json, preview } = args;
    if let Some(file) = &preview
        && let Err(problem) = preview_file_problem(file)
    {
        return fail(&problem);
    }
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
    if let Some(file) = preview {
        tokio::spawn(keep_preview_file(engine.subscribe_preview(), file));
    }
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
                Ok(EngineEvent::Alert(alert)) => eprintln!("alert: {}", showdesk_platform::redact(&describe_alert(&alert))),
                Ok(EngineEvent::Source(source)) => eprintln!("source {}: {}", source.name, describe_source(&source.state)),
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

/// Refuses a preview path whose folder does not exist, before the show starts.
fn preview_file_problem(file: &Path) -> Result<(), String> {
    let folder = match file.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    if file.is_dir() {
        return Err(format!("--preview {}: this is a folder; give a file name such as program.jpg", file.display()));
    }
    if !folder.is_dir() {
        return Err(format!("--preview {}: the folder {} does not exist", file.display(), folder.display()));
    }
    Ok(())
}

/// Writes each preview frame to `file` (through a temporary file and a rename, so a viewer never
/// reads half a picture) until the show ends. The subscription is what makes the engine encode them.
async fn keep_preview_file(mut frames: tokio::sync::broadcast::Receiver<PreviewFrame>, file: PathBuf) {
    use tokio::sync::broadcast::error::RecvError;
    let partial = file.with_extension("jpg.partial");
    let mut warned = false;
    loop {
        match frames.recv().await {
            Ok(frame) => {
                let written = async {
                    tokio::fs::write(&partial, frame.jpeg.as_slice()).await?;
                    tokio::fs::rename(&partial, &file).await
                };
                if let Err(err) = written.await
                    && !std::mem::replace(&mut warned, true)
                {
                    eprintln!("showdesk: the preview cannot be written to {}: {err}", file.display());
                }
            }
            Err(RecvError::Lagged(_)) => {}
            Err(RecvError::Closed) => break,
        }
    }
}

/// An alert as a sentence (stderr is read by people).
fn describe_alert(alert: &Alert) -> String {
    match alert {
        Alert::Sound { channel, alert: SoundAlert::Clipping { peak_db } } => {
            format!("{channel} is clipping (peaks at {peak_db:.1} dB): lower its gain")
        }
        Alert::Sound { channel, alert: SoundAlert::Silence { seconds } } => {
            format!("{channel} has been silent for {seconds} s: a muted mic or a loose cable?")
        }
        Alert::Sound { channel, alert: SoundAlert::SoundBack } => format!("{channel}: sound is back"),
        Alert::DroppedFrames { output, percent, severe } => {
            let level = if *severe { "too many" } else { "some" };
            format!("{output} drops {level} frames ({percent:.1} %): its connection cannot keep up")
        }
        Alert::Program { message } => format!("the program reports: {message}"),
    }
}

fn describe_source(state: &SourceState) -> String {
    match state {
        SourceState::Starting => "starting".into(),
        SourceState::Active => "active".into(),
        SourceState::Failed { reason } => format!("no signal ({reason}); retried every few seconds"),
        SourceState::Finished => "finished (played once)".into(),
        SourceState::Stopped => "stopped".into(),
    }
}

fn describe_output(id: &str, state: &OutputState) -> String {
    match state {
        OutputState::Reconnecting { attempt, reason } => format!("{id}: reconnecting (attempt {attempt}): {reason}"),
        OutputState::Failed { reason } => format!("{id}: FAILED: {reason}"),
        other => format!("{id}: {}", other.name()),
    }
}
