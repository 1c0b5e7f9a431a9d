//! The after-show report's repository through the `Store` trait, on SQLite and on a real
//! PostgreSQL: refunds and payment attempts per show, follow-up mails by key, the retrospective.

use std::sync::Arc;

use showdesk_core::box_office::{
    AttemptOutcome, BuyerDetails, CheckoutPayment, NewShow, PaymentEvent, PaymentFact, PaymentRefs, RefundReason,
};
use showdesk_core::support::OutboxState;
use showdesk_core::{Currency, Money};
use showdesk_store::ledger::{ApplyOptions, NewRefund, RefundSettlement, ShowListing};
use showdesk_store::{NewOutboxMail, RetrospectiveRecord, Store, StoreError};
use showdesk_testkit::Postgres;

type TestResult = Result<(), Box<dyn std::error::Error>>;

const T0: i64 = 1_741_600_000_000;
const HOUR: i64 = 3_600_000;
const OPTIONS: ApplyOptions = ApplyOptions { now_ms: T0 + HOUR, double_purchase_window_ms: 2 * HOUR };

async fn show(store: &dyn Store, id: &str) -> Result<(), StoreError> {
    let new = NewShow {
        title: format!("Show {id}"),
        starts_at_ms: T0,
        ends_at_ms: T0 + HOUR,
        price: Money::new(2000, Currency::EUR),
        capacity: 100,
        watch_url: None,
    };
    store.create_show(id, &new).await?;
    let listing = ShowListing {
        product_id: format!("prod_{id}"),
        price_id: format!("price_{id}"),
        payment_link_id: format!("plink_{id}"),
        payment_link_url: format!("https://buy.stripe.com/{id}"),
        sales_open: true,
    };
    store.set_show_listing(id, &listing).await
}

/// A paid purchase through the show's Payment Link, and the attempt it took.
fn purchase(show: &str, n: u32, outcome: AttemptOutcome) -> PaymentEvent {
    let paid = matches!(outcome, AttemptOutcome::Succeeded);
    PaymentEvent {
        event_id: format!("evt_{show}_{n}"),
        created_ms: T0 - HOUR + i64::from(n),
        kind: "checkout.session.completed".into(),
        refs: PaymentRefs {
            checkout_session: Some(format!("cs_{show}_{n}")),
            payment_intent: Some(format!("pi_{show}_{n}")),
            charge: None,
        },
        show_hint: None,
        payment_link: Some(format!("plink_{show}")),
        buyer: BuyerDetails { email: Some(format!("buyer{n}@example.com")), ..Default::default() },
        currency: Some(Currency::EUR),
        promotion_code: None,
        discount_minor: 0,
        fact: if paid {
            PaymentFact::CheckoutCompleted { amount_total_minor: 2000, payment: CheckoutPayment::Paid }
        } else {
            PaymentFact::CheckoutCompleted { amount_total_minor: 2000, payment: CheckoutPayment::Unpaid }
        },
        attempt: Some(outcome),
    }
}

fn refund(order: &str, amount: i64, reason: RefundReason, now_ms: i64) -> NewRefund {
    NewRefund {
        order_id: order.into(),
        amount: Money::new(amount, Currency::EUR),
        reason,
        actor: "producer".into(),
        now_ms,
        repeat_window_ms: 0,
    }
}

fn mail(n: u32, key: &str, to: &str) -> NewOutboxMail {
    NewOutboxMail {
        message_id: format!("m{n}@ppv"),
        idempotency_key: Some(key.into()),
        ticket_id: None,
        kind: "followup".into(),
        automatic: true,
        from_address: "support@ppv.example.org".into(),
        recipient: to.into(),
        subject: "Thank you".into(),
        raw: b"Subject: Thank you\r\n\r\nhi".to_vec(),
        not_before_ms: 0,
    }
}

