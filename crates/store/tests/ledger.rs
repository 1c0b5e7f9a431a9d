//! The box-office ledger through the `Store` trait, on SQLite and on a real PostgreSQL: each
//! behaviour is written once against `Arc<dyn Store>` and run on both backends.

use std::sync::Arc;

use showdesk_core::box_office::{
    AttemptOutcome, BuyerDetails, CheckoutPayment, Discount, MatchedOn, NewShow, OrderStatus, PaymentEvent,
    PaymentFact, PaymentRefs, PromoRules, RefundReason,
};
use showdesk_core::{Currency, Money};
use showdesk_store::ledger::{
    ApplyOptions, DoublePurchaseStatus, NewPromoCode, NewRefund, RefundSettlement, RefundStart, RefundStatus,
    ShowListing,
};
use showdesk_store::{Store, StoreError};
use showdesk_testkit::Postgres;

type TestResult = Result<(), Box<dyn std::error::Error>>;

const T0: i64 = 1_741_600_000_000;
const HOUR: i64 = 3_600_000;
const OPTIONS: ApplyOptions = ApplyOptions { now_ms: T0 + HOUR, double_purchase_window_ms: 2 * HOUR };

fn eur(minor: i64) -> Money {
    Money::new(minor, Currency::EUR)
}

async fn show(store: &dyn Store, id: &str) -> Result<(), StoreError> {
    let new = NewShow {
        title: "Fight night".into(),
        starts_at_ms: T0,
        ends_at_ms: T0 + HOUR,
        price: eur(2000),
        capacity: 100,
        watch_url: None,
    };
    store.create_show(id, &new).await?;
    store
        .set_show_listing(
            id,
            &ShowListing {
                product_id: format!("prod_{id}"),
                price_id: format!("price_{id}"),
                payment_link_id: format!("plink_{id}"),
                payment_link_url: format!("https://buy.stripe.com/{id}"),
                sales_open: true,
            },
        )
        .await
}

/// A purchase through a Payment Link: checkout completed, paid.
fn checkout(event: &str, n: u32, email: &str, amount: i64, at: i64) -> PaymentEvent {
    PaymentEvent {
        event_id: event.into(),
        created_ms: at,
        kind: "checkout.session.completed".into(),
        refs: PaymentRefs {
            checkout_session: Some(format!("cs_{n}")),
            payment_intent: Some(format!("pi_{n}")),
            charge: None,
        },
        show_hint: None,
        payment_link: Some("plink_show-1".into()),
        buyer: BuyerDetails { email: Some(email.into()), ..Default::default() },
        currency: Some(Currency::EUR),
        promotion_code: None,
        discount_minor: 0,
        fact: PaymentFact::CheckoutCompleted { amount_total_minor: amount, payment: CheckoutPayment::Paid },
        attempt: None,
    }
}

fn intent(event: &str, n: u32, fact: PaymentFact, attempt: Option<AttemptOutcome>, at: i64) -> PaymentEvent {
    PaymentEvent {
        event_id: event.into(),
        created_ms: at,
        kind: "payment_intent.x".into(),
        refs: PaymentRefs { payment_intent: Some(format!("pi_{n}")), ..Default::default() },
        show_hint: None,
        payment_link: None,
        buyer: BuyerDetails::default(),
        currency: Some(Currency::EUR),
        promotion_code: None,
        discount_minor: 0,
        fact,
        attempt,
    }
}

fn charge(event: &str, n: u32, amount: i64, refunded: i64, at: i64) -> PaymentEvent {
    PaymentEvent {
        kind: "charge.refunded".into(),
        refs: PaymentRefs {
            payment_intent: Some(format!("pi_{n}")),
            charge: Some(format!("ch_{n}")),
            ..Default::default()
        },
        ..intent(
            event,
            n,
            PaymentFact::ChargeObserved { amount_minor: amount, refunded_minor: refunded, paid: true },
            None,
            at,
        )
    }
}

