//! Going live: show profiles (the headless `showdesk live`), the show on air with its commands and its
//! stream log (`session`), and the views the window renders.

pub mod profile;
pub mod session;
pub mod views;
