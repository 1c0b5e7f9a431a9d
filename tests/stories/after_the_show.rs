//! Story: after the show. A show sells through Stripe (the real localstripe: purchases, a declined
//! card, a double purchase refunded with its one action, a partial refund), buyers write to support
//! (the real dovecot), the show goes live to a real nginx-rtmp and ends, the audience is polled from
//! its /stat. Then the producer exports the report: its numbers are the ledger's, the support
//! desk's and the stream log's exactly; the CSV files parse with their columns; the HTML has no
//! script and no outside URL; the PDF is a PDF of the expected pages; no secret is anywhere. The
//! follow-up mail (thank-you, apology with a promo code, refund owed) reaches the SMTP sink once
//! per buyer and kind, paced, and a second send queues nothing.
//!
//! localstripe has no coupons with limits nor promotion codes: those two calls are answered with
//! Stripe's recorded response shapes (connectors/tests/fixtures) by a small proxy in front of it.

mod common;

use common::wait_for;

use std::collections::BTreeMap;
use std::time::Duration;

use showdesk_connectors::mail::{ImapSettings, Security, SmtpSecurity, SmtpSettings};
use showdesk_connectors::stripe::{IdempotencyKey, StripeClient, StripeConfig, StripeKey};
use showdesk_control::box_office::{AudienceSourceInput, MoneyView, NewShowInput, RefundInput};
use showdesk_control::report::{EXPORT_FILES, ORDER_COLUMNS, REFUND_COLUMNS, TICKET_COLUMNS};
use showdesk_control::support::outbox::RunUntil;
use showdesk_control::support::queries::TicketQuery;
use showdesk_control::{ControlService, SupportSettings};
use showdesk_core::box_office::RefundReason;
use showdesk_core::support::{Backoff, Language};
use showdesk_core::{Currency, Money};
use showdesk_media::destination::Target;
use showdesk_media::spec::{
    AudioSettings, EncoderChoice, EngineSpec, OutputSpec, SourceKind, SourceSpec, VideoPreset, VideoSettings,
};
use showdesk_platform::AppDirs;
use showdesk_platform::redact::Secret;
use showdesk_store::ledger::NewRefund;
use showdesk_testkit::{Dovecot, LocalStripe, NginxRtmp, SmtpSink};

mod stripe_proxy;

type TestResult = Result<(), Box<dyn std::error::Error>>;

const WATCH: &str = "https://watch.example.org/fight-night";
const STREAM_KEY: &str = "fightnight_7c1e93b0a4";
const DECLINED_CARD: &str = "pm_card_chargeCustomerFail";
const PRICE: i64 = 2500;
/// The outbox's pace for this story: 4 mails a second, one at a time.
const RATE: f64 = 4.0;

fn mail(n: usize, from: &str, subject: &str, body: &str) -> Vec<u8> {
    common::mail("after", n, from, subject, body, "")
}

fn spec(
    server_url: &str,
    stream_key: &str,
    recordings: &std::path::Path,
) -> Result<EngineSpec, Box<dyn std::error::Error>> {
    let mut format = VideoPreset::P720p30.format();
    (format.width, format.height) = (320, 180);
    Ok(EngineSpec {
        show_title: "Fight night".into(),
        show_starts_at: None,
        language: showdesk_media::spec::Language::En,
        video: VideoSettings {
            format,
            bitrate_kbps: 500,
            min_bitrate_kbps: 200,
            encoder: EncoderChoice::X264,
            speed_preset: "ultrafast".into(),
        },
        audio: AudioSettings { bitrate_kbps: 96 },
        sources: vec![
            SourceSpec { name: "Pattern".into(), kind: SourceKind::TestPattern { pattern: "smpte".into() } },
            SourceSpec { name: "Tone".into(), kind: SourceKind::Tone { frequency_hz: 440 } },
        ],
        outputs: vec![OutputSpec {
            id: "main".into(),
            name: "Main".into(),
            target: Target::parse(server_url, stream_key)?.target,
        }],
        recording: Some(showdesk_media::spec::RecordingSpec {
            folder: recordings.to_path_buf(),
            base_name: "night".into(),
        }),
        preview: false,
        dynamic_bitrate: false,
    })
}

/// A CSV file: its header and its rows.
type CsvTable = (Vec<String>, Vec<Vec<String>>);

