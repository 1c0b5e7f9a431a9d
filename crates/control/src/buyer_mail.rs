//! Mail to buyers that the box office asks for — ticket confirmations, refund confirmations, "your
//! double purchase was refunded" — rendered from the templates in assets/mail and sent through the
//! support desk's one paced outbox, each exactly once.

use std::collections::BTreeMap;

use showdesk_core::Money;
use showdesk_core::support::Language;
use showdesk_store::ledger::BuyerNotice;

use crate::support::outbox::QueuedMail;
use crate::{ControlError, ControlService};

/// How many pending notices one call turns into mail.
const BATCH: u32 = 200;

impl ControlService {
    /// Queues a mail for every pending buyer notice (in `language`) and marks it done. Returns how
    /// many were queued. Safe to call again at any time: a notice is queued once (its id is the
    /// outbox key), even if the process stopped between queueing and marking.
    pub async fn queue_buyer_mail(&self, language: Language) -> Result<u32, ControlError> {
        let store = self.store();
        let templates = self.support().templates();
        let mut queued = 0;
        for notice in store.unsent_buyer_notices(BATCH).await? {
            let values = self.notice_values(&notice, language).await?;
            let rendered = templates.render(&notice.kind, language, &values)?;
            let kind = if notice.kind.contains("refund") { "refund" } else { "confirmation" };
            self.support()
                .queue_mail(QueuedMail {
                    ticket_id: None,
                    kind: kind.into(),
                    automatic: true,
                    to: notice.email.clone(),
                    to_name: values.get("buyer_name").cloned(),
                    subject: rendered.subject,
                    text: rendered.body,
                    in_reply_to: None,
                    references: Vec::new(),
                    idempotency_key: Some(format!("buyer-notice:{}", notice.id)),
                })
                .await?;
            store.mark_notice_sent(notice.id).await?;
            queued += 1;
        }
        Ok(queued)
    }

    async fn notice_values(
        &self,
        notice: &BuyerNotice,
        language: Language,
    ) -> Result<BTreeMap<&'static str, String>, ControlError> {
        let store = self.store();
        let order = store.order(&notice.order_id).await?;
        let show = match order.as_ref().and_then(|o| o.show_id.clone()) {
            Some(id) => store.show(&id).await?,
            None => None,
        };
        let currency = order
            .as_ref()
            .and_then(|o| o.currency)
            .or(show.as_ref().map(|s| s.price.currency))
            .unwrap_or(showdesk_core::Currency::EUR);
        let paid = order.as_ref().and_then(|o| o.facts.amount_minor).unwrap_or(0);
        let amount = match notice.kind.as_str() {
            "refund_confirmation" => {
                let refunds = store.refunds_for_order(&notice.order_id).await?;
                refunds
                    .iter()
                    .find(|r| r.processor_refund_id.as_deref() == Some(notice.reference.as_str()))
                    .map_or(0, |r| r.amount.minor)
            }
            "duplicate_refunded" => order.as_ref().map_or(0, |o| o.facts.refunded_minor),
            _ => paid,
        };
        let name = order
            .as_ref()
            .and_then(|o| o.buyer.name.clone())
            .filter(|name| !name.trim().is_empty())
            .unwrap_or_default();
        let watch_link = show.as_ref().and_then(|s| s.watch_url.clone()).unwrap_or_else(|| match language {
            Language::Fr => "(le lien vous sera envoyé avant le spectacle)".to_owned(),
            _ => "(the link will reach you before the show)".to_owned(),
        });
        Ok(BTreeMap::from([
            ("buyer_name", name),
            ("show_title", show.map(|s| s.title).unwrap_or_default()),
            ("order", notice.order_id.clone()),
            ("amount", Money::new(amount, currency).to_string()),
            ("watch_link", watch_link),
        ]))
    }
}