async fn ledger_behaviour(store: Arc<dyn Store>) -> Result<(), StoreError> {
    let store = store.as_ref();
    show(store, "show-1").await?;

    // Two event types for one purchase, the same event twice, a second buyer.
    let report = store
        .apply_payment_events(
            &[
                intent("evt_b", 1, PaymentFact::Succeeded { amount_minor: 2000 }, Some(AttemptOutcome::Succeeded), T0),
                checkout("evt_a", 1, "Ana@Example.com", 2000, T0),
                checkout("evt_a", 1, "Ana@Example.com", 2000, T0),
                checkout("evt_c", 2, "bo@example.com", 2000, T0 + 61_000),
            ],
            &OPTIONS,
        )
        .await?;
    assert_eq!((report.received, report.already_seen, report.applied), (4, 1, 3));
    assert_eq!(report.tickets_issued.len(), 2);
    assert_eq!(report.confirmations_queued, 2);
    let again = store.apply_payment_events(&[checkout("evt_a", 1, "ana@example.com", 2000, T0)], &OPTIONS).await?;
    assert_eq!((again.already_seen, again.applied, again.tickets_issued.len()), (1, 0, 0), "applied once, ever");

    let order = store
        .order_by_processor_id("pi_1")
        .await?
        .ok_or_else(|| StoreError::NotFound { what: "order", id: "pi_1".into() })?;
    assert_eq!(order.id, "ord_cs_1");
    assert_eq!(order.buyer.email.as_deref(), Some("ana@example.com"), "emails are normalised");
    assert_eq!(order.status, OrderStatus::Paid);

    // A partial refund keeps the ticket, the rest of it revokes it; totals come from amounts.
    let partial = store.apply_payment_events(&[charge("evt_r1", 1, 2000, 500, T0 + HOUR / 2)], &OPTIONS).await?;
    assert!(partial.access_revoked.is_empty());
    assert_eq!(store.order("ord_cs_1").await?.map(|o| o.status), Some(OrderStatus::PartiallyRefunded));
    let full = store.apply_payment_events(&[charge("evt_r2", 1, 2000, 2000, T0 + HOUR / 2 + 1)], &OPTIONS).await?;
    assert_eq!(full.access_revoked, ["ord_cs_1"]);

    // A page applied newest first: the refund, then the purchase. The order still ends refunded.
    let newest_first = store
        .apply_payment_events(
            &[
                charge("evt_r3", 3, 2000, 2000, T0 + 300_000),
                checkout("evt_p3", 3, "cy@example.com", 2000, T0 + 200_000),
            ],
            &OPTIONS,
        )
        .await?;
    assert!(newest_first.tickets_issued.is_empty(), "issued then revoked within one page: never issued");
    assert_eq!(store.order("ord_cs_3").await?.map(|o| o.status), Some(OrderStatus::Refunded));

    // A PaymentIntent event before its checkout's, in separate batches: one order, not two.
    store
        .apply_payment_events(
            &[intent("evt_p4a", 4, PaymentFact::Succeeded { amount_minor: 2000 }, None, T0 + 400_000)],
            &OPTIONS,
        )
        .await?;
    let merged =
        store.apply_payment_events(&[checkout("evt_p4b", 4, "dee@example.com", 2000, T0 + 400_000)], &OPTIONS).await?;
    assert_eq!(merged.tickets_issued.len(), 1, "the intent alone named no show: the ticket comes with the checkout");
    let by_session = store.order_by_processor_id("cs_4").await?.map(|o| o.id);
    assert_eq!(by_session, store.order_by_processor_id("pi_4").await?.map(|o| o.id), "one order for both ids");

    // The same buyer again within the window: flagged, against the first purchase.
    let twice =
        store.apply_payment_events(&[checkout("evt_p5", 5, "bo@example.com ", 2000, T0 + 900_000)], &OPTIONS).await?;
    assert_eq!(twice.double_purchases.len(), 1);
    assert_eq!(twice.double_purchases[0].original_order_id, "ord_cs_2");
    assert_eq!(twice.double_purchases[0].matched_on, MatchedOn::Email);
    let flags = store.double_purchases("show-1", Some(DoublePurchaseStatus::Open)).await?;
    assert_eq!(flags.len(), 1);
    let resolved = store.resolve_double_purchase(flags[0].id, DoublePurchaseStatus::Refunded, "camille").await?;
    assert_eq!(resolved.status, DoublePurchaseStatus::Refunded);

    // A payment of someone else's on the account: recorded, counted nowhere.
    let foreign = store
        .apply_payment_events(&[intent("evt_x", 99, PaymentFact::Succeeded { amount_minor: 999 }, None, T0)], &OPTIONS)
        .await?;
    assert_eq!((foreign.unattributed, foreign.tickets_issued.len()), (1, 0));

    // A declined attempt.
    store
        .apply_payment_events(
            &[intent(
                "evt_d",
                6,
                PaymentFact::Failed,
                Some(AttemptOutcome::Declined { code: Some("card_declined".into()) }),
                T0 + 5,
            )],
            &OPTIONS,
        )
        .await?;
    let (attempts, top) = store.attempt_counts(T0, T0 + HOUR).await?;
    assert_eq!((attempts.succeeded, attempts.declined), (1, 1));
    assert_eq!(top.as_deref(), Some("card_declined"));

    let ledger = store.ledger_totals("show-1", T0 - 60_000).await?;
    let totals = ledger.totals;
    // Orders 1 (refunded), 2, 3 (refunded), 4, 5 paid; 2, 4, 5 still hold tickets.
    assert_eq!((totals.tickets, totals.paid_orders, totals.refunded_orders), (3, 5, 2));
    assert_eq!((totals.gross_minor, totals.refunded_minor), (10_000, 4000));
    assert_eq!(ledger.sales_per_minute.iter().map(|m| m.tickets).sum::<i64>(), 4, "tickets issued, by minute");
    assert_eq!(ledger.sales_per_minute[0].minute_ms, T0 - T0 % 60_000);
    assert_eq!(ledger.open_double_purchases, 0);
    assert_eq!(store.orders_for_buyer("BO@example.com").await?.len(), 2);
    assert_eq!(store.orders_for_show("show-1", 100, 0).await?.len(), 5);
    assert_eq!(store.unsent_buyer_notices(100).await?.len(), 4, "one confirmation per ticket ever issued");
    Ok(())
}

