//! The embedded store: one SQLite file, WAL so the UI's reads never wait for a write.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

use crate::{Backend, Store, StoreError};

/// The SQLite backend.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pub(crate) pool: SqlitePool,
    /// One connection for the ledger's write transactions. SQLite has one writer at a time anyway,
    /// and a connection's page cache survives only while no other connection writes: a dedicated
    /// writer keeps the ledger's index pages warm (a pool hands out its connections in turn, each
    /// with a cache the previous writer invalidated).
    pub(crate) writer: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if needed) and migrates the database file at `path`.
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        let location = path.display().to_string();
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|err| StoreError::Open { location: location.clone(), source: sqlx::Error::Io(err) })?;
        }
        let options = SqliteConnectOptions::from_str("sqlite://")
            .map_err(|source| StoreError::Open { location: location.clone(), source })?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // WAL + NORMAL: durable across an app crash; only a power cut can lose the last commits.
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5))
            // SQLite's default page cache is 2 MB: at a million orders every index insert misses it
            // and the ledger slows down as it grows. 64 MB per connection keeps the hot index pages
            // in memory (the OS page cache backs the rest).
            .pragma("cache_size", "-65536")
            .pragma("temp_store", "memory")
            // Reads of the database file through a memory map: a cold cache costs memory reads, not
            // system calls.
            .pragma("mmap_size", "1073741824");
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options.clone())
            .await
            .map_err(|source| StoreError::Open { location: location.clone(), source })?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .map_err(|source| StoreError::Open { location, source })?;
        Ok(Self { pool, writer })
    }

    /// The pool, for repository code of this crate and for benchmarks.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// The connection the ledger writes through.
    pub(crate) fn writer(&self) -> &SqlitePool {
        &self.writer
    }
}

impl Store for SqliteStore {
    fn backend(&self) -> Backend {
        Backend::Sqlite
    }
}
