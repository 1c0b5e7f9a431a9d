//! What sells a show: a product, a price and a Payment Link (promotion codes allowed, the ticket
//! cap as the link's completed-sessions limit, deactivated when sold out or closed); and promo
//! codes as a coupon plus a customer-facing promotion code.
//!
//! Every POST carries a key derived from the show or the promo code it is for: creating a show's
//! link twice (a double click, a retry after a timeout) gives the same link.

use serde_json::Value;
use showdesk_core::Money;
use showdesk_core::box_office::{Discount, PromoRules};

use super::{IdempotencyKey, StripeClient, StripeError, text};

/// The Stripe objects selling a show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShowCatalog {
    pub product_id: String,
    pub price_id: String,
    pub payment_link_id: String,
    pub payment_link_url: String,
}

/// A promo code as Stripe holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StripePromo {
    pub coupon_id: String,
    pub promotion_code_id: String,
    pub code: String,
}

fn id(reply: &Value, what: &str) -> Result<String, StripeError> {
    text(reply, "id").ok_or_else(|| super::decode_error(what, reply))
}

fn form(pairs: &[(&str, String)]) -> Vec<(String, String)> {
    pairs.iter().map(|(name, value)| ((*name).to_owned(), value.clone())).collect()
}

impl StripeClient {
    /// Product, price and Payment Link for a show. `show_id` goes into the metadata of the link
    /// and of every PaymentIntent it creates, so each purchase names its show.
    pub async fn create_show_catalog(
        &self,
        show_id: &str,
        title: &str,
        price: Money,
        capacity: u32,
    ) -> Result<ShowCatalog, StripeError> {
        let product = self
            .post(
                "/v1/products",
                &form(&[("name", title.to_owned()), ("metadata[show_id]", show_id.to_owned())]),
                &IdempotencyKey::for_action("show.product", show_id),
            )
            .await?;
        let product_id = id(&product, "a product")?;
        let price_reply = self
            .post(
                "/v1/prices",
                &form(&[
                    ("product", product_id.clone()),
                    ("unit_amount", price.minor.to_string()),
                    ("currency", price.currency.to_lowercase()),
                    ("metadata[show_id]", show_id.to_owned()),
                ]),
                &IdempotencyKey::for_action("show.price", show_id),
            )
            .await?;
        let price_id = id(&price_reply, "a price")?;
        let link = self
            .post(
                "/v1/payment_links",
                &form(&[
                    ("line_items[0][price]", price_id.clone()),
                    ("line_items[0][quantity]", "1".into()),
                    ("allow_promotion_codes", "true".into()),
                    ("restrictions[completed_sessions][limit]", capacity.to_string()),
                    ("metadata[show_id]", show_id.to_owned()),
                    ("payment_intent_data[metadata][show_id]", show_id.to_owned()),
                    ("inactive_message", format!("Sales for {title} are closed.")),
                ]),
                &IdempotencyKey::for_action("show.payment_link", show_id),
            )
            .await?;
        Ok(ShowCatalog {
            product_id,
            price_id,
            payment_link_id: id(&link, "a payment link")?,
            payment_link_url: text(&link, "url").ok_or_else(|| super::decode_error("a payment link url", &link))?,
        })
    }

    /// Opens or closes a Payment Link (closed when sold out or when the organizer stops sales).
    /// `generation` distinguishes successive openings and closings of the same link.
    pub async fn set_payment_link_active(
        &self,
        link_id: &str,
        active: bool,
        generation: u32,
    ) -> Result<(), StripeError> {
        let reply = self
            .post(
                &format!("/v1/payment_links/{link_id}"),
                &form(&[("active", active.to_string())]),
                &IdempotencyKey::for_action(
                    if active { "link.open" } else { "link.close" },
                    &format!("{link_id}:{generation}"),
                ),
            )
            .await?;
        match reply["active"].as_bool() {
            Some(now) if now == active => Ok(()),
            _ => Err(super::decode_error("a payment link after changing it", &reply)),
        }
    }

    /// A coupon and its promotion code. `subject` identifies the promo code record (its id), so a
    /// retry makes no second coupon. `customer` restricts a buyer's code to that Stripe customer.
    pub async fn create_promo(
        &self,
        subject: &str,
        rules: &PromoRules,
        customer: Option<&str>,
    ) -> Result<StripePromo, StripeError> {
        let mut coupon = vec![("duration", "once".to_owned()), ("name", rules.code.clone())];
        match rules.discount {
            Discount::Percent { percent } => coupon.push(("percent_off", percent.to_string())),
            Discount::Amount { amount } => {
                coupon.push(("amount_off", amount.minor.to_string()));
                coupon.push(("currency", amount.currency.to_lowercase()));
            }
        }
        if let Some(max) = rules.max_redemptions {
            coupon.push(("max_redemptions", max.to_string()));
        }
        if let Some(expiry) = rules.expires_at_ms {
            coupon.push(("redeem_by", (expiry / 1000).to_string()));
        }
        let coupon_reply =
            self.post("/v1/coupons", &form(&coupon), &IdempotencyKey::for_action("promo.coupon", subject)).await?;
        let coupon_id = id(&coupon_reply, "a coupon")?;
        // Stripe-Version 2024-06-20: the coupon is a top-level `coupon` (2025-09-30 moved it under
        // `promotion`).
        let mut promotion = vec![("coupon", coupon_id.clone()), ("code", rules.code.clone())];
        if let Some(max) = rules.max_redemptions {
            promotion.push(("max_redemptions", max.to_string()));
        }
        if let Some(expiry) = rules.expires_at_ms {
            promotion.push(("expires_at", (expiry / 1000).to_string()));
        }
        if let Some(customer) = customer {
            promotion.push(("customer", customer.to_owned()));
        }
        let promotion_reply = self
            .post("/v1/promotion_codes", &form(&promotion), &IdempotencyKey::for_action("promo.code", subject))
            .await?;
        Ok(StripePromo {
            coupon_id,
            promotion_code_id: id(&promotion_reply, "a promotion code")?,
            code: text(&promotion_reply, "code").unwrap_or_else(|| rules.code.clone()),
        })
    }
}
