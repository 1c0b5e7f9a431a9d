//! `showdesk rehearse`: the whole rehearsal without a window — the local stack, a "Rehearsal" show
//! on sale, live to the local ingest, the drill (ticket rush, viewers, support mail) — until
//! Ctrl-C or `--duration`, then one summary (a JSON line with `--json`) and, with `--report DIR`,
//! the after-show report written into DIR.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use showdesk_control::operations::{Operations, OperationsOptions};
use showdesk_control::support::queries::TicketQuery;
use showdesk_control::{ControlService, RehearsalPhase};
use showdesk_core::support::Language;
use showdesk_platform::AppDirs;

use super::{end_signal, fail, print_json};

/// The summary the issue tracker and CI read.
#[derive(Debug, Serialize)]
struct Summary {
    live_s: u64,
    reconnects: u32,
    orders_paid: i64,
    gross_minor: i64,
    currency: String,
    tickets_opened: usize,
    viewers_peak: Option<i64>,
    recording_path: Option<String>,
    recording_playable: bool,
    recording_seconds: Option<f64>,
    purchases_declined: u32,
    double_purchases: u32,
    promo_used: u32,
    mails_sent_by_buyers: u32,
    /// The show the rehearsal sold tickets for (for `showdesk report --show`).
    show_id: String,
    /// The report files written with `--report`.
    report_files: Vec<String>,
}

pub struct RehearseArgs {
    pub duration: Option<u64>,
    pub json: bool,
    pub report: Option<std::path::PathBuf>,
    pub language: String,
}

pub async fn run(dirs: AppDirs, args: RehearseArgs) -> ExitCode {
    // Checked before minutes of rehearsal, not after.
    let language: Language = match args.language.parse() {
        Ok(language) => language,
        Err(err) => return fail(&format!("--language: {err} (en or fr)")),
    };
    let service = match ControlService::open(dirs).await {
        Ok(service) => Arc::new(service),
        Err(err) => return fail(&err.to_body().message),
    };
    let say = |line: &str| {
        if !args.json {
            eprintln!("{line}");
        }
    };
    say("Starting the rehearsal stack…");
    service.rehearsal().start();
    let status = tokio::task::block_in_place(|| service.rehearsal().wait_until_settled(Duration::from_secs(120)));
    if status.phase != RehearsalPhase::Running {
        let why = status.error.map(|e| e.message).unwrap_or_else(|| "it did not start in time".into());
        return fail(&format!("the rehearsal stack is not running: {why}"));
    }
    let result = rehearse(&service, &args, language, &say).await;
    tokio::task::block_in_place(|| service.rehearsal().stop());
    match result {
        Ok(summary) => {
            if args.json {
                if let Err(code) = print_json(&summary) {
                    return code;
                }
            } else {
                print_summary(&summary);
            }
            if summary.recording_playable { ExitCode::SUCCESS } else { fail("the recording does not play") }
        }
        Err(message) => fail(&message),
    }
}

