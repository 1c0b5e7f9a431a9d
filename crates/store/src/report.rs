//! What the after-show report reads beyond the ledger's running totals — every refund of a show,
//! payment attempts per show, the follow-up mails queued for a show — and the one thing it writes:
//! the operator's retrospective, saved with the show.

use async_trait::async_trait;
use serde::Serialize;
use showdesk_core::box_office::AttemptCounts;
use showdesk_core::support::OutboxState;

use crate::ledger::RefundRecord;
use crate::{PgStore, SqliteStore, StoreError};

/// The retrospective of one show as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RetrospectiveRecord {
    pub show_id: String,
    pub worked: String,
    pub did_not: String,
    pub to_change: String,
    /// The report's facts the note was prefilled with, one sentence each.
    pub facts: Vec<String>,
    pub saved_by: String,
    pub saved_ms: i64,
}

/// Payment attempts on a show's orders.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ShowAttempts {
    pub counts: AttemptCounts,
    /// Decline codes with how often each came, most frequent first.
    pub decline_codes: Vec<(String, u64)>,
}

/// A mail of the outbox found by its idempotency key (follow-ups are keyed per show, kind and buyer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyedMail {
    pub outbox_id: i64,
    pub idempotency_key: String,
    pub recipient: String,
    pub state: OutboxState,
    pub created_at_ms: i64,
    pub sent_at_ms: Option<i64>,
}

/// The report's repository.
#[async_trait]
pub trait ReportStore {
    /// The show's saved retrospective, if any.
    async fn retrospective(&self, show_id: &str) -> Result<Option<RetrospectiveRecord>, StoreError>;
    /// Saves the show's retrospective, replacing the earlier one. The show must exist.
    async fn save_retrospective(&self, record: &RetrospectiveRecord) -> Result<(), StoreError>;
    /// Every refund asked for on the show's orders, oldest first.
    async fn refunds_for_show(&self, show_id: &str) -> Result<Vec<RefundRecord>, StoreError>;
    /// Payment attempts on the show's orders, whenever they happened.
    async fn show_attempts(&self, show_id: &str) -> Result<ShowAttempts, StoreError>;
    /// Outbox mails whose idempotency key starts with `prefix`, oldest first.
    async fn mails_with_key_prefix(&self, prefix: &str) -> Result<Vec<KeyedMail>, StoreError>;
}

type RetrospectiveRow = (String, String, String, String, String, String, i64);
type KeyedMailRow = (i64, String, String, String, i64, Option<i64>);

macro_rules! report_impl {
    ($store:ty) => {
        #[async_trait]
        impl ReportStore for $store {
            async fn retrospective(&self, show_id: &str) -> Result<Option<RetrospectiveRecord>, StoreError> {
                let row: Option<RetrospectiveRow> = sqlx::query_as(
                    "SELECT show_id, worked, did_not, to_change, facts, saved_by, saved_ms FROM show_retrospectives \
                     WHERE show_id = $1",
                )
                .bind(show_id)
                .fetch_optional(&self.pool)
                .await?;
                row.map(|(show_id, worked, did_not, to_change, facts, saved_by, saved_ms)| {
                    let facts = serde_json::from_str(&facts)
                        .map_err(|err| StoreError::Corrupt(format!("retrospective facts of {show_id}: {err}")))?;
                    Ok(RetrospectiveRecord { show_id, worked, did_not, to_change, facts, saved_by, saved_ms })
                })
                .transpose()
            }

            async fn save_retrospective(&self, record: &RetrospectiveRecord) -> Result<(), StoreError> {
                let facts = serde_json::to_string(&record.facts)
                    .map_err(|err| StoreError::Corrupt(format!("retrospective facts: {err}")))?;
                // The show must exist: a note about a show nobody can find would never be read.
                let (shows,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM shows WHERE id = $1")
                    .bind(&record.show_id)
                    .fetch_one(&self.pool)
                    .await?;
                if shows == 0 {
                    return Err(StoreError::NotFound { what: "show", id: record.show_id.clone() });
                }
                sqlx::query(
                    "INSERT INTO show_retrospectives (show_id, worked, did_not, to_change, facts, saved_by, saved_ms) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (show_id) DO UPDATE SET \
                     worked = excluded.worked, did_not = excluded.did_not, to_change = excluded.to_change, \
                     facts = excluded.facts, saved_by = excluded.saved_by, saved_ms = excluded.saved_ms",
                )
                .bind(&record.show_id)
                .bind(&record.worked)
                .bind(&record.did_not)
                .bind(&record.to_change)
                .bind(facts)
                .bind(&record.saved_by)
                .bind(record.saved_ms)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn refunds_for_show(&self, show_id: &str) -> Result<Vec<RefundRecord>, StoreError> {
                use crate::ledger::{REFUND_COLUMNS, RefundRow};
                let columns: String =
                    REFUND_COLUMNS.split(',').map(|c| format!("r.{}", c.trim())).collect::<Vec<_>>().join(", ");
                let rows: Vec<RefundRow> = sqlx::query_as(&format!(
                    "SELECT {columns} FROM refunds r JOIN orders o ON o.id = r.order_id WHERE o.show_id = $1 \
                     ORDER BY r.requested_ms, r.id"
                ))
                .bind(show_id)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(RefundRecord::try_from).collect()
            }

            async fn show_attempts(&self, show_id: &str) -> Result<ShowAttempts, StoreError> {
                let rows: Vec<(String, Option<String>, i64)> = sqlx::query_as(
                    "SELECT outcome, code, COUNT(*) FROM payment_attempts WHERE show_id = $1 GROUP BY outcome, code",
                )
                .bind(show_id)
                .fetch_all(&self.pool)
                .await?;
                let mut attempts = ShowAttempts::default();
                for (outcome, code, count) in rows {
                    let count = u64::try_from(count).unwrap_or(0);
                    match outcome.as_str() {
                        "succeeded" => attempts.counts.succeeded += count,
                        "declined" => {
                            attempts.counts.declined += count;
                            attempts.decline_codes.push((code.unwrap_or_else(|| "unknown".into()), count));
                        }
                        "rate_limited" => attempts.counts.rate_limited += count,
                        _ => {}
                    }
                }
                attempts.decline_codes.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                Ok(attempts)
            }

            async fn mails_with_key_prefix(&self, prefix: &str) -> Result<Vec<KeyedMail>, StoreError> {
                // substr rather than LIKE: keys hold `_` and `%`-free text, but a buyer's address may not.
                let rows: Vec<KeyedMailRow> = sqlx::query_as(
                    "SELECT id, idempotency_key, recipient, state, created_at_ms, sent_at_ms FROM mail_outbox \
                     WHERE idempotency_key IS NOT NULL AND substr(idempotency_key, 1, $1) = $2 ORDER BY id",
                )
                .bind(i32::try_from(prefix.chars().count()).unwrap_or(i32::MAX))
                .bind(prefix)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter()
                    .map(|(outbox_id, idempotency_key, recipient, state, created_at_ms, sent_at_ms)| {
                        let state = state
                            .parse()
                            .map_err(|err| StoreError::Corrupt(format!("outbox state of mail {outbox_id}: {err}")))?;
                        Ok(KeyedMail { outbox_id, idempotency_key, recipient, state, created_at_ms, sent_at_ms })
                    })
                    .collect()
            }
        }
    };
}

report_impl!(SqliteStore);
report_impl!(PgStore);
