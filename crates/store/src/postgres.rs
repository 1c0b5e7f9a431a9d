//! Crew mode: several laptops (producer and support agents) on one PostgreSQL database.

use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};

use crate::{Backend, Store, StoreError};

/// The PostgreSQL backend.
#[derive(Debug, Clone)]
pub struct PgStore {
    pub(crate) pool: PgPool,
}

impl PgStore {
    /// Connects to `url` and migrates the database. The URL may hold a password: it is never part of
    /// an error message.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await
            .map_err(|source| StoreError::Open { location: without_password(url), source })?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(Self { pool })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// The ledger's write transactions: PostgreSQL has row locks, any connection will do.
    pub(crate) fn writer(&self) -> &PgPool {
        &self.pool
    }
}

impl Store for PgStore {
    fn backend(&self) -> Backend {
        Backend::Postgres
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:****@host/db`.
fn without_password(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}://{user}:****@{}", &url[..scheme], &url[at + 1..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::without_password;

    #[test]
    fn passwords_are_kept_out_of_locations() {
        assert_eq!(
            without_password("postgres://crew:s3cr3t@db.local:5432/show"),
            "postgres://crew:****@db.local:5432/show"
        );
        assert_eq!(without_password("postgres://crew@db.local/show"), "postgres://crew@db.local/show");
    }
}