async fn rehearse(
    service: &Arc<ControlService>,
    args: &RehearseArgs,
    language: Language,
    say: &dyn Fn(&str),
) -> Result<Summary, String> {
    let error = |err: showdesk_control::ControlError| err.to_body().message;
    let wiring = service.wire_rehearsal().await.map_err(error)?;
    let operations = Operations::start(Arc::clone(service), &OperationsOptions::default());
    say(&format!("Show {:?} on sale; going live to the local ingest…", wiring.show_id));
    if let Err(err) = service.go_live_with_profile(None).await {
        operations.stop().await;
        return Err(error(err));
    }
    service.start_drill().await.map_err(error)?;
    say("Live, with the drill running (ticket rush, viewers, support mail). Ctrl-C ends the show.");
    let started = Instant::now();
    let progress = async {
        loop {
            tokio::time::sleep(Duration::from_secs(10)).await;
            if let (Some(drill), Ok(dashboard)) =
                (service.drill_report().await, service.box_office().dashboard(&wiring.show_id).await)
            {
                say(&format!(
                    "  {:>4} s · {} paid · {} declined · {} viewers · {} support mails",
                    started.elapsed().as_secs(),
                    dashboard.paid_orders,
                    drill.declined,
                    dashboard.viewers_now.map_or("?".into(), |v| v.to_string()),
                    drill.mails,
                ));
            }
        }
    };
    tokio::select! {
        () = end_signal(args.duration) => {}
        () = progress => {}
    }
    say("Ending the show…");
    let drill = service
        .stop_drill()
        .await
        .unwrap_or_else(|| showdesk_control::rehearsal::drill::DrillCounters::default().report());
    let end = service.end_show().await.map_err(error);
    // The last purchases and mails: read them before counting.
    let _ = service.box_office().poll_payments().await;
    let _ = service.support().sync_mailbox().await;
    operations.stop().await;
    let end = end?;
    let dashboard = service.box_office().dashboard(&wiring.show_id).await.map_err(error)?;
    let tickets = service
        .support()
        .list_tickets(&TicketQuery { limit: 10_000, ..TicketQuery::default() })
        .await
        .map_err(|err| err.to_string())?;
    let network: Vec<_> = end.stop.outputs.iter().filter(|o| o.id != "recording").collect();
    let recording = end.stop.recording.clone();
    let recording_seconds = match &recording {
        Some(path) => {
            let path = path.clone();
            tokio::task::spawn_blocking(move || showdesk_media::playback::playable_seconds(&path))
                .await
                .map_err(|err| err.to_string())?
                .map_err(|err| {
                    eprintln!("showdesk: the recording does not play: {err}");
                })
                .ok()
        }
        None => None,
    };
    let report_files = match &args.report {
        Some(folder) => {
            say(&format!("Writing the report into {}…", folder.display()));
            let files = service.export_report(&wiring.show_id, folder, language).await.map_err(error)?;
            files.iter().map(|path| path.display().to_string()).collect()
        }
        None => Vec::new(),
    };
    Ok(Summary {
        show_id: wiring.show_id.clone(),
        report_files,
        live_s: network.iter().map(|o| o.stats.live_seconds).max().unwrap_or(0),
        reconnects: network.iter().map(|o| o.stats.reconnects).sum(),
        orders_paid: dashboard.paid_orders,
        gross_minor: dashboard.gross.minor,
        currency: dashboard.gross.currency.clone(),
        tickets_opened: tickets.len(),
        viewers_peak: dashboard.viewers_peak,
        recording_path: recording.map(|p| p.display().to_string()),
        recording_playable: recording_seconds.is_some(),
        recording_seconds: recording_seconds.map(|s| (s * 10.0).round() / 10.0),
        purchases_declined: drill.declined,
        double_purchases: drill.double_purchases,
        promo_used: drill.promo_used,
        mails_sent_by_buyers: drill.mails,
    })
}

fn print_summary(summary: &Summary) {
    say!("Rehearsal over:");
    say!("  on the air        {} s, {} reconnects", summary.live_s, summary.reconnects);
    say!(
        "  tickets           {} paid ({} declined, {} double purchases, {} with the promo code)",
        summary.orders_paid,
        summary.purchases_declined,
        summary.double_purchases,
        summary.promo_used
    );
    say!("  gross             {:.2} {}", summary.gross_minor as f64 / 100.0, summary.currency);
    say!("  support tickets   {} ({} mails from buyers)", summary.tickets_opened, summary.mails_sent_by_buyers);
    say!("  viewers at peak   {}", summary.viewers_peak.map_or("unknown".into(), |v| v.to_string()));
    match (&summary.recording_path, summary.recording_seconds) {
        (Some(path), Some(seconds)) => say!("  recording         {path} ({seconds} s, plays)"),
        (Some(path), None) => say!("  recording         {path} (DOES NOT PLAY)"),
        (None, _) => say!("  recording         none"),
    }
    say!("  show              {} (showdesk report --show {} --out DIR)", summary.show_id, summary.show_id);
    for file in &summary.report_files {
        say!("  report            {file}");
    }
}
