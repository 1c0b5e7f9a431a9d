//! `cargo xtask bench ledger`: a rush of purchase events applied to the SQLite ledger.
//!
//! 1,000,000 purchases through a Payment Link, plus the noise of a real rush: 5 % of events
//! delivered twice, 5 % a second event type for a purchase already seen (a PaymentIntent succeeding),
//! 5 % refunds (half partial, half full, observed on the charge), 1 % buyers paying twice (flagged as
//! double purchases). Events arrive in pages the way the poller applies them. Then the dashboard's
//! reads of the store (the show, totals, promo use, sales per minute, pending refunds, double
//! purchases, attempts in two windows, audience) are timed at 1 M orders.
//!
//! Goals: ≥ 10,000 events/s, snapshot ≤ 10 ms. Figures go to `SHOWDESK_BENCH_OUT` as one flat JSON
//! object of numbers.

use std::time::{Duration, Instant};

use showdesk_core::box_office::{
    AttemptOutcome, BuyerDetails, CheckoutPayment, NewShow, PaymentEvent, PaymentFact, PaymentRefs,
};
use showdesk_core::{Currency, Money};
use showdesk_store::ledger::{ApplyOptions, LedgerStore, ShowListing};
use showdesk_store::{AudienceStore, SqliteStore};

const ORDERS: u64 = 1_000_000;
const PAGE: usize = 1_000;
const T0: i64 = 1_741_600_000_000;
const SHOW: &str = "bench-show";

/// A small deterministic generator (no dependency, same rush every run).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn percent(&mut self) -> u64 {
        self.next() % 100
    }
}

fn purchase(n: u64, email: String, at: i64) -> PaymentEvent {
    PaymentEvent {
        event_id: format!("evt_cs_{n}"),
        created_ms: at,
        kind: "checkout.session.completed".into(),
        refs: PaymentRefs {
            checkout_session: Some(format!("cs_{n}")),
            payment_intent: Some(format!("pi_{n}")),
            charge: None,
        },
        show_hint: Some(SHOW.into()),
        payment_link: Some("plink_bench".into()),
        buyer: BuyerDetails { email: Some(email), name: Some("Buyer".into()), ..Default::default() },
        currency: Some(Currency::EUR),
        promotion_code: (n.is_multiple_of(10)).then(|| "promo_early".into()),
        discount_minor: if n.is_multiple_of(10) { 500 } else { 0 },
        fact: PaymentFact::CheckoutCompleted {
            amount_total_minor: if n.is_multiple_of(10) { 1500 } else { 2000 },
            payment: CheckoutPayment::Paid,
        },
        attempt: None,
    }
}

fn intent_succeeded(n: u64, at: i64) -> PaymentEvent {
    PaymentEvent {
        event_id: format!("evt_pi_{n}"),
        kind: "payment_intent.succeeded".into(),
        refs: PaymentRefs { payment_intent: Some(format!("pi_{n}")), ..Default::default() },
        show_hint: None,
        payment_link: None,
        buyer: BuyerDetails::default(),
        promotion_code: None,
        discount_minor: 0,
        fact: PaymentFact::Succeeded { amount_minor: 2000 },
        attempt: Some(AttemptOutcome::Succeeded),
        ..purchase(n, String::new(), at)
    }
}

fn refund(n: u64, full: bool, at: i64) -> PaymentEvent {
    let amount = if n.is_multiple_of(10) { 1500 } else { 2000 };
    PaymentEvent {
        event_id: format!("evt_ch_{n}_{full}"),
        kind: "charge.refunded".into(),
        refs: PaymentRefs {
            payment_intent: Some(format!("pi_{n}")),
            charge: Some(format!("ch_{n}")),
            ..Default::default()
        },
        fact: PaymentFact::ChargeObserved {
            amount_minor: amount,
            refunded_minor: if full { amount } else { 500 },
            paid: true,
        },
        ..intent_succeeded(n, at)
    }
}