async fn refunds_and_promos_behaviour(store: Arc<dyn Store>) -> Result<(), StoreError> {
    let store = store.as_ref();
    show(store, "show-1").await?;
    let mut promo_purchase = checkout("evt_1", 1, "ana@example.com", 1500, T0);
    promo_purchase.promotion_code = Some("promo_early".into());
    promo_purchase.discount_minor = 500;
    store.apply_payment_events(&[promo_purchase], &OPTIONS).await?;

    let ask = |amount: i64, now_ms: i64| NewRefund {
        order_id: "ord_cs_1".into(),
        amount: eur(amount),
        reason: RefundReason::RequestedByCustomer,
        actor: "camille".into(),
        now_ms,
        repeat_window_ms: 60_000,
    };
    let first = store.begin_refund(&ask(500, T0)).await?;
    let RefundStart::New(first) = first else { panic!("a new refund") };
    assert_eq!(first.idempotency_key, "showdesk-refund-ord_cs_1-1");
    let clicked_twice = store.begin_refund(&ask(500, T0 + 300)).await?;
    assert_eq!(clicked_twice, RefundStart::Repeated(first.clone()), "a double click is the same refund");
    assert_eq!(store.ledger_totals("show-1", T0).await?.pending_refunds_minor, 500);

    // 1500 paid, 500 asked: at most 1000 more, before the processor is ever called.
    let too_much = store.begin_refund(&ask(1500, T0 + 120_000)).await;
    assert!(matches!(too_much, Err(StoreError::Rule(_))), "{too_much:?}");
    assert_eq!(too_much.map_err(|e| e.code()).err(), Some("box_office.refund_exceeds_remaining"));
    let settled = store
        .settle_refund(first.id, &RefundSettlement::Succeeded { processor_refund_id: "re_1".into(), now_ms: T0 + 1 })
        .await?;
    assert_eq!(settled.status, RefundStatus::Succeeded);
    let rest = store.begin_refund(&ask(1000, T0 + 120_000)).await?;
    assert_eq!(rest.record().idempotency_key, "showdesk-refund-ord_cs_1-2");
    store
        .settle_refund(rest.record().id, &RefundSettlement::Failed { error_code: "stripe.api".into(), now_ms: T0 + 2 })
        .await?;
    let refunds = store.refunds_for_order("ord_cs_1").await?;
    assert_eq!(refunds.iter().map(|r| r.status).collect::<Vec<_>>(), [RefundStatus::Succeeded, RefundStatus::Failed]);
    assert!(matches!(
        store.begin_refund(&NewRefund { order_id: "nope".into(), ..ask(1, T0) }).await,
        Err(StoreError::NotFound { .. })
    ));

    // Promo codes: recorded, unique per show, redemptions from the ledger.
    let rules = PromoRules {
        code: "EARLY".into(),
        discount: Discount::Amount { amount: eur(500) },
        max_redemptions: Some(100),
        expires_at_ms: None,
        for_buyer: None,
    };
    let promo =
        NewPromoCode { show_id: "show-1".into(), rules, currency: Currency::EUR, actor: "camille".into(), now_ms: T0 };
    let created = store.create_promo_code(&promo).await?;
    assert!(matches!(store.create_promo_code(&promo).await, Err(StoreError::Conflict(_))));
    store.set_promo_processor_ids(created.id, "coupon_1", "promo_early").await?;
    let listed = store.promo_codes_for_show("show-1").await?;
    assert_eq!((listed.len(), listed[0].redemptions), (1, 1));
    let ledger = store.ledger_totals("show-1", T0).await?;
    assert_eq!(ledger.promo[0].code.as_deref(), Some("EARLY"));
    assert_eq!((ledger.promo[0].paid_orders, ledger.promo[0].discount_minor), (1, 500));

    // Cursors and notices.
    assert!(store.cursor("stripe.events").await?.is_none());
    store.set_cursor("stripe.events", "evt_9", T0).await?;
    store.set_cursor("stripe.events", "evt_10", T0 + 1).await?;
    assert_eq!(store.cursor("stripe.events").await?.map(|c| c.position), Some("evt_10".into()));
    store.clear_cursor("stripe.events").await?;
    assert!(store.cursor("stripe.events").await?.is_none());
    assert!(store.queue_buyer_notice("refund_notice", "ord_cs_1", "re_1", "ana@example.com").await?);
    assert!(!store.queue_buyer_notice("refund_notice", "ord_cs_1", "re_1", "ana@example.com").await?);
    let notices = store.unsent_buyer_notices(10).await?;
    assert_eq!(notices.len(), 2);
    store.mark_notice_sent(notices[0].id).await?;
    assert_eq!(store.unsent_buyer_notices(10).await?.len(), 1);
    store.record_attempt(T0, Some("show-1"), &AttemptOutcome::RateLimited).await?;
    assert_eq!(store.attempt_counts(T0, T0 + 1).await?.0.rate_limited, 1);
    assert!(matches!(show(store, "show-1").await, Err(StoreError::Conflict(_))));
    Ok(())
}

