//! Double purchases: the same buyer paying twice for the same show within a window. The buyer is
//! the same when any of email, processor customer or card fingerprint matches — people buy once as
//! a guest and once logged in, or retype their address with a capital letter.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// Trimmed and lower-cased. Deliberately nothing more: dropping dots or `+tags` would merge
/// different people's addresses on some providers.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// What the rule needs to know about one valid ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurchaseIdentity {
    pub order_id: String,
    pub show_id: String,
    /// Normalised with [`normalize_email`].
    pub email: Option<String>,
    pub customer: Option<String>,
    pub card_fingerprint: Option<String>,
    /// When the purchase was made, UTC milliseconds.
    pub purchased_ms: i64,
}

/// Which identity the two purchases share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchedOn {
    Email,
    Customer,
    CardFingerprint,
}

impl MatchedOn {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Customer => "customer",
            Self::CardFingerprint => "card_fingerprint",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Email, Self::Customer, Self::CardFingerprint].into_iter().find(|m| m.as_str() == text)
    }
}

/// A flagged pair: `duplicate` is the later purchase, the one to refund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoublePurchase {
    pub show_id: String,
    pub original_order_id: String,
    pub duplicate_order_id: String,
    pub matched_on: MatchedOn,
}

/// The identities a purchase can match on, strongest first.
fn identity_keys(p: &PurchaseIdentity) -> [(MatchedOn, Option<&str>); 3] {
    [
        (MatchedOn::Customer, p.customer.as_deref()),
        (MatchedOn::CardFingerprint, p.card_fingerprint.as_deref()),
        (MatchedOn::Email, p.email.as_deref()),
    ]
}

/// Flags every purchase in `new` that repeats an earlier one (in `existing` or earlier in `new`)
/// by the same buyer, for the same show, within `window_ms`. Each duplicate is flagged once,
/// against the earliest purchase it repeats; the earliest purchase of a buyer is never flagged.
///
/// Purchases are indexed by (show, identity) first, so a batch of thousands costs a few lookups per
/// purchase, not a comparison with every other one.
pub fn find_double_purchases(
    new: &[PurchaseIdentity],
    existing: &[PurchaseIdentity],
    window_ms: i64,
) -> Vec<DoublePurchase> {
    type Key<'a> = (&'a str, MatchedOn, &'a str);
    let mut index: HashMap<Key<'_>, Vec<&PurchaseIdentity>> = HashMap::new();
    for purchase in existing.iter().chain(new.iter()) {
        for (kind, value) in identity_keys(purchase) {
            if let Some(value) = value.filter(|v| !v.is_empty()) {
                index.entry((purchase.show_id.as_str(), kind, value)).or_default().push(purchase);
            }
        }
    }
    let mut flags = Vec::new();
    for candidate in new {
        let order = (candidate.purchased_ms, candidate.order_id.as_str());
        let mut best: Option<(&PurchaseIdentity, MatchedOn)> = None;
        // Customer first, then card, then email: the strongest match names the flag.
        for (kind, value) in identity_keys(candidate) {
            let Some(value) = value.filter(|v| !v.is_empty()) else { continue };
            let Some(same) = index.get(&(candidate.show_id.as_str(), kind, value)) else { continue };
            for other in same {
                let earlier = (other.purchased_ms, other.order_id.as_str()) < order;
                if other.order_id == candidate.order_id
                    || !earlier
                    || candidate.purchased_ms - other.purchased_ms > window_ms
                {
                    continue;
                }
                let better =
                    best.is_none_or(|(b, _)| (other.purchased_ms, &other.order_id) < (b.purchased_ms, &b.order_id));
                if better {
                    best = Some((other, kind));
                }
            }
        }
        if let Some((original, matched_on)) = best {
            flags.push(DoublePurchase {
                show_id: candidate.show_id.clone(),
                original_order_id: original.order_id.clone(),
                duplicate_order_id: candidate.order_id.clone(),
                matched_on,
            });
        }
    }
    flags
}

#[cfg(test)]
mod tests {
    use super::*;

    fn purchase(id: &str, email: &str, at: i64) -> PurchaseIdentity {
        PurchaseIdentity {
            order_id: id.into(),
            show_id: "show".into(),
            email: Some(normalize_email(email)),
            customer: None,
            card_fingerprint: None,
            purchased_ms: at,
        }
    }

    #[test]
    fn the_same_buyer_twice_within_the_window_is_flagged_once() {
        let first = purchase("o1", "Ana@Example.com ", 0);
        let second = purchase("o2", "ana@example.com", 60_000);
        let third = purchase("o3", "ana@example.com", 120_000);
        let flags = find_double_purchases(&[second.clone(), third], &[first], 3_600_000);
        assert_eq!(flags.len(), 2);
        assert_eq!((flags[0].original_order_id.as_str(), flags[0].duplicate_order_id.as_str()), ("o1", "o2"));
        assert_eq!(flags[1].original_order_id, "o1", "flagged against the earliest purchase");
        assert_eq!(flags[0].matched_on, MatchedOn::Email);
    }

    #[test]
    fn other_buyers_other_shows_and_old_purchases_are_not_duplicates() {
        let first = purchase("o1", "ana@example.com", 0);
        let other_buyer = purchase("o2", "bo@example.com", 1_000);
        let other_show = PurchaseIdentity { show_id: "other".into(), ..purchase("o3", "ana@example.com", 1_000) };
        let much_later = purchase("o4", "ana@example.com", 10_000_000);
        assert!(
            find_double_purchases(&[other_buyer, other_show, much_later], std::slice::from_ref(&first), 3_600_000)
                .is_empty()
        );
        assert!(
            find_double_purchases(std::slice::from_ref(&first), std::slice::from_ref(&first), 3_600_000).is_empty(),
            "not its own duplicate"
        );
    }

    #[test]
    fn a_card_or_a_customer_links_different_addresses() {
        let mut first = purchase("o1", "ana@example.com", 0);
        first.card_fingerprint = Some("fp_1".into());
        let mut second = purchase("o2", "ana.work@example.com", 1_000);
        second.card_fingerprint = Some("fp_1".into());
        let flags = find_double_purchases(&[first, second], &[], 3_600_000);
        assert_eq!(flags.len(), 1);
        assert_eq!(flags[0].matched_on, MatchedOn::CardFingerprint);
    }
}
