//! Showdesk's domain: the types and rules every other crate speaks, with no I/O.
//!
//! Money is integer minor units plus an ISO 4217 currency, never a float. The support desk's rules
//! (triage, automatic-mail detection, outbox pacing, SLA) live in [`support`].

pub mod money;
pub mod support;

pub use money::{Currency, Money, MoneyError};

pub mod box_office;
