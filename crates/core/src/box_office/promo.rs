//! Promo codes: a percentage or a fixed amount off (never both), an optional cap on redemptions, an
//! optional expiry, and single-use codes meant for one buyer (to win back an unhappy customer).

use serde::{Deserialize, Serialize};

use super::duplicate::normalize_email;
use super::error::RuleError;
use crate::Money;

/// How much a code takes off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Discount {
    /// Whole percent, 1 to 100.
    Percent { percent: u8 },
    /// A fixed amount in the show's currency.
    Amount { amount: Money },
}

/// A promo code's rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromoRules {
    /// What buyers type. Letters, digits, `-` and `_`; matched without regard to case.
    pub code: String,
    pub discount: Discount,
    pub max_redemptions: Option<u32>,
    pub expires_at_ms: Option<i64>,
    /// A code for one buyer: only this address may use it, once.
    pub for_buyer: Option<String>,
}

impl PromoRules {
    /// Checks the rules against the show's price (`now_ms` for the expiry) and returns them
    /// normalised: the code upper-cased, the buyer's address lower-cased, and a buyer's code
    /// limited to one use.
    pub fn validated(mut self, price: Money, now_ms: i64) -> Result<Self, RuleError> {
        self.code = self.code.trim().to_ascii_uppercase();
        let length = self.code.chars().count();
        if !(3..=40).contains(&length) {
            return Err(RuleError::invalid("code", "3 to 40 characters"));
        }
        if !self.code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            return Err(RuleError::invalid("code", "only letters, digits, '-' and '_'"));
        }
        match self.discount {
            Discount::Percent { percent } if !(1..=100).contains(&percent) => {
                return Err(RuleError::invalid("percent", "between 1 and 100"));
            }
            Discount::Amount { amount } if amount.minor <= 0 => {
                return Err(RuleError::invalid("amount", "more than zero"));
            }
            Discount::Amount { amount } if amount.currency != price.currency => {
                return Err(RuleError::invalid(
                    "amount",
                    format!("must be in {}, the show's currency", price.currency),
                ));
            }
            Discount::Amount { amount } if amount.minor > price.minor => {
                return Err(RuleError::invalid("amount", format!("more than the ticket price ({price})")));
            }
            _ => {}
        }
        if self.max_redemptions == Some(0) {
            return Err(RuleError::invalid("max_redemptions", "at least 1"));
        }
        if let Some(expiry) = self.expires_at_ms
            && expiry <= now_ms
        {
            return Err(RuleError::invalid("expires_at", "already in the past"));
        }
        if let Some(buyer) = &self.for_buyer {
            let email = normalize_email(buyer);
            if !email.contains('@') {
                return Err(RuleError::invalid("for_buyer", "an email address"));
            }
            self.for_buyer = Some(email);
            self.max_redemptions = Some(1);
        }
        Ok(self)
    }

    /// The ticket price once this code is applied. A percentage rounds the discount to the nearest
    /// minor unit, as Stripe does; the price never goes below zero.
    pub fn price_after(&self, price: Money) -> Money {
        let discount = match self.discount {
            Discount::Percent { percent } => {
                let exact = i128::from(price.minor) * i128::from(percent);
                i64::try_from((exact + 50) / 100).unwrap_or(price.minor)
            }
            Discount::Amount { amount } => amount.minor,
        };
        Money::new((price.minor - discount).max(0), price.currency)
    }

    /// Whether `buyer` may use the code now, after `redemptions` uses.
    pub fn check_redemption(&self, redemptions: u32, buyer: &str, now_ms: i64) -> Result<(), RuleError> {
        let refuse = |reason: &str| Err(RuleError::PromoRefused { code: self.code.clone(), reason: reason.into() });
        if self.expires_at_ms.is_some_and(|expiry| now_ms >= expiry) {
            return refuse("has expired");
        }
        if self.max_redemptions.is_some_and(|max| redemptions >= max) {
            return refuse("has been used as many times as allowed");
        }
        if self.for_buyer.as_deref().is_some_and(|owner| owner != normalize_email(buyer)) {
            return refuse("belongs to another buyer");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Currency;

    const PRICE: Money = Money::new(2000, Currency::EUR);

    fn rules(discount: Discount) -> PromoRules {
        PromoRules {
            code: " early-bird ".into(),
            discount,
            max_redemptions: None,
            expires_at_ms: None,
            for_buyer: None,
        }
    }

    #[test]
    fn percent_xor_amount_and_sane_values() {
        let ok = rules(Discount::Percent { percent: 25 }).validated(PRICE, 0).unwrap();
        assert_eq!(ok.code, "EARLY-BIRD");
        assert_eq!(ok.price_after(PRICE).minor, 1500);
        let fixed = rules(Discount::Amount { amount: Money::new(500, Currency::EUR) }).validated(PRICE, 0).unwrap();
        assert_eq!(fixed.price_after(PRICE).minor, 1500);
        assert_eq!(rules(Discount::Percent { percent: 100 }).validated(PRICE, 0).unwrap().price_after(PRICE).minor, 0);
        for bad in [
            rules(Discount::Percent { percent: 0 }),
            rules(Discount::Percent { percent: 101 }),
            rules(Discount::Amount { amount: Money::new(0, Currency::EUR) }),
            rules(Discount::Amount { amount: Money::new(500, Currency::USD) }),
            rules(Discount::Amount { amount: Money::new(2001, Currency::EUR) }),
            PromoRules { code: "A!".into(), ..rules(Discount::Percent { percent: 5 }) },
            PromoRules { max_redemptions: Some(0), ..rules(Discount::Percent { percent: 5 }) },
            PromoRules { expires_at_ms: Some(10), ..rules(Discount::Percent { percent: 5 }) },
        ] {
            assert!(bad.clone().validated(PRICE, 10).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn percentages_round_like_stripe() {
        let third = rules(Discount::Percent { percent: 33 }).validated(PRICE, 0).unwrap();
        assert_eq!(third.price_after(Money::new(999, Currency::EUR)).minor, 999 - 330);
    }

    #[test]
    fn redemptions_expiry_and_one_buyer() {
        let winback = PromoRules {
            for_buyer: Some(" Unhappy@Example.com".into()),
            expires_at_ms: Some(1_000),
            ..rules(Discount::Percent { percent: 50 })
        }
        .validated(PRICE, 0)
        .unwrap();
        assert_eq!(winback.max_redemptions, Some(1), "a buyer's code is single-use");
        assert_eq!(winback.check_redemption(0, "unhappy@example.com", 10), Ok(()));
        assert_eq!(
            winback.check_redemption(1, "unhappy@example.com", 10).map_err(|e| e.code()),
            Err("box_office.promo_refused")
        );
        assert!(winback.check_redemption(0, "other@example.com", 10).is_err());
        assert!(winback.check_redemption(0, "unhappy@example.com", 1_000).is_err(), "expired");
    }
}
