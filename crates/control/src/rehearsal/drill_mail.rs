//! The drill's support mail: buyers write to the rehearsal mailbox (put into its INBOX over IMAP,
//! as a mail server's delivery would) about what happened to them — a buyer charged twice writes
//! about the double charge, a declined one about the card — in English or French.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use showdesk_connectors::ConnectorError;
use showdesk_connectors::mail::{ImapClient, ImapSettings, OutgoingMail, Security, compose, new_message_id};
use showdesk_core::support::Language;
use showdesk_platform::redact::Secret;
use tokio::sync::watch;

use super::drill::{Buyers, DrillCounters, pause};
use super::drill_buyers::Buyer;
use super::wiring::RehearsalWiring;

/// What a buyer writes about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Topic {
    CannotWatch,
    ChargedTwice,
    CardDeclined,
    Refund,
    PromoCode,
    Replay,
}

/// The order topics come in: mostly "I paid and cannot watch", as on a real show night.
const TOPICS: &[Topic] = &[
    Topic::CannotWatch,
    Topic::ChargedTwice,
    Topic::CannotWatch,
    Topic::CardDeclined,
    Topic::Refund,
    Topic::PromoCode,
    Topic::CannotWatch,
    Topic::Replay,
];

impl Topic {
    /// Whether `buyer` has a reason to write about this.
    fn fits(self, buyer: &Buyer) -> bool {
        match self {
            Self::CannotWatch | Self::Refund | Self::Replay => buyer.paid,
            Self::ChargedTwice => buyer.paid_twice,
            Self::CardDeclined => buyer.declined && !buyer.paid,
            Self::PromoCode => buyer.paid && !buyer.used_promo,
        }
    }

    fn text(self, language: Language, name: &str) -> (String, String) {
        let first = name.split(' ').next().unwrap_or(name);
        let (subject, body) = match (self, language) {
            (Self::CannotWatch, Language::En) => (
                "Paid but I can't watch the stream",
                "Hello,\n\nI bought a ticket a few minutes ago and the payment went through, but the stream page \
                 says access denied and the video doesn't load. The show is starting, please help!",
            ),
            (Self::CannotWatch, Language::Fr) => (
                "J'ai payé mais impossible de regarder",
                "Bonjour,\n\nJ'ai acheté mon billet tout à l'heure, le paiement est passé, mais la vidéo ne se lance \
                 pas : la page dit accès refusé. Le spectacle commence, pouvez-vous m'aider ?",
            ),
            (Self::ChargedTwice, Language::En) => (
                "Charged twice for one ticket",
                "Hi,\n\nMy bank shows two charges for the same ticket: I was charged twice. Could you refund the \
                 duplicate please?",
            ),
            (Self::ChargedTwice, Language::Fr) => (
                "Débité deux fois",
                "Bonjour,\n\nJ'ai été débité deux fois pour le même billet, je vois deux prélèvements sur mon \
                 compte. Pouvez-vous rembourser le doublon ?",
            ),
            (Self::CardDeclined, Language::En) => (
                "My card keeps getting declined",
                "Hello,\n\nI tried to pay for the show and the payment was declined, my card was refused although \
                 it works everywhere else. How can I pay?",
            ),
            (Self::CardDeclined, Language::Fr) => (
                "Paiement refusé",
                "Bonjour,\n\nJ'essaie de payer ma place mais ma carte est refusée à chaque fois, le paiement ne \
                 passe pas. Comment faire ?",
            ),
            (Self::Refund, Language::En) => (
                "Refund request",
                "Hello,\n\nSomething came up and I cannot attend tonight. Could I get a refund for my ticket \
                 please?",
            ),
            (Self::Refund, Language::Fr) => (
                "Demande de remboursement",
                "Bonjour,\n\nJe ne pourrai finalement pas regarder le spectacle ce soir. Est-il possible d'être \
                 remboursé ?",
            ),
            (Self::PromoCode, Language::En) => (
                "Promo code",
                "Hi,\n\nA friend told me about a promo code but I already paid full price. Can the discount code \
                 still be applied?",
            ),
            (Self::PromoCode, Language::Fr) => (
                "Code promo",
                "Bonjour,\n\nUn ami avait un code promo mais j'ai déjà payé plein tarif. Est-ce que la réduction \
                 peut encore s'appliquer ?",
            ),
            (Self::Replay, Language::En) => (
                "Question about the replay",
                "Hello,\n\nWill there be a replay of the show afterwards, and how long will it stay online?",
            ),
            (Self::Replay, Language::Fr) => (
                "Question sur le replay",
                "Bonjour,\n\nY aura-t-il un replay du spectacle, et combien de temps restera-t-il en ligne ?",
            ),
        };
        let signature = match language {
            Language::En => format!("\n\nThanks,\n{first}\n"),
            Language::Fr => format!("\n\nMerci,\n{first}\n"),
        };
        (subject.to_owned(), format!("{body}{signature}"))
    }
}

