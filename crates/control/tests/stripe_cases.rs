//! The field cases C13, C14 and C17 (copied into crates/connectors/tests/fixtures) through the
//! Stripe connector's event reading and the box office, into the ledger, on SQLite and on a real
//! PostgreSQL: their right values, asserted.

use std::sync::Arc;

use serde_json::Value;
use showdesk_connectors::stripe::events::from_event;
use showdesk_control::BoxOffice;
use showdesk_control::box_office::RefundInput;
use showdesk_core::box_office::{NewShow, OrderStatus, PaymentEvent};
use showdesk_core::{Currency, Money};
use showdesk_store::Store;
use showdesk_store::ledger::ShowListing;
use showdesk_testkit::{LocalStripe, Postgres};

type TestResult = Result<(), Box<dyn std::error::Error>>;
type Outcome = Result<(), Box<dyn std::error::Error>>;

const SHOW: &str = "show-2025-03-15";

fn case(name: &str) -> Result<Value, Box<dyn std::error::Error>> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../connectors/tests/fixtures").join(name);
    Ok(serde_json::from_str(&std::fs::read_to_string(path)?)?)
}

/// A page of raw events as the connector reads them (in the order given; the ledger sorts).
fn events(page: &Value) -> Vec<PaymentEvent> {
    page["data"].as_array().into_iter().flatten().filter_map(from_event).collect()
}

async fn show(store: &Arc<dyn Store>, price_minor: i64) -> Outcome {
    let new = NewShow {
        title: "Show".into(),
        starts_at_ms: 1_742_068_800_000,
        ends_at_ms: 1_742_076_000_000,
        price: Money::new(price_minor, Currency::EUR),
        capacity: 500,
        watch_url: None,
    };
    store.create_show(SHOW, &new).await?;
    let listing = ShowListing {
        product_id: "prod_x".into(),
        price_id: "price_x".into(),
        payment_link_id: "plink_test_event42".into(),
        payment_link_url: "https://buy.stripe.com/test".into(),
        sales_open: true,
    };
    store.set_show_listing(SHOW, &listing).await?;
    Ok(())
}

/// C13: the same event delivered twice, two event types for one purchase, a restart that lost the
/// cursor. Exactly one ticket and one confirmation per purchase.
async fn c13(store: Arc<dyn Store>) -> Outcome {
    show(&store, 1500).await?;
    let c13 = case("C13-duplicate-delivery.json")?;
    let box_office = BoxOffice::new(store.clone());
    let mut issued = Vec::new();
    for poll in ["poll_1", "poll_2"] {
        let report = box_office.apply_payment_events(&events(&c13[poll])).await?;
        issued.extend(report.tickets_issued.into_iter().map(|t| t.order_id));
    }
    // A restart that lost the cursor: a new box office over the same store, poll_2 again.
    store.clear_cursor("stripe.events").await?;
    let restarted = BoxOffice::new(store.clone());
    let again = restarted.apply_payment_events(&events(&c13["poll_2"])).await?;
    assert_eq!(again.applied, 0, "every id of poll_2 was applied before");
    assert!(again.tickets_issued.is_empty());

    let mut sessions = Vec::new();
    for order_id in &issued {
        let order = store.order(order_id).await?.ok_or("issued order")?;
        sessions.push(order.refs.checkout_session.ok_or("a session")?);
    }
    sessions.sort();
    let expected: Vec<String> = c13["expected"]["tickets_issued"]
        .as_array()
        .ok_or("expected")?
        .iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    assert_eq!(sessions, expected);
    let confirmations = store.unsent_buyer_notices(100).await?;
    assert_eq!(confirmations.len() as u64, c13["expected"]["confirmation_emails_queued"].as_u64().ok_or("count")?);
    let dashboard = restarted.dashboard(SHOW).await?;
    assert_eq!(dashboard.gross.minor, c13["expected"]["revenue_eur_cents"].as_i64().ok_or("revenue")?);
    assert_eq!((dashboard.sold, dashboard.gross.currency.as_str()), (2, "EUR"));
    Ok(())
}

/// C14: a page applied in the order Stripe lists it (newest first): the order ends refunded, its
/// access revoked — one event at a time in list order, and as a whole page.
async fn c14(store: Arc<dyn Store>) -> Outcome {
    show(&store, 1500).await?;
    let c14 = case("C14-newest-first.json")?;
    let box_office = BoxOffice::new(store.clone());
    let page = events(&c14["response"]);
    assert_eq!(page.first().map(|e| e.kind.as_str()), Some("charge.refunded"), "the fixture lists the refund first");
    let mut issued_then_revoked = 0i32;
    for event in &page {
        let report = box_office.apply_payment_events(std::slice::from_ref(event)).await?;
        issued_then_revoked += report.tickets_issued.len() as i32 - report.access_revoked.len() as i32;
    }
    assert_eq!(issued_then_revoked, 0, "a ticket issued is revoked again, or never issued");
    let order = store.order_by_processor_id("cs_test_C14").await?.ok_or("the C14 order")?;
    assert_eq!(order.status.as_str(), c14["expected"]["order_cs_test_C14"].as_str().ok_or("expected")?);
    assert!(!order.status.grants_access(), "access revoked");
    assert_ne!(order.status, OrderStatus::Paid, "must not end as paid");
    let dashboard = box_office.dashboard(SHOW).await?;
    assert_eq!((dashboard.sold, dashboard.refunded.minor, dashboard.net.minor), (0, 1500, 0));
    Ok(())
}

