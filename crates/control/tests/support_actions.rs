//! One-step actions from a ticket, against a fake box office (the real one is issue 4, built in
//! another branch) and the real store and SMTP sink: each result is written on the ticket and in
//! the audit log, the buyer gets the right mail, a double click never acts twice, and order
//! details never go to someone who is not the buyer. Also SLA figures and the surge alert.

mod common;

use std::sync::Arc;

use common::fake_box_office::{FakeBoxOffice, order};
use showdesk_control::support::buyer::{OrderStatus, PromoValue};
use showdesk_control::support::outbox::RunUntil;
use showdesk_control::support::queries::TicketQuery;
use showdesk_control::support::views::TicketCategory;
use showdesk_control::support::{SupportDesk, SupportEvent};
use showdesk_core::support::{Category, TicketStatus};
use showdesk_core::{Currency, Money};
use showdesk_store::{AuditOutcome, Store};
use showdesk_testkit::{Dovecot, SmtpSink};
use tokio::sync::watch;

type TestResult = Result<(), Box<dyn std::error::Error>>;

struct Desk {
    desk: SupportDesk,
    store: Arc<dyn Store>,
    box_office: Arc<FakeBoxOffice>,
    _dir: tempfile::TempDir,
}

async fn desk(dovecot: &Dovecot, sink: &SmtpSink) -> Result<Desk, Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let store = showdesk_store::open_sqlite(&dir.path().join("showdesk.db")).await?;
    desk_on(store, dir, dovecot, sink)
}

fn desk_on(
    store: Arc<dyn Store>,
    dir: tempfile::TempDir,
    dovecot: &Dovecot,
    sink: &SmtpSink,
) -> Result<Desk, Box<dyn std::error::Error>> {
    let desk = SupportDesk::new(Arc::clone(&store));
    let mut settings = common::settings(dovecot, sink);
    settings.auto_ack.clear();
    desk.configure(settings);
    let box_office = Arc::new(FakeBoxOffice::with_orders(vec![
        order("ord_a1", "1042", "camille@example.com", "Camille", 20, 1_000),
        order("ord_a2", "1043", "camille@example.com", "Camille", 20, 2_000),
        order("ord_b1", "2001", "bob@example.com", "Bob", 15, 3_000),
    ]));
    desk.set_buyer_actions(box_office.clone());
    Ok(Desk { desk, store, box_office, _dir: dir })
}

async fn ticket_from(
    desk: &SupportDesk,
    from: &str,
    subject: &str,
    body: &str,
) -> Result<i64, Box<dyn std::error::Error>> {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let raw = format!("From: {from}\r\nMessage-ID: <t{n}@example.com>\r\nSubject: {subject}\r\n\r\n{body}\r\n");
    Ok(desk.ingest(raw.as_bytes(), None, None).await?.ticket_id)
}

#[tokio::test]
async fn refunds_promo_codes_access_and_cancellation_in_one_step() -> TestResult {
    let dovecot = Dovecot::start()?;
    let sink = SmtpSink::start()?;
    one_step_actions(desk(&dovecot, &sink).await?, &sink).await
}

#[tokio::test]
async fn refunds_promo_codes_access_and_cancellation_on_postgres() -> TestResult {
    let dovecot = Dovecot::start()?;
    let sink = SmtpSink::start()?;
    let pg = showdesk_testkit::Postgres::start()?;
    let store = showdesk_store::connect_postgres(&pg.url("postgres")).await?;
    one_step_actions(desk_on(store, tempfile::tempdir()?, &dovecot, &sink)?, &sink).await
}

