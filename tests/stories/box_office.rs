//! Story: the rush before a show. Buyers pay through Stripe (the real localstripe): most cards go
//! through, some are declined, one buyer pays twice. The producer polls the sales into the ledger,
//! refunds the double purchase with its one action, gives one buyer 5.00 back for the late start
//! (a double click on it refunds once) and later refunds the rest. The dashboard's numbers are
//! exact at every step, a second poll changes nothing, and the Stripe key appears nowhere.

use showdesk_connectors::stripe::{IdempotencyKey, StripeClient, StripeConfig, StripeKey};
use showdesk_control::ControlService;
use showdesk_control::box_office::{MoneyView, NewShowInput, RefundInput};
use showdesk_core::{Currency, Money};
use showdesk_platform::{AppDirs, LogOptions, init_logging};
use showdesk_testkit::LocalStripe;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// localstripe charges `pm_card_visa_chargeDeclined` successfully; `pm_card_chargeCustomerFail` is
/// the card it declines at charge time (see the connector's localstripe test).
const DECLINED_CARD: &str = "pm_card_chargeCustomerFail";
const PRICE: i64 = 2000;
const BUYERS: usize = 20;
const DECLINES: usize = 5;

#[tokio::test]
async fn a_rush_of_purchases_refunds_and_a_double_purchase_add_up_exactly() -> TestResult {
    let home = tempfile::tempdir()?;
    let dirs = AppDirs::under(home.path());
    let log = init_logging(&LogOptions { stderr: false, ..LogOptions::to_dir(&dirs.logs) })?;
    let service = ControlService::open(dirs.clone()).await?;
    let stripe_server = LocalStripe::start()?;
    let box_office = service.box_office();

    let status = box_office.connect_stripe("producer", &stripe_server.base_url(), stripe_server.secret_key()).await?;
    assert_eq!((status.mode.as_deref(), status.connected), (Some("test"), true));
    let starts = showdesk_store::now_ms() + 3_600_000;
    let show = box_office
        .create_show(
            "producer",
            &NewShowInput {
                title: "Fight night".into(),
                starts_at_ms: starts,
                ends_at_ms: starts + 7_200_000,
                price: MoneyView { minor: PRICE, currency: "EUR".into() },
                capacity: 100,
                watch_url: None,
            },
        )
        .await?;

    // The buyers' side: Stripe, as the Payment Link's checkout would charge them.
    let buyers =
        StripeClient::new(StripeConfig::new(stripe_server.base_url(), StripeKey::new(stripe_server.secret_key())?))?;
    let price = Money::new(PRICE, Currency::EUR);
    let ana = buyers.create_customer("ana@example.com", &IdempotencyKey::for_action("story.customer", "ana")).await?;
    let pay = |n: String, card: &'static str, email: String, customer: Option<String>| {
        let buyers = &buyers;
        let show_id = show.id.clone();
        async move {
            let key = IdempotencyKey::for_action("story.payment", &n);
            buyers.create_test_payment(price, card, &show_id, (&email, customer.as_deref()), &key).await
        }
    };
    let mut paid = Vec::new();
    for n in 0..BUYERS {
        let customer = (n == 0).then(|| ana.clone());
        let email = if n == 0 { "ana@example.com".to_owned() } else { format!("buyer{n}@example.com") };
        paid.push(pay(format!("ok-{n}"), "pm_card_visa", email, customer).await?.payment_intent);
    }
    for n in 0..DECLINES {
        let declined = pay(format!("declined-{n}"), DECLINED_CARD, format!("unlucky{n}@example.com"), None).await;
        assert_eq!(declined.map(|_| ()).map_err(|e| e.code()), Err("stripe.card_declined"));
    }
    // Ana pays a second time for the same show.
    let again = pay("ana-again".into(), "pm_card_visa", "ana@example.com".into(), Some(ana.clone())).await?;

    let report = box_office.poll_payments().await?;
    assert_eq!(report.tickets_issued as usize, BUYERS + 1);
    assert_eq!(report.double_purchases, 1);
    let dashboard = box_office.dashboard(&show.id).await?;
    assert_eq!(dashboard.sold, (BUYERS + 1) as i64);
    assert_eq!((dashboard.gross.minor, dashboard.refunded.minor), (PRICE * (BUYERS as i64 + 1), 0));
    assert_eq!((dashboard.failed_orders, dashboard.attempts_declined, dashboard.attempts_succeeded), (5, 5, 21));
    assert_eq!(dashboard.decline_rate_per_mille, Some(5 * 1000 / 26));
    assert!(dashboard.alerts.iter().any(|a| a.kind == "decline_rate_rising"), "{:?}", dashboard.alerts);
    assert_eq!(dashboard.double_purchases_open, 1);
    assert_eq!(dashboard.sales_per_minute.iter().map(|m| m.tickets).sum::<i64>(), (BUYERS + 1) as i64);

    // The double purchase: one action refunds the later one in full and mails the buyer.
    let flags = box_office.double_purchases(&show.id).await?;
    assert_eq!(flags.len(), 1);
    assert_eq!(
        (flags[0].duplicate_order_id.as_str(), flags[0].matched_on.as_str()),
        (format!("ord_{}", again.payment_intent).as_str(), "customer")
    );
    let refund = box_office.refund_double_purchase("producer", flags[0].id).await?;
    assert_eq!(
        (refund.amount.minor, refund.reason.as_str(), refund.status.as_str()),
        (PRICE, "duplicate", "succeeded")
    );
    assert_eq!(box_office.double_purchases(&show.id).await?[0].status, "refunded");

    // 5.00 back for the late start, clicked twice: one refund.
    let buyer_one = format!("ord_{}", paid[1]);
    let goodwill =
        RefundInput { order_id: buyer_one.clone(), amount_minor: Some(500), reason: "requested_by_customer".into() };
    let first = box_office.refund("support-1", &goodwill).await?;
    let second = box_office.refund("support-1", &goodwill).await?;
    assert!(!first.repeated && second.repeated);
    assert_eq!(first.id, second.id);
    let order = box_office.buyer_orders("buyer1@example.com").await?.into_iter().next().ok_or("buyer 1")?;
    assert_eq!((order.status.as_str(), order.has_ticket), ("partially_refunded", true));
    assert_eq!(order.refundable.map(|m| m.minor), Some(1500));
    // More than what remains is refused before Stripe; the rest goes through.
    let too_much = box_office.refund("support-1", &RefundInput { amount_minor: Some(2000), ..goodwill.clone() }).await;
    assert_eq!(too_much.map_err(|e| e.code()).err().as_deref(), Some("box_office.refund_exceeds_remaining"));
    let rest = box_office.refund("support-1", &RefundInput { amount_minor: None, ..goodwill }).await?;
    assert_eq!(rest.amount.minor, 1500);
    let order = box_office.buyer_orders("buyer1@example.com").await?.into_iter().next().ok_or("buyer 1")?;
    assert_eq!((order.status.as_str(), order.has_ticket), ("refunded", false));

    // Polling again applies nothing new; the numbers are exact.
    let quiet = box_office.poll_payments().await?;
    assert_eq!((quiet.tickets_issued, quiet.double_purchases), (0, 0));
    let dashboard = box_office.dashboard(&show.id).await?;
    assert_eq!(dashboard.sold, (BUYERS - 1) as i64, "21 tickets, the duplicate and buyer 1 refunded");
    assert_eq!(dashboard.gross.minor, PRICE * (BUYERS as i64 + 1));
    assert_eq!(dashboard.refunded.minor, 2 * PRICE);
    assert_eq!(dashboard.net.minor, PRICE * (BUYERS as i64 - 1));
    assert_eq!((dashboard.refunded_orders, dashboard.pending_refunds, dashboard.double_purchases_open), (2, 0, 0));

    // Every operator action is in the audit log; the key is nowhere.
    let audit = service.store().recent_audit(100).await?;
    for action in ["stripe.connect", "show.create", "double_purchase.refund", "refund.create"] {
        assert!(audit.iter().any(|e| e.action == action), "{action} missing from the audit log");
    }
    assert!(
        audit
            .iter()
            .any(|e| e.action == "refund.create"
                && e.error_code.as_deref() == Some("box_office.refund_exceeds_remaining"))
    );
    let secret = stripe_server.secret_key();
    assert!(!serde_json::to_string(&audit)?.contains(secret));
    drop(log);
    for entry in std::fs::read_dir(&dirs.logs)? {
        let text = std::fs::read_to_string(entry?.path())?;
        assert!(!text.contains(secret), "the Stripe key reached the log");
    }
    Ok(())
}