async fn sqlite() -> Result<(tempfile::TempDir, Arc<dyn Store>), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let store = showdesk_store::open_sqlite(&dir.path().join("showdesk.db")).await?;
    Ok((dir, store))
}

#[tokio::test]
async fn ledger_on_sqlite() -> TestResult {
    let (_dir, store) = sqlite().await?;
    ledger_behaviour(store).await?;
    Ok(())
}

#[tokio::test]
async fn ledger_on_postgres() -> TestResult {
    let pg = Postgres::start()?;
    ledger_behaviour(showdesk_store::connect_postgres(&pg.url("postgres")).await?).await?;
    Ok(())
}

#[tokio::test]
async fn refunds_promos_cursors_on_sqlite() -> TestResult {
    let (_dir, store) = sqlite().await?;
    refunds_and_promos_behaviour(store).await?;
    Ok(())
}

#[tokio::test]
async fn refunds_promos_cursors_on_postgres() -> TestResult {
    let pg = Postgres::start()?;
    refunds_and_promos_behaviour(showdesk_store::connect_postgres(&pg.url("postgres")).await?).await?;
    Ok(())
}

async fn audience_behaviour(store: Arc<dyn Store>) -> Result<(), StoreError> {
    use showdesk_store::{AudienceSample, AudienceSourceRecord, AudienceState};
    let store = store.as_ref();
    show(store, "show-1").await?;
    let source = AudienceSourceRecord {
        id: "ingest".into(),
        show_id: "show-1".into(),
        kind: "nginx_rtmp".into(),
        config: serde_json::json!({ "stat_url": "http://127.0.0.1:1/stat" }),
        created_ms: T0,
    };
    store.save_audience_source(&source).await?;
    assert_eq!(store.audience_sources("show-1").await?, [source]);
    let online = |at_ms, viewers| AudienceSample { at_ms, state: AudienceState::Online, viewers: Some(viewers) };
    store.record_audience_sample("ingest", "show-1", &online(T0, 3)).await?;
    store.record_audience_sample("ingest", "show-1", &online(T0 + 1, 12)).await?;
    let unknown = AudienceSample { at_ms: T0 + 2, state: AudienceState::Unknown, viewers: None };
    store.record_audience_sample("ingest", "show-1", &unknown).await?;
    let summary = store.audience_summary("show-1").await?;
    assert_eq!(summary.peak_viewers, Some(12));
    assert_eq!(summary.latest, [("ingest".to_owned(), unknown)], "the latest reading, not the last count");
    assert_eq!(store.audience_series("show-1", T0 + 1).await?.len(), 2);
    Ok(())
}

#[tokio::test]
async fn audience_on_sqlite() -> TestResult {
    let (_dir, store) = sqlite().await?;
    audience_behaviour(store).await?;
    Ok(())
}

#[tokio::test]
async fn audience_on_postgres() -> TestResult {
    let pg = Postgres::start()?;
    audience_behaviour(showdesk_store::connect_postgres(&pg.url("postgres")).await?).await?;
    Ok(())
}
