//! Real local services on free loopback ports, for tests and for the rehearsal stack.
//!
//! Every service here is the real program — nginx with the RTMP module, `srt-live-transmit`,
//! localstripe, dovecot, an aiosmtpd SMTP sink, PostgreSQL — started in its own temporary folder on
//! ports no other test holds, checked for readiness by speaking its protocol, and stopped (the whole
//! process group) when its handle drops, also when a test panics. A panicking test keeps the folder
//! and prints the service's log so the failure can be read.
//!
//! Only loopback is ever bound. Linux only: it is where the services and the CI run.

mod error;
mod ports;
mod process;
mod tools;
mod wait;

pub mod dovecot;
pub mod localstripe;
pub mod nginx_rtmp;
pub mod postgres;
pub mod publish_hook;
pub mod smtp_sink;
pub mod srt;
pub mod stack;

pub use dovecot::Dovecot;
pub use error::TestkitError;
pub use localstripe::LocalStripe;
pub use nginx_rtmp::{NginxOptions, NginxRtmp};
pub use ports::{PortLease, Protocol, port_is_free};
pub use postgres::Postgres;
pub use process::{ServiceProcess, group_exists as process_group_is_alive, process_is_alive};
pub use publish_hook::{PublishCall, PublishHook};
pub use smtp_sink::{SentMail, SmtpSink};
pub use srt::{SrtPeer, SrtPeerOptions};
pub use stack::{LocalStack, StackEndpoints, StackOptions};
pub use tools::{TOOLS_DIR_ENV, Tools};

pub type Result<T, E = TestkitError> = std::result::Result<T, E>;
