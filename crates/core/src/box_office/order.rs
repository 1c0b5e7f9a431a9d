//! An order's state, folded from facts in any order.
//!
//! Each part of [`OrderFacts`] only moves up a fixed ranking when a fact is merged, so merging is
//! commutative and idempotent: the same facts in any order, any number of times, give the same
//! order. The status shown to people ([`OrderStatus`]) is computed from the parts, never stored as
//! the result of "the last event".

use serde::{Deserialize, Serialize};

use super::event::{CheckoutPayment, PaymentFact};

/// Where the money stands. Ranked: a later `Pending` never undoes `Paid`; a retry that succeeds after
/// a decline makes the order `Paid`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentState {
    Pending = 0,
    Failed = 1,
    Paid = 2,
}

/// A chargeback. Ranked: once closed it stays closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisputeState {
    None = 0,
    Open = 1,
    Won = 2,
    Lost = 3,
}

/// What people see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Pending,
    Paid,
    PartiallyRefunded,
    Refunded,
    Disputed,
    Failed,
}

impl OrderStatus {
    pub const ALL: [Self; 6] =
        [Self::Pending, Self::Paid, Self::PartiallyRefunded, Self::Refunded, Self::Disputed, Self::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Paid => "paid",
            Self::PartiallyRefunded => "partially_refunded",
            Self::Refunded => "refunded",
            Self::Disputed => "disputed",
            Self::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == text)
    }

    /// Whether an order in this status holds a valid ticket. A partial refund (a goodwill gesture)
    /// keeps the ticket; a full refund or an open chargeback revokes it.
    pub fn grants_access(self) -> bool {
        matches!(self, Self::Paid | Self::PartiallyRefunded)
    }
}

impl PaymentState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Failed => "failed",
            Self::Paid => "paid",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Pending, Self::Failed, Self::Paid].into_iter().find(|state| state.as_str() == text)
    }
}

impl DisputeState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Open => "open",
            Self::Won => "won",
            Self::Lost => "lost",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::None, Self::Open, Self::Won, Self::Lost].into_iter().find(|state| state.as_str() == text)
    }
}

/// The mergeable state of one order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderFacts {
    pub payment: PaymentState,
    /// What the buyer paid, after discounts, in minor units; `None` until an event says.
    pub amount_minor: Option<i64>,
    /// The total refunded so far: the largest `amount_refunded` ever observed.
    pub refunded_minor: i64,
    pub dispute: DisputeState,
}

impl Default for OrderFacts {
    fn default() -> Self {
        Self { payment: PaymentState::Pending, amount_minor: None, refunded_minor: 0, dispute: DisputeState::None }
    }
}

impl OrderFacts {
    /// Folds one fact in. Commutative and idempotent (see the module comment).
    pub fn merge(&mut self, fact: &PaymentFact) {
        match *fact {
            PaymentFact::CheckoutCompleted { amount_total_minor, payment } => {
                // The checkout's total is after discounts: it is what the order is worth.
                self.amount_minor = Some(amount_total_minor);
                match payment {
                    CheckoutPayment::Paid | CheckoutPayment::NoPaymentRequired => {
                        self.raise_payment(PaymentState::Paid)
                    }
                    CheckoutPayment::Unpaid => {}
                }
            }
            PaymentFact::Succeeded { amount_minor } => {
                self.amount_minor.get_or_insert(amount_minor);
                self.raise_payment(PaymentState::Paid);
            }
            PaymentFact::Failed => self.raise_payment(PaymentState::Failed),
            PaymentFact::ChargeObserved { amount_minor, refunded_minor, paid } => {
                self.amount_minor.get_or_insert(amount_minor);
                if paid {
                    self.raise_payment(PaymentState::Paid);
                }
                self.refunded_minor = self.refunded_minor.max(refunded_minor);
            }
            PaymentFact::DisputeOpened => self.dispute = self.dispute.max(DisputeState::Open),
            PaymentFact::DisputeClosed { won } => {
                self.dispute = self.dispute.max(if won { DisputeState::Won } else { DisputeState::Lost });
            }
            PaymentFact::Nothing => {}
        }
    }

