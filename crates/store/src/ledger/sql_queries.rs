//! `LedgerStore` for both backends. Standard SQL with `$n` placeholders (in order of first use, so
//! SQLite reads them too); sums are cast to BIGINT because PostgreSQL's SUM of a BIGINT is NUMERIC.

macro_rules! ledger_store_impl {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::ledger::LedgerStore for $store {
            async fn create_show(
                &self,
                id: &str,
                show: &showdesk_core::box_office::NewShow,
            ) -> Result<showdesk_core::box_office::Show, $crate::StoreError> {
                let now = $crate::now_ms();
                let inserted = sqlx::query(
                    "INSERT INTO shows (id, title, starts_at_ms, ends_at_ms, price_minor, currency, capacity, \
                     sales_open, created_ms, watch_url) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                     ON CONFLICT (id) DO NOTHING",
                )
                .bind(id)
                .bind(show.title.trim())
                .bind(show.starts_at_ms)
                .bind(show.ends_at_ms)
                .bind(show.price.minor)
                .bind(show.price.currency.as_str())
                .bind(i64::from(show.capacity))
                .bind(false)
                .bind(now)
                .bind(show.watch_url.as_deref())
                .execute(&self.pool)
                .await?;
                if inserted.rows_affected() == 0 {
                    return Err($crate::StoreError::Conflict(format!("a show with the id {id} already exists")));
                }
                self.show(id).await?.ok_or_else(|| $crate::StoreError::NotFound { what: "show", id: id.to_owned() })
            }

            async fn show(&self, id: &str) -> Result<Option<showdesk_core::box_office::Show>, $crate::StoreError> {
                use $crate::ledger::rows::{SHOW_COLUMNS, ShowRow};
                let row: Option<ShowRow> = sqlx::query_as(&format!("SELECT {SHOW_COLUMNS} FROM shows WHERE id = $1"))
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
                row.map(TryInto::try_into).transpose()
            }

            async fn list_shows(&self) -> Result<Vec<showdesk_core::box_office::Show>, $crate::StoreError> {
                use $crate::ledger::rows::{SHOW_COLUMNS, ShowRow, records};
                let rows: Vec<ShowRow> =
                    sqlx::query_as(&format!("SELECT {SHOW_COLUMNS} FROM shows ORDER BY starts_at_ms, id"))
                        .fetch_all(&self.pool)
                        .await?;
                records(rows)
            }

            async fn set_show_listing(
                &self,
                id: &str,
                listing: &$crate::ledger::ShowListing,
            ) -> Result<(), $crate::StoreError> {
                let updated = sqlx::query(
                    "UPDATE shows SET stripe_product_id = $1, stripe_price_id = $2, payment_link_id = $3, \
                     payment_link_url = $4, sales_open = $5 WHERE id = $6",
                )
                .bind(&listing.product_id)
                .bind(&listing.price_id)
                .bind(&listing.payment_link_id)
                .bind(&listing.payment_link_url)
                .bind(listing.sales_open)
                .bind(id)
                .execute(&self.pool)
                .await?;
                $crate::ledger::sql_queries::found(updated.rows_affected(), "show", id)
            }

            async fn set_sales_open(&self, id: &str, open: bool) -> Result<(), $crate::StoreError> {
                let updated = sqlx::query("UPDATE shows SET sales_open = $1 WHERE id = $2")
                    .bind(open)
                    .bind(id)
                    .execute(&self.pool)
                    .await?;
                $crate::ledger::sql_queries::found(updated.rows_affected(), "show", id)
            }

            async fn apply_payment_events(
                &self,
                events: &[showdesk_core::box_office::PaymentEvent],
                options: &$crate::ledger::ApplyOptions,
            ) -> Result<$crate::ledger::ApplyReport, $crate::StoreError> {
                self.apply_batch(events, options).await
            }

            async fn order(&self, id: &str) -> Result<Option<$crate::ledger::OrderRecord>, $crate::StoreError> {
                use $crate::ledger::rows::{ORDER_COLUMNS, OrderRow};
                let row: Option<OrderRow> = sqlx::query_as(&format!("SELECT {ORDER_COLUMNS} FROM orders WHERE id = $1"))
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
                row.map(TryInto::try_into).transpose()
            }

            async fn order_by_processor_id(
                &self,
                processor_id: &str,
            ) -> Result<Option<$crate::ledger::OrderRecord>, $crate::StoreError> {
                use $crate::ledger::rows::{ORDER_COLUMNS, OrderRow};
                let row: Option<OrderRow> = sqlx::query_as(&format!(
                    "SELECT {ORDER_COLUMNS} FROM orders WHERE checkout_session_id = $1 OR payment_intent_id = $1 \
                     OR charge_id = $1 LIMIT 1"
                ))
                .bind(processor_id)
                .fetch_optional(&self.pool)
                .await?;
                row.map(TryInto::try_into).transpose()
            }

            async fn orders_for_show(
                &self,
                show_id: &str,
                limit: u32,
                offset: u32,
            ) -> Result<Vec<$crate::ledger::OrderRecord>, $crate::StoreError> {
                use $crate::ledger::rows::{ORDER_COLUMNS, OrderRow, records};
                let rows: Vec<OrderRow> = sqlx::query_as(&format!(
                    "SELECT {ORDER_COLUMNS} FROM orders WHERE show_id = $1 ORDER BY purchased_ms DESC, id DESC \
                     LIMIT $2 OFFSET $3"
                ))
                .bind(show_id)
                .bind(i64::from(limit))
                .bind(i64::from(offset))
                .fetch_all(&self.pool)
                .await?;
                records(rows)
            }

            async fn orders_for_buyer(&self, email: &str) -> Result<Vec<$crate::ledger::OrderRecord>, $crate::StoreError> {
                use $crate::ledger::rows::{ORDER_COLUMNS, OrderRow, records};
                let rows: Vec<OrderRow> = sqlx::query_as(&format!(
                    "SELECT {ORDER_COLUMNS} FROM orders WHERE buyer_email = $1 ORDER BY purchased_ms DESC, id DESC"
                ))
                .bind(showdesk_core::box_office::normalize_email(email))
                .fetch_all(&self.pool)
                .await?;
                records(rows)
            }

            async fn ledger_totals(
                &self,
                show_id: &str,
                since_ms: i64,
            ) -> Result<$crate::ledger::LedgerTotals, $crate::StoreError> {
                use $crate::ledger::{PromoTotals, SalesMinute, ShowTotals};
                type TotalsRow = (i64, i64, i64, i64, i64, i64, i64, i64);
                let totals: Option<TotalsRow> = sqlx::query_as(
                    "SELECT tickets, paid_orders, gross_minor, refunded_minor, pending_orders, failed_orders, \
                     refunded_orders, disputed_orders FROM show_totals WHERE show_id = $1",
                )
                .bind(show_id)
                .fetch_optional(&self.pool)
                .await?;
                let totals = totals
                    .map(|(tickets, paid_orders, gross_minor, refunded_minor, pending_orders, failed_orders, refunded_orders, disputed_orders)| {
                        ShowTotals { tickets, paid_orders, gross_minor, refunded_minor, pending_orders, failed_orders, refunded_orders, disputed_orders }
                    })
                    .unwrap_or_default();
                let promo: Vec<(String, Option<String>, i64, i64, i64, i64)> = sqlx::query_as(
                    "SELECT t.promotion_code_id, p.code, t.tickets, t.paid_orders, t.gross_minor, t.discount_minor \
                     FROM promo_totals t LEFT JOIN promo_codes p ON p.stripe_promotion_code_id = t.promotion_code_id \
                     WHERE t.show_id = $1 ORDER BY t.paid_orders DESC, t.promotion_code_id",
                )
                .bind(show_id)
                .fetch_all(&self.pool)
                .await?;
                let minutes: Vec<(i64, i64)> = sqlx::query_as(
                    "SELECT minute_ms, tickets FROM sales_minutes WHERE show_id = $1 AND minute_ms >= $2 ORDER BY minute_ms",
                )
                .bind(show_id)
                .bind(since_ms)
                .fetch_all(&self.pool)
                .await?;
                let (pending_refunds, pending_refunds_minor): (i64, i64) = sqlx::query_as(
                    "SELECT COUNT(*), CAST(COALESCE(SUM(r.amount_minor), 0) AS BIGINT) FROM refunds r \
                     JOIN orders o ON o.id = r.order_id WHERE r.status = 'requested' AND o.show_id = $1",
                )
                .bind(show_id)
                .fetch_one(&self.pool)
                .await?;
                let (open_double_purchases,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM double_purchases WHERE show_id = $1 AND status = 'open'",
                )
                .bind(show_id)
                .fetch_one(&self.pool)
                .await?;
                Ok($crate::ledger::LedgerTotals {
                    totals,
                    promo: promo
                        .into_iter()
                        .map(|(promotion_code_id, code, tickets, paid_orders, gross_minor, discount_minor)| PromoTotals {
                            promotion_code_id,
                            code,
                            tickets,
                            paid_orders,
                            gross_minor,
                            discount_minor,
                        })
                        .collect(),
                    sales_per_minute: minutes.into_iter().map(|(minute_ms, tickets)| SalesMinute { minute_ms, tickets }).collect(),
                    pending_refunds,
                    pending_refunds_minor,
                    open_double_purchases,
                })
            }

            async fn begin_refund(
                &self,
                refund: &$crate::ledger::NewRefund,
            ) -> Result<$crate::ledger::RefundStart, $crate::StoreError> {
                self.begin_refund_tx(refund).await
            }

            async fn settle_refund(
                &self,
                refund_id: i64,
                settlement: &$crate::ledger::RefundSettlement,
            ) -> Result<$crate::ledger::RefundRecord, $crate::StoreError> {
                use $crate::ledger::RefundSettlement;
                let (status, processor_id, error_code, now_ms) = match settlement {
                    RefundSettlement::Succeeded { processor_refund_id, now_ms } => {
                        ("succeeded", Some(processor_refund_id.as_str()), None, *now_ms)
                    }
                    RefundSettlement::Failed { error_code, now_ms } => ("failed", None, Some(error_code.as_str()), *now_ms),
                };
                let updated = sqlx::query(
                    "UPDATE refunds SET status = $1, stripe_refund_id = COALESCE($2, stripe_refund_id), error_code = $3, \
                     settled_ms = $4 WHERE id = $5",
                )
                .bind(status)
                .bind(processor_id)
                .bind(error_code)
                .bind(now_ms)
                .bind(refund_id)
                .execute(&self.pool)
                .await?;
                $crate::ledger::sql_queries::found(updated.rows_affected(), "refund", &refund_id.to_string())?;
                self.refund_by_id(refund_id).await
            }

            async fn refunds_for_order(&self, order_id: &str) -> Result<Vec<$crate::ledger::RefundRecord>, $crate::StoreError> {
                use $crate::ledger::rows::{REFUND_COLUMNS, RefundRow, records};
                let rows: Vec<RefundRow> =
                    sqlx::query_as(&format!("SELECT {REFUND_COLUMNS} FROM refunds WHERE order_id = $1 ORDER BY id"))
                        .bind(order_id)
                        .fetch_all(&self.pool)
                        .await?;
                records(rows)
            }

            async fn create_promo_code(
                &self,
                promo: &$crate::ledger::NewPromoCode,
            ) -> Result<$crate::ledger::PromoCodeRecord, $crate::StoreError> {
                use showdesk_core::box_office::Discount;
                let (percent, amount) = match promo.rules.discount {
                    Discount::Percent { percent } => (Some(i64::from(percent)), None),
                    Discount::Amount { amount } => (None, Some(amount.minor)),
                };
                let inserted: Option<(i64,)> = sqlx::query_as(
                    "INSERT INTO promo_codes (show_id, code, percent_off, amount_off_minor, currency, max_redemptions, \
                     expires_at_ms, for_buyer, active, created_by, created_ms) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (show_id, code) DO NOTHING RETURNING id",
                )
                .bind(&promo.show_id)
                .bind(&promo.rules.code)
                .bind(percent)
                .bind(amount)
                .bind(promo.currency.as_str())
                .bind(promo.rules.max_redemptions.map(i64::from))
                .bind(promo.rules.expires_at_ms)
                .bind(promo.rules.for_buyer.as_deref())
                .bind(true)
                .bind(&promo.actor)
                .bind(promo.now_ms)
                .fetch_optional(&self.pool)
                .await?;
                let Some((id,)) = inserted else {
                    return Err($crate::StoreError::Conflict(format!(
                        "the promo code {} already exists for this show",
                        promo.rules.code
                    )));
                };
                self.promo_by_id(id).await
            }

            async fn set_promo_processor_ids(&self, id: i64, coupon: &str, promotion_code: &str) -> Result<(), $crate::StoreError> {
                let updated = sqlx::query(
                    "UPDATE promo_codes SET stripe_coupon_id = $1, stripe_promotion_code_id = $2 WHERE id = $3",
                )
                .bind(coupon)
                .bind(promotion_code)
                .bind(id)
                .execute(&self.pool)
                .await?;
                $crate::ledger::sql_queries::found(updated.rows_affected(), "promo code", &id.to_string())
            }

            async fn promo_codes_for_show(&self, show_id: &str) -> Result<Vec<$crate::ledger::PromoCodeRecord>, $crate::StoreError> {
                use $crate::ledger::rows::{PROMO_COLUMNS, PromoRow, records};
                let rows: Vec<PromoRow> = sqlx::query_as(&format!(
                    "SELECT {PROMO_COLUMNS} FROM promo_codes p LEFT JOIN promo_totals t \
                     ON t.show_id = p.show_id AND t.promotion_code_id = p.stripe_promotion_code_id \
                     WHERE p.show_id = $1 ORDER BY p.id"
                ))
                .bind(show_id)
                .fetch_all(&self.pool)
                .await?;
                records(rows)
            }

            async fn double_purchases(
                &self,
                show_id: &str,
                status: Option<$crate::ledger::DoublePurchaseStatus>,
            ) -> Result<Vec<$crate::ledger::DoublePurchaseRecord>, $crate::StoreError> {
                use $crate::ledger::rows::{DOUBLE_PURCHASE_COLUMNS, DoublePurchaseRow, records};
                let rows: Vec<DoublePurchaseRow> = sqlx::query_as(&format!(
                    "SELECT {DOUBLE_PURCHASE_COLUMNS} FROM double_purchases WHERE show_id = $1 \
                     AND ($2 = '' OR status = $2) ORDER BY id"
                ))
                .bind(show_id)
                .bind(status.map(|s| s.as_str()).unwrap_or_default())
                .fetch_all(&self.pool)
                .await?;
                records(rows)
            }

            async fn double_purchase(&self, id: i64) -> Result<Option<$crate::ledger::DoublePurchaseRecord>, $crate::StoreError> {
                use $crate::ledger::rows::{DOUBLE_PURCHASE_COLUMNS, DoublePurchaseRow};
                let row: Option<DoublePurchaseRow> =
                    sqlx::query_as(&format!("SELECT {DOUBLE_PURCHASE_COLUMNS} FROM double_purchases WHERE id = $1"))
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await?;
                row.map(TryInto::try_into).transpose()
            }

            async fn resolve_double_purchase(
                &self,
                id: i64,
                status: $crate::ledger::DoublePurchaseStatus,
                actor: &str,
            ) -> Result<$crate::ledger::DoublePurchaseRecord, $crate::StoreError> {
                let updated = sqlx::query(
                    "UPDATE double_purchases SET status = $1, resolved_by = $2, resolved_ms = $3 WHERE id = $4",
                )
                .bind(status.as_str())
                .bind(actor)
                .bind($crate::now_ms())
                .bind(id)
                .execute(&self.pool)
                .await?;
                $crate::ledger::sql_queries::found(updated.rows_affected(), "double purchase", &id.to_string())?;
                self.double_purchase(id)
                    .await?
                    .ok_or_else(|| $crate::StoreError::NotFound { what: "double purchase", id: id.to_string() })
            }

            async fn record_attempt(
                &self,
                at_ms: i64,
                show_id: Option<&str>,
                outcome: &showdesk_core::box_office::AttemptOutcome,
            ) -> Result<(), $crate::StoreError> {
                let code = match outcome {
                    showdesk_core::box_office::AttemptOutcome::Declined { code } => code.as_deref(),
                    _ => None,
                };
                sqlx::query("INSERT INTO payment_attempts (at_ms, show_id, outcome, code) VALUES ($1, $2, $3, $4)")
                    .bind(at_ms)
                    .bind(show_id)
                    .bind(outcome.as_str())
                    .bind(code)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn attempt_counts(
                &self,
                from_ms: i64,
                to_ms: i64,
            ) -> Result<(showdesk_core::box_office::AttemptCounts, Option<String>), $crate::StoreError> {
                let rows: Vec<(String, i64)> = sqlx::query_as(
                    "SELECT outcome, COUNT(*) FROM payment_attempts WHERE at_ms >= $1 AND at_ms < $2 GROUP BY outcome",
                )
                .bind(from_ms)
                .bind(to_ms)
                .fetch_all(&self.pool)
                .await?;
                let mut counts = showdesk_core::box_office::AttemptCounts::default();
                for (outcome, count) in rows {
                    let count = u64::try_from(count).unwrap_or(0);
                    match outcome.as_str() {
                        "succeeded" => counts.succeeded = count,
                        "declined" => counts.declined = count,
                        "rate_limited" => counts.rate_limited = count,
                        _ => {}
                    }
                }
                let top: Option<(String, i64)> = sqlx::query_as(
                    "SELECT code, COUNT(*) AS n FROM payment_attempts WHERE at_ms >= $1 AND at_ms < $2 \
                     AND outcome = 'declined' AND code IS NOT NULL GROUP BY code ORDER BY n DESC, code LIMIT 1",
                )
                .bind(from_ms)
                .bind(to_ms)
                .fetch_optional(&self.pool)
                .await?;
                Ok((counts, top.map(|(code, _)| code)))
            }

            async fn cursor(&self, name: &str) -> Result<Option<$crate::ledger::SyncCursor>, $crate::StoreError> {
                let row: Option<(String, i64, i64)> =
                    sqlx::query_as("SELECT position, position_ms, updated_ms FROM sync_cursors WHERE name = $1")
                        .bind(name)
                        .fetch_optional(&self.pool)
                        .await?;
                Ok(row.map(|(position, position_ms, updated_ms)| $crate::ledger::SyncCursor {
                    name: name.to_owned(),
                    position,
                    position_ms,
                    updated_ms,
                }))
            }

            async fn set_cursor(&self, name: &str, position: &str, position_ms: i64) -> Result<(), $crate::StoreError> {
                sqlx::query(
                    "INSERT INTO sync_cursors (name, position, position_ms, updated_ms) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (name) DO UPDATE SET position = excluded.position, \
                     position_ms = excluded.position_ms, updated_ms = excluded.updated_ms",
                )
                .bind(name)
                .bind(position)
                .bind(position_ms)
                .bind($crate::now_ms())
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn clear_cursor(&self, name: &str) -> Result<(), $crate::StoreError> {
                sqlx::query("DELETE FROM sync_cursors WHERE name = $1").bind(name).execute(&self.pool).await?;
                Ok(())
            }

            async fn queue_buyer_notice(
                &self,
                kind: &str,
                order_id: &str,
                reference: &str,
                email: &str,
            ) -> Result<bool, $crate::StoreError> {
                let inserted = sqlx::query(
                    "INSERT INTO buyer_notices (kind, order_id, reference, email, created_ms) VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (kind, order_id, reference) DO NOTHING",
                )
                .bind(kind)
                .bind(order_id)
                .bind(reference)
                .bind(email)
                .bind($crate::now_ms())
                .execute(&self.pool)
                .await?;
                Ok(inserted.rows_affected() == 1)
            }

            async fn unsent_buyer_notices(&self, limit: u32) -> Result<Vec<$crate::ledger::BuyerNotice>, $crate::StoreError> {
                let rows: Vec<(i64, String, String, String, String, i64)> = sqlx::query_as(
                    "SELECT id, kind, order_id, reference, email, created_ms FROM buyer_notices \
                     WHERE sent_ms IS NULL ORDER BY id LIMIT $1",
                )
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(id, kind, order_id, reference, email, created_ms)| $crate::ledger::BuyerNotice {
                        id,
                        kind,
                        order_id,
                        reference,
                        email,
                        created_ms,
                    })
                    .collect())
            }

            async fn mark_notice_sent(&self, id: i64) -> Result<(), $crate::StoreError> {
                let updated = sqlx::query("UPDATE buyer_notices SET sent_ms = $1 WHERE id = $2")
                    .bind($crate::now_ms())
                    .bind(id)
                    .execute(&self.pool)
                    .await?;
                $crate::ledger::sql_queries::found(updated.rows_affected(), "buyer notice", &id.to_string())
            }
        }
    };
}

pub(crate) use ledger_store_impl;

/// `NotFound` when an update touched nothing.
pub(crate) fn found(rows: u64, what: &'static str, id: &str) -> Result<(), crate::StoreError> {
    if rows == 0 { Err(crate::StoreError::NotFound { what, id: id.to_owned() }) } else { Ok(()) }
}
