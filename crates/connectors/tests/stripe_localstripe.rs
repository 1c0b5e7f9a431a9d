//! The Stripe connector against the real localstripe from the testkit: payments with
//! `pm_card_visa` and `pm_card_visa_chargeDeclined`, refunds (partial, then the rest), re-reading a
//! payment, and the event poller end to end (localstripe lists oldest first and has no
//! `ending_before`: the poller must cope with both).

use showdesk_connectors::stripe::poll::EventCursor;
use showdesk_connectors::stripe::{IdempotencyKey, StripeClient, StripeConfig, StripeKey};
use showdesk_core::box_office::{AttemptOutcome, PaymentFact, RefundReason};
use showdesk_core::{Currency, Money};
use showdesk_testkit::LocalStripe;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// The test card Stripe declines at charge time is `pm_card_visa_chargeDeclined`; localstripe 1.15
/// charges that one successfully (it declines it only when attached to a customer) and declines
/// `pm_card_chargeCustomerFail` (4000 0000 0000 0341) at charge time instead — the same decline
/// path (HTTP 402 `card_declined`, a `payment_intent.payment_failed` event).
const LOCALSTRIPE_DECLINED_CARD: &str = "pm_card_chargeCustomerFail";

fn eur(minor: i64) -> Money {
    Money::new(minor, Currency::EUR)
}

#[tokio::test]
async fn localstripe_payments_refunds_and_the_poller_end_to_end() -> TestResult {
    let local = LocalStripe::start()?;
    let stripe = StripeClient::new(StripeConfig::new(local.base_url(), StripeKey::new(local.secret_key())?))?;
    let started_ms = showdesk_store_free_now_ms() - 5_000;

    let customer =
        stripe.create_customer("ana@example.com", &IdempotencyKey::for_action("test.customer", "ana")).await?;
    let mut paid = Vec::new();
    for n in 0..3 {
        let key = IdempotencyKey::for_action("test.payment", &format!("visa-{n}"));
        let payment = stripe
            .create_test_payment(eur(2000), "pm_card_visa", "show-1", ("ana@example.com", Some(&customer)), &key)
            .await?;
        assert_eq!(payment.status, "succeeded");
        paid.push(payment.payment_intent);
    }
    let key = IdempotencyKey::for_action("test.payment", "declined");
    let declined = stripe
        .create_test_payment(eur(2000), LOCALSTRIPE_DECLINED_CARD, "show-1", ("bo@example.com", None), &key)
        .await;
    assert_eq!(declined.map(|_| ()).map_err(|e| e.code()), Err("stripe.card_declined"));

    let first = stripe.poll_events(None, started_ms, showdesk_store_free_now_ms()).await?;
    let succeeded: Vec<_> = first.events.iter().filter(|e| matches!(e.fact, PaymentFact::Succeeded { .. })).collect();
    assert_eq!(succeeded.len(), 3, "{:?}", first.events);
    assert!(succeeded.iter().all(|e| e.show_hint.as_deref() == Some("show-1") && e.currency == Some(Currency::EUR)));
    assert!(succeeded.iter().all(|e| e.buyer.customer.as_deref() == Some(customer.as_str())));
    assert_eq!(succeeded[0].buyer.email.as_deref(), Some("ana@example.com"));
    let failed: Vec<_> = first.events.iter().filter(|e| e.fact == PaymentFact::Failed).collect();
    assert_eq!(failed.len(), 1);
    assert!(matches!(failed[0].attempt, Some(AttemptOutcome::Declined { .. })));
    assert!(first.events.windows(2).all(|w| w[0].sort_key() <= w[1].sort_key()), "oldest first");
    let newest = first.newest.clone().ok_or("a newest event")?;

    // A partial refund, then the rest: the totals come from the charge's amount_refunded.
    let refund_key = |n: u32| IdempotencyKey::for_action("refund", &format!("showdesk-refund-test-{n}"));
    let refund = stripe.create_refund(&paid[0], eur(500), RefundReason::RequestedByCustomer, &refund_key(1)).await?;
    assert_eq!(refund.amount_minor, 500);
    let observed = stripe.observe_payment(&paid[0], showdesk_store_free_now_ms()).await?.ok_or("observed")?;
    assert_eq!(observed.fact, PaymentFact::ChargeObserved { amount_minor: 2000, refunded_minor: 500, paid: true });
    stripe.create_refund(&paid[0], eur(1500), RefundReason::RequestedByCustomer, &refund_key(2)).await?;
    let again = stripe.observe_payment(&paid[0], showdesk_store_free_now_ms()).await?.ok_or("observed")?;
    assert_eq!(again.fact, PaymentFact::ChargeObserved { amount_minor: 2000, refunded_minor: 2000, paid: true });
    assert_ne!(observed.event_id, again.event_id, "a new state is a new observation");
    let charge = again.refs.charge.clone().ok_or("a charge id")?;
    let by_charge = stripe.observe_payment(&charge, showdesk_store_free_now_ms()).await?.ok_or("by charge")?;
    assert_eq!(by_charge.fact, again.fact);

    // The next poll from the cursor: localstripe refuses `ending_before`; the poller walks by time.
    stripe
        .create_test_payment(
            eur(2000),
            "pm_card_visa",
            "show-1",
            ("cy@example.com", None),
            &IdempotencyKey::for_action("test.payment", "late"),
        )
        .await?;
    let cursor = EventCursor { event_id: newest.event_id, created_ms: newest.created_ms };
    let next = stripe.poll_events(Some(&cursor), 0, showdesk_store_free_now_ms()).await?;
    assert!(next.events.iter().all(|e| e.created_ms >= cursor.created_ms));
    assert!(next.events.iter().any(|e| e.buyer.email.as_deref() == Some("cy@example.com")), "{:?}", next.events);

    // Reconcile lists payment intents (localstripe has no checkout sessions).
    let reconciled = stripe.reconcile_since(started_ms, showdesk_store_free_now_ms()).await?;
    assert_eq!(
        reconciled.iter().filter(|e| matches!(e.fact, PaymentFact::ChargeObserved { paid: true, .. })).count(),
        4
    );
    Ok(())
}

#[tokio::test]
async fn a_wrong_key_is_refused_with_a_code_and_never_shown() -> TestResult {
    let local = LocalStripe::start()?;
    let stripe = StripeClient::new(StripeConfig::new(
        local.base_url(),
        StripeKey::new(&["sk", "live", "wrongkey", "77c1d0"].join("_"))?,
    ))?;
    assert_eq!(stripe.mode(), showdesk_connectors::stripe::StripeMode::Live);
    match stripe.observe_payment("pi_missing", 0).await {
        Err(err) => assert!(!err.to_string().contains("77c1d0"), "{err}"),
        Ok(found) => panic!("found {found:?}"),
    }
    Ok(())
}

fn showdesk_store_free_now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}