    /// Merges another order's facts (two rows that turned out to be one purchase).
    pub fn absorb(&mut self, other: &OrderFacts) {
        self.raise_payment(other.payment);
        if self.amount_minor.is_none() {
            self.amount_minor = other.amount_minor;
        }
        self.refunded_minor = self.refunded_minor.max(other.refunded_minor);
        self.dispute = self.dispute.max(other.dispute);
    }

    fn raise_payment(&mut self, state: PaymentState) {
        self.payment = self.payment.max(state);
    }

    pub fn status(&self) -> OrderStatus {
        if matches!(self.dispute, DisputeState::Open | DisputeState::Lost) {
            return OrderStatus::Disputed;
        }
        match self.payment {
            PaymentState::Pending => OrderStatus::Pending,
            PaymentState::Failed => OrderStatus::Failed,
            PaymentState::Paid => {
                let amount = self.amount_minor.unwrap_or(0);
                if self.refunded_minor <= 0 {
                    OrderStatus::Paid
                } else if self.refunded_minor < amount {
                    OrderStatus::PartiallyRefunded
                } else {
                    OrderStatus::Refunded
                }
            }
        }
    }

    pub fn grants_access(&self) -> bool {
        self.status().grants_access()
    }

    /// What this order adds to its show's totals; the ledger keeps totals incrementally by adding
    /// `after - before` on every change, so the dashboard never scans orders.
    pub fn contribution(&self) -> TicketContribution {
        let status = self.status();
        let paid = self.payment == PaymentState::Paid;
        TicketContribution {
            tickets: i64::from(status.grants_access()),
            paid_orders: i64::from(paid),
            gross_minor: if paid { self.amount_minor.unwrap_or(0) } else { 0 },
            refunded_minor: if paid { self.refunded_minor } else { 0 },
            pending_orders: i64::from(status == OrderStatus::Pending),
            failed_orders: i64::from(status == OrderStatus::Failed),
            refunded_orders: i64::from(status == OrderStatus::Refunded),
            disputed_orders: i64::from(status == OrderStatus::Disputed),
        }
    }
}

/// An order's share of its show's totals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketContribution {
    pub tickets: i64,
    pub paid_orders: i64,
    pub gross_minor: i64,
    pub refunded_minor: i64,
    pub pending_orders: i64,
    pub failed_orders: i64,
    pub refunded_orders: i64,
    pub disputed_orders: i64,
}

impl TicketContribution {
    pub fn is_zero(&self) -> bool {
        *self == Self::default()
    }

    /// Component-wise `self + sign * other`.
    pub fn add_scaled(&mut self, other: &Self, sign: i64) {
        self.tickets += sign * other.tickets;
        self.paid_orders += sign * other.paid_orders;
        self.gross_minor += sign * other.gross_minor;
        self.refunded_minor += sign * other.refunded_minor;
        self.pending_orders += sign * other.pending_orders;
        self.failed_orders += sign * other.failed_orders;
        self.refunded_orders += sign * other.refunded_orders;
        self.disputed_orders += sign * other.disputed_orders;
    }

