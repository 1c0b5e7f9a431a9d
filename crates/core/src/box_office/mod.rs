//! The box office: shows, orders and their state machine, refunds, promo codes, access grants,
//! payment attempts, double-purchase detection, the processor/mail-provider risk notice and the
//! alert rules of a sale. Pure rules: no I/O, no clock (callers pass `now`), no float money.
//!
//! The ledger is built so that **the order in which facts arrive does not matter**: every order
//! keeps [`OrderFacts`], and merging a fact only ever moves each of its parts up (a payment does not
//! become pending again, the refunded amount only grows, a closed dispute stays closed). Stripe
//! delivers events at least once and in no particular order (C13, C14); a ledger whose result depends
//! on arrival order resurrects refunded orders.

pub mod alerts;
pub mod duplicate;
pub mod error;
pub mod event;
pub mod order;
pub mod promo;
pub mod refund;
pub mod risk;
pub mod show;

pub use alerts::{Alert, AlertKind, AttemptCounts, DeclineRule, Severity, viewers_exceed_tickets};
pub use duplicate::{DoublePurchase, MatchedOn, PurchaseIdentity, find_double_purchases, normalize_email};
pub use error::RuleError;
pub use event::{AttemptOutcome, BuyerDetails, CheckoutPayment, PaymentEvent, PaymentFact, PaymentRefs, oldest_first};
pub use order::{DisputeState, OrderFacts, OrderStatus, PaymentState, TicketContribution};
pub use promo::{Discount, PromoRules};
pub use refund::{RefundReason, check_refund, refundable_minor};
pub use risk::{MailNotice, ProcessorNotice, RiskNotice, SalesForecast};
pub use show::{NewShow, Show};

/// Milliseconds in a minute, for the per-minute sales series.
pub const MINUTE_MS: i64 = 60_000;
