//! Going live from a profile: the headless `showdesk live` and the window's Go Live share this.

pub mod profile;
