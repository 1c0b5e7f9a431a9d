//! Why a box-office rule refused something.

use crate::{Money, MoneyError};

/// A rule of the box office was not met. Each variant names what is wrong, for the operator.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error(transparent)]
    Money(#[from] MoneyError),
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error("this order is {status} and cannot be refunded")]
    NotRefundable { status: &'static str },
    #[error("at most {remaining} can still be refunded on this order; {asked} was asked")]
    RefundExceedsRemaining { asked: Money, remaining: Money },
    #[error("a refund must be more than zero")]
    RefundNotPositive,
    #[error("the promo code {code} {reason}")]
    PromoRefused { code: String, reason: String },
}

impl RuleError {
    /// Stable machine-readable code, mirrored in the UI.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Money(_) => "box_office.money",
            Self::Invalid { .. } => "box_office.invalid",
            Self::NotRefundable { .. } => "box_office.not_refundable",
            Self::RefundExceedsRemaining { .. } => "box_office.refund_exceeds_remaining",
            Self::RefundNotPositive => "box_office.refund_not_positive",
            Self::PromoRefused { .. } => "box_office.promo_refused",
        }
    }

    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Self::Invalid { field, reason: reason.into() }
    }
}
