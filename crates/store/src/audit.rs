//! The audit log: every operator action (who, what, when, result), append-only.

use async_trait::async_trait;
use serde::Serialize;

use crate::{PgStore, SqliteStore, StoreError, now_ms};

/// How an action ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditOutcome {
    Ok,
    Error,
}

impl AuditOutcome {
    fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Error => "error",
        }
    }

    fn parse(text: &str) -> Result<Self, StoreError> {
        match text {
            "ok" => Ok(Self::Ok),
            "error" => Ok(Self::Error),
            other => Err(StoreError::Corrupt(format!("audit outcome {other:?}"))),
        }
    }
}

/// An action to record.
#[derive(Debug, Clone)]
pub struct NewAuditEntry {
    pub actor: String,
    pub action: String,
    pub subject: String,
    /// JSON details; never a secret.
    pub detail: serde_json::Value,
    pub outcome: AuditOutcome,
    pub error_code: Option<String>,
}

/// A recorded action.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at_ms: i64,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub detail: serde_json::Value,
    pub outcome: AuditOutcome,
    pub error_code: Option<String>,
}

type Row = (i64, i64, String, String, String, String, String, Option<String>);

fn entry((id, at_ms, actor, action, subject, detail, outcome, error_code): Row) -> Result<AuditEntry, StoreError> {
    Ok(AuditEntry {
        id,
        at_ms,
        actor,
        action,
        subject,
        detail: serde_json::from_str(&detail).map_err(|err| StoreError::Corrupt(format!("audit detail: {err}")))?,
        outcome: AuditOutcome::parse(&outcome)?,
        error_code,
    })
}

/// The audit log repository.
#[async_trait]
pub trait AuditLog {
    /// Appends an entry stamped now; returns its id.
    async fn record_audit(&self, entry: NewAuditEntry) -> Result<i64, StoreError>;
    /// The newest `limit` entries, newest first.
    async fn recent_audit(&self, limit: u32) -> Result<Vec<AuditEntry>, StoreError>;
    /// Every entry about `subject`, oldest first.
    async fn audit_for(&self, subject: &str) -> Result<Vec<AuditEntry>, StoreError>;
}

// The SQL is the same for both backends ($n placeholders in order of first use work in SQLite too);
// the macro only saves writing it twice.
macro_rules! audit_log_impl {
    ($store:ty) => {
        #[async_trait]
        impl AuditLog for $store {
            async fn record_audit(&self, entry: NewAuditEntry) -> Result<i64, StoreError> {
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO audit_log (at_ms, actor, action, subject, detail, outcome, error_code) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                )
                .bind(now_ms())
                .bind(&entry.actor)
                .bind(&entry.action)
                .bind(&entry.subject)
                .bind(entry.detail.to_string())
                .bind(entry.outcome.as_str())
                .bind(&entry.error_code)
                .fetch_one(&self.pool)
                .await?;
                Ok(id)
            }

            async fn recent_audit(&self, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
                let rows: Vec<Row> = sqlx::query_as(
                    "SELECT id, at_ms, actor, action, subject, detail, outcome, error_code \
                     FROM audit_log ORDER BY id DESC LIMIT $1",
                )
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(entry).collect()
            }

            async fn audit_for(&self, subject: &str) -> Result<Vec<AuditEntry>, StoreError> {
                let rows: Vec<Row> = sqlx::query_as(
                    "SELECT id, at_ms, actor, action, subject, detail, outcome, error_code \
                     FROM audit_log WHERE subject = $1 ORDER BY id",
                )
                .bind(subject)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(entry).collect()
            }
        }
    };
}

audit_log_impl!(SqliteStore);
audit_log_impl!(PgStore);
