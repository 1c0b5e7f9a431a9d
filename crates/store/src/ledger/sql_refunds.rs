//! Refund bookkeeping for both backends: the cap check and the record happen in one transaction
//! that first takes the order's write lock (an UPDATE of the order row — in SQLite that takes the
//! database's write lock at once instead of failing later on a stale read; in PostgreSQL it locks
//! the row), so two clicks or two laptops cannot both pass the check on the same remaining amount.

macro_rules! ledger_refunds_impl {
    ($store:ty) => {
        impl $store {
            pub(crate) async fn begin_refund_tx(
                &self,
                refund: &$crate::ledger::NewRefund,
            ) -> Result<$crate::ledger::RefundStart, $crate::StoreError> {
                use $crate::ledger::RefundStart;
                use $crate::ledger::rows::{ORDER_COLUMNS, OrderRow, REFUND_COLUMNS, RefundRow};

                let mut tx = self.writer().begin().await?;
                let locked = sqlx::query("UPDATE orders SET updated_ms = updated_ms WHERE id = $1")
                    .bind(&refund.order_id)
                    .execute(&mut *tx)
                    .await?;
                $crate::ledger::sql_queries::found(locked.rows_affected(), "order", &refund.order_id)?;
                let row: OrderRow = sqlx::query_as(&format!("SELECT {ORDER_COLUMNS} FROM orders WHERE id = $1"))
                    .bind(&refund.order_id)
                    .fetch_one(&mut *tx)
                    .await?;
                let order: $crate::ledger::OrderRecord = row.try_into()?;

                let repeated: Option<RefundRow> = sqlx::query_as(&format!(
                    "SELECT {REFUND_COLUMNS} FROM refunds WHERE order_id = $1 AND amount_minor = $2 AND reason = $3 \
                     AND requested_ms >= $4 AND status <> 'failed' ORDER BY id DESC LIMIT 1"
                ))
                .bind(&refund.order_id)
                .bind(refund.amount.minor)
                .bind(refund.reason.as_str())
                .bind(refund.now_ms - refund.repeat_window_ms)
                .fetch_optional(&mut *tx)
                .await?;
                if let Some(row) = repeated {
                    tx.commit().await?;
                    return Ok(RefundStart::Repeated(row.try_into()?));
                }

                if order.currency.is_some_and(|currency| currency != refund.amount.currency) {
                    return Err($crate::StoreError::Rule(showdesk_core::box_office::RuleError::Money(
                        showdesk_core::MoneyError::CurrencyMismatch(
                            refund.amount.currency,
                            order.currency.unwrap_or(refund.amount.currency),
                        ),
                    )));
                }
                let (count, requested): (i64, i64) = sqlx::query_as(
                    "SELECT COUNT(*), CAST(COALESCE(SUM(CASE WHEN status <> 'failed' THEN amount_minor ELSE 0 END), 0) \
                     AS BIGINT) FROM refunds WHERE order_id = $1",
                )
                .bind(&refund.order_id)
                .fetch_one(&mut *tx)
                .await?;
                let amount = showdesk_core::box_office::check_refund(&order.facts, requested, refund.amount)?;
                // The n-th refund of this order: the same action always carries the same key.
                let key = format!("showdesk-refund-{}-{}", refund.order_id, count + 1);
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO refunds (order_id, amount_minor, currency, reason, status, idempotency_key, \
                     requested_by, requested_ms) VALUES ($1, $2, $3, $4, 'requested', $5, $6, $7) RETURNING id",
                )
                .bind(&refund.order_id)
                .bind(amount.minor)
                .bind(amount.currency.as_str())
                .bind(refund.reason.as_str())
                .bind(&key)
                .bind(&refund.actor)
                .bind(refund.now_ms)
                .fetch_one(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(RefundStart::New(self.refund_by_id(id).await?))
            }

            pub(crate) async fn refund_by_id(&self, id: i64) -> Result<$crate::ledger::RefundRecord, $crate::StoreError> {
                use $crate::ledger::rows::{REFUND_COLUMNS, RefundRow};
                let row: Option<RefundRow> = sqlx::query_as(&format!("SELECT {REFUND_COLUMNS} FROM refunds WHERE id = $1"))
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
                row.ok_or_else(|| $crate::StoreError::NotFound { what: "refund", id: id.to_string() })?.try_into()
            }

            pub(crate) async fn promo_by_id(&self, id: i64) -> Result<$crate::ledger::PromoCodeRecord, $crate::StoreError> {
                use $crate::ledger::rows::{PROMO_COLUMNS, PromoRow};
                let row: Option<PromoRow> = sqlx::query_as(&format!(
                    "SELECT {PROMO_COLUMNS} FROM promo_codes p LEFT JOIN promo_totals t \
                     ON t.show_id = p.show_id AND t.promotion_code_id = p.stripe_promotion_code_id WHERE p.id = $1"
                ))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
                row.ok_or_else(|| $crate::StoreError::NotFound { what: "promo code", id: id.to_string() })?.try_into()
            }
        }
    };
}

pub(crate) use ledger_refunds_impl;
