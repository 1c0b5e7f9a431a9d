//! Story: the box office and the support desk together, on real services. Buyers pay through
//! localstripe and get their ticket confirmation with the watch link. One writes "refund please" and
//! is refunded from the ticket in one step (localstripe has the refund, the ledger follows, the buyer
//! gets one mail about it); one was charged twice and the one action on the ticket refunds the
//! duplicate and closes the box office's "possible double purchase", then can't watch and gets the
//! watch link again.

mod common;

use common::wait_for;

use std::time::Duration;

use showdesk_connectors::mail::{ImapSettings, Security, SmtpSecurity, SmtpSettings};
use showdesk_connectors::stripe::{IdempotencyKey, StripeClient, StripeConfig, StripeKey};
use showdesk_control::box_office::{MoneyView, NewShowInput};
use showdesk_control::support::outbox::RunUntil;
use showdesk_control::support::queries::TicketQuery;
use showdesk_control::support::views::TicketCategory;
use showdesk_control::{ControlService, SupportSettings};
use showdesk_core::support::{Backoff, Language};
use showdesk_core::{Currency, Money};
use showdesk_platform::AppDirs;
use showdesk_platform::redact::Secret;
use showdesk_testkit::{Dovecot, LocalStripe, SmtpSink};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const WATCH: &str = "https://watch.example.org/fight-night";

fn mail(n: usize, from: &str, subject: &str, body: &str) -> Vec<u8> {
    common::mail("story", n, from, subject, body, "")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ticket_refunds_resolves_a_double_charge_and_resends_access_through_the_real_box_office() -> TestResult {
    let stripe_server = LocalStripe::start()?;
    let dovecot = Dovecot::start()?;
    let sink = SmtpSink::start()?;
    let home = tempfile::tempdir()?;
    let service = ControlService::open(AppDirs::under(home.path())).await?;
    let box_office = service.box_office();
    box_office.connect_stripe("producer", &stripe_server.base_url(), stripe_server.secret_key()).await?;
    let starts = showdesk_store::now_ms() + 3_600_000;
    let show = box_office
        .create_show(
            "producer",
            &NewShowInput {
                title: "Fight night".into(),
                starts_at_ms: starts,
                ends_at_ms: starts + 7_200_000,
                price: MoneyView { minor: 2500, currency: "EUR".into() },
                capacity: 100,
                watch_url: Some(WATCH.into()),
            },
        )
        .await?;

    // Dana buys one ticket; Erin buys two by mistake.
    let buyers =
        StripeClient::new(StripeConfig::new(stripe_server.base_url(), StripeKey::new(stripe_server.secret_key())?))?;
    let price = Money::new(2500, Currency::EUR);
    let erin =
        buyers.create_customer("erin@example.com", &IdempotencyKey::for_action("story.customer", "erin")).await?;
    let dana = buyers
        .create_test_payment(
            price,
            "pm_card_visa",
            &show.id,
            ("dana@example.com", None),
            &IdempotencyKey::for_action("p", "dana"),
        )
        .await?;
    for n in 0..2 {
        let key = IdempotencyKey::for_action("p", &format!("erin-{n}"));
        buyers
            .create_test_payment(price, "pm_card_visa", &show.id, ("erin@example.com", Some(erin.as_str())), &key)
            .await?;
    }
    let report = box_office.poll_payments().await?;
    assert_eq!((report.tickets_issued, report.double_purchases), (3, 1));

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
        rate_per_sec: 100.0,
        burst: 20,
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

    // Every ticket confirmation leaves once, with the watch link.
    assert_eq!(service.queue_buyer_mail(Language::En).await?, 3);
    assert_eq!(service.queue_buyer_mail(Language::En).await?, 0, "nothing queued twice");
    wait_for("the confirmations", || async { Ok(sink.messages()?.len() == 3) }).await?;
    let confirmations = sink.messages()?;
    assert!(confirmations.iter().all(|m| m.raw.contains(WATCH) && m.raw.contains("Auto-Submitted: auto-generated")));
    assert_eq!(confirmations.iter().filter(|m| m.rcpt_tos == ["erin@example.com"]).count(), 2);

    // The mail arrives.
    let dana_order = format!("ord_{}", dana.payment_intent);
    dovecot.deliver(&mail(
        1,
        "Dana <dana@example.com>",
        "Refund please",
        &format!("I can't come after all, please refund {dana_order}. Thanks"),
    ))?;
    dovecot.deliver(&mail(
        2,
        "Erin <erin@example.com>",
        "Charged twice!",
        "I was charged twice for Fight night, please fix",
    ))?;
    dovecot.deliver(&mail(3, "Erin <erin@example.com>", "Can't watch", "The player says I have no access, I paid"))?;
    wait_for("the tickets", || async { Ok(desk.list_tickets(&TicketQuery::default()).await?.len() == 3) }).await?;
    let tickets = desk.list_tickets(&TicketQuery::default()).await?;
    let ticket =
        |category| tickets.iter().find(|t| t.category == category).map(|t| t.id).ok_or(format!("{category:?}"));

    // The buyer's orders come from the real ledger.
    let refund_ticket = ticket(TicketCategory::Refund)?;
    let detail = desk.ticket_detail(refund_ticket).await?;
    assert!(detail.orders.iter().any(|o| o.order_id == dana_order), "{:?}", detail.orders);

    // One step each.
    desk.refund("camille", refund_ticket, &dana_order, None, "r1").await?;
    desk.resolve_double_charge("camille", ticket(TicketCategory::Overcharge)?, None, "r2").await?;
    desk.resend_access("camille", ticket(TicketCategory::Access)?, None, "r3").await?;

    // Stripe has the refunds; the ledger follows; the double purchase is closed.
    let refunds = stripe_server.get_json("/v1/refunds?limit=10")?;
    assert_eq!(refunds["data"].as_array().map(Vec::len), Some(2), "{refunds}");
    let dashboard = box_office.dashboard(&show.id).await?;
    assert_eq!((dashboard.refunded.minor, dashboard.double_purchases_open), (5000, 0));
    assert_eq!(box_office.double_purchases(&show.id).await?[0].status, "refunded");

    // Each buyer hears once about each action: the desk's mails, and no second box-office notice.
    assert_eq!(service.queue_buyer_mail(Language::En).await?, 0, "the desk already told them");
    wait_for("the answers", || async { Ok(sink.messages()?.len() >= 6) }).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let sent = sink.messages()?;
    assert_eq!(
        sent.len(),
        6,
        "{:#?}",
        sent.iter().map(|m| (&m.rcpt_tos, m.raw.lines().find(|l| l.starts_with("Subject")))).collect::<Vec<_>>()
    );
    let answers = |to: &str| sent.iter().skip(3).filter(|m| m.rcpt_tos == [to]).count();
    assert_eq!(answers("dana@example.com"), 1, "the refund answer");
    assert_eq!(answers("erin@example.com"), 2, "the double charge answer and the access link");
    assert!(sent.iter().skip(3).any(|m| m.rcpt_tos == ["erin@example.com"] && m.raw.contains(WATCH)));

    let _ = stop.send(true);
    intake.await?;
    outbox.await??;
    Ok(())
}