async fn one_step_actions(desk: Desk, sink: &SmtpSink) -> TestResult {
    let Desk { desk, store, box_office, _dir } = desk;
    let (_stop, shutdown) = watch::channel(false);

    let ticket = ticket_from(
        &desk,
        "Camille <camille@example.com>",
        "Remboursement",
        "Je voudrais être remboursée pour la commande #1042",
    )
    .await?;
    let detail = desk.ticket_detail(ticket).await?;
    assert_eq!(detail.ticket.category, TicketCategory::Refund);
    assert_eq!(detail.orders.len(), 2, "the buyer's orders are right there");
    assert_eq!(detail.buyer_email.as_deref(), Some("camille@example.com"));

    // A partial refund, then a double click on the same dialog: refunded once.
    let five = Money::new(500, Currency::EUR);
    desk.refund("op", ticket, "1042", Some(five), "req-1").await?;
    desk.refund("op", ticket, "1042", Some(five), "req-1").await?;
    let refunded = box_office.order("ord_a1").ok_or("order")?;
    assert_eq!((refunded.refunded.minor, refunded.status), (500, OrderStatus::PartiallyRefunded));
    // More than what remains is refused before the box office is asked.
    let Err(err) = desk.refund("op", ticket, "1042", Some(Money::new(1_600, Currency::EUR)), "req-2").await else {
        return Err("too much (expected an error)".into());
    };
    assert_eq!(err.code(), "support.bad_amount");
    let full = desk.refund("op", ticket, "1042", None, "req-3").await?;
    assert!(full.summary.contains("15.00 EUR"), "{}", full.summary);
    assert_eq!(box_office.order("ord_a1").ok_or("order")?.status, OrderStatus::Refunded);

    let after = desk.ticket_detail(ticket).await?;
    assert_eq!(after.ticket.status, showdesk_control::support::views::TicketState::Resolved);
    assert!(after.first_response_at_ms.is_some() && after.resolved_at_ms.is_some());
    assert!(after.messages.iter().any(|m| m.direction == "note" && m.text.contains("Refunded 5.00 EUR on order 1042")));
    let audit = store.audit_for(&format!("ticket:{ticket}")).await?;
    assert!(audit.iter().filter(|e| e.action == "refund.create" && e.outcome == AuditOutcome::Ok).count() >= 2);

    // A promo code (percent) mailed to the buyer; resend access; cancel an order.
    let promo = desk.issue_promo("op", ticket, PromoValue::Percent(20), "req-4").await?;
    assert!(promo.summary.contains("SORRY-"), "{}", promo.summary);
    let Err(err) = desk.issue_promo("op", ticket, PromoValue::Percent(0), "req-5").await else {
        return Err("0% (expected an error)".into());
    };
    assert_eq!(err.code(), "support.bad_amount");
    desk.resend_access("op", ticket, Some("1043"), "req-6").await?;
    desk.cancel_order("op", ticket, "1043", "req-7").await?;
    assert_eq!(box_office.order("ord_a2").ok_or("order")?.status, OrderStatus::Cancelled);
    // A refused call is audited as an error and noted on the ticket.
    let Err(err) = desk.resend_access("op", ticket, Some("1043"), "req-8").await else {
        return Err("cancelled: no access (expected an error)".into());
    };
    assert_eq!(err.code(), "box_office.not_paid");
    assert!(
        store
            .audit_for(&format!("ticket:{ticket}"))
            .await?
            .iter()
            .any(|e| e.error_code.as_deref() == Some("box_office.not_paid"))
    );

    desk.run_outbox(shutdown, RunUntil::QueueEmpty).await?;
    let mails = sink.messages()?;
    let subjects: Vec<_> =
        mails.iter().filter_map(|m| m.raw.lines().find(|l| l.starts_with("Subject:")).map(str::to_owned)).collect();
    assert_eq!(mails.len(), 5, "{subjects:?}");
    assert!(mails.iter().all(|m| m.rcpt_tos == ["camille@example.com"]));
    let promo_mail = mails.iter().find(|m| m.raw.contains("SORRY-")).ok_or("the promo mail")?;
    assert!(promo_mail.raw.contains("20% off"));
    assert!(!promo_mail.raw.contains("Auto-Submitted"), "an operator's mail is not automatic");
    assert!(mails.iter().any(|m| m.raw.contains("https://watch.example/t/ord_a2")));
    assert!(mails.iter().all(|m| m.raw.contains(&format!("[SD-{ticket}]"))), "{subjects:?}");
    Ok(())
}

