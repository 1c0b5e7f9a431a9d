//! Opt-in: the connector against real Stripe in test mode, when `STRIPE_TEST_SECRET_KEY` holds a
//! `sk_test_…` key. Without it the test says so and passes (this machine has no route to Stripe);
//! a live key is refused — this test spends nothing.

use std::time::{Duration, Instant};

use showdesk_connectors::stripe::{IdempotencyKey, STRIPE_API, StripeClient, StripeConfig, StripeKey, StripeMode};
use showdesk_core::box_office::{Discount, PaymentFact, PromoRules, RefundReason};
use showdesk_core::{Currency, Money};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const KEY_ENV: &str = "STRIPE_TEST_SECRET_KEY";

#[tokio::test]
async fn real_stripe_test_mode_when_a_key_is_given() -> TestResult {
    let Ok(secret) = std::env::var(KEY_ENV) else {
        println!("SKIPPED real_stripe_test_mode_when_a_key_is_given: {KEY_ENV} is not set (a sk_test_ key runs it)");
        return Ok(());
    };
    let key = StripeKey::new(&secret)?;
    assert_eq!(key.mode(), StripeMode::Test, "{KEY_ENV} must be a test-mode key");
    let stripe = StripeClient::new(StripeConfig::new(STRIPE_API, key))?;
    let run = format!("{}", std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_millis());
    let started_ms: i64 = run.parse::<i64>()? - 60_000;
    let show = format!("showdesk-test-{run}");
    let eur = |minor| Money::new(minor, Currency::EUR);

    let catalog = stripe.create_show_catalog(&show, "Showdesk test show", eur(1500), 10).await?;
    assert!(catalog.payment_link_url.starts_with("https://"));
    stripe.set_payment_link_active(&catalog.payment_link_id, false, 1).await?;
    let rules = PromoRules {
        code: format!("SD{}", &run[run.len() - 8..]),
        discount: Discount::Percent { percent: 10 },
        max_redemptions: Some(1),
        expires_at_ms: None,
        for_buyer: None,
    };
    stripe.create_promo(&show, &rules, None).await?;

    let key = |what: &str| IdempotencyKey::for_action("test.payment", &format!("{show}:{what}"));
    let paid =
        stripe.create_test_payment(eur(1500), "pm_card_visa", &show, ("buyer@example.com", None), &key("visa")).await?;
    let declined = stripe
        .create_test_payment(
            eur(1500),
            "pm_card_visa_chargeDeclined",
            &show,
            ("buyer@example.com", None),
            &key("declined"),
        )
        .await;
    assert_eq!(declined.map(|_| ()).map_err(|e| e.code()), Err("stripe.card_declined"));
    stripe
        .create_refund(
            &paid.payment_intent,
            eur(500),
            RefundReason::RequestedByCustomer,
            &IdempotencyKey::for_action("refund", &show),
        )
        .await?;
    let observed = stripe.observe_payment(&paid.payment_intent, 0).await?.ok_or("observed")?;
    assert_eq!(observed.fact, PaymentFact::ChargeObserved { amount_minor: 1500, refunded_minor: 500, paid: true });

    // Events arrive within seconds; wait for ours (on state, not a fixed time).
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let outcome = stripe.poll_events(None, started_ms, started_ms + 120_000).await?;
        let ours = outcome.events.iter().filter(|e| e.show_hint.as_deref() == Some(show.as_str())).count();
        if ours >= 2 {
            break;
        }
        assert!(Instant::now() < deadline, "Stripe listed {ours} events of this run after a minute");
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    Ok(())
}