/// C17: 5 then 15 of 20 refunded: partially refunded (ticket kept), then refunded (revoked); the
/// refund form caps at what remains and a request for more is refused before Stripe is called.
async fn c17(store: Arc<dyn Store>) -> Outcome {
    show(&store, 2000).await?;
    let c17 = case("C17-partial-refunds.json")?;
    let all: Vec<PaymentEvent> =
        c17["events_oldest_first"].as_array().ok_or("events")?.iter().filter_map(from_event).collect();
    let box_office = BoxOffice::new(store.clone());
    // A real (local) Stripe: the refund that asks too much must be refused before it is called.
    let stripe = LocalStripe::start()?;
    box_office.connect_stripe("camille", &stripe.base_url(), stripe.secret_key()).await?;
    box_office.apply_payment_events(&all[..2]).await?;

    let after_r1 = &c17["expected"]["after_r1"];
    let order = store.order_by_processor_id("cs_test_C17").await?.ok_or("the C17 order")?;
    assert_eq!(order.status.as_str(), after_r1["status"].as_str().ok_or("status")?);
    assert_eq!(order.facts.refunded_minor, after_r1["refunded_eur_cents"].as_i64().ok_or("refunded")?);
    assert!(order.status.grants_access(), "ticket kept");
    let view = box_office.buyer_orders("buyer@example.com").await?.into_iter().next().ok_or("the buyer's order")?;
    assert_eq!(view.refundable.map(|m| m.minor), Some(1500), "max refundable 15.00 EUR");
    let too_much = box_office
        .refund(
            "camille",
            &RefundInput {
                order_id: order.id.clone(),
                amount_minor: Some(2000),
                reason: "requested_by_customer".into(),
            },
        )
        .await;
    assert_eq!(
        too_much.map_err(|e| e.code()).err().as_deref(),
        Some("box_office.refund_exceeds_remaining"),
        "blocked before Stripe"
    );
    assert!(store.refunds_for_order(&order.id).await?.is_empty(), "nothing recorded");
    let sent = stripe.get_json("/v1/refunds")?;
    assert_eq!(sent["data"].as_array().map(Vec::len), Some(0), "nothing sent to Stripe: {sent}");
    let audit = store.audit_for(&format!("order:{}", order.id)).await?;
    assert_eq!(audit.last().and_then(|e| e.error_code.as_deref()), Some("box_office.refund_exceeds_remaining"));

    box_office.apply_payment_events(&all[2..]).await?;
    let after_r2 = &c17["expected"]["after_r2"];
    let order = store.order(&order.id).await?.ok_or("the C17 order")?;
    assert_eq!(order.status.as_str(), after_r2["status"].as_str().ok_or("status")?);
    assert_eq!(order.facts.refunded_minor, after_r2["refunded_eur_cents"].as_i64().ok_or("refunded")?);
    assert!(!order.status.grants_access(), "ticket revoked");
    Ok(())
}

async fn sqlite() -> Result<(tempfile::TempDir, Arc<dyn Store>), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let store = showdesk_store::open_sqlite(&dir.path().join("showdesk.db")).await?;
    Ok((dir, store))
}

#[tokio::test]
async fn c13_duplicate_delivery_on_sqlite() -> TestResult {
    let (_dir, store) = sqlite().await?;
    c13(store).await
}

#[tokio::test]
async fn c13_duplicate_delivery_on_postgres() -> TestResult {
    let pg = Postgres::start()?;
    c13(showdesk_store::connect_postgres(&pg.url("postgres")).await?).await
}

#[tokio::test]
async fn c14_newest_first_on_sqlite() -> TestResult {
    let (_dir, store) = sqlite().await?;
    c14(store).await
}

#[tokio::test]
async fn c14_newest_first_on_postgres() -> TestResult {
    let pg = Postgres::start()?;
    c14(showdesk_store::connect_postgres(&pg.url("postgres")).await?).await
}

#[tokio::test]
async fn c17_partial_refunds_on_sqlite() -> TestResult {
    let (_dir, store) = sqlite().await?;
    c17(store).await
}

#[tokio::test]
async fn c17_partial_refunds_on_postgres() -> TestResult {
    let pg = Postgres::start()?;
    c17(showdesk_store::connect_postgres(&pg.url("postgres")).await?).await
}
