//! Showdesk's domain: the types and rules every other crate speaks, with no I/O.
//!
//! Money is integer minor units plus an ISO 4217 currency, never a float.

pub mod money;

pub use money::{Currency, Money, MoneyError};

pub mod box_office;