async fn report_behaviour(store: Arc<dyn Store>) -> Result<(), StoreError> {
    let store = store.as_ref();
    show(store, "night").await?;
    show(store, "other").await?;
    let declined = || AttemptOutcome::Declined { code: Some("card_declined".into()) };
    let events = [
        purchase("night", 1, AttemptOutcome::Succeeded),
        purchase("night", 2, AttemptOutcome::Succeeded),
        purchase("night", 3, declined()),
        purchase("night", 4, declined()),
        purchase("night", 5, AttemptOutcome::Declined { code: None }),
        purchase("other", 1, AttemptOutcome::Succeeded),
    ];
    store.apply_payment_events(&events, &OPTIONS).await?;

    // Attempts are counted per show, with the decline codes most frequent first.
    let attempts = store.show_attempts("night").await?;
    assert_eq!((attempts.counts.succeeded, attempts.counts.declined), (2, 3));
    assert_eq!(attempts.decline_codes, [("card_declined".to_owned(), 2), ("unknown".to_owned(), 1)]);
    assert_eq!(store.show_attempts("other").await?.counts.succeeded, 1);
    assert_eq!(store.show_attempts("nobody").await?.counts.decided(), 0);

    // Every refund of the show's orders, oldest first; other shows' refunds are not in it.
    let partial = store.begin_refund(&refund("ord_cs_night_1", 500, RefundReason::RequestedByCustomer, T0)).await?;
    store
        .settle_refund(
            partial.record().id,
            &RefundSettlement::Succeeded { processor_refund_id: "re_1".into(), now_ms: T0 + 1 },
        )
        .await?;
    store.begin_refund(&refund("ord_cs_night_2", 2000, RefundReason::Duplicate, T0 + 10)).await?;
    store.begin_refund(&refund("ord_cs_other_1", 2000, RefundReason::Duplicate, T0 + 5)).await?;
    let refunds = store.refunds_for_show("night").await?;
    assert_eq!(
        refunds.iter().map(|r| (r.order_id.as_str(), r.amount.minor, r.reason)).collect::<Vec<_>>(),
        [("ord_cs_night_1", 500, RefundReason::RequestedByCustomer), ("ord_cs_night_2", 2000, RefundReason::Duplicate)]
    );
    assert_eq!(refunds[0].processor_refund_id.as_deref(), Some("re_1"));

    // Follow-up mails are found by their key's prefix, whatever the address holds.
    store.enqueue_mail(mail(1, "follow-up:night:thank_you:a%b_c@example.com", "a%b_c@example.com")).await?;
    store.enqueue_mail(mail(2, "follow-up:night:thank_you:d@example.com", "d@example.com")).await?;
    store.enqueue_mail(mail(3, "follow-up:night:apology:d@example.com", "d@example.com")).await?;
    store.enqueue_mail(mail(4, "follow-up:nightly:thank_you:e@example.com", "e@example.com")).await?;
    let thanks = store.mails_with_key_prefix("follow-up:night:thank_you:").await?;
    assert_eq!(thanks.iter().map(|m| m.recipient.as_str()).collect::<Vec<_>>(), ["a%b_c@example.com", "d@example.com"]);
    assert!(thanks.iter().all(|m| m.state == OutboxState::Queued && m.sent_at_ms.is_none()));
    assert_eq!(store.mails_with_key_prefix("follow-up:night:").await?.len(), 3);
    assert!(store.mails_with_key_prefix("follow-up:gone:").await?.is_empty());

    // The retrospective: none yet, saved, replaced; only for a show that exists.
    assert_eq!(store.retrospective("night").await?, None);
    let mut note = RetrospectiveRecord {
        show_id: "night".into(),
        worked: "The stream held: no reconnect.".into(),
        did_not: "Support was slow in the first 10 minutes.".into(),
        to_change: "Two agents at the start, « macros » ready.".into(),
        facts: vec!["Median first response 7 min.".into(), "Peak 420 viewers.".into()],
        saved_by: "producer".into(),
        saved_ms: T0 + 2 * HOUR,
    };
    store.save_retrospective(&note).await?;
    assert_eq!(store.retrospective("night").await?.as_ref(), Some(&note));
    note.worked = "Everything on time.".into();
    note.facts.clear();
    note.saved_ms += 1;
    store.save_retrospective(&note).await?;
    assert_eq!(store.retrospective("night").await?, Some(note.clone()));
    assert_eq!(store.retrospective("other").await?, None);
    let missing = store.save_retrospective(&RetrospectiveRecord { show_id: "nope".into(), ..note }).await;
    assert!(matches!(missing, Err(StoreError::NotFound { what: "show", .. })), "{missing:?}");
    Ok(())
}

#[tokio::test]
async fn report_store_on_sqlite() -> TestResult {
    let dir = tempfile::tempdir()?;
    report_behaviour(showdesk_store::open_sqlite(&dir.path().join("showdesk.db")).await?).await?;
    Ok(())
}

#[tokio::test]
async fn report_store_on_postgres() -> TestResult {
    let pg = Postgres::start()?;
    report_behaviour(showdesk_store::connect_postgres(&pg.url("postgres")).await?).await?;
    Ok(())
}
