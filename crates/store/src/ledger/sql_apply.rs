//! The write path of `apply_payment_events`, for both backends: one transaction per batch, a
//! handful of multi-row statements instead of one statement per event (the rush benchmark applies a
//! million events). The SQL is standard (`ON CONFLICT … DO UPDATE`, `RETURNING`, `$n`/`?` from
//! `QueryBuilder`), so one macro body serves SQLite and PostgreSQL.

use std::collections::HashSet;

use showdesk_core::box_office::{PaymentEvent, PurchaseIdentity, oldest_first};

use super::apply::BatchOutcome;
use super::records::OrderRecord;

/// Rows per multi-row statement: well under both backends' bind-parameter limits.
pub(crate) const ROWS_PER_STATEMENT: usize = 40;
pub(crate) const KEYS_PER_LOOKUP: usize = 400;

/// The processor ids a batch refers to, per column.
pub(crate) fn lookup_keys(events: &[&PaymentEvent]) -> [(&'static str, Vec<String>); 3] {
    let collect = |pick: fn(&PaymentEvent) -> Option<&String>| -> Vec<String> {
        let set: HashSet<&String> = events.iter().filter_map(|event| pick(event)).collect();
        set.into_iter().cloned().collect()
    };
    [
        ("checkout_session_id", collect(|e| e.refs.checkout_session.as_ref())),
        ("payment_intent_id", collect(|e| e.refs.payment_intent.as_ref())),
        ("charge_id", collect(|e| e.refs.charge.as_ref())),
    ]
}

/// Sorts and de-duplicates a batch (within itself).
pub(crate) fn prepare(events: &[PaymentEvent]) -> Vec<PaymentEvent> {
    oldest_first(events.to_vec())
}

/// Valid tickets to compare new ones with: those read from the database that this batch did not
/// change, plus those this batch holds in memory (and did not just issue).
pub(crate) fn comparison_set(outcome: &BatchOutcome, from_database: Vec<OrderRecord>) -> Vec<PurchaseIdentity> {
    let in_memory: HashSet<&str> = outcome.upserts.iter().map(|order| order.id.as_str()).collect();
    let issued_now: HashSet<&str> = outcome.issued.iter().map(|ticket| ticket.order_id.as_str()).collect();
    let mut set: Vec<PurchaseIdentity> = from_database
        .iter()
        .filter(|order| !in_memory.contains(order.id.as_str()))
        .filter_map(|order| order.show_id.as_deref().map(|show| super::apply::identity(order, show)))
        .collect();
    set.extend(outcome.upserts.iter().filter(|order| !issued_now.contains(order.id.as_str())).filter_map(|order| {
        let show = order.show_id.as_deref()?;
        (order.ticket_issued_ms.is_some() && order.status.grants_access()).then(|| super::apply::identity(order, show))
    }));
    set
}

macro_rules! ledger_apply_impl {
    ($store:ty, $db:ty) => {
        impl $store {
            pub(crate) async fn apply_batch(
                &self,
                events: &[showdesk_core::box_office::PaymentEvent],
                options: &$crate::ledger::ApplyOptions,
            ) -> Result<$crate::ledger::ApplyReport, $crate::StoreError> {
                use std::collections::HashSet;

                use sqlx::QueryBuilder;
                use $crate::ledger::apply::{ShowIndex, Working};
                use $crate::ledger::rows::{ORDER_COLUMNS, OrderRow, records};
                use $crate::ledger::sql_apply::{KEYS_PER_LOOKUP, ROWS_PER_STATEMENT, comparison_set, lookup_keys, prepare};

                // Received counts what was handed in; repeats within the batch are skipped like
                // repeats of earlier batches.
                let mut report = $crate::ledger::ApplyReport { received: events.len(), ..Default::default() };
                let events = prepare(events);
                let mut tx = self.writer().begin().await?;

                // Each event id once, ever: the insert answers with the ids it had never seen.
                let mut fresh_ids = HashSet::new();
                for chunk in events.chunks(ROWS_PER_STATEMENT * 4) {
                    let mut insert = QueryBuilder::<$db>::new(
                        "INSERT INTO payment_events_seen (event_id, created_ms, kind, applied_ms) ",
                    );
                    insert.push_values(chunk, |mut row, event| {
                        row.push_bind(event.event_id.as_str())
                            .push_bind(event.created_ms)
                            .push_bind(event.kind.as_str())
                            .push_bind(options.now_ms);
                    });
                    insert.push(" ON CONFLICT (event_id) DO NOTHING RETURNING event_id");
                    let rows: Vec<(String,)> = insert.build_query_as().fetch_all(&mut *tx).await?;
                    fresh_ids.extend(rows.into_iter().map(|(id,)| id));
                }
                let fresh: Vec<&showdesk_core::box_office::PaymentEvent> =
                    events.iter().filter(|event| fresh_ids.contains(&event.event_id)).collect();
                report.already_seen = report.received - fresh.len();
                report.applied = fresh.len();
                if fresh.is_empty() {
                    tx.commit().await?;
                    return Ok(report);
                }

                // The orders the batch touches, once each.
                let mut loaded: Vec<$crate::ledger::OrderRecord> = Vec::new();
                for (column, keys) in lookup_keys(&fresh) {
                    for chunk in keys.chunks(KEYS_PER_LOOKUP) {
                        let mut select = QueryBuilder::<$db>::new(format!("SELECT {ORDER_COLUMNS} FROM orders WHERE {column} IN ("));
                        let mut list = select.separated(", ");
                        for key in chunk {
                            list.push_bind(key.as_str());
                        }
                        select.push(")");
                        let rows: Vec<OrderRow> = select.build_query_as().fetch_all(&mut *tx).await?;
                        loaded.extend(records::<OrderRow, $crate::ledger::OrderRecord>(rows)?);
                    }
                }
                let mut shows = ShowIndex::default();
                let show_rows: Vec<(String, Option<String>)> =
                    sqlx::query_as("SELECT id, payment_link_id FROM shows").fetch_all(&mut *tx).await?;
                for (id, link) in show_rows {
                    if let Some(link) = link {
                        shows.by_payment_link.insert(link, id.clone());
                    }
                    shows.ids.insert(id);
                }

                let mut working = Working::new(loaded);
                for event in &fresh {
                    working.apply(event, &shows, options.now_ms);
                }
                let outcome = working.finish(options.now_ms);
                report.unattributed = outcome.unattributed;

                // Double purchases among the tickets issued now.
                let mut flags = Vec::new();
                if !outcome.new_tickets.is_empty() {
                    // One indexed lookup per identity kind (an OR across columns would scan).
                    let mut from_database = Vec::new();
                    let shows: Vec<&str> = {
                        let set: HashSet<&str> = outcome.new_tickets.iter().map(|t| t.show_id.as_str()).collect();
                        set.into_iter().collect()
                    };
                    let identities: [(&str, Vec<&str>); 3] = [
                        ("buyer_email", outcome.new_tickets.iter().filter_map(|t| t.email.as_deref()).collect()),
                        ("customer_id", outcome.new_tickets.iter().filter_map(|t| t.customer.as_deref()).collect()),
                        ("card_fingerprint", outcome.new_tickets.iter().filter_map(|t| t.card_fingerprint.as_deref()).collect()),
                    ];
                    for (column, values) in identities {
                        for chunk in values.chunks(KEYS_PER_LOOKUP) {
                            let mut select = QueryBuilder::<$db>::new(format!(
                                "SELECT {ORDER_COLUMNS} FROM orders WHERE {column} IN ("
                            ));
                            let mut list = select.separated(", ");
                            for value in chunk {
                                list.push_bind(*value);
                            }
                            // The show is filtered here, not in SQL: given `show_id IN (…)`, SQLite
                            // prefers the (show_id, purchased_ms) index and walks every order of the
                            // show (a million in the rush benchmark) instead of the few per identity.
                            select.push(") AND ticket_issued_ms IS NOT NULL AND status IN ('paid', 'partially_refunded')");
                            let rows: Vec<OrderRow> = select.build_query_as().fetch_all(&mut *tx).await?;
                            from_database.extend(
                                records::<OrderRow, $crate::ledger::OrderRecord>(rows)?
                                    .into_iter()
                                    .filter(|order| order.show_id.as_deref().is_some_and(|show| shows.contains(&show))),
                            );
                        }
                    }
                    let existing = comparison_set(&outcome, from_database);
                    flags = showdesk_core::box_office::find_double_purchases(
                        &outcome.new_tickets,
                        &existing,
                        options.double_purchase_window_ms,
                    );
                }

                Self::write_batch(&mut tx, &outcome).await?;
                for chunk in flags.chunks(ROWS_PER_STATEMENT) {
                    let mut insert = QueryBuilder::<$db>::new(
                        "INSERT INTO double_purchases (show_id, original_order_id, duplicate_order_id, matched_on, \
                         status, flagged_ms) ",
                    );
                    insert.push_values(chunk, |mut row, flag| {
                        row.push_bind(flag.show_id.as_str())
                            .push_bind(flag.original_order_id.as_str())
                            .push_bind(flag.duplicate_order_id.as_str())
                            .push_bind(flag.matched_on.as_str())
                            .push_bind("open")
                            .push_bind(options.now_ms);
                    });
                    insert.push(" ON CONFLICT (duplicate_order_id) DO NOTHING RETURNING duplicate_order_id");
                    let inserted: Vec<(String,)> = insert.build_query_as().fetch_all(&mut *tx).await?;
                    let inserted: HashSet<String> = inserted.into_iter().map(|(id,)| id).collect();
                    report.double_purchases.extend(
                        chunk.iter().filter(|flag| inserted.contains(&flag.duplicate_order_id)).cloned(),
                    );
                }
                let to_confirm: Vec<_> = outcome.issued.iter().filter(|ticket| ticket.email.is_some()).collect();
                for chunk in to_confirm.chunks(ROWS_PER_STATEMENT) {
                    let mut insert = QueryBuilder::<$db>::new(
                        "INSERT INTO buyer_notices (kind, order_id, reference, email, created_ms) ",
                    );
                    insert.push_values(chunk, |mut row, ticket| {
                        row.push_bind($crate::ledger::NOTICE_TICKET_CONFIRMATION)
                            .push_bind(ticket.order_id.as_str())
                            .push_bind("")
                            .push_bind(ticket.email.as_deref().unwrap_or_default())
                            .push_bind(options.now_ms);
                    });
                    insert.push(" ON CONFLICT (kind, order_id, reference) DO NOTHING RETURNING id");
                    let inserted: Vec<(i64,)> = insert.build_query_as().fetch_all(&mut *tx).await?;
                    report.confirmations_queued += inserted.len();
                }
                tx.commit().await?;
                report.tickets_issued = outcome.issued;
                report.access_revoked = outcome.revoked;
                Ok(report)
            }

            async fn write_batch(
                tx: &mut sqlx::Transaction<'_, $db>,
                outcome: &$crate::ledger::apply::BatchOutcome,
            ) -> Result<(), $crate::StoreError> {
                use sqlx::QueryBuilder;
                use $crate::ledger::rows::ORDER_COLUMNS;
                use $crate::ledger::sql_apply::ROWS_PER_STATEMENT;

                for id in &outcome.deletes {
                    sqlx::query("DELETE FROM orders WHERE id = $1").bind(id).execute(&mut **tx).await?;
                }
                for chunk in outcome.upserts.chunks(ROWS_PER_STATEMENT) {
                    let mut upsert = QueryBuilder::<$db>::new(format!("INSERT INTO orders ({ORDER_COLUMNS}) "));
                    upsert.push_values(chunk, |mut row, order| {
                        let currency = order.currency.map(|c| c.as_str().to_owned());
                        row.push_bind(order.id.as_str())
                            .push_bind(order.show_id.as_deref())
                            .push_bind(order.refs.checkout_session.as_deref())
                            .push_bind(order.refs.payment_intent.as_deref())
                            .push_bind(order.refs.charge.as_deref())
                            .push_bind(order.payment_link_id.as_deref())
                            .push_bind(order.buyer.email.as_deref())
                            .push_bind(order.buyer.name.as_deref())
                            .push_bind(order.buyer.customer.as_deref())
                            .push_bind(order.buyer.card_fingerprint.as_deref())
                            .push_bind(currency)
                            .push_bind(order.facts.amount_minor)
                            .push_bind(order.facts.refunded_minor)
                            .push_bind(order.facts.payment.as_str())
                            .push_bind(order.facts.dispute.as_str())
                            .push_bind(order.status.as_str())
                            .push_bind(order.promotion_code_id.as_deref())
                            .push_bind(order.discount_minor)
                            .push_bind(order.purchased_ms)
                            .push_bind(order.ticket_issued_ms)
                            .push_bind(order.updated_ms);
                    });
                    upsert.push(
                        " ON CONFLICT (id) DO UPDATE SET show_id = excluded.show_id, \
                         checkout_session_id = excluded.checkout_session_id, \
                         payment_intent_id = excluded.payment_intent_id, charge_id = excluded.charge_id, \
                         payment_link_id = excluded.payment_link_id, buyer_email = excluded.buyer_email, \
                         buyer_name = excluded.buyer_name, customer_id = excluded.customer_id, \
                         card_fingerprint = excluded.card_fingerprint, currency = excluded.currency, \
                         amount_minor = excluded.amount_minor, refunded_minor = excluded.refunded_minor, \
                         payment_state = excluded.payment_state, dispute_state = excluded.dispute_state, \
                         status = excluded.status, promotion_code_id = excluded.promotion_code_id, \
                         discount_minor = excluded.discount_minor, purchased_ms = excluded.purchased_ms, \
                         ticket_issued_ms = excluded.ticket_issued_ms, updated_ms = excluded.updated_ms",
                    );
                    upsert.build().execute(&mut **tx).await?;
                }
                for (show_id, delta) in &outcome.show_deltas {
                    if delta.is_zero() {
                        continue;
                    }
                    sqlx::query(
                        "INSERT INTO show_totals (show_id, tickets, paid_orders, gross_minor, refunded_minor, \
                         pending_orders, failed_orders, refunded_orders, disputed_orders) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (show_id) DO UPDATE SET \
                         tickets = show_totals.tickets + excluded.tickets, \
                         paid_orders = show_totals.paid_orders + excluded.paid_orders, \
                         gross_minor = show_totals.gross_minor + excluded.gross_minor, \
                         refunded_minor = show_totals.refunded_minor + excluded.refunded_minor, \
                         pending_orders = show_totals.pending_orders + excluded.pending_orders, \
                         failed_orders = show_totals.failed_orders + excluded.failed_orders, \
                         refunded_orders = show_totals.refunded_orders + excluded.refunded_orders, \
                         disputed_orders = show_totals.disputed_orders + excluded.disputed_orders",
                    )
                    .bind(show_id)
                    .bind(delta.tickets)
                    .bind(delta.paid_orders)
                    .bind(delta.gross_minor)
                    .bind(delta.refunded_minor)
                    .bind(delta.pending_orders)
                    .bind(delta.failed_orders)
                    .bind(delta.refunded_orders)
                    .bind(delta.disputed_orders)
                    .execute(&mut **tx)
                    .await?;
                }
                for ((show_id, code), delta) in &outcome.promo_deltas {
                    sqlx::query(
                        "INSERT INTO promo_totals (show_id, promotion_code_id, tickets, paid_orders, gross_minor, \
                         discount_minor) VALUES ($1, $2, $3, $4, $5, $6) \
                         ON CONFLICT (show_id, promotion_code_id) DO UPDATE SET \
                         tickets = promo_totals.tickets + excluded.tickets, \
                         paid_orders = promo_totals.paid_orders + excluded.paid_orders, \
                         gross_minor = promo_totals.gross_minor + excluded.gross_minor, \
                         discount_minor = promo_totals.discount_minor + excluded.discount_minor",
                    )
                    .bind(show_id)
                    .bind(code)
                    .bind(delta.tickets)
                    .bind(delta.paid_orders)
                    .bind(delta.gross_minor)
                    .bind(delta.discount_minor)
                    .execute(&mut **tx)
                    .await?;
                }
                for ((show_id, minute), tickets) in &outcome.minute_increments {
                    sqlx::query(
                        "INSERT INTO sales_minutes (show_id, minute_ms, tickets) VALUES ($1, $2, $3) \
                         ON CONFLICT (show_id, minute_ms) DO UPDATE SET tickets = sales_minutes.tickets + excluded.tickets",
                    )
                    .bind(show_id)
                    .bind(minute)
                    .bind(tickets)
                    .execute(&mut **tx)
                    .await?;
                }
                for chunk in outcome.attempts.chunks(ROWS_PER_STATEMENT) {
                    let mut insert =
                        QueryBuilder::<$db>::new("INSERT INTO payment_attempts (at_ms, show_id, outcome, code) ");
                    insert.push_values(chunk, |mut row, (at_ms, show_id, attempt)| {
                        let code = match attempt {
                            showdesk_core::box_office::AttemptOutcome::Declined { code } => code.clone(),
                            _ => None,
                        };
                        row.push_bind(*at_ms).push_bind(show_id.clone()).push_bind(attempt.as_str()).push_bind(code);
                    });
                    insert.build().execute(&mut **tx).await?;
                }
                Ok(())
            }
        }
    };
}

pub(crate) use ledger_apply_impl;
