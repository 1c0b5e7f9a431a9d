//! `showdesk rehearse --duration SECS --json --report DIR` as a crew runs it before a real show: the
//! whole local stack, the Rehearsal show on sale, live to the local ingest, the drill — then one
//! JSON summary line whose numbers the written report must repeat exactly.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Long enough for the rush's first minute to be mostly in.
const SECONDS: u64 = 40;

fn csv_rows(path: &Path) -> Result<Vec<Vec<String>>, Box<dyn std::error::Error>> {
    let text = std::fs::read_to_string(path)?;
    let text = text.trim_start_matches('\u{feff}');
    // The rehearsal's fields have no quoted commas; a plain split is exact here.
    Ok(text.lines().map(|line| line.split(',').map(str::to_owned).collect()).collect())
}

#[test]
fn a_rehearsal_runs_headless_and_its_report_repeats_its_numbers() -> TestResult {
    let home = tempfile::tempdir()?;
    let report = home.path().join("report");
    let output = Command::new(env!("CARGO_BIN_EXE_showdesk"))
        .args(["rehearse", "--duration", &SECONDS.to_string(), "--json", "--report"])
        .arg(&report)
        .env("SHOWDESK_HOME", home.path())
        .env_remove("SHOWDESK_LOG")
        .output()?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "rehearse failed: {stderr}");
    let stdout = String::from_utf8(output.stdout)?;
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "one JSON line on stdout: {stdout}");
    let summary: Value = serde_json::from_str(lines[0])?;
    let number = |key: &str| summary[key].as_i64().ok_or_else(|| format!("{key} missing in {summary}"));

    // On the air the whole time, never dropped, recorded.
    assert!(number("live_s")? >= SECONDS as i64 - 10, "{summary}");
    assert_eq!(number("reconnects")?, 0);
    assert_eq!(summary["recording_playable"], Value::Bool(true));
    assert!(summary["recording_seconds"].as_f64().is_some_and(|s| s >= (SECONDS - 10) as f64), "{summary}");
    // The rush, the viewers and the mail all happened.
    assert!(number("orders_paid")? >= 10, "{summary}");
    assert!(number("purchases_declined")? >= 1 && number("double_purchases")? >= 1, "{summary}");
    assert!(number("tickets_opened")? >= 1, "{summary}");
    assert!(number("viewers_peak")? >= 1, "{summary}");
    assert_eq!(summary["currency"], "EUR");

    // The report holds the same numbers.
    let files: Vec<&str> =
        summary["report_files"].as_array().ok_or("report_files")?.iter().filter_map(Value::as_str).collect();
    assert_eq!(files.len(), 5, "{files:?}");
    let orders = csv_rows(&report.join("orders.csv"))?;
    let status = orders[0].iter().position(|c| c == "status").ok_or("status column")?;
    let minor = orders[0].iter().position(|c| c == "amount_minor").ok_or("amount_minor column")?;
    let paid: Vec<&Vec<String>> = orders[1..].iter().filter(|row| row[status] == "paid").collect();
    assert_eq!(paid.len() as i64, number("orders_paid")?);
    let gross: i64 = paid.iter().map(|row| row[minor].parse::<i64>().unwrap_or(0)).sum();
    assert_eq!(gross, number("gross_minor")?);
    let tickets = csv_rows(&report.join("tickets.csv"))?;
    assert_eq!(tickets.len() as i64 - 1, number("tickets_opened")?);
    let html = std::fs::read_to_string(report.join("report.html"))?;
    let euros = format!("€{}.{:02}", number("gross_minor")? / 100, number("gross_minor")? % 100);
    assert!(html.contains("Rehearsal") && html.contains(&euros), "the page shows the gross {euros}");
    let pdf = std::fs::read(report.join("report.pdf"))?;
    assert!(pdf.starts_with(b"%PDF-"));

    // The PDF renders: its first page as a picture with something on it.
    let pages = home.path().join("page");
    let rendered = Command::new("pdftoppm")
        .args(["-r", "40", "-png", "-f", "1", "-l", "1"])
        .arg(report.join("report.pdf"))
        .arg(&pages)
        .status()?;
    assert!(rendered.success(), "pdftoppm could not render the report");
    let png = std::fs::read(home.path().join("page-1.png"))?;
    assert!(png.len() > 10_000, "the first page is almost empty ({} bytes)", png.len());

    // Nothing the stack keeps secret reached the output.
    for text in [&stdout, &stderr.to_string(), &html] {
        assert!(!text.contains("sk_test_"), "a Stripe key leaked");
    }
    Ok(())
}
