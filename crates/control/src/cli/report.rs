//! `showdesk report --show ID --out DIR`: the after-show report of any show, headless — the same
//! files the window exports (report.html, report.pdf, orders.csv, refunds.csv, tickets.csv).

use std::path::Path;

use showdesk_control::ControlService;
use showdesk_core::support::Language;

/// Writes the report of `show_id` into `out`; prints the files (or one JSON line).
pub async fn run(
    service: &ControlService,
    show_id: &str,
    out: &Path,
    language: &str,
    json: bool,
) -> Result<(), String> {
    let language: Language = language.parse().map_err(|err| format!("--language: {err} (en or fr)"))?;
    let files = service.export_report(show_id, out, language).await.map_err(|err| err.to_body().message)?;
    if json {
        let files: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
        super::print_json(&serde_json::json!({ "show": show_id, "files": files }))
            .map_err(|_| "cannot print".to_owned())?;
    } else {
        say!("The report of {show_id}:");
        for file in &files {
            say!("  {}", file.display());
        }
    }
    Ok(())
}
