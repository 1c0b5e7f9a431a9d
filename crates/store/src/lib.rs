//! Showdesk's persistence: migrations and repositories behind one trait.
//!
//! - [`SqliteStore`]: the embedded default, one file in the app's data folder (WAL, foreign keys on).
//! - [`PgStore`]: crew mode, several laptops sharing one PostgreSQL database.
//!
//! Both implement [`Store`], the one trait the control service holds (`Arc<dyn Store>`). `Store` is
//! the sum of one repository trait per area ([`AuditLog`]; the box office's [`LedgerStore`] and
//! [`AudienceStore`]; the support desk's [`SupportTickets`] and [`MailOutbox`]; the live show's
//! [`StreamLog`]; the after-show report's [`ReportStore`]), so an area's code
//! depends only on what it uses. Each backend has its own migrations
//! (`migrations/sqlite`, `migrations/postgres`); SQL that only one dialect understands stays in that
//! backend's module. Shared conventions: money as BIGINT minor units plus a currency code, time as
//! BIGINT milliseconds since the epoch (UTC), JSON as TEXT.
//!
//! Tests of repository behaviour go through the trait and run against both backends (see
//! `tests/audit_log.rs` for the pattern).

mod audience;
mod audit;
pub mod ledger;
mod postgres;
mod report;
mod sqlite;
mod stream_log;
mod support;

use std::path::Path;
use std::sync::Arc;

pub use audience::{AudienceSample, AudienceSourceRecord, AudienceState, AudienceStore, AudienceSummary};
pub use audit::{AuditEntry, AuditLog, AuditOutcome, NewAuditEntry};
pub use ledger::LedgerStore;
pub use postgres::PgStore;
pub use report::{KeyedMail, ReportStore, RetrospectiveRecord, ShowAttempts};
pub use sqlite::SqliteStore;
pub use stream_log::{LiveSession, StreamEvent, StreamLog, StreamSample};
pub use support::{
    Direction, Enqueued, MailOutbox, MailboxCursor, MessageOrigin, NewMessage, NewOutboxMail, NewTicket, OutboxMail,
    Recorded, StoredAttachment, StoredMessage, SupportTickets, Ticket, TicketChange, TicketFilter, TicketTarget,
};

/// Which database a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Everything the app persists, whatever the backend.
pub trait Store:
    AuditLog
    + LedgerStore
    + AudienceStore
    + SupportTickets
    + MailOutbox
    + StreamLog
    + ReportStore
    + Send
    + Sync
    + std::fmt::Debug
{
    fn backend(&self) -> Backend;
}

/// Opens the embedded store at `path` (created and migrated if needed).
pub async fn open_sqlite(path: &Path) -> Result<Arc<dyn Store>, StoreError> {
    Ok(Arc::new(SqliteStore::open(path).await?))
}

/// Connects to a crew-mode PostgreSQL database at `url` and migrates it.
pub async fn connect_postgres(url: &str) -> Result<Arc<dyn Store>, StoreError> {
    Ok(Arc::new(PgStore::connect(url).await?))
}

/// Everything that can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database {location}: {source}")]
    Open { location: String, source: sqlx::Error },
    #[error("cannot bring the database schema up to date: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Query(#[from] sqlx::Error),
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    #[error("{what} {id} does not exist")]
    NotFound { what: &'static str, id: String },
    #[error("{0}")]
    Conflict(String),
    /// A box-office rule refused the change (checked inside the transaction that would make it).
    #[error(transparent)]
    Rule(#[from] showdesk_core::box_office::RuleError),
}

impl StoreError {
    /// Stable machine-readable code, mirrored in the UI.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Open { .. } => "store.open",
            Self::Migrate(_) => "store.migrate",
            Self::Query(_) => "store.query",
            Self::Corrupt(_) => "store.corrupt",
            Self::NotFound { .. } => "store.not_found",
            Self::Conflict(_) => "store.conflict",
            Self::Rule(err) => err.code(),
        }
    }
}

/// Milliseconds since the epoch, now (the store's time unit).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
