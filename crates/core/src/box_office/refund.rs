//! Refunds: full or partial, capped at what remains before the processor is ever called (C17).

use serde::{Deserialize, Serialize};

use super::error::RuleError;
use super::order::{OrderFacts, PaymentState};
use crate::Money;

/// Why money goes back, as the processor records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundReason {
    /// A double purchase or a double charge.
    Duplicate,
    Fraudulent,
    /// Cancellations, goodwill for a late start, "I can't make it".
    RequestedByCustomer,
}

impl RefundReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Duplicate => "duplicate",
            Self::Fraudulent => "fraudulent",
            Self::RequestedByCustomer => "requested_by_customer",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Duplicate, Self::Fraudulent, Self::RequestedByCustomer].into_iter().find(|r| r.as_str() == text)
    }
}

/// What can still be refunded on an order, in minor units.
///
/// Two sources know about refunds: the ledger (`refunded_minor`, the processor's own total) and the
/// refunds this app asked for and that the processor has not reported back yet. Each is a part of
/// the truth and neither includes refunds the other lacks in a way that could be double counted
/// (ours are a subset of the processor's once reported), so the larger of the two is what is gone.
pub fn refundable_minor(order: &OrderFacts, requested_by_us_minor: i64) -> i64 {
    let amount = order.amount_minor.unwrap_or(0);
    (amount - order.refunded_minor.max(requested_by_us_minor)).max(0)
}

/// Checks a refund request against what remains; returns the amount to send.
pub fn check_refund(order: &OrderFacts, requested_by_us_minor: i64, asked: Money) -> Result<Money, RuleError> {
    if order.payment != PaymentState::Paid {
        return Err(RuleError::NotRefundable { status: order.status().as_str() });
    }
    if asked.minor <= 0 {
        return Err(RuleError::RefundNotPositive);
    }
    let remaining = Money::new(refundable_minor(order, requested_by_us_minor), asked.currency);
    if remaining.minor == 0 {
        return Err(RuleError::NotRefundable { status: order.status().as_str() });
    }
    if asked.minor > remaining.minor {
        return Err(RuleError::RefundExceedsRemaining { asked, remaining });
    }
    Ok(asked)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Currency;
    use crate::box_office::{CheckoutPayment, PaymentFact};

    fn order(amount: i64, refunded: i64) -> OrderFacts {
        let mut facts = OrderFacts::default();
        facts.merge(&PaymentFact::CheckoutCompleted { amount_total_minor: amount, payment: CheckoutPayment::Paid });
        facts.merge(&PaymentFact::ChargeObserved { amount_minor: amount, refunded_minor: refunded, paid: true });
        facts
    }

    #[test]
    fn the_form_caps_at_what_remains() {
        let eur = |minor| Money::new(minor, Currency::EUR);
        let after_first = order(2000, 500);
        assert_eq!(refundable_minor(&after_first, 0), 1500);
        assert_eq!(check_refund(&after_first, 0, eur(1500)), Ok(eur(1500)));
        assert_eq!(
            check_refund(&after_first, 0, eur(2000)),
            Err(RuleError::RefundExceedsRemaining { asked: eur(2000), remaining: eur(1500) })
        );
        // A refund we asked for that the processor has not reported yet counts too.
        assert_eq!(refundable_minor(&order(2000, 0), 500), 1500);
        assert_eq!(check_refund(&order(2000, 2000), 0, eur(1)).map_err(|e| e.code()), Err("box_office.not_refundable"));
        assert_eq!(check_refund(&order(2000, 0), 0, eur(0)), Err(RuleError::RefundNotPositive));
        assert!(check_refund(&OrderFacts::default(), 0, eur(100)).is_err(), "a pending order has nothing to refund");
    }
}
