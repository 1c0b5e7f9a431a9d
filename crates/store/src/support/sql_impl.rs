//! The repository implementations, written once and stamped out for both backends.

use async_trait::async_trait;
use showdesk_core::support::sla::TicketTimes;
use showdesk_core::support::{Category, OutboxState};

use super::sql::{
    MESSAGE_COLUMNS, MessageRow, OUTBOX_COLUMNS, OutboxRow, TICKET_COLUMNS, TicketRow, like_pattern, search_text,
    to_json,
};
use super::{
    Enqueued, MailOutbox, MailboxCursor, NewMessage, NewOutboxMail, OutboxMail, Recorded, StoredMessage,
    SupportTickets, Ticket, TicketChange, TicketFilter, TicketTarget,
};
use crate::{StoreError, now_ms};

fn not_found(what: &'static str, id: i64) -> StoreError {
    StoreError::NotFound { what, id: id.to_string() }
}

macro_rules! support_impl {
    ($store:ty) => {
        #[async_trait]
        impl SupportTickets for $store {
            async fn ticket_for_message_ids(&self, message_ids: &[String]) -> Result<Option<i64>, StoreError> {
                // One query per id keeps the SQL portable (no array binds); threads are short.
                let mut best: Option<(i64, i64)> = None;
                for id in message_ids.iter().filter(|id| !id.is_empty()).take(50) {
                    let found: Option<(i64, i64)> = sqlx::query_as(
                        "SELECT ticket_id, id FROM support_messages WHERE message_id = $1 ORDER BY id DESC LIMIT 1",
                    )
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
                    if let Some((ticket, row)) = found
                        && best.is_none_or(|(_, best_row)| row > best_row)
                    {
                        best = Some((ticket, row));
                    }
                }
                let from_outbox = if best.is_none() {
                    // Our own sent mail is in the outbox even before its copy is threaded.
                    let mut found = None;
                    for id in message_ids.iter().filter(|id| !id.is_empty()).take(50) {
                        let ticket: Option<(Option<i64>,)> =
                            sqlx::query_as("SELECT ticket_id FROM mail_outbox WHERE message_id = $1")
                                .bind(id)
                                .fetch_optional(&self.pool)
                                .await?;
                        if let Some((Some(ticket),)) = ticket {
                            found = Some(ticket);
                        }
                    }
                    found
                } else {
                    None
                };
                Ok(best.map(|(ticket, _)| ticket).or(from_outbox))
            }

            async fn record_message(&self, target: TicketTarget, message: NewMessage) -> Result<Recorded, StoreError> {
                let mut tx = self.pool.begin().await?;
                // A write first, so SQLite takes the write lock now rather than failing to upgrade
                // a read transaction later when another writer got in between (harmless elsewhere).
                sqlx::query("UPDATE support_mailbox_cursor SET updated_at_ms = updated_at_ms WHERE mailbox = ''")
                    .execute(&mut *tx)
                    .await?;
                let existing: Option<(i64,)> =
                    sqlx::query_as("SELECT ticket_id FROM support_messages WHERE dedupe_key = $1")
                        .bind(&message.dedupe_key)
                        .fetch_optional(&mut *tx)
                        .await?;
                if let Some((ticket_id,)) = existing {
                    return Ok(Recorded::Duplicate { ticket_id });
                }
                let (ticket_id, new_ticket) = match &target {
                    TicketTarget::Existing(id) => (*id, false),
                    TicketTarget::New(ticket) => {
                        let (id,): (i64,) = sqlx::query_as(
                            "INSERT INTO support_tickets (subject, requester_email, requester_name, buyer_email, category, \
                             confidence, language, priority, status, order_refs, linked_orders, automatic, sender_mismatch, \
                             created_at_ms, last_message_at_ms, search_text) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9, $10, $11, $12, $13, $13, $14) RETURNING id",
                        )
                        .bind(&ticket.subject)
                        .bind(&ticket.requester_email)
                        .bind(&ticket.requester_name)
                        .bind(&ticket.buyer_email)
                        .bind(ticket.category.as_str())
                        .bind(i64::from(ticket.confidence))
                        .bind(ticket.language.as_str())
                        .bind(i64::from(ticket.priority))
                        .bind(to_json(&ticket.order_refs))
                        .bind(to_json(&ticket.linked_orders))
                        .bind(ticket.automatic)
                        .bind(ticket.sender_mismatch)
                        .bind(ticket.created_at_ms)
                        .bind(search_text(ticket, &message.body_text))
                        .fetch_one(&mut *tx)
                        .await?;
                        (id, true)
                    }
                };
                let origin = message.origin.as_ref();
                let (row,): (i64,) = sqlx::query_as(
                    "INSERT INTO support_messages (ticket_id, direction, dedupe_key, message_id, in_reply_to, refs, \
                     from_email, from_name, subject, body_text, body_html, attachments, notes, automatic, sender_is_buyer, \
                     raw, mailbox, uid_validity, uid, at_ms) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20) \
                     RETURNING id",
                )
                .bind(ticket_id)
                .bind(message.direction.as_str())
                .bind(&message.dedupe_key)
                .bind(&message.message_id)
                .bind(&message.in_reply_to)
                .bind(to_json(&message.references))
                .bind(&message.from_email)
                .bind(&message.from_name)
                .bind(&message.subject)
                .bind(&message.body_text)
                .bind(&message.body_html)
                .bind(to_json(&message.attachments))
                .bind(to_json(&message.notes))
                .bind(&message.automatic)
                .bind(message.sender_is_buyer)
                .bind(&message.raw)
                .bind(origin.map(|o| o.mailbox.clone()))
                .bind(origin.map(|o| o.uid_validity))
                .bind(origin.map(|o| o.uid))
                .bind(message.at_ms)
                .fetch_one(&mut *tx)
                .await?;
                // A person writing again reopens the ticket; an out-of-office reply does not.
                let reopen = message.direction == super::Direction::In && message.automatic.is_none();
                let updated = sqlx::query(
                    "UPDATE support_tickets SET message_count = message_count + 1, \
                     last_message_at_ms = CASE WHEN last_message_at_ms > $2 THEN last_message_at_ms ELSE $2 END, \
                     status = CASE WHEN $3 THEN 'open' ELSE status END, \
                     resolved_at_ms = CASE WHEN $3 THEN NULL ELSE resolved_at_ms END, \
                     sender_mismatch = CASE WHEN $4 THEN sender_mismatch ELSE TRUE END \
                     WHERE id = $1",
                )
                .bind(ticket_id)
                .bind(message.at_ms)
                .bind(reopen && !new_ticket)
                .bind(message.sender_is_buyer || message.direction != super::Direction::In)
                .execute(&mut *tx)
                .await?;
                if updated.rows_affected() == 0 {
                    return Err(not_found("ticket", ticket_id));
                }
                tx.commit().await?;
                Ok(Recorded::Added { ticket_id, message_row: row, new_ticket })
            }

            async fn ticket(&self, id: i64) -> Result<Ticket, StoreError> {
                let row: Option<TicketRow> =
                    sqlx::query_as(&format!("SELECT {TICKET_COLUMNS} FROM support_tickets WHERE id = $1"))
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await?;
                row.ok_or_else(|| not_found("ticket", id))?.try_into()
            }

            async fn ticket_messages(&self, ticket_id: i64) -> Result<Vec<StoredMessage>, StoreError> {
                let rows: Vec<MessageRow> = sqlx::query_as(&format!(
                    "SELECT {MESSAGE_COLUMNS} FROM support_messages WHERE ticket_id = $1 ORDER BY at_ms, id"
                ))
                .bind(ticket_id)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(StoredMessage::try_from).collect()
            }

            async fn message(&self, id: i64) -> Result<StoredMessage, StoreError> {
                let row: Option<MessageRow> =
                    sqlx::query_as(&format!("SELECT {MESSAGE_COLUMNS} FROM support_messages WHERE id = $1"))
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await?;
                row.ok_or_else(|| not_found("message", id))?.try_into()
            }

            async fn message_raw(&self, id: i64) -> Result<Option<Vec<u8>>, StoreError> {
                let row: Option<(Option<Vec<u8>>,)> = sqlx::query_as("SELECT raw FROM support_messages WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(row.ok_or_else(|| not_found("message", id))?.0)
            }

            async fn list_tickets(&self, filter: &TicketFilter) -> Result<Vec<Ticket>, StoreError> {
                let words: Vec<String> = filter
                    .text
                    .as_deref()
                    .unwrap_or_default()
                    .split_whitespace()
                    .take(3)
                    .map(like_pattern)
                    .collect();
                let rows: Vec<TicketRow> = sqlx::query_as(&format!(
                    "SELECT {TICKET_COLUMNS} FROM support_tickets \
                     WHERE ($1 IS NULL OR status = $1) AND ($2 IS NULL OR category = $2) \
                     AND ($3 IS NULL OR search_text LIKE $3 ESCAPE '\\') \
                     AND ($4 IS NULL OR search_text LIKE $4 ESCAPE '\\') \
                     AND ($5 IS NULL OR search_text LIKE $5 ESCAPE '\\') \
                     ORDER BY CASE WHEN status = 'resolved' THEN 1 ELSE 0 END, priority DESC, last_message_at_ms DESC, id DESC \
                     LIMIT $6 OFFSET $7"
                ))
                .bind(filter.status.map(|s| s.as_str()))
                .bind(filter.category.map(|c| c.as_str()))
                .bind(words.first())
                .bind(words.get(1))
                .bind(words.get(2))
                .bind(i64::from(filter.limit.min(1_000)))
                .bind(i64::from(filter.offset))
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(Ticket::try_from).collect()
            }

            async fn ticket_counts(&self, open_only: bool) -> Result<Vec<(Category, u64)>, StoreError> {
                let rows: Vec<(String, i64)> = sqlx::query_as(
                    "SELECT category, COUNT(*) FROM support_tickets WHERE ($1 = FALSE OR status <> 'resolved') \
                     GROUP BY category ORDER BY category",
                )
                .bind(open_only)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter()
                    .map(|(category, count)| {
                        let category = category
                            .parse::<Category>()
                            .map_err(|err| StoreError::Corrupt(format!("ticket category: {err}")))?;
                        Ok((category, u64::try_from(count).unwrap_or(0)))
                    })
                    .collect()
            }

            async fn update_ticket(&self, id: i64, change: TicketChange) -> Result<Ticket, StoreError> {
                let updated = sqlx::query(
                    "UPDATE support_tickets SET \
                     status = COALESCE($2, status), \
                     category = COALESCE($3, category), \
                     category_by_operator = CASE WHEN $3 IS NULL THEN category_by_operator ELSE TRUE END, \
                     priority = COALESCE($4, priority), \
                     buyer_email = COALESCE($5, buyer_email), \
                     linked_orders = COALESCE($6, linked_orders), \
                     sender_mismatch = COALESCE($7, sender_mismatch), \
                     first_response_at_ms = COALESCE(first_response_at_ms, $8), \
                     resolved_at_ms = CASE WHEN $2 IS NOT NULL AND $2 <> 'resolved' THEN NULL \
                                           ELSE COALESCE($9, resolved_at_ms) END \
                     WHERE id = $1",
                )
                .bind(id)
                .bind(change.status.map(|s| s.as_str()))
                .bind(change.category.map(|c| c.as_str()))
                .bind(change.priority.map(i64::from))
                .bind(&change.buyer_email)
                .bind(change.linked_orders.as_ref().map(to_json))
                .bind(change.sender_mismatch)
                .bind(change.responded_at_ms)
                .bind(change.resolved_at_ms)
                .execute(&self.pool)
                .await?;
                if updated.rows_affected() == 0 {
                    return Err(not_found("ticket", id));
                }
                self.ticket(id).await
            }

            async fn ticket_times(&self, since_ms: i64) -> Result<Vec<TicketTimes>, StoreError> {
                let rows: Vec<(i64, Option<i64>, Option<i64>)> = sqlx::query_as(
                    "SELECT created_at_ms, first_response_at_ms, resolved_at_ms FROM support_tickets \
                     WHERE created_at_ms >= $1 AND automatic = FALSE",
                )
                .bind(since_ms)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(created_ms, first_response_ms, resolved_ms)| TicketTimes {
                        created_ms,
                        first_response_ms,
                        resolved_ms,
                    })
                    .collect())
            }

            async fn tickets_created_since(&self, since_ms: i64) -> Result<Vec<i64>, StoreError> {
                let rows: Vec<(i64,)> = sqlx::query_as(
                    "SELECT created_at_ms FROM support_tickets WHERE created_at_ms >= $1 AND automatic = FALSE \
                     ORDER BY created_at_ms",
                )
                .bind(since_ms)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(|(at,)| at).collect())
            }

            async fn mailbox_cursor(&self, mailbox: &str) -> Result<Option<MailboxCursor>, StoreError> {
                let row: Option<(i64, i64)> = sqlx::query_as(
                    "SELECT uid_validity, last_uid FROM support_mailbox_cursor WHERE mailbox = $1",
                )
                .bind(mailbox)
                .fetch_optional(&self.pool)
                .await?;
                Ok(row.map(|(uid_validity, last_uid)| MailboxCursor { uid_validity, last_uid }))
            }

            async fn save_mailbox_cursor(&self, mailbox: &str, cursor: MailboxCursor) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO support_mailbox_cursor (mailbox, uid_validity, last_uid, updated_at_ms) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (mailbox) DO UPDATE SET \
                     uid_validity = excluded.uid_validity, last_uid = excluded.last_uid, updated_at_ms = excluded.updated_at_ms",
                )
                .bind(mailbox)
                .bind(cursor.uid_validity)
                .bind(cursor.last_uid)
                .bind(now_ms())
                .execute(&self.pool)
                .await?;
                Ok(())
            }
        }

        #[async_trait]
        impl MailOutbox for $store {
            async fn enqueue_mail(&self, mail: NewOutboxMail) -> Result<Enqueued, StoreError> {
                let inserted: Option<(i64,)> = sqlx::query_as(
                    "INSERT INTO mail_outbox (message_id, idempotency_key, ticket_id, kind, automatic, from_address, \
                     recipient, subject, raw, state, next_attempt_at_ms, created_at_ms) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'queued', $10, $11) \
                     ON CONFLICT DO NOTHING RETURNING id",
                )
                .bind(&mail.message_id)
                .bind(&mail.idempotency_key)
                .bind(mail.ticket_id)
                .bind(&mail.kind)
                .bind(mail.automatic)
                .bind(&mail.from_address)
                .bind(mail.recipient.to_lowercase())
                .bind(&mail.subject)
                .bind(&mail.raw)
                .bind(mail.not_before_ms)
                .bind(now_ms())
                .fetch_optional(&self.pool)
                .await?;
                if let Some((id,)) = inserted {
                    return Ok(Enqueued { id, existing: false });
                }
                let earlier: Option<(i64,)> =
                    sqlx::query_as("SELECT id FROM mail_outbox WHERE idempotency_key = $1 OR message_id = $2")
                        .bind(&mail.idempotency_key)
                        .bind(&mail.message_id)
                        .fetch_optional(&self.pool)
                        .await?;
                let (id,) = earlier.ok_or_else(|| StoreError::Conflict("the mail was neither queued nor found".into()))?;
                Ok(Enqueued { id, existing: true })
            }

            async fn claim_next_mail(&self, now_ms: i64) -> Result<Option<(OutboxMail, Vec<u8>)>, StoreError> {
                // One statement: pick and mark together, so two senders never take the same mail.
                let row: Option<(i64, Vec<u8>)> = sqlx::query_as(
                    "UPDATE mail_outbox SET state = 'sending', claimed_at_ms = $1, attempts = attempts + 1 \
                     WHERE id = (SELECT id FROM mail_outbox WHERE state = 'queued' AND next_attempt_at_ms <= $1 \
                                 ORDER BY id LIMIT 1) \
                     AND state = 'queued' RETURNING id, raw",
                )
                .bind(now_ms)
                .fetch_optional(&self.pool)
                .await?;
                match row {
                    Some((id, raw)) => Ok(Some((self.outbox_mail(id).await?, raw))),
                    None => Ok(None),
                }
            }

            async fn mark_mail_sent(&self, id: i64, at_ms: i64) -> Result<(), StoreError> {
                let done = sqlx::query(
                    "UPDATE mail_outbox SET state = 'sent', sent_at_ms = $2, last_error = NULL WHERE id = $1",
                )
                .bind(id)
                .bind(at_ms)
                .execute(&self.pool)
                .await?;
                if done.rows_affected() == 0 { Err(not_found("outbox mail", id)) } else { Ok(()) }
            }

            async fn mark_copy_saved(&self, id: i64) -> Result<(), StoreError> {
                let done = sqlx::query("UPDATE mail_outbox SET copy_saved = TRUE WHERE id = $1")
                    .bind(id)
                    .execute(&self.pool)
                    .await?;
                if done.rows_affected() == 0 { Err(not_found("outbox mail", id)) } else { Ok(()) }
            }

            async fn retry_mail_later(&self, id: i64, next_attempt_at_ms: i64, error: &str) -> Result<(), StoreError> {
                let done = sqlx::query(
                    "UPDATE mail_outbox SET state = 'queued', next_attempt_at_ms = $2, last_error = $3 WHERE id = $1",
                )
                .bind(id)
                .bind(next_attempt_at_ms)
                .bind(error)
                .execute(&self.pool)
                .await?;
                if done.rows_affected() == 0 { Err(not_found("outbox mail", id)) } else { Ok(()) }
            }

            async fn set_mail_state(&self, id: i64, state: OutboxState, error: &str) -> Result<(), StoreError> {
                let done = sqlx::query("UPDATE mail_outbox SET state = $2, last_error = $3 WHERE id = $1")
                    .bind(id)
                    .bind(state.as_str())
                    .bind(error)
                    .execute(&self.pool)
                    .await?;
                if done.rows_affected() == 0 { Err(not_found("outbox mail", id)) } else { Ok(()) }
            }

            async fn bounce_mail(&self, id: i64, failed_address: &str, detail: &str) -> Result<(), StoreError> {
                let done = sqlx::query(
                    "UPDATE mail_outbox SET state = 'bounced', failed_address = $2, last_error = $3 WHERE id = $1",
                )
                .bind(id)
                .bind(failed_address)
                .bind(detail)
                .execute(&self.pool)
                .await?;
                if done.rows_affected() == 0 { Err(not_found("outbox mail", id)) } else { Ok(()) }
            }

            async fn requeue_mail(&self, id: i64, now_ms: i64) -> Result<(), StoreError> {
                let done = sqlx::query(
                    "UPDATE mail_outbox SET state = 'queued', next_attempt_at_ms = $2 \
                     WHERE id = $1 AND state IN ('held', 'failed')",
                )
                .bind(id)
                .bind(now_ms)
                .execute(&self.pool)
                .await?;
                if done.rows_affected() == 0 {
                    Err(StoreError::Conflict(format!("outbox mail {id} is not held or failed")))
                } else {
                    Ok(())
                }
            }

            async fn outbox_mail(&self, id: i64) -> Result<OutboxMail, StoreError> {
                let row: Option<OutboxRow> =
                    sqlx::query_as(&format!("SELECT {OUTBOX_COLUMNS} FROM mail_outbox WHERE id = $1"))
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await?;
                row.ok_or_else(|| not_found("outbox mail", id))?.try_into()
            }

            async fn outbox_mail_by_message_id(&self, message_id: &str) -> Result<Option<OutboxMail>, StoreError> {
                let row: Option<OutboxRow> =
                    sqlx::query_as(&format!("SELECT {OUTBOX_COLUMNS} FROM mail_outbox WHERE message_id = $1"))
                        .bind(message_id)
                        .fetch_optional(&self.pool)
                        .await?;
                row.map(OutboxMail::try_from).transpose()
            }

            async fn outbox_in_state(&self, state: OutboxState, limit: u32) -> Result<Vec<OutboxMail>, StoreError> {
                let rows: Vec<OutboxRow> = sqlx::query_as(&format!(
                    "SELECT {OUTBOX_COLUMNS} FROM mail_outbox WHERE state = $1 ORDER BY id LIMIT $2"
                ))
                .bind(state.as_str())
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(OutboxMail::try_from).collect()
            }

            async fn sent_without_copy(&self, limit: u32) -> Result<Vec<(OutboxMail, Vec<u8>)>, StoreError> {
                let ids: Vec<(i64, Vec<u8>)> = sqlx::query_as(
                    "SELECT id, raw FROM mail_outbox WHERE state IN ('sent', 'bounced') AND sent_at_ms IS NOT NULL \
                     AND copy_saved = FALSE ORDER BY id LIMIT $1",
                )
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
                let mut out = Vec::with_capacity(ids.len());
                for (id, raw) in ids {
                    out.push((self.outbox_mail(id).await?, raw));
                }
                Ok(out)
            }

            async fn outbox_counts(&self) -> Result<Vec<(OutboxState, u64)>, StoreError> {
                let rows: Vec<(String, i64)> =
                    sqlx::query_as("SELECT state, COUNT(*) FROM mail_outbox GROUP BY state ORDER BY state")
                        .fetch_all(&self.pool)
                        .await?;
                rows.into_iter()
                    .map(|(state, count)| {
                        let state = state
                            .parse::<OutboxState>()
                            .map_err(|err| StoreError::Corrupt(format!("outbox state: {err}")))?;
                        Ok((state, u64::try_from(count).unwrap_or(0)))
                    })
                    .collect()
            }

            async fn automatic_mail_count(&self, recipient: &str, since_ms: i64) -> Result<u64, StoreError> {
                let (count,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM mail_outbox WHERE recipient = $1 AND automatic = TRUE AND created_at_ms >= $2",
                )
                .bind(recipient.to_lowercase())
                .bind(since_ms)
                .fetch_one(&self.pool)
                .await?;
                Ok(u64::try_from(count).unwrap_or(0))
            }
        }
    };
}

support_impl!(crate::SqliteStore);
support_impl!(crate::PgStore);
