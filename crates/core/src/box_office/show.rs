//! A show on sale: what it is, when, for how much, for how many.

use serde::{Deserialize, Serialize};

use super::error::RuleError;
use crate::Money;

/// A show as the operator creates it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewShow {
    pub title: String,
    pub starts_at_ms: i64,
    pub ends_at_ms: i64,
    pub price: Money,
    pub capacity: u32,
    /// Where buyers watch (the host's event page); what "resend access" sends.
    pub watch_url: Option<String>,
}

/// A stored show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Show {
    pub id: String,
    pub title: String,
    pub starts_at_ms: i64,
    pub ends_at_ms: i64,
    pub price: Money,
    pub capacity: u32,
    /// `plink_…` once the show is on sale through a Payment Link.
    pub payment_link_id: Option<String>,
    pub payment_link_url: Option<String>,
    /// Where buyers watch (the host's event page).
    pub watch_url: Option<String>,
    pub sales_open: bool,
    pub created_ms: i64,
}

impl NewShow {
    /// Refuses a show people could not buy or attend.
    pub fn validate(&self) -> Result<(), RuleError> {
        let title = self.title.trim();
        if title.is_empty() {
            return Err(RuleError::invalid("title", "a show needs a title"));
        }
        if title.chars().count() > 200 {
            return Err(RuleError::invalid("title", "at most 200 characters"));
        }
        if let Some(url) = &self.watch_url
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            return Err(RuleError::invalid("watch_url", "a web address starting with https://"));
        }
        if self.ends_at_ms <= self.starts_at_ms {
            return Err(RuleError::invalid("ends_at", "the show must end after it starts"));
        }
        if self.price.minor < 0 {
            return Err(RuleError::invalid("price", "a price cannot be negative"));
        }
        if self.capacity == 0 {
            return Err(RuleError::invalid("capacity", "at least one ticket"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Currency;

    #[test]
    fn refuses_shows_nobody_could_buy() {
        let good = NewShow {
            title: "Fight night".into(),
            starts_at_ms: 1_000,
            ends_at_ms: 2_000,
            price: Money::new(1500, Currency::EUR),
            capacity: 500,
            watch_url: None,
        };
        assert_eq!(good.validate(), Ok(()));
        let field = |show: NewShow| match show.validate() {
            Err(RuleError::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(NewShow { title: "  ".into(), ..good.clone() }), "title");
        assert_eq!(field(NewShow { ends_at_ms: 1_000, ..good.clone() }), "ends_at");
        assert_eq!(field(NewShow { capacity: 0, ..good.clone() }), "capacity");
        assert_eq!(field(NewShow { price: Money::new(-1, Currency::EUR), ..good }), "price");
    }
}
