//! The pre-show notices. Payment processors freeze accounts that suddenly sell far more than usual
//! (it looks like fraud), and mail providers flag thousands of identical confirmations as spam. Both
//! accept a heads-up: expected volume, peak rate and window. This computes it from the price, the
//! capacity and the expected sales curve.
//!
//! The curve: a share of the sales (`rush_share_percent`) lands in the last `rush_window_minutes`
//! before the start, the rest spreads evenly over the on-sale period. Inside the rush, sales are not
//! even either: the minutes just before the start carry about [`PEAK_FACTOR`] times the rush's
//! average. The notice quotes that peak, so the figures we announce are ones we will not exceed.

use serde::{Deserialize, Serialize};

use super::error::RuleError;
use crate::Money;

/// The busiest minute against the rush's average minute.
pub const PEAK_FACTOR: u64 = 3;

/// What the organizer expects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SalesForecast {
    pub price: Money,
    pub capacity: u32,
    /// Share of the capacity expected to sell, 1 to 100.
    pub sell_through_percent: u8,
    pub on_sale_from_ms: i64,
    pub show_starts_ms: i64,
    /// Share of the sales expected in the rush before the start, 0 to 100.
    pub rush_share_percent: u8,
    pub rush_window_minutes: u32,
}

/// What to tell the payment processor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessorNotice {
    pub expected_orders: u64,
    pub expected_volume: Money,
    pub average_ticket: Money,
    pub peak_orders_per_minute: u64,
    pub peak_volume_per_hour: Money,
    pub rush_starts_ms: i64,
    pub rush_ends_ms: i64,
}

/// What to tell the mail provider (one confirmation per order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailNotice {
    pub total_confirmations: u64,
    pub peak_confirmations_per_hour: u64,
    pub rush_starts_ms: i64,
    pub rush_ends_ms: i64,
}

/// Both notices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskNotice {
    pub processor: ProcessorNotice,
    pub mail: MailNotice,
}

impl SalesForecast {
    pub fn notice(&self) -> Result<RiskNotice, RuleError> {
        if self.capacity == 0 {
            return Err(RuleError::invalid("capacity", "at least one ticket"));
        }
        if !(1..=100).contains(&self.sell_through_percent) {
            return Err(RuleError::invalid("sell_through_percent", "between 1 and 100"));
        }
        if self.rush_share_percent > 100 {
            return Err(RuleError::invalid("rush_share_percent", "between 0 and 100"));
        }
        if self.rush_window_minutes == 0 {
            return Err(RuleError::invalid("rush_window_minutes", "at least one minute"));
        }
        if self.show_starts_ms <= self.on_sale_from_ms {
            return Err(RuleError::invalid("on_sale_from", "sales must open before the show starts"));
        }
        let orders = div_ceil(u64::from(self.capacity) * u64::from(self.sell_through_percent), 100);
        let rush_orders = div_ceil(orders * u64::from(self.rush_share_percent), 100);
        let rush_minutes = u64::from(self.rush_window_minutes);
        let sale_minutes = u64::try_from((self.show_starts_ms - self.on_sale_from_ms) / 60_000).unwrap_or(0).max(1);
        // Outside the rush, sales are even over the rest of the period.
        let calm_rate = div_ceil(orders - rush_orders, sale_minutes.saturating_sub(rush_minutes).max(1));
        let rush_peak = if rush_orders == 0 { 0 } else { div_ceil(rush_orders * PEAK_FACTOR, rush_minutes) };
        let peak_per_minute = rush_peak.max(calm_rate).min(orders).max(1);
        // In the busiest hour: the rush (all of it when it is an hour or shorter, else its peak
        // part) plus the calm rate over the remaining minutes of that hour.
        let rush_in_hour = if rush_minutes <= 60 { rush_orders } else { (peak_per_minute * 60).min(rush_orders) };
        let peak_per_hour = (rush_in_hour + calm_rate * 60u64.saturating_sub(rush_minutes)).min(orders);
        let price = self.price;
        let volume = |count: u64| -> Result<Money, RuleError> {
            let count = i64::try_from(count).map_err(|_| crate::MoneyError::Overflow)?;
            Ok(Money::new(price.minor.checked_mul(count).ok_or(crate::MoneyError::Overflow)?, price.currency))
        };
        let rush_starts_ms = self.show_starts_ms - i64::from(self.rush_window_minutes) * 60_000;
        Ok(RiskNotice {
            processor: ProcessorNotice {
                expected_orders: orders,
                expected_volume: volume(orders)?,
                average_ticket: price,
                peak_orders_per_minute: peak_per_minute,
                peak_volume_per_hour: volume(peak_per_hour)?,
                rush_starts_ms,
                rush_ends_ms: self.show_starts_ms,
            },
            mail: MailNotice {
                total_confirmations: orders,
                peak_confirmations_per_hour: peak_per_hour,
                rush_starts_ms,
                rush_ends_ms: self.show_starts_ms,
            },
        })
    }
}

fn div_ceil(a: u64, b: u64) -> u64 {
    if b == 0 { a } else { a.div_ceil(b) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Currency;

    fn forecast() -> SalesForecast {
        SalesForecast {
            price: Money::new(1500, Currency::EUR),
            capacity: 2000,
            sell_through_percent: 80,
            on_sale_from_ms: 0,
            show_starts_ms: 14 * 24 * 3_600_000,
            rush_share_percent: 50,
            rush_window_minutes: 60,
        }
    }

    #[test]
    fn a_rush_before_the_start() {
        let notice = forecast().notice().unwrap();
        let processor = &notice.processor;
        assert_eq!(processor.expected_orders, 1600);
        assert_eq!(processor.expected_volume, Money::new(2_400_000, Currency::EUR));
        // 800 orders in the last hour, the busiest minute at three times the average: 40/min.
        assert_eq!(processor.peak_orders_per_minute, 40);
        assert_eq!(notice.mail.peak_confirmations_per_hour, 800);
        assert_eq!(processor.peak_volume_per_hour, Money::new(1_200_000, Currency::EUR));
        assert_eq!(processor.rush_ends_ms - processor.rush_starts_ms, 3_600_000);
    }

    #[test]
    fn figures_never_exceed_what_can_sell() {
        let tiny = SalesForecast { capacity: 3, rush_window_minutes: 1, rush_share_percent: 100, ..forecast() };
        let notice = tiny.notice().unwrap();
        assert_eq!(notice.processor.expected_orders, 3);
        assert!(notice.processor.peak_orders_per_minute <= 3);
        assert!(notice.mail.peak_confirmations_per_hour <= 3);
    }

    #[test]
    fn refuses_forecasts_that_mean_nothing() {
        assert!(SalesForecast { sell_through_percent: 0, ..forecast() }.notice().is_err());
        assert!(SalesForecast { rush_window_minutes: 0, ..forecast() }.notice().is_err());
        assert!(SalesForecast { show_starts_ms: 0, ..forecast() }.notice().is_err());
    }
}