/// The pause before the next mail, `elapsed` into the drill.
fn gap(elapsed: Duration) -> Duration {
    if elapsed < Duration::from_secs(90) { Duration::from_secs(6) } else { Duration::from_secs(25) }
}

/// The next buyer with a reason to write about `topic`, among those who have not written yet.
fn pick(buyers: &[Buyer], topic: Topic, written: &[String]) -> Option<Buyer> {
    buyers.iter().find(|b| topic.fits(b) && !written.contains(&b.email)).cloned()
}

pub(crate) async fn run_mail(
    wiring: RehearsalWiring,
    buyers: Buyers,
    counters: Arc<DrillCounters>,
    mut stop: watch::Receiver<bool>,
) {
    let e = &wiring.endpoints;
    let imap = ImapSettings::new(
        &e.imap_host,
        e.imap_port,
        Security::Plain,
        &e.imap_user,
        Secret::new(e.imap_password.clone()),
    );
    let started = Instant::now();
    let mut client: Option<ImapClient> = None;
    let mut written: Vec<String> = Vec::new();
    let mut turn = 0;
    // The first mail comes once a few people have bought.
    if !pause(Duration::from_secs(8), &mut stop).await {
        return;
    }
    loop {
        let topic = TOPICS[turn % TOPICS.len()];
        turn += 1;
        let writer = pick(&buyers.lock().unwrap_or_else(|p| p.into_inner()), topic, &written);
        if let Some(buyer) = writer {
            match deliver(&mut client, &imap, &wiring, &buyer, topic).await {
                Ok(()) => {
                    written.push(buyer.email.clone());
                    counters.mails.fetch_add(1, Ordering::Relaxed);
                }
                Err(err) => {
                    tracing::warn!(code = err.code(), "a drill mail could not be delivered: {err}");
                    client = None;
                }
            }
        }
        if !pause(gap(started.elapsed()), &mut stop).await {
            break;
        }
    }
    if let Some(client) = client {
        client.logout().await;
    }
}

async fn deliver(
    client: &mut Option<ImapClient>,
    imap: &ImapSettings,
    wiring: &RehearsalWiring,
    buyer: &Buyer,
    topic: Topic,
) -> Result<(), ConnectorError> {
    let (subject, text) = topic.text(buyer.language, &buyer.name);
    let raw = compose(&OutgoingMail {
        from_name: buyer.name.clone(),
        from_address: buyer.email.clone(),
        to_name: None,
        to_address: wiring.endpoints.imap_user.clone(),
        subject,
        text,
        message_id: new_message_id("example.com"),
        in_reply_to: None,
        references: Vec::new(),
        automatic: false,
    })?;
    if client.is_none() {
        *client = Some(ImapClient::connect(imap).await?);
    }
    match client {
        Some(session) => session.append("INBOX", &raw).await,
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use showdesk_core::support::{Category, triage};

    fn buyer(paid: bool, declined: bool, twice: bool) -> Buyer {
        Buyer {
            name: "Léa Bernard".into(),
            email: "lea@example.com".into(),
            language: Language::Fr,
            paid,
            declined,
            paid_twice: twice,
            used_promo: false,
        }
    }

    #[test]
    fn people_write_about_what_happened_to_them() {
        let buyers = [buyer(true, false, false), buyer(false, true, false), buyer(true, false, true)];
        assert!(Topic::ChargedTwice.fits(&buyers[2]) && !Topic::ChargedTwice.fits(&buyers[0]));
        assert!(Topic::CardDeclined.fits(&buyers[1]) && !Topic::CannotWatch.fits(&buyers[1]));
        assert!(pick(&buyers, Topic::ChargedTwice, &["lea@example.com".into()]).is_none(), "one mail per buyer");
    }

    #[test]
    fn every_drill_mail_lands_in_the_category_it_is_about() {
        let expected = [
            (Topic::CannotWatch, Category::Access),
            (Topic::ChargedTwice, Category::Overcharge),
            (Topic::CardDeclined, Category::Payment),
            (Topic::Refund, Category::Refund),
            (Topic::PromoCode, Category::PromoCode),
            (Topic::Replay, Category::Other),
        ];
        for (topic, category) in expected {
            for language in [Language::En, Language::Fr] {
                let (subject, body) = topic.text(language, "Ana Lopez");
                let verdict = triage::triage(&subject, &body);
                assert_eq!(verdict.category, category, "{topic:?} in {language:?}: {subject}");
            }
        }
    }
}
