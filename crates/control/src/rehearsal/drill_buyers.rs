//! The drill's ticket rush: buyers pay through the Stripe API of the rehearsal's localstripe, as a
//! Payment Link's checkout would charge them — fast in the first minute, then slower; one card in
//! seven declined, one buyer in twelve paying twice, one in four with the promo code.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use showdesk_connectors::stripe::{IdempotencyKey, StripeClient, StripeConfig, StripeError, StripeKey};
use showdesk_core::support::Language;
use showdesk_core::{Currency, Money};
use tokio::sync::watch;

use super::drill::{Buyers, DrillCounters, pause};
use super::wiring::RehearsalWiring;

/// The card localstripe declines at charge time.
const DECLINED_CARD: &str = "pm_card_chargeCustomerFail";
const GOOD_CARD: &str = "pm_card_visa";
/// The rush stops this short of the capacity (so the show never sells out during a drill).
const HEADROOM: u32 = 20;
const CAPACITY: u32 = 300;

/// Someone who tried to buy, and what happened to them.
#[derive(Debug, Clone)]
pub struct Buyer {
    pub name: String,
    pub email: String,
    pub language: Language,
    pub paid: bool,
    pub declined: bool,
    pub paid_twice: bool,
    pub used_promo: bool,
}

const PEOPLE: &[(&str, &str, Language)] = &[
    ("Ana", "Lopez", Language::En),
    ("Marc", "Dubois", Language::Fr),
    ("Julie", "Martin", Language::Fr),
    ("Tom", "Baker", Language::En),
    ("Léa", "Bernard", Language::Fr),
    ("Emma", "Wilson", Language::En),
    ("Hugo", "Petit", Language::Fr),
    ("James", "Carter", Language::En),
    ("Chloé", "Moreau", Language::Fr),
    ("Noah", "Smith", Language::En),
    ("Inès", "Laurent", Language::Fr),
    ("Olivia", "Brown", Language::En),
];

/// The n-th buyer (names repeat with a number, addresses never do).
fn person(n: u32) -> (String, String, Language) {
    let (first, last, language) = PEOPLE[n as usize % PEOPLE.len()];
    let ascii = |text: &str| -> String {
        text.chars()
            .map(|c| match c {
                'é' | 'è' | 'ê' => 'e',
                'ï' | 'î' => 'i',
                other => other,
            })
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_lowercase()
    };
    (format!("{first} {last}"), format!("{}.{}{n}@example.com", ascii(first), ascii(last)), language)
}

/// The pause before the next purchase, `elapsed` into the drill.
fn gap(elapsed: Duration) -> Duration {
    match elapsed.as_secs() {
        0..60 => Duration::from_millis(1_200),
        60..180 => Duration::from_secs(4),
        _ => Duration::from_secs(10),
    }
}

/// What the n-th attempt is.
fn story(n: u32) -> (bool, bool, bool) {
    let declined = n % 7 == 3;
    let twice = !declined && n % 12 == 5;
    let promo = !declined && n % 4 == 1;
    (declined, twice, promo)
}

pub(crate) async fn run_buyers(
    wiring: RehearsalWiring,
    promo: Option<String>,
    buyers: Buyers,
    counters: Arc<DrillCounters>,
    mut stop: watch::Receiver<bool>,
) {
    let stripe = match StripeKey::new(&wiring.endpoints.stripe_secret_key)
        .and_then(|key| StripeClient::new(StripeConfig::new(&wiring.endpoints.stripe_api_base, key)))
    {
        Ok(client) => client,
        Err(err) => {
            tracing::error!(code = err.code(), "the drill cannot reach localstripe: {err}");
            return;
        }
    };
    let currency: Currency = wiring.currency.parse().unwrap_or(Currency::EUR);
    let started = Instant::now();
    // A prefix per drill keeps idempotency keys distinct from an earlier drill's.
    let run = showdesk_store::now_ms();
    let mut n = 0;
    while pause(gap(started.elapsed()), &mut stop).await {
        if counters.purchases.load(Ordering::Relaxed) + HEADROOM >= CAPACITY {
            continue;
        }
        let (name, email, language) = person(n);
        let (declined, twice, use_promo) = story(n);
        let use_promo = use_promo && promo.is_some();
        let price = if use_promo { wiring.price_minor * 80 / 100 } else { wiring.price_minor };
        let mut buyer =
            Buyer { name, email, language, paid: false, declined: false, paid_twice: false, used_promo: use_promo };
        let result: Result<(), StripeError> = async {
            let customer = stripe
                .create_customer(&buyer.email, &IdempotencyKey::for_action("drill.customer", &format!("{run}-{n}")))
                .await?;
            let card = if declined { DECLINED_CARD } else { GOOD_CARD };
            let times = if twice { 2 } else { 1 };
            for attempt in 0..times {
                let key = IdempotencyKey::for_action("drill.payment", &format!("{run}-{n}-{attempt}"));
                let paid = stripe
                    .create_test_payment_with_promo(
                        Money::new(price, currency),
                        card,
                        &wiring.show_id,
                        (&buyer.email, Some(&customer)),
                        promo
                            .as_deref()
                            .filter(|_| use_promo)
                            .map(|code| (code, Money::new(wiring.price_minor - price, currency))),
                        &key,
                    )
                    .await;
                match paid {
                    Ok(_) => {
                        buyer.paid = true;
                        counters.purchases.fetch_add(1, Ordering::Relaxed);
                        // Per paid order, as the ledger and the report count code uses (a buyer
                        // who pays twice with the code used it twice).
                        if use_promo {
                            counters.promo_used.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    Err(StripeError::CardDeclined { .. }) => {
                        buyer.declined = true;
                        counters.declined.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(other) => return Err(other),
                }
            }
            Ok(())
        }
        .await;
        if let Err(err) = result {
            tracing::warn!(code = err.code(), "a drill purchase failed: {err}");
        }
        if twice && buyer.paid {
            buyer.paid_twice = true;
            counters.double_purchases.fetch_add(1, Ordering::Relaxed);
        }
        buyers.lock().unwrap_or_else(|p| p.into_inner()).push(buyer);
        n += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rush_has_declines_doubles_and_promo_codes_in_its_first_minute() {
        let first_minute: Vec<(bool, bool, bool)> = (0..50).map(story).collect();
        let declines = first_minute.iter().filter(|s| s.0).count();
        let doubles = first_minute.iter().filter(|s| s.1).count();
        let promos = first_minute.iter().filter(|s| s.2).count();
        assert!((5..=9).contains(&declines) && (2..=5).contains(&doubles) && (8..=14).contains(&promos));
        assert!(
            first_minute.iter().all(|s| !(s.0 && (s.1 || s.2))),
            "a declined card neither pays twice nor uses a code"
        );
    }

    #[test]
    fn every_buyer_has_an_address_of_their_own() {
        let addresses: std::collections::BTreeSet<String> = (0..100).map(|n| person(n).1).collect();
        assert_eq!(addresses.len(), 100);
        assert!(addresses.iter().all(|a| a.is_ascii() && a.ends_with("@example.com")));
        assert_eq!(person(4).1, "lea.bernard4@example.com");
    }

    #[test]
    fn the_rush_is_fast_at_first_then_slows() {
        assert!(gap(Duration::from_secs(10)) < gap(Duration::from_secs(90)));
        assert!(gap(Duration::from_secs(90)) < gap(Duration::from_secs(600)));
    }
}
