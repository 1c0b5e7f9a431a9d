//! Follow-up mail after the show, through the support desk's one paced outbox: a thank-you with the
//! replay link to every ticket holder, an apology with a single-use promo code to the buyers who
//! wrote to support, a notice to the buyers whose refund is still owed. Each buyer gets each kind
//! once per show: the outbox key is `follow-up:<show>:<kind>:<address>`, so a second send (or a
//! send after a crash) queues nothing already queued, and the apology's code is derived from the
//! same key and reused when it already exists.

use std::collections::{BTreeMap, BTreeSet};

use showdesk_core::support::Language;
use showdesk_store::{StoreError, now_ms};

use super::facts::{ShowReport, follow_up_prefix};
use super::views::FollowUpPreview;
use crate::box_office::PromoInput;
use crate::support::outbox::QueuedMail;
use crate::{ControlError, ControlService};

/// The kinds, in the order the window lists them.
pub const KINDS: [&str; 3] = ["thank_you", "apology", "refund_owed"];
/// The apology's code: this much off a next ticket, valid this long, once, for that buyer only.
const APOLOGY_PERCENT_OFF: u8 = 25;
const APOLOGY_VALID_MS: i64 = 90 * 24 * 3_600_000;
/// The audit log's actor for mail sent from the after-show view.
const ACTOR: &str = "follow-up";

/// One buyer to write to.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Recipient {
    email: String,
    name: String,
    language: Language,
    /// refund_owed: the order and what is owed on it.
    order: Option<(String, i64)>,
}

fn key(show_id: &str, kind: &str, email: &str) -> String {
    format!("{}{kind}:{email}", follow_up_prefix(show_id))
}

/// "SORRY-7K3Q9X", the same for the same show and buyer (a second send finds the code it made).
fn apology_code(show_id: &str, email: &str) -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in format!("{show_id}\n{email}").bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    let suffix: String = (0..6).map(|i| ALPHABET[((hash >> (i * 5)) & 31) as usize] as char).collect();
    format!("SORRY-{suffix}")
}

fn promo_value(language: Language) -> String {
    match language {
        Language::Fr => format!("{APOLOGY_PERCENT_OFF}\u{a0}% de remise"),
        Language::En => format!("{APOLOGY_PERCENT_OFF}% off"),
    }
}

/// Who gets `kind`, each address once, in the language they wrote to support in (else `language`).
fn recipients(report: &ShowReport, kind: &str, language: Language) -> Vec<Recipient> {
    let spoken: BTreeMap<String, Language> = report
        .tickets
        .iter()
        .filter_map(|t| {
            t.buyer_email.clone().or_else(|| Some(t.requester_email.clone())).map(|e| (e.to_lowercase(), t.language))
        })
        .collect();
    let name_of = |email: &str| {
        report
            .orders
            .iter()
            .filter(|o| o.buyer.email.as_deref() == Some(email))
            .find_map(|o| o.buyer.name.clone().filter(|n| !n.trim().is_empty()))
            .unwrap_or_default()
    };
    let recipient = |email: &str, order| Recipient {
        email: email.to_owned(),
        name: name_of(email),
        language: spoken.get(email).copied().unwrap_or(language),
        order,
    };
    let buyers: BTreeSet<&str> = report.orders.iter().filter_map(|o| o.buyer.email.as_deref()).collect();
    match kind {
        "thank_you" => {
            let holders: BTreeSet<&str> = report
                .orders
                .iter()
                .filter(|o| o.status.grants_access())
                .filter_map(|o| o.buyer.email.as_deref())
                .collect();
            holders.into_iter().map(|e| recipient(e, None)).collect()
        }
        "apology" => {
            // Buyers of this show who wrote to support (automatic mail is nobody's trouble).
            let troubled: BTreeSet<String> = report
                .tickets
                .iter()
                .filter(|t| !t.automatic)
                .map(|t| t.buyer_email.clone().unwrap_or_else(|| t.requester_email.clone()).to_lowercase())
                .filter(|e| buyers.contains(e.as_str()))
                .collect();
            troubled.iter().map(|e| recipient(e, None)).collect()
        }
        "refund_owed" => {
            let mut owed: BTreeMap<&str, (String, i64)> = BTreeMap::new();
            for refund in &report.refunds.owed {
                if let Some(email) = report.buyer_of(&refund.order_id) {
                    let entry = owed.entry(email).or_insert_with(|| (refund.order_id.clone(), 0));
                    entry.1 += refund.amount_minor;
                }
            }
            owed.into_iter().map(|(e, order)| recipient(e, Some(order))).collect()
        }
        _ => Vec::new(),
    }
}

