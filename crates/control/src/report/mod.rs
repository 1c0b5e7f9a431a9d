//! After the show: the report, the retrospective, follow-up mail, exports and open items.

pub mod views;