fn csv_file(path: &std::path::Path) -> Result<CsvTable, Box<dyn std::error::Error>> {
    let text = std::fs::read_to_string(path)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers()?.iter().map(str::to_owned).collect();
    let rows = reader.records().map(|r| r.map(|r| r.iter().map(str::to_owned).collect())).collect::<Result<_, _>>()?;
    Ok((header, rows))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_the_show_the_report_matches_the_books_and_every_buyer_hears_once() -> TestResult {
    let stripe_server = LocalStripe::start()?;
    let stripe = stripe_proxy::StripeProxy::start(&stripe_server.base_url()).await?;
    let dovecot = Dovecot::start()?;
    let sink = SmtpSink::start()?;
    let ingest = NginxRtmp::start()?;
    let home = tempfile::tempdir()?;
    let service = ControlService::open(AppDirs::under(home.path())).await?;
    let box_office = service.box_office();
    box_office.connect_stripe("producer", &stripe.base_url, stripe_server.secret_key()).await?;
    let starts = showdesk_store::now_ms() + 15_000;
    let show = box_office
        .create_show(
            "producer",
            &NewShowInput {
                title: "Fight night".into(),
                starts_at_ms: starts,
                ends_at_ms: starts + 3_600_000,
                price: MoneyView { minor: PRICE, currency: "EUR".into() },
                capacity: 100,
                watch_url: Some(WATCH.into()),
            },
        )
        .await?;

    // The sale: five buyers, one declined card, Ana buys twice.
    let buyers =
        StripeClient::new(StripeConfig::new(stripe_server.base_url(), StripeKey::new(stripe_server.secret_key())?))?;
    let price = Money::new(PRICE, Currency::EUR);
    let ana = buyers.create_customer("ana@example.com", &IdempotencyKey::for_action("story", "ana")).await?;
    let pay = |n: &str, card: &'static str, email: &str, customer: Option<&str>| {
        let (buyers, show_id, key) = (&buyers, show.id.clone(), IdempotencyKey::for_action("story.pay", n));
        let (email, customer) = (email.to_owned(), customer.map(str::to_owned));
        async move { buyers.create_test_payment(price, card, &show_id, (&email, customer.as_deref()), &key).await }
    };
    pay("ana-1", "pm_card_visa", "ana@example.com", Some(&ana)).await?;
    pay("ana-2", "pm_card_visa", "ana@example.com", Some(&ana)).await?;
    let bo = pay("bo", "pm_card_visa", "bo@example.com", None).await?;
    let cy = pay("cy", "pm_card_visa", "cy@example.com", None).await?;
    pay("eve", "pm_card_visa", "eve@example.com", None).await?;
    assert!(pay("dee", DECLINED_CARD, "dee@example.com", None).await.is_err(), "the declined card");
    box_office.poll_payments().await?;
    let flags = box_office.double_purchases(&show.id).await?;
    assert_eq!(flags.len(), 1, "Ana's second ticket");
    box_office.refund_double_purchase("producer", flags[0].id).await?;
    let partial = RefundInput {
        order_id: format!("ord_{}", bo.payment_intent),
        amount_minor: Some(500),
        reason: "requested_by_customer".into(),
    };
    box_office.refund("producer", &partial).await?;
    // Cy's refund was asked and never confirmed by the processor: it is still owed.
    let cy_order = format!("ord_{}", cy.payment_intent);
    service
        .store()
        .begin_refund(&NewRefund {
            order_id: cy_order.clone(),
            amount: price,
            reason: RefundReason::RequestedByCustomer,
            actor: "producer".into(),
            now_ms: showdesk_store::now_ms(),
            repeat_window_ms: 0,
        })
        .await?;
    box_office.poll_payments().await?;

    // Support: Ana can't watch (answered with her link in one step), Eve asks about her card.
    let desk = service.support();
    desk.configure(SupportSettings {
        address: "support@ppv.example.org".into(),
        display_name: "PPV Support".into(),
        show_title: "Fight night".into(),
        imap: Some(ImapSettings::new(
            dovecot.host(),
            dovecot.port(),
            Security::Plain,
            dovecot.user(),
            Secret::new(dovecot.password()),
        )),
        smtp: Some(SmtpSettings {
            host: sink.host().into(),
            port: sink.smtp_port(),
            security: SmtpSecurity::Plain,
            user: None,
            password: None,
            timeout: Duration::from_secs(10),
        }),
        rate_per_sec: RATE,
        burst: 1,
        backoff: Backoff { first_ms: 20, max_ms: 200, max_attempts: 5 },
        poll_interval: Duration::from_secs(1),
        ..SupportSettings::default()
    });
    let (stop, shutdown) = tokio::sync::watch::channel(false);
    let intake = tokio::spawn({
        let (desk, shutdown) = (desk.clone(), shutdown.clone());
        async move { desk.run_intake(shutdown).await }
    });
    let outbox = tokio::spawn({
        let (desk, shutdown) = (desk.clone(), shutdown.clone());
        async move { desk.run_outbox(shutdown, RunUntil::Shutdown).await }
    });
    dovecot.deliver(&mail(1, "Ana <ana@example.com>", "Can't watch", "I paid but the player says no access"))?;
    dovecot.deliver(&mail(2, "Eve <eve@example.com>", "Is my card safe?", "Is my card data safe with you?"))?;
    wait_for("the tickets", || async { Ok(desk.list_tickets(&TicketQuery::default()).await?.len() == 2) }).await?;
    let tickets = desk.list_tickets(&TicketQuery::default()).await?;
    let ana_ticket = tickets.iter().find(|t| t.subject.contains("watch")).ok_or("Ana's ticket")?.id;
    desk.resend_access("camille", ana_ticket, None, "r1").await?;
    wait_for("the access mail", || async { Ok(sink.messages()?.len() == 1) }).await?;

    // The show on air, the audience polled from the ingest's /stat.
    box_office.provide_secret("stream-key", STREAM_KEY);
    box_office
        .add_audience_source(
            "producer",
            &AudienceSourceInput::NginxRtmp {
                id: "ingest".into(),
                show_id: show.id.clone(),
                stat_url: ingest.stat_url(),
                app: "live".into(),
                stream_key_ref: "stream-key".into(),
            },
        )
        .await?;
    service
        .go_live(spec(&ingest.server_url(), STREAM_KEY, &home.path().join("videos"))?, Some(show.id.clone()))
        .await?;
    wait_for("live", || async {
        Ok(service.live_status().await.outputs.iter().any(|o| o.id == "main" && o.state == "live"))
    })
    .await?;
    for _ in 0..6 {
        box_office.poll_audience(&show.id).await?;
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    let end = service.end_show().await?;

    // The report's numbers are the books' numbers.
    let facts = service.report_facts(&show.id).await?;
    let store = service.store();
    let ledger = store.ledger_totals(&show.id, 0).await?;
    assert_eq!(facts.totals, ledger.totals);
    assert_eq!(
        (facts.totals.tickets, facts.totals.gross_minor, facts.totals.refunded_minor),
        (4, 5 * PRICE, PRICE + 500)
    );
    assert_eq!(facts.net_minor(), 4 * PRICE - 500);
    let refunds = store.refunds_for_show(&show.id).await?;
    assert_eq!(facts.refunds.count, refunds.iter().filter(|r| r.status.as_str() == "succeeded").count() as i64);
    let by_reason: BTreeMap<&str, (i64, i64)> =
        facts.refunds.by_reason.iter().map(|t| (t.reason.as_str(), (t.count, t.amount_minor))).collect();
    assert_eq!(by_reason, BTreeMap::from([("duplicate", (1, PRICE)), ("requested_by_customer", (1, 500))]));
    assert_eq!((facts.refunds.owed.len(), facts.refunds.owed_minor()), (1, PRICE));
    assert_eq!((facts.doubles.found, facts.doubles.refunded, facts.doubles.open), (1, 1, 0));
    assert_eq!((facts.attempts.counts.succeeded, facts.attempts.counts.declined), (5, 1));
    assert_eq!(
        facts.sales.before_start + facts.sales.during + facts.sales.after_end,
        ledger.sales_per_minute.iter().map(|m| m.tickets).sum::<i64>()
    );
    let series = store.audience_series(&show.id, 0).await?;
    let counted: Vec<i64> = series.iter().filter_map(|s| s.viewers).collect();
    assert_eq!(facts.audience.points.len(), counted.len());
    assert_eq!(facts.audience.peak, counted.iter().max().copied());
    let samples = store.stream_samples(end.session_id).await?;
    let main: Vec<_> = samples.iter().filter(|s| s.output_id == "main").collect();
    let health = facts.stream.outputs.iter().find(|o| o.output_id == "main").ok_or("main output")?;
    let last = main.iter().max_by_key(|s| s.at_ms).ok_or("no sample of main")?;
    assert_eq!(
        (health.live_seconds, health.reconnects, health.dropped_percent),
        (last.live_seconds, last.reconnects, last.dropped_percent)
    );
    let live: Vec<i64> = main.iter().filter(|s| s.state == "live").map(|s| s.bitrate_bps).collect();
    assert_eq!(health.bitrate_avg_bps, (!live.is_empty()).then(|| live.iter().sum::<i64>() / live.len() as i64));
    let session = &store.live_sessions(Some(&show.id)).await?[0];
    assert_eq!(facts.stream.on_air_seconds, (session.ended_ms.ok_or("ended")? - session.started_ms) / 1000);
    assert_eq!(facts.support.tickets, 2);
    assert_eq!((facts.support.answered, facts.support.open_left), (1, 2));
    let access = facts.support.by_category.iter().find(|c| c.0 == "access").ok_or("access")?;
    assert_eq!(access.1, 1);

    // The exports.
    let out = home.path().join("report");
    let files = service.export_report(&show.id, &out, Language::En).await?;
    assert_eq!(files.len(), EXPORT_FILES.len());
    let (header, orders) = csv_file(&out.join("orders.csv"))?;
    assert_eq!(
        (header.iter().map(String::as_str).collect::<Vec<_>>(), orders.len()),
        (ORDER_COLUMNS.to_vec(), 6),
        "five paid orders and the declined one"
    );
    let paid_total: i64 = orders.iter().filter(|o| o[4] != "failed").map(|o| o[7].parse::<i64>().unwrap_or(0)).sum();
    assert_eq!(paid_total, ledger.totals.gross_minor);
    let (header, refund_rows) = csv_file(&out.join("refunds.csv"))?;
    assert_eq!(
        (header.iter().map(String::as_str).collect::<Vec<_>>(), refund_rows.len()),
        (REFUND_COLUMNS.to_vec(), refunds.len())
    );
    let (header, ticket_rows) = csv_file(&out.join("tickets.csv"))?;
    assert_eq!(
        (header.iter().map(String::as_str).collect::<Vec<_>>(), ticket_rows.len()),
        (TICKET_COLUMNS.to_vec(), 2)
    );
    let html = std::fs::read_to_string(out.join("report.html"))?;
    assert!(!html.to_lowercase().contains("<script") && !html.contains("http://") && !html.contains("https://"));
    let amounts: Vec<String> = html.match_indices('€').map(|(at, _)| html[at..].chars().take(10).collect()).collect();
    let (gross, net) = ("€125.00", "€95.00"); // five tickets at €25; one refunded in full and €5 of another
    assert_eq!(facts.net_minor(), 9_500);
    assert!(html.contains(gross) && html.contains(net), "gross and net as the ledger has them: {amounts:?}");
    let pdf = std::fs::read(out.join("report.pdf"))?;
    let pdf_text = String::from_utf8_lossy(&pdf);
    assert!(pdf.starts_with(b"%PDF-1.7") && pdf_text.trim_end().ends_with("%%EOF"));
    assert!(
        pdf_text.contains("/Count 5"),
        "five pages: summary and sales, money and audience, stream, support, what is left"
    );
    for file in &files {
        let text = String::from_utf8_lossy(&std::fs::read(file)?).into_owned();
        for secret in [STREAM_KEY, stripe_server.secret_key(), dovecot.password()] {
            assert!(!text.contains(secret), "{} holds a secret", file.display());
        }
    }

    // Follow-up mail: each buyer once per kind, paced; a second send queues nothing.
    let previews = service.follow_ups(&show.id, Language::En).await?;
    let expected: Vec<(&str, u32)> = previews.iter().map(|p| (p.kind.as_str(), p.recipients)).collect();
    assert_eq!(expected, [("thank_you", 4), ("apology", 2), ("refund_owed", 1)]);
    let kinds: Vec<String> = ["thank_you", "apology", "refund_owed"].map(String::from).to_vec();
    assert_eq!(service.send_follow_ups(&show.id, &kinds, Language::En).await?, 7);
    wait_for("the follow-ups", || async { Ok(sink.messages()?.len() == 8) }).await?;
    assert_eq!(service.send_follow_ups(&show.id, &kinds, Language::En).await?, 0, "nothing twice");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let sent = sink.messages()?;
    assert_eq!(sent.len(), 8, "no second copy reached the sink");
    let follow_ups: Vec<_> = sent.iter().skip(1).collect();
    let mut pairs: Vec<(String, String)> = follow_ups
        .iter()
        .map(|m| {
            let subject = m.raw.lines().find_map(|l| l.strip_prefix("Subject: ")).unwrap_or_default().to_owned();
            (m.rcpt_tos.join(","), subject)
        })
        .collect();
    pairs.sort();
    pairs.dedup();
    assert_eq!(pairs.len(), 7, "each buyer once per kind: {pairs:?}");
    let thanks = follow_ups.iter().filter(|m| m.raw.contains("Thank you for watching")).count();
    assert_eq!(thanks, 4);
    assert!(follow_ups.iter().filter(|m| m.raw.contains("SORRY-")).count() == 2, "the apologies carry a code");
    let mut times: Vec<f64> = follow_ups.iter().map(|m| m.received_at).collect();
    times.sort_by(f64::total_cmp);
    let spread = times.last().copied().unwrap_or(0.0) - times.first().copied().unwrap_or(0.0);
    assert!(spread >= 6.0 / RATE * 0.8, "seven mails at {RATE}/s took {spread:.2} s: not paced");
    let codes = store.promo_codes_for_show(&show.id).await?;
    assert_eq!(codes.iter().filter(|c| c.rules.code.starts_with("SORRY-")).count(), 2);
    let facts = service.report_facts(&show.id).await?;
    assert_eq!(facts.follow_ups.iter().map(|f| f.sent).sum::<i64>(), 7);

    let _ = stop.send(true);
    intake.await?;
    outbox.await??;
    Ok(())
}