/// The rush, page by page.
fn rush() -> impl Iterator<Item = Vec<PaymentEvent>> {
    let mut random = Lcg(42);
    let mut n = 0u64;
    let mut recent: Vec<PaymentEvent> = Vec::new();
    std::iter::from_fn(move || {
        if n >= ORDERS {
            return None;
        }
        let mut page = Vec::with_capacity(PAGE + PAGE / 5);
        while page.len() < PAGE && n < ORDERS {
            // 1,000,000 purchases over three hours; most of them in the last hour.
            let at = T0 + i64::try_from(n).unwrap_or(0) * 10;
            let email = if random.percent() == 0 && n > 10 {
                format!("buyer{}@example.com", n - 1 - random.next() % 10)
            } else {
                format!("buyer{n}@example.com")
            };
            let event = purchase(n, email, at);
            match random.percent() {
                0..=4 => page.push(event.clone()),
                5..=9 => page.push(intent_succeeded(n, at)),
                10..=14 if n > 2 * PAGE as u64 => {
                    let old = n - 1 - random.next() % (2 * PAGE as u64);
                    page.push(refund(old, random.percent() < 50, at));
                }
                _ => {}
            }
            if let Some(old) = recent.pop() {
                // A repeat delivered one page later, as a poll that overlaps the last one.
                page.push(old);
            }
            if random.percent() < 5 {
                recent.push(event.clone());
            }
            page.push(event);
            n += 1;
        }
        Some(page)
    })
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    runtime.block_on(run())
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let store = SqliteStore::open(&dir.path().join("bench.db")).await?;
    let new = NewShow {
        title: "Bench night".into(),
        starts_at_ms: T0 + 3 * 3_600_000,
        ends_at_ms: T0 + 5 * 3_600_000,
        price: Money::new(2000, Currency::EUR),
        capacity: 2_000_000,
        watch_url: None,
    };
    store.create_show(SHOW, &new).await?;
    let listing = ShowListing {
        product_id: "prod_bench".into(),
        price_id: "price_bench".into(),
        payment_link_id: "plink_bench".into(),
        payment_link_url: "https://buy.stripe.com/bench".into(),
        sales_open: true,
    };
    store.set_show_listing(SHOW, &listing).await?;

    let options = ApplyOptions { now_ms: T0 + 4 * 3_600_000, double_purchase_window_ms: 2 * 3_600_000 };
    let (mut events, mut seen, mut issued, mut flagged, mut revoked) = (0usize, 0usize, 0usize, 0usize, 0usize);
    let started = Instant::now();
    for (index, page) in rush().enumerate() {
        let report = store.apply_payment_events(&page, &options).await?;
        events += page.len();
        seen += report.already_seen;
        issued += report.tickets_issued.len();
        flagged += report.double_purchases.len();
        revoked += report.access_revoked.len();
        if index % 100 == 0 {
            eprintln!(
                "… {events} events, {issued} tickets, {:.0} events/s",
                events as f64 / started.elapsed().as_secs_f64()
            );
        }
    }
    let apply_time = started.elapsed();
    let events_per_s = events as f64 / apply_time.as_secs_f64();

    // The dashboard's reads of the store at 1 M orders, warmed once, then the median of 50.
    // Exactly the reads `BoxOffice::dashboard` makes (the rest is assembling a struct).
    let snapshot = || async {
        let now = options.now_ms;
        let show = store.show(SHOW).await?;
        let totals = store.ledger_totals(SHOW, now - 60 * 60_000).await?;
        let current = store.attempt_counts(now - 15 * 60_000, now + 1).await?;
        let previous = store.attempt_counts(now - 30 * 60_000, now - 15 * 60_000).await?;
        let audience = store.audience_summary(SHOW).await?;
        Ok::<_, showdesk_store::StoreError>((totals, (show, current, previous), audience))
    };
    let (totals, _, _) = snapshot().await?;
    let mut times: Vec<Duration> = Vec::new();
    for _ in 0..50 {
        let at = Instant::now();
        snapshot().await?;
        times.push(at.elapsed());
    }
    times.sort();
    let snapshot_ms = times[times.len() / 2].as_secs_f64() * 1000.0;
    let snapshot_p95_ms = times[times.len() * 95 / 100].as_secs_f64() * 1000.0;
    let orders: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM orders").fetch_one(store.pool()).await?;
    let db_bytes = std::fs::metadata(dir.path().join("bench.db")).map(|m| m.len()).unwrap_or(0)
        + std::fs::metadata(dir.path().join("bench.db-wal")).map(|m| m.len()).unwrap_or(0);

    let figures = serde_json::json!({
        "events": events,
        "events_per_s": events_per_s.round(),
        "apply_s": (apply_time.as_secs_f64() * 10.0).round() / 10.0,
        "orders": orders.0,
        "repeats_skipped": seen,
        "tickets_issued": issued,
        "double_purchases_flagged": flagged,
        "access_revoked": revoked,
        "tickets_valid": totals.totals.tickets,
        "snapshot_ms_at_1m": (snapshot_ms * 1000.0).round() / 1000.0,
        "snapshot_p95_ms_at_1m": (snapshot_p95_ms * 1000.0).round() / 1000.0,
        "database_mb": db_bytes / 1_000_000,
    });
    println!("{figures:#}");
    if let Ok(out) = std::env::var("SHOWDESK_BENCH_OUT") {
        if let Some(parent) = std::path::Path::new(&out).parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&out, figures.to_string())?;
    }
    let goals = [(events_per_s >= 10_000.0, "≥ 10,000 events/s"), (snapshot_ms <= 10.0, "snapshot ≤ 10 ms")];
    for (met, goal) in goals {
        eprintln!("{} {goal}", if met { "met:   " } else { "MISSED:" });
    }
    Ok(())
}
