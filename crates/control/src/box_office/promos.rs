//! Promo codes: a percentage or a fixed amount, a cap, an expiry, or one buyer's single-use code.
//! Checked by core's rules against the show's price, recorded, then created in Stripe as a coupon
//! and a promotion code (keyed by the record, so a retry makes no second coupon).

use showdesk_core::Money;
use showdesk_core::box_office::{Discount, PromoRules, RuleError};
use showdesk_store::ledger::NewPromoCode;
use showdesk_store::{StoreError, now_ms};

use super::{BoxOffice, PromoInput, PromoView};
use crate::ControlError;

impl BoxOffice {
    pub async fn create_promo(&self, actor: &str, input: &PromoInput) -> Result<PromoView, ControlError> {
        let result = self.create_promo_inner(actor, input).await;
        let detail = serde_json::to_value(input).unwrap_or_default();
        self.audit(actor, "promo.create", &format!("show:{}", input.show_id), detail, &result).await;
        result
    }

    async fn create_promo_inner(&self, actor: &str, input: &PromoInput) -> Result<PromoView, ControlError> {
        let show = self
            .store
            .show(&input.show_id)
            .await?
            .ok_or_else(|| StoreError::NotFound { what: "show", id: input.show_id.clone() })?;
        let discount = match (input.percent_off, input.amount_off_minor) {
            (Some(percent), None) => Discount::Percent { percent },
            (None, Some(minor)) => Discount::Amount { amount: Money::new(minor, show.price.currency) },
            _ => {
                return Err(RuleError::Invalid {
                    field: "discount",
                    reason: "a percentage or an amount, not both".into(),
                }
                .into());
            }
        };
        let rules = PromoRules {
            code: input.code.clone(),
            discount,
            max_redemptions: input.max_redemptions,
            expires_at_ms: input.expires_at_ms,
            for_buyer: input.for_buyer.clone(),
        }
        .validated(show.price, now_ms())?;
        // A buyer's code is tied to their Stripe customer when we know it.
        let customer = match &rules.for_buyer {
            Some(email) => self.store.orders_for_buyer(email).await?.into_iter().find_map(|order| order.buyer.customer),
            None => None,
        };
        let stripe = self.stripe()?;
        let record = self
            .store
            .create_promo_code(&NewPromoCode {
                show_id: show.id.clone(),
                rules,
                currency: show.price.currency,
                actor: actor.to_owned(),
                now_ms: now_ms(),
            })
            .await?;
        if self.is_rehearsal_stripe() {
            // localstripe has no promotion codes: the code lives in the ledger, under an id of its
            // own that the drill's buyers quote when they use it.
            let id = rehearsal_promotion_code_id(record.id);
            self.store.set_promo_processor_ids(record.id, "rehearsal", &id).await?;
        } else {
            let created =
                stripe.create_promo(&format!("promo-{}", record.id), &record.rules, customer.as_deref()).await?;
            self.store.set_promo_processor_ids(record.id, &created.coupon_id, &created.promotion_code_id).await?;
        }
        let stored = self.store.promo_codes_for_show(&show.id).await?;
        let view = stored.iter().find(|p| p.id == record.id).map(PromoView::from);
        view.ok_or_else(|| StoreError::NotFound { what: "promo code", id: record.id.to_string() }.into())
    }

    pub async fn promo_codes(&self, show_id: &str) -> Result<Vec<PromoView>, ControlError> {
        Ok(self.store.promo_codes_for_show(show_id).await?.iter().map(PromoView::from).collect())
    }
}

/// The promotion code id of a rehearsal promo code (localstripe has none of its own).
pub(crate) fn rehearsal_promotion_code_id(record_id: i64) -> String {
    format!("promo_rehearsal_{record_id}")
}
