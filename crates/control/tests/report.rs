//! The after-show report through the control service on a real SQLite store, without outside
//! services: exports that open (CSV parsed, PDF valid), text from outside that cannot turn into
//! markup or a spreadsheet formula, secrets that never reach a report, the retrospective saved with
//! the show, follow-up mail queued once per buyer, open items, and `showdesk report` on the CLI.

use std::process::Command;

use showdesk_control::ControlService;
use showdesk_control::box_office::{MoneyView, NewShowInput};
use showdesk_control::report::views::Retrospective;
use showdesk_control::report::{EXPORT_FILES, ORDER_COLUMNS, REFUND_COLUMNS, TICKET_COLUMNS};
use showdesk_core::box_office::{AttemptOutcome, BuyerDetails, PaymentEvent, PaymentFact, PaymentRefs, RefundReason};
use showdesk_core::support::{Category, Language};
use showdesk_core::{Currency, Money};
use showdesk_platform::AppDirs;
use showdesk_store::ledger::{ApplyOptions, NewRefund};
use showdesk_store::{Direction, NewMessage, NewTicket, StreamEvent, StreamSample, TicketTarget, now_ms};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const STREAM_KEY: &str = "sk_stream_7f3a9c2e51d4b8";
const NASTY_NAME: &str = "=HYPERLINK(\"http://evil.example\",\"Dupont, Camille\")";

fn payment(show: &str, n: u32, email: &str, name: &str, outcome: AttemptOutcome, at: i64) -> PaymentEvent {
    let paid = matches!(outcome, AttemptOutcome::Succeeded);
    PaymentEvent {
        event_id: format!("evt_{n}"),
        created_ms: at,
        kind: "payment_intent.x".into(),
        refs: PaymentRefs { payment_intent: Some(format!("pi_{n}")), ..Default::default() },
        show_hint: Some(show.into()),
        payment_link: None,
        buyer: BuyerDetails { email: Some(email.into()), name: Some(name.into()), ..Default::default() },
        currency: Some(Currency::EUR),
        promotion_code: None,
        discount_minor: 0,
        fact: if paid { PaymentFact::Succeeded { amount_minor: 2500 } } else { PaymentFact::Failed },
        attempt: Some(outcome),
    }
}

/// A CSV file: its header and its rows.
type CsvTable = (Vec<String>, Vec<Vec<String>>);

fn csv_rows(path: &std::path::Path) -> Result<CsvTable, Box<dyn std::error::Error>> {
    let text = std::fs::read_to_string(path)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers()?.iter().map(str::to_owned).collect();
    let rows = reader.records().map(|r| r.map(|r| r.iter().map(str::to_owned).collect())).collect::<Result<_, _>>()?;
    Ok((header, rows))
}