#[tokio::test]
async fn a_double_charge_is_resolved_and_strangers_get_no_order_details() -> TestResult {
    let dovecot = Dovecot::start()?;
    let sink = SmtpSink::start()?;
    let Desk { desk, box_office, _dir, .. } = desk(&dovecot, &sink).await?;

    let ticket =
        ticket_from(&desk, "camille@example.com", "Charged twice!", "I was charged twice for the boxing night").await?;
    assert_eq!(desk.ticket_detail(ticket).await?.ticket.category, TicketCategory::Overcharge);
    let result = desk.resolve_double_charge("op", ticket, None, "req-1").await?;
    assert!(result.summary.contains("1043"), "the newest order is the duplicate: {}", result.summary);
    assert_eq!(box_office.order("ord_a2").ok_or("order")?.status, OrderStatus::Cancelled);
    assert_eq!(box_office.order("ord_a1").ok_or("order")?.status, OrderStatus::Paid, "the first one stays valid");
    let Err(err) = desk.resolve_double_charge("op", ticket, None, "req-2").await else {
        return Err("only one paid order left (expected an error)".into());
    };
    assert_eq!(err.code(), "support.no_duplicate");

    // Someone quotes Bob's order from another address: flagged; the watch link goes to Bob only.
    let stranger = ticket_from(&desk, "eve@example.net", "Can't watch", "I paid but can't watch, order #2001").await?;
    let detail = desk.ticket_detail(stranger).await?;
    assert!(detail.ticket.sender_mismatch);
    assert_eq!(detail.buyer_email.as_deref(), Some("bob@example.com"));
    let extra = [("watch_link".to_owned(), "https://watch.example/t/ord_b1".to_owned())].into_iter().collect();
    let Err(err) = desk.reply_with_macro("op", stranger, "access", &extra, false).await else {
        return Err("not to eve (expected an error)".into());
    };
    assert_eq!(err.code(), "support.foreign_recipient");
    desk.resend_access("op", stranger, Some("2001"), "req-3").await?;
    let (_stop, shutdown) = watch::channel(false);
    desk.run_outbox(shutdown, RunUntil::QueueEmpty).await?;
    let to_eve = sink.messages()?.into_iter().filter(|m| m.rcpt_tos.iter().any(|r| r.contains("eve@"))).count();
    assert_eq!(to_eve, 0);
    assert!(sink.messages()?.iter().any(|m| m.rcpt_tos == ["bob@example.com"] && m.raw.contains("ord_b1")));

    // A plain reply and an operator's correction of the category.
    desk.reply("op", stranger, "We sent the link to the buyer's address.").await?;
    desk.set_category("op", stranger, Category::Other).await?;
    let item =
        &desk.list_tickets(&TicketQuery { text: Some(format!("SD-{stranger}")), ..TicketQuery::default() }).await?[0];
    assert!(item.category_by_operator);
    Ok(())
}

#[tokio::test]
async fn sla_figures_and_the_surge_alert() -> TestResult {
    let dovecot = Dovecot::start()?;
    let sink = SmtpSink::start()?;
    let Desk { desk, _dir, .. } = desk(&dovecot, &sink).await?;
    let mut settings = desk.settings().clone();
    settings.surge_threshold_per_min = 3;
    desk.configure(settings);
    desk.set_show_live(true);
    let mut events = desk.subscribe();

    let mut tickets = Vec::new();
    for n in 0..5 {
        tickets.push(
            ticket_from(
                &desk,
                &format!("viewer{n}@example.com"),
                "Black screen",
                &format!("can't watch the stream {n}"),
            )
            .await?,
        );
    }
    let paying = ticket_from(&desk, "bob@example.com", "Can't watch", "I paid but the player is black").await?;
    let list = desk.list_tickets(&TicketQuery::default()).await?;
    assert_eq!(list[0].id, paying, "a paying buyer who cannot watch during the show comes first");
    assert_eq!(list[0].priority, 100);

    let mut surge_started = false;
    while let Ok(event) = events.try_recv() {
        surge_started |= matches!(event, SupportEvent::SurgeStarted { .. });
    }
    assert!(surge_started);
    desk.reply("op", tickets[0], "Reload the page, please.").await?;
    desk.set_status("op", tickets[1], TicketStatus::Resolved).await?;
    let sla = desk.sla(0).await?;
    assert!(sla.surge);
    assert_eq!((sla.tickets, sla.answered, sla.resolved, sla.waiting), (6, 1, 1, 4));
    assert!(sla.median_first_response_s.is_some() && sla.longest_wait_s.is_some());
    let counts = desk.category_counts().await?;
    assert_eq!(counts.len(), 6);
    assert_eq!(counts.iter().find(|c| c.category == TicketCategory::Access).map(|c| (c.open, c.total)), Some((5, 6)));
    Ok(())
}