impl ControlService {
    fn follow_up_values(
        &self,
        report: &ShowReport,
        kind: &str,
        who: &Recipient,
        preview: bool,
    ) -> Result<BTreeMap<&'static str, String>, ControlError> {
        let show = &report.show;
        let watch_link = match (&show.watch_url, preview) {
            (Some(url), _) => url.clone(),
            (None, true) => "(?)".into(),
            (None, false) if kind == "refund_owed" => String::new(),
            (None, false) => {
                return Err(ControlError::NotReady(format!(
                    "{} has no watch link: set the replay link on the show before sending follow-up mail",
                    show.title
                )));
            }
        };
        let mut values = BTreeMap::from([
            ("buyer_name", who.name.clone()),
            ("show_title", show.title.clone()),
            ("watch_link", watch_link),
            ("promo_code", apology_code(&show.id, &who.email)),
            ("promo_value", promo_value(who.language)),
        ]);
        if let Some((order, minor)) = &who.order {
            values.insert("order", order.clone());
            values.insert("amount", showdesk_core::Money::new(*minor, report.currency).to_string());
        }
        Ok(values)
    }

    /// Each kind of follow-up mail: who would get it, a rendered example, how many already went.
    pub async fn follow_ups(&self, show_id: &str, language: Language) -> Result<Vec<FollowUpPreview>, ControlError> {
        let report = self.report_facts(show_id).await?;
        let templates = self.support().templates();
        let queued = self.store().mails_with_key_prefix(&follow_up_prefix(show_id)).await?;
        let mut previews = Vec::new();
        for kind in KINDS {
            let list = recipients(&report, kind, language);
            let example = list.first().cloned().unwrap_or_else(|| Recipient {
                email: "camille@example.com".into(),
                name: "Camille".into(),
                language,
                order: Some(("ord_example".into(), report.show.price.minor)),
            });
            let values = self.follow_up_values(&report, kind, &example, true)?;
            let rendered = templates.render(&format!("followup_{kind}"), example.language, &values)?;
            let prefix = format!("{}{kind}:", follow_up_prefix(show_id));
            previews.push(FollowUpPreview {
                kind: kind.to_owned(),
                recipients: u32::try_from(list.len()).unwrap_or(u32::MAX),
                sample_subject: rendered.subject,
                sample_text: rendered.body,
                already_sent: u32::try_from(queued.iter().filter(|m| m.idempotency_key.starts_with(&prefix)).count())
                    .unwrap_or(u32::MAX),
            });
        }
        Ok(previews)
    }

    /// Queues the follow-up mails of `kinds` for the show; returns how many were new (a second call
    /// queues nothing). The outbox paces them and records sent and bounced.
    pub async fn send_follow_ups(
        &self,
        show_id: &str,
        kinds: &[String],
        language: Language,
    ) -> Result<u32, ControlError> {
        if let Some(unknown) = kinds.iter().find(|k| !KINDS.contains(&k.as_str())) {
            return Err(ControlError::Invalid(format!(
                "{unknown:?} is not a follow-up (thank_you, apology, refund_owed)"
            )));
        }
        let result = self.send_follow_ups_inner(show_id, kinds, language).await;
        let detail = serde_json::json!({ "kinds": kinds, "queued": result.as_ref().ok() });
        self.box_office().audit(ACTOR, "follow_up.send", &format!("show:{show_id}"), detail, &result).await;
        result
    }

    async fn send_follow_ups_inner(
        &self,
        show_id: &str,
        kinds: &[String],
        language: Language,
    ) -> Result<u32, ControlError> {
        let report = self.report_facts(show_id).await?;
        let templates = self.support().templates();
        let already: BTreeSet<String> = self
            .store()
            .mails_with_key_prefix(&follow_up_prefix(show_id))
            .await?
            .into_iter()
            .map(|m| m.idempotency_key)
            .collect();
        let mut queued = 0;
        for kind in KINDS.iter().filter(|k| kinds.iter().any(|asked| asked == *k)) {
            for who in recipients(&report, kind, language) {
                let key = key(show_id, kind, &who.email);
                if already.contains(&key) {
                    continue;
                }
                let values = self.follow_up_values(&report, kind, &who, false)?;
                if *kind == "apology" {
                    self.ensure_apology_code(&report, &who.email).await?;
                }
                let rendered = templates.render(&format!("followup_{kind}"), who.language, &values)?;
                let enqueued = self
                    .support()
                    .queue_mail(QueuedMail {
                        ticket_id: None,
                        kind: "followup".into(),
                        automatic: true,
                        to: who.email.clone(),
                        to_name: Some(who.name.clone()),
                        subject: rendered.subject,
                        text: rendered.body,
                        in_reply_to: None,
                        references: Vec::new(),
                        idempotency_key: Some(key),
                    })
                    .await?;
                if !enqueued.existing {
                    queued += 1;
                }
            }
        }
        Ok(queued)
    }

    /// Creates the buyer's apology code unless an earlier send already did.
    async fn ensure_apology_code(&self, report: &ShowReport, email: &str) -> Result<(), ControlError> {
        let code = apology_code(&report.show.id, email);
        let existing = self.store().promo_codes_for_show(&report.show.id).await?;
        if let Some(made) = existing.iter().find(|p| p.rules.code == code) {
            // Recorded but never created at the processor (it failed then): mailing it would send
            // a code that does not work.
            return match made.processor_promotion_code_id {
                Some(_) => Ok(()),
                None => Err(ControlError::NotReady(format!(
                    "the promo code {code} was recorded but the processor did not create it; create it again from the box office"
                ))),
            };
        }
        let input = PromoInput {
            show_id: report.show.id.clone(),
            code,
            percent_off: Some(APOLOGY_PERCENT_OFF),
            amount_off_minor: None,
            max_redemptions: Some(1),
            expires_at_ms: Some(now_ms() + APOLOGY_VALID_MS),
            for_buyer: Some(email.to_owned()),
        };
        match self.box_office().create_promo(ACTOR, &input).await {
            Ok(_) => Ok(()),
            // Made by a concurrent send in the meantime: the same code, fine.
            Err(ControlError::Store(StoreError::Conflict(_))) => Ok(()),
            Err(err) => Err(err),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apology_codes_are_stable_per_show_and_buyer_and_readable() {
        let code = apology_code("fight-night", "ana@example.com");
        assert_eq!(code, apology_code("fight-night", "ana@example.com"));
        assert_ne!(code, apology_code("fight-night", "bo@example.com"));
        assert_ne!(code, apology_code("other-show", "ana@example.com"));
        assert!(code.starts_with("SORRY-") && code.len() == 12 && !code[6..].contains(['0', 'O', '1', 'I']));
    }

    #[test]
    fn keys_name_the_show_kind_and_buyer() {
        assert_eq!(key("night", "thank_you", "a@b.c"), "follow-up:night:thank_you:a@b.c");
    }
}