#[tokio::test]
async fn the_report_exports_and_follow_ups_of_a_show_without_outside_services() -> TestResult {
    showdesk_platform::register_secret(STREAM_KEY);
    let home = tempfile::tempdir()?;
    let service = ControlService::open(AppDirs::under(home.path())).await?;
    let store = service.store();
    let now = now_ms();
    let starts = now - 3 * 3_600_000;
    let show = service
        .box_office()
        .create_show(
            "producer",
            &NewShowInput {
                title: "Fight night".into(),
                starts_at_ms: starts,
                ends_at_ms: starts + 2 * 3_600_000,
                price: MoneyView { minor: 2500, currency: "EUR".into() },
                capacity: 50,
                watch_url: Some("https://watch.example.org/fight-night".into()),
            },
        )
        .await?;
    let options = ApplyOptions { now_ms: now, double_purchase_window_ms: 0 };
    store
        .apply_payment_events(
            &[
                payment(&show.id, 1, "ana@example.com", NASTY_NAME, AttemptOutcome::Succeeded, starts - 600_000),
                payment(&show.id, 2, "bo@example.com", "Bo", AttemptOutcome::Succeeded, starts - 300_000),
                payment(&show.id, 3, "cy@example.com", "Cy", AttemptOutcome::Succeeded, starts + 60_000),
                payment(
                    &show.id,
                    4,
                    "dee@example.com",
                    "Dee",
                    AttemptOutcome::Declined { code: Some("card_declined".into()) },
                    starts,
                ),
            ],
            &options,
        )
        .await?;
    // A refund asked of the processor and never confirmed: still owed.
    store
        .begin_refund(&NewRefund {
            order_id: "ord_pi_2".into(),
            amount: Money::new(1000, Currency::EUR),
            reason: RefundReason::RequestedByCustomer,
            actor: "support".into(),
            now_ms: now,
            repeat_window_ms: 0,
        })
        .await?;
    // Ana wrote to support, with a subject full of commas, quotes and a line break.
    store
        .record_message(
            TicketTarget::New(NewTicket {
                subject: "=1+2, \"can't\" watch\nhelp".into(),
                requester_email: "ana@example.com".into(),
                requester_name: "Ana".into(),
                buyer_email: Some("ana@example.com".into()),
                category: Category::Access,
                confidence: 90,
                language: Language::Fr,
                priority: 100,
                order_refs: vec![],
                linked_orders: vec!["ord_pi_1".into()],
                automatic: false,
                sender_mismatch: false,
                created_at_ms: starts + 120_000,
            }),
            NewMessage {
                direction: Direction::In,
                dedupe_key: "mid:a1@example.com".into(),
                message_id: Some("a1@example.com".into()),
                in_reply_to: None,
                references: vec![],
                from_email: "ana@example.com".into(),
                from_name: "Ana".into(),
                subject: "can't watch".into(),
                body_text: "help".into(),
                body_html: None,
                attachments: vec![],
                notes: vec![],
                automatic: None,
                sender_is_buyer: true,
                raw: None,
                origin: None,
                at_ms: starts + 120_000,
            },
        )
        .await?;
    // On air: the engine wrote a reason that quotes the stream URL with its key.
    let session = store.start_live_session(Some(&show.id), starts).await?;
    let sample = |at_ms, live_seconds| StreamSample {
        at_ms,
        output_id: "main".into(),
        state: "live".into(),
        bitrate_bps: 2_500_000,
        dropped_percent: 0.2,
        reconnects: 1,
        queue_ms: 10,
        live_seconds,
    };
    store.record_stream_samples(session, &[sample(starts + 10_000, 10), sample(starts + 20_000, 20)]).await?;
    let reason = format!("connection to rtmp://ingest.example/live/{STREAM_KEY} reset");
    let detail = serde_json::json!({ "state": "reconnecting", "attempt": 1, "reason": reason });
    store
        .record_stream_event(
            session,
            &StreamEvent { at_ms: starts + 15_000, kind: "output_state".into(), subject: "main".into(), detail },
        )
        .await?;
    store.end_live_session(session, starts + 30_000, None).await?;

    // The HTML: no script, no outside URL, no secret, the text escaped.
    let html = service.report_html(&show.id, Language::En).await?;
    assert!(!html.to_lowercase().contains("<script"), "a script");
    assert!(!html.contains("http://") && !html.contains("https://"), "an outside URL");
    assert!(!html.contains(STREAM_KEY), "the stream key reached the report");
    assert!(html.contains("Off the air") && html.contains("****"), "the reset is there, masked");
    assert!(html.contains("€75.00") && html.contains("1 / 4 (25.0%)"), "gross and declines");

    // Exports: five files; the CSV files parse with the right columns; the PDF is a PDF.
    let out = home.path().join("export");
    let files = service.export_report(&show.id, &out, Language::Fr).await?;
    assert_eq!(files.iter().filter_map(|f| f.file_name()?.to_str()).collect::<Vec<_>>(), EXPORT_FILES);
    let (header, orders) = csv_rows(&out.join("orders.csv"))?;
    assert_eq!(header, ORDER_COLUMNS);
    assert_eq!(orders.len(), 4);
    let ana = orders.iter().find(|r| r[0] == "ord_pi_1").ok_or("ana's order")?;
    assert_eq!(ana[3], format!("'{NASTY_NAME}"), "a formula from outside is text");
    assert_eq!((ana[6].as_str(), ana[7].as_str(), ana[4].as_str()), ("25.00", "2500", "paid"));
    let (header, refunds) = csv_rows(&out.join("refunds.csv"))?;
    assert_eq!(header, REFUND_COLUMNS);
    assert_eq!(refunds.len(), 1);
    assert_eq!((refunds[0][5].as_str(), refunds[0][9].as_str()), ("requested", "1000"));
    let (header, tickets) = csv_rows(&out.join("tickets.csv"))?;
    assert_eq!(header, TICKET_COLUMNS);
    assert_eq!(tickets[0][8], "'=1+2, \"can't\" watch\nhelp", "commas, quotes and line breaks survive");
    let pdf = std::fs::read(out.join("report.pdf"))?;
    assert!(pdf.starts_with(b"%PDF-1.7") && String::from_utf8_lossy(&pdf).trim_end().ends_with("%%EOF"));
    for file in &files {
        let bytes = std::fs::read(file)?;
        assert!(!String::from_utf8_lossy(&bytes).contains(STREAM_KEY), "{} holds the stream key", file.display());
    }
    assert!(std::fs::read_to_string(out.join("report.html"))?.contains("Rétrospective"));

    // Open items: the refund owed, the ticket not closed.
    let items = service.open_items(&show.id, Language::En).await?;
    let kinds: Vec<(&str, &str)> = items.iter().map(|i| (i.kind.as_str(), i.action.as_str())).collect();
    assert_eq!(kinds, [("refund_owed", "refund"), ("ticket_open", "ticket")]);
    assert_eq!(items[0].subject, "ord_pi_2");

    // The retrospective: a prefill until saved, then the saved note, in the export too.
    let prefill = service.retrospective(&show.id, Language::En).await?;
    assert!(
        prefill.saved_ms.is_none() && prefill.facts.iter().any(|f| f.contains("1 refund(s) still owed")),
        "{prefill:?}"
    );
    let note = Retrospective {
        worked: "The stream held.".into(),
        did_not: "Access questions.".into(),
        change: "A FAQ.".into(),
        ..prefill
    };
    let saved = service.save_retrospective(&show.id, &note).await?;
    assert!(saved.saved_ms.is_some());
    assert_eq!(service.retrospective(&show.id, Language::En).await?, saved);
    assert!(service.report_html(&show.id, Language::En).await?.contains("A FAQ."));
    assert!(service.save_retrospective("no-such-show", &note).await.is_err());

    // Follow-ups: previews, then each buyer once per kind.
    let previews = service.follow_ups(&show.id, Language::En).await?;
    let counts: Vec<(&str, u32)> = previews.iter().map(|p| (p.kind.as_str(), p.recipients)).collect();
    assert_eq!(counts, [("thank_you", 3), ("apology", 1), ("refund_owed", 1)]);
    assert!(previews[0].sample_text.contains("https://watch.example.org/fight-night"));
    assert!(previews[2].sample_text.contains("10.00 EUR"), "{}", previews[2].sample_text);
    let kinds = ["thank_you".to_owned(), "refund_owed".to_owned()];
    assert_eq!(service.send_follow_ups(&show.id, &kinds, Language::En).await?, 4);
    assert_eq!(service.send_follow_ups(&show.id, &kinds, Language::En).await?, 0, "nothing twice");
    assert_eq!(service.follow_ups(&show.id, Language::En).await?[0].already_sent, 3);
    let unknown = service.send_follow_ups(&show.id, &["spam".to_owned()], Language::En).await;
    assert_eq!(unknown.map_err(|e| e.code()).err().as_deref(), Some("invalid"));
    // The apology needs its promo code from the processor: not connected, it says so.
    let apology = service.send_follow_ups(&show.id, &["apology".to_owned()], Language::En).await;
    assert_eq!(apology.map_err(|e| e.code()).err().as_deref(), Some("not_ready"));

    // The same files from the CLI, for any past show.
    drop(service);
    let cli_out = home.path().join("cli");
    let output = Command::new(env!("CARGO_BIN_EXE_showdesk"))
        .env("SHOWDESK_HOME", home.path())
        .args(["report", "--show", &show.id, "--out"])
        .arg(&cli_out)
        .args(["--language", "fr", "--json"])
        .output()?;
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let printed: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    assert_eq!(printed["files"].as_array().map(Vec::len), Some(5));
    for name in EXPORT_FILES {
        assert!(cli_out.join(name).is_file(), "{name}");
    }
    let missing = Command::new(env!("CARGO_BIN_EXE_showdesk"))
        .env("SHOWDESK_HOME", home.path())
        .args(["report", "--show", "nope", "--out"])
        .arg(&cli_out)
        .output()?;
    assert!(!missing.status.success() && String::from_utf8_lossy(&missing.stderr).contains("nope"));
    Ok(())
}