    /// `after - before`.
    pub fn delta(before: &Self, after: &Self) -> Self {
        let mut delta = *after;
        delta.add_scaled(before, -1);
        delta
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paid(amount: i64) -> PaymentFact {
        PaymentFact::CheckoutCompleted { amount_total_minor: amount, payment: CheckoutPayment::Paid }
    }

    fn observed(refunded: i64) -> PaymentFact {
        PaymentFact::ChargeObserved { amount_minor: 2000, refunded_minor: refunded, paid: true }
    }

    fn fold(facts: &[PaymentFact]) -> OrderFacts {
        let mut order = OrderFacts::default();
        facts.iter().for_each(|fact| order.merge(fact));
        order
    }

    #[test]
    fn any_order_of_the_same_facts_gives_the_same_order() {
        let facts = [paid(2000), observed(500), observed(2000), PaymentFact::Succeeded { amount_minor: 2000 }];
        let expected = fold(&facts);
        assert_eq!(expected.status(), OrderStatus::Refunded);
        // Every permutation of four facts, and every fact twice.
        let mut indexes = [0, 1, 2, 3];
        permute(&mut indexes, 0, &mut |order| {
            let facts_in_order: Vec<_> = order.iter().map(|&i| facts[i].clone()).collect();
            assert_eq!(fold(&facts_in_order), expected, "{order:?}");
            let twice: Vec<_> = facts_in_order.iter().chain(facts_in_order.iter()).cloned().collect();
            assert_eq!(fold(&twice), expected);
        });
    }

    fn permute(items: &mut [usize; 4], k: usize, visit: &mut dyn FnMut(&[usize; 4])) {
        if k == items.len() {
            visit(items);
            return;
        }
        for i in k..items.len() {
            items.swap(k, i);
            permute(items, k + 1, visit);
            items.swap(k, i);
        }
    }

    #[test]
    fn partial_then_full_refund() {
        let mut order = fold(&[paid(2000)]);
        assert_eq!(order.status(), OrderStatus::Paid);
        order.merge(&observed(500));
        assert_eq!(order.status(), OrderStatus::PartiallyRefunded);
        assert!(order.grants_access(), "a partial refund keeps the ticket");
        order.merge(&observed(2000));
        assert_eq!(order.status(), OrderStatus::Refunded);
        assert!(!order.grants_access());
    }

    #[test]
    fn delayed_payments_stay_pending_until_paid_or_failed() {
        let unpaid = PaymentFact::CheckoutCompleted { amount_total_minor: 1500, payment: CheckoutPayment::Unpaid };
        let mut order = fold(std::slice::from_ref(&unpaid));
        assert_eq!(order.status(), OrderStatus::Pending);
        assert!(!order.grants_access());
        order.merge(&PaymentFact::Succeeded { amount_minor: 1500 });
        assert_eq!(order.status(), OrderStatus::Paid);
        assert_eq!(fold(&[unpaid, PaymentFact::Failed]).status(), OrderStatus::Failed);
    }

    #[test]
    fn a_free_order_is_a_ticket_and_not_refunded() {
        let free = fold(&[PaymentFact::CheckoutCompleted {
            amount_total_minor: 0,
            payment: CheckoutPayment::NoPaymentRequired,
        }]);
        assert_eq!(free.status(), OrderStatus::Paid);
        assert!(free.grants_access());
        assert_eq!(free.contribution().gross_minor, 0);
    }

    #[test]
    fn a_retry_after_a_decline_is_paid_and_a_late_decline_changes_nothing() {
        assert_eq!(fold(&[PaymentFact::Failed, paid(1500)]).status(), OrderStatus::Paid);
        assert_eq!(fold(&[paid(1500), PaymentFact::Failed]).status(), OrderStatus::Paid);
    }

    #[test]
    fn disputes_revoke_until_won() {
        let mut order = fold(&[paid(1500), PaymentFact::DisputeOpened]);
        assert_eq!(order.status(), OrderStatus::Disputed);
        assert!(!order.grants_access());
        order.merge(&PaymentFact::DisputeClosed { won: true });
        assert_eq!(order.status(), OrderStatus::Paid);
        order.merge(&PaymentFact::DisputeOpened);
        assert_eq!(order.status(), OrderStatus::Paid, "a closed dispute stays closed");
        assert_eq!(fold(&[paid(1500), PaymentFact::DisputeClosed { won: false }]).status(), OrderStatus::Disputed);
    }

    #[test]
    fn contributions_add_up_by_difference() {
        let before = fold(&[paid(2000)]).contribution();
        let after = fold(&[paid(2000), observed(500)]).contribution();
        let delta = TicketContribution::delta(&before, &after);
        assert_eq!(delta, TicketContribution { refunded_minor: 500, ..Default::default() });
        let gone = fold(&[paid(2000), observed(2000)]).contribution();
        let delta = TicketContribution::delta(&after, &gone);
        assert_eq!((delta.tickets, delta.refunded_minor, delta.refunded_orders), (-1, 1500, 1));
    }

    #[test]
    fn statuses_round_trip_as_text() {
        for status in OrderStatus::ALL {
            assert_eq!(OrderStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(PaymentState::parse("paid"), Some(PaymentState::Paid));
        assert_eq!(DisputeState::parse("lost"), Some(DisputeState::Lost));
    }
}
