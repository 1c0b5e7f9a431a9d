//! Polling payments from the real localstripe through the box office: a show that sells out is
//! closed; a cursor older than Stripe's 30-day window is reconciled from the payments themselves
//! (and nothing is counted twice after it).

use showdesk_connectors::stripe::{IdempotencyKey, StripeClient, StripeConfig, StripeKey};
use showdesk_control::BoxOffice;
use showdesk_control::box_office::{MoneyView, NewShowInput};
use showdesk_core::{Currency, Money};
use showdesk_store::now_ms;
use showdesk_testkit::LocalStripe;

type TestResult = Result<(), Box<dyn std::error::Error>>;

#[tokio::test]
async fn a_sold_out_show_closes_and_a_stale_cursor_is_reconciled() -> TestResult {
    let dir = tempfile::tempdir()?;
    let store = showdesk_store::open_sqlite(&dir.path().join("showdesk.db")).await?;
    let box_office = BoxOffice::new(store.clone());
    let stripe = LocalStripe::start()?;
    box_office.connect_stripe("producer", &stripe.base_url(), stripe.secret_key()).await?;
    let show = box_office
        .create_show(
            "producer",
            &NewShowInput {
                title: "Small room".into(),
                starts_at_ms: now_ms() + 3_600_000,
                ends_at_ms: now_ms() + 7_200_000,
                price: MoneyView { minor: 1000, currency: "EUR".into() },
                capacity: 3,
                watch_url: None,
            },
        )
        .await?;
    box_office.set_sales_open("producer", &show.id, true).await?;

    let buyers = StripeClient::new(StripeConfig::new(stripe.base_url(), StripeKey::new(stripe.secret_key())?))?;
    for n in 0..3 {
        let key = IdempotencyKey::for_action("test.payment", &n.to_string());
        let email = format!("buyer{n}@example.com");
        buyers
            .create_test_payment(Money::new(1000, Currency::EUR), "pm_card_visa", &show.id, (&email, None), &key)
            .await?;
    }
    let first = box_office.poll_payments().await?;
    assert_eq!(first.tickets_issued, 3);
    assert_eq!(first.sold_out, std::slice::from_ref(&show.id), "the third ticket sold the show out");
    assert!(!box_office.shows().await?[0].sales_open);
    let audit = store.audit_for(&format!("show:{}", show.id)).await?;
    assert!(audit.iter().any(|e| e.action == "show.close_sales" && e.actor == "system"));

    // The app was off for more than 30 days: the cursor points at events Stripe no longer keeps.
    store.set_cursor("stripe.events", "evt_long_gone", now_ms() - 31 * 24 * 3_600_000).await?;
    let reconciled = box_office.poll_payments().await?;
    assert!(reconciled.reconciled);
    assert_eq!(reconciled.tickets_issued, 0, "the same purchases, found again by listing payments, count once");
    assert_eq!(box_office.dashboard(&show.id).await?.sold, 3);
    let status = box_office.stripe_status().await?;
    assert!(
        status.cursor_created_ms.is_some_and(|at| at > now_ms() - 24 * 3_600_000),
        "a fresh cursor after reconciling"
    );
    Ok(())
}
