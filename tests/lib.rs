//! Story tests: what a user does, end to end through the control service, on real local services.
//! The stories live in `stories/`; this library is empty on purpose (a package needs a target).
