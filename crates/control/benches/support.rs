//! `cargo xtask bench support`: the support desk at show scale, on the real local services.
//!
//! - intake_s_1000: 1,000 mails already in dovecot, imported by the desk (IMAP fetch, MIME parse,
//!   threading, triage, SQLite) — goal ≤ 10 s.
//! - search_ms_10k: filter and search over 10,000 tickets (p95 over a mix of queries) — goal ≤ 20 ms.
//! - pacing_error_pct: the outbox at a configured rate for 2 minutes into the SMTP sink, the
//!   measured steady rate against the configured one — goal within ±2 %.
//!
//! Writes one flat JSON object of numbers to $SHOWDESK_BENCH_OUT (target/bench/support.json).

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use showdesk_connectors::mail::{ImapClient, ImapSettings, Security, SmtpSecurity, SmtpSettings};
use showdesk_control::support::outbox::{QueuedMail, RunUntil};
use showdesk_control::support::queries::TicketQuery;
use showdesk_control::support::{SupportDesk, SupportSettings};
use showdesk_core::support::{Category, Language, TicketStatus};
use showdesk_platform::redact::Secret;
use showdesk_store::{Direction, NewMessage, NewTicket, TicketTarget};
use showdesk_testkit::{Dovecot, SmtpSink};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

const PACING_WINDOW: Duration = Duration::from_secs(120);

fn main() -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(run())
}

fn labelled_bodies() -> Result<Vec<Vec<u8>>> {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/mail/labelled");
    let mut mails = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "eml") {
            mails.push(std::fs::read(path)?);
        }
    }
    mails.sort();
    Ok(mails)
}

