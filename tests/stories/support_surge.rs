//! Story: the show starts and support mail surges. The desk reads the mailbox with IDLE while the
//! outbox sends, tickets are triaged and ranked (a paying buyer who cannot watch first), the surge
//! alert rises, the operator fixes the top tickets in one step each, nobody's out-of-office gets an
//! answer, and the mailbox password never reaches the log.
//!
//! The box office is the in-memory fake of crates/control/tests/common (the real one is issue 4);
//! dovecot, the SMTP sink and SQLite are real.

#[path = "../../crates/control/tests/common/fake_box_office.rs"]
mod fake_box_office;

mod common;

use common::wait_for;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use fake_box_office::{FakeBoxOffice, order};
use showdesk_connectors::mail::{ImapSettings, ParseLimits, Security, SmtpSecurity, SmtpSettings, parse_mail};
use showdesk_control::support::outbox::RunUntil;
use showdesk_control::support::queries::TicketQuery;
use showdesk_control::support::views::TicketCategory;
use showdesk_control::{ControlService, SupportSettings};
use showdesk_core::support::{Backoff, Category};
use showdesk_platform::redact::Secret;
use showdesk_platform::{AppDirs, LogOptions, init_logging};
use showdesk_testkit::{Dovecot, SmtpSink};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn mail(n: usize, from: &str, subject: &str, body: &str, extra: &str) -> Vec<u8> {
    common::mail("surge", n, from, subject, body, extra)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_show_starts_and_the_support_desk_keeps_up() -> TestResult {
    let dovecot = Dovecot::start()?;
    let sink = SmtpSink::start()?;
    let home = tempfile::tempdir()?;
    let dirs = AppDirs::under(home.path());
    let log = init_logging(&LogOptions { stderr: false, ..LogOptions::to_dir(&dirs.logs) })?;
    let box_office = Arc::new(FakeBoxOffice::with_orders(vec![
        order("ord_1", "1042", "camille@example.com", "Camille", 20, 1_000),
        order("ord_2", "1043", "camille@example.com", "Camille", 20, 2_000),
        order("ord_3", "2001", "bob@example.com", "Bob", 20, 3_000),
    ]));
    let service = ControlService::open(dirs.clone()).await?.with_buyer_actions(box_office.clone());
    let desk = service.support();
    desk.configure(SupportSettings {
        address: "support@ppv.example.org".into(),
        display_name: "PPV Support".into(),
        show_title: "Nuit de la boxe".into(),
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
            user: Some("support@ppv.example.org".into()),
            password: Some(Secret::new("SMTP_STORY_PASSWORD_77")),
            timeout: Duration::from_secs(10),
        }),
        auto_ack: [Category::Access, Category::Payment, Category::Overcharge].into_iter().collect::<BTreeSet<_>>(),
        rate_per_sec: 100.0,
        burst: 20,
        backoff: Backoff { first_ms: 20, max_ms: 200, max_attempts: 5 },
        surge_threshold_per_min: 5,
        poll_interval: Duration::from_secs(1),
        idle_renew: Duration::from_secs(5),
        ..SupportSettings::default()
    });
    desk.set_show_live(true);
    let (stop, shutdown) = tokio::sync::watch::channel(false);
    let intake = tokio::spawn({
        let desk = desk.clone();
        let shutdown = shutdown.clone();
        async move { desk.run_intake(shutdown).await }
    });
    let outbox = tokio::spawn({
        let desk = desk.clone();
        let shutdown = shutdown.clone();
        async move { desk.run_outbox(shutdown, RunUntil::Shutdown).await }
    });

    // 20:00 — the show starts; the mailbox fills.
    let surge = [
        mail(1, "viewer1@example.com", "Can't watch", "The stream is a black screen", ""),
        mail(2, "viewer2@example.com", "écran noir", "Impossible de regarder le live", ""),
        mail(
            3,
            "Bob <bob@example.com>",
            "HELP paid but can't watch",
            "I paid (order #2001) but the player says not authorised!",
            "",
        ),
        mail(
            4,
            "viewer4@example.com",
            "Mes données bancaires sont-elles en sécurité ?",
            "Bonjour, avant de payer, est-ce sécurisé ?",
            "",
        ),
        mail(5, "Camille <camille@example.com>", "Charged twice", "I was charged twice for Nuit de la boxe", ""),
        mail(6, "viewer6@example.com", "promo code", "My promo code EARLY20 is invalid", ""),
        mail(7, "viewer7@example.com", "Refund", "I can't attend, refund please", ""),
        mail(
            8,
            "away@example.com",
            "Automatic reply: ticket",
            "I am out of the office",
            "Auto-Submitted: auto-replied\r\n",
        ),
    ];
    for raw in &surge {
        dovecot.deliver(raw)?;
    }
    wait_for("the tickets", || async { Ok(desk.list_tickets(&TicketQuery::default()).await?.len() == surge.len()) })
        .await?;

    let tickets = desk.list_tickets(&TicketQuery::default()).await?;
    assert_eq!(tickets[0].requester_email, "bob@example.com", "the paying buyer who can't watch comes first");
    assert_eq!(tickets[0].priority, 100);
    assert!(desk.sla(0).await?.surge, "more than 5 tickets a minute raises the surge alert");
    let counts = desk.category_counts().await?;
    let open = |category| counts.iter().find(|c| c.category == category).map_or(0, |c| c.open);
    assert_eq!(open(TicketCategory::Access), 3);

    // The operator resolves the top tickets, one action each.
    desk.resend_access("camille-op", tickets[0].id, None, "r1").await?;
    let double = tickets.iter().find(|t| t.category == TicketCategory::Overcharge).ok_or("the double charge")?;
    desk.resolve_double_charge("camille-op", double.id, None, "r2").await?;
    let card = tickets.iter().find(|t| t.category == TicketCategory::Payment).ok_or("the card question")?;
    assert_eq!(card.language, "fr");
    desk.reply_with_macro("camille-op", card.id, "card_safety", &BTreeMap::new(), false).await?;

    // Acknowledgements (access ×3, payment, overcharge) and the three answers leave through the outbox.
    wait_for("the outbox", || async { Ok(sink.messages()?.len() >= 8 && desk.outbox_summary().await?.queued == 0) })
        .await?;
    let sent = sink.messages()?;
    assert_eq!(sent.len(), 8, "{:#?}", sent.iter().map(|m| &m.rcpt_tos).collect::<Vec<_>>());
    assert!(sent.iter().all(|m| m.rcpt_tos != ["away@example.com"]), "no answer to an out-of-office");
    assert!(sent.iter().any(|m| m.rcpt_tos == ["bob@example.com"] && m.raw.contains("https://watch.example/t/ord_3")));
    let card_answer = sent
        .iter()
        .filter(|m| m.rcpt_tos == ["viewer4@example.com"])
        .map(|m| parse_mail(m.raw.as_bytes(), None, ParseLimits::default()))
        .find(|mail| mail.text.contains("3-D Secure"))
        .ok_or("the card-safety macro, in French")?;
    assert!(
        card_answer.subject.starts_with("Mes données de carte sont-elles en sécurité ?"),
        "{}",
        card_answer.subject
    );
    assert!(card_answer.in_reply_to == ["surge-4@example.com"], "a reply in the buyer's thread");
    assert_eq!(
        box_office.order("ord_2").map(|o| o.status),
        Some(showdesk_control::support::buyer::OrderStatus::Cancelled)
    );
    let sla = desk.sla(0).await?;
    assert_eq!((sla.answered, sla.resolved), (3, 1));

    let _ = stop.send(true);
    intake.await?;
    outbox.await??;
    tracing::info!("mailbox password for the record: {}", dovecot.password());
    drop(log);
    let mut written = String::new();
    for entry in std::fs::read_dir(&dirs.logs)? {
        written.push_str(&std::fs::read_to_string(entry?.path())?);
    }
    assert!(
        !written.contains(dovecot.password()) && !written.contains("SMTP_STORY_PASSWORD_77"),
        "a password reached the log"
    );
    assert!(written.contains("mailbox password for the record: ****"));
    Ok(())
}