async fn run() -> Result<()> {
    let dovecot = Dovecot::start()?;
    let sink = SmtpSink::start()?;
    let dir = tempfile::tempdir()?;
    let store = showdesk_store::open_sqlite(&dir.path().join("bench.db")).await?;
    let desk = SupportDesk::new(Arc::clone(&store));
    let imap = ImapSettings::new(
        dovecot.host(),
        dovecot.port(),
        Security::Plain,
        dovecot.user(),
        Secret::new(dovecot.password()),
    );
    let rate: f64 = std::env::var("SHOWDESK_BENCH_RATE").ok().and_then(|r| r.parse().ok()).unwrap_or(10.0);
    let burst = 10;
    desk.configure(SupportSettings {
        address: "support@ppv.example.org".into(),
        imap: Some(imap.clone()),
        smtp: Some(SmtpSettings {
            host: sink.host().into(),
            port: sink.smtp_port(),
            security: SmtpSecurity::Plain,
            user: None,
            password: None,
            timeout: Duration::from_secs(10),
        }),
        auto_ack: BTreeSet::new(),
        rate_per_sec: rate,
        burst,
        ..SupportSettings::default()
    });

    // 1. Intake of 1,000 mails (the labelled set, each with its own Message-ID).
    let bodies = labelled_bodies()?;
    let mut client = ImapClient::connect(&imap).await?;
    for n in 0..1_000 {
        let body = String::from_utf8_lossy(&bodies[n % bodies.len()]).into_owned();
        let raw = body.replacen("Message-ID: <labelled-", &format!("Message-ID: <bench-{n}-"), 1);
        client.append("INBOX", raw.as_bytes()).await?;
    }
    client.logout().await;
    let started = Instant::now();
    let report = desk.sync_mailbox().await?;
    let intake_s = started.elapsed().as_secs_f64();
    assert_eq!(report.recorded, 1_000, "{report:?}");
    eprintln!("intake: 1,000 mails in {intake_s:.2} s ({report:?})");

    // 2. Filter and search over 10,000 tickets.
    let categories = Category::ALL;
    for n in 1_000..10_000_i64 {
        let category = categories[(n as usize) % categories.len()];
        let email = format!("viewer{n}@example.com");
        let ticket = NewTicket {
            subject: format!("Ticket {n} about {}", category.as_str()),
            requester_email: email.clone(),
            requester_name: format!("Viewer {n}"),
            buyer_email: Some(email.clone()),
            category,
            confidence: 80,
            language: if n % 2 == 0 { Language::En } else { Language::Fr },
            priority: (n % 100) as u8,
            order_refs: vec![format!("{}", 10_000 + n)],
            linked_orders: vec![],
            automatic: false,
            sender_mismatch: false,
            created_at_ms: showdesk_store::now_ms() - n * 1_000,
        };
        let message = NewMessage {
            direction: Direction::In,
            dedupe_key: format!("mid:seed-{n}@example.com"),
            message_id: Some(format!("seed-{n}@example.com")),
            in_reply_to: None,
            references: vec![],
            from_email: email,
            from_name: String::new(),
            subject: ticket.subject.clone(),
            body_text: format!("Hello, this is about order #{} and the show tonight, number {n}.", 10_000 + n),
            body_html: None,
            attachments: vec![],
            notes: vec![],
            automatic: None,
            sender_is_buyer: true,
            raw: None,
            origin: None,
            at_ms: ticket.created_at_ms,
        };
        store.record_message(TicketTarget::New(ticket), message).await?;
    }
    let queries = [
        TicketQuery { limit: 50, ..TicketQuery::default() },
        TicketQuery { status: Some(TicketStatus::Open), limit: 50, ..TicketQuery::default() },
        TicketQuery { category: Some(Category::Access), limit: 50, ..TicketQuery::default() },
        TicketQuery {
            category: Some(Category::Refund),
            status: Some(TicketStatus::Open),
            limit: 50,
            ..TicketQuery::default()
        },
        TicketQuery { text: Some("remboursement".into()), limit: 50, ..TicketQuery::default() },
        TicketQuery { text: Some("viewer4242@example".into()), limit: 50, ..TicketQuery::default() },
        TicketQuery { text: Some("14242".into()), limit: 50, ..TicketQuery::default() },
        TicketQuery {
            text: Some("show tonight".into()),
            category: Some(Category::Payment),
            limit: 50,
            ..TicketQuery::default()
        },
        TicketQuery { text: Some("SD-4242".into()), limit: 50, ..TicketQuery::default() },
    ];
    let mut timings = Vec::new();
    let mut filter_timings = Vec::new();
    for round in 0..20 {
        for query in &queries {
            let started = Instant::now();
            let found = desk.list_tickets(query).await?;
            let ms = started.elapsed().as_secs_f64() * 1_000.0;
            if round > 0 {
                timings.push(ms);
                if query.text.is_none() {
                    filter_timings.push(ms);
                }
            }
            std::hint::black_box(found);
        }
    }
    let percentile = |values: &mut Vec<f64>, pct: usize| {
        values.sort_by(f64::total_cmp);
        values[((values.len() * pct).div_ceil(100)).clamp(1, values.len()) - 1]
    };
    let search_p95 = percentile(&mut timings, 95);
    let search_median = percentile(&mut timings, 50);
    let filter_median = percentile(&mut filter_timings, 50);
    eprintln!(
        "search over 10,000 tickets: p95 {search_p95:.2} ms, median {search_median:.2} ms (filters only: {filter_median:.2} ms)"
    );

    // 3. Outbox pacing for two minutes.
    let to_queue = (rate * PACING_WINDOW.as_secs_f64()) as usize + 2 * burst as usize + 50;
    for n in 0..to_queue {
        desk.queue_mail(QueuedMail {
            ticket_id: None,
            kind: "confirmation".into(),
            automatic: true,
            to: format!("buyer{n}@example.com"),
            to_name: None,
            subject: format!("Your ticket {n}"),
            text: "Thanks for your order.".into(),
            in_reply_to: None,
            references: vec![],
            idempotency_key: Some(format!("confirmation:bench-{n}")),
        })
        .await?;
    }
    let (stop, shutdown) = tokio::sync::watch::channel(false);
    let worker = {
        let desk = desk.clone();
        tokio::spawn(async move { desk.run_outbox(shutdown, RunUntil::Shutdown).await })
    };
    tokio::time::sleep(PACING_WINDOW).await;
    let _ = stop.send(true);
    worker.await??;
    let mut sent: Vec<f64> = sink.messages()?.iter().map(|m| m.received_at).collect();
    sent.sort_by(f64::total_cmp);
    // The burst leaves at once; the rate is what follows it.
    let steady = &sent[(burst as usize).saturating_sub(1).min(sent.len().saturating_sub(1))..];
    let span = steady.last().copied().unwrap_or(0.0) - steady.first().copied().unwrap_or(0.0);
    let measured = if span > 0.0 { (steady.len() - 1) as f64 / span } else { 0.0 };
    let error_pct = (measured - rate) / rate * 100.0;
    eprintln!(
        "pacing: configured {rate}/s, measured {measured:.3}/s over {span:.1} s ({} mails): {error_pct:+.2} %",
        sent.len()
    );

    let figures = serde_json::json!({
        "intake_s_1000": intake_s,
        "intake_mails_per_s": 1_000.0 / intake_s,
        "search_ms_10k": search_p95,
        "search_median_ms_10k": search_median,
        "filter_median_ms_10k": filter_median,
        "pacing_error_pct": error_pct,
        "pacing_rate_configured": rate,
        "pacing_rate_measured": measured,
        "pacing_sent_120s": sent.len(),
    });
    println!("{figures}");
    if let Ok(out) = std::env::var("SHOWDESK_BENCH_OUT") {
        std::fs::write(out, figures.to_string())?;
    }
    Ok(())
}
