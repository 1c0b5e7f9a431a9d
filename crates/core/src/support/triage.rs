//! Triage: which kind of request a support mail is, how sure we are, the order numbers it quotes,
//! its language, and how urgent it is. Rules, not a model: a crew must be able to read why a mail
//! landed where it did, and the rules must work in French as well as English from the first show.
//!
//! The text is folded (lower case, no accents) and stripped of quoted replies, signatures and
//! mobile footers before matching, so a buyer's old quoted question does not decide the new one.

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use super::{Category, Language, fold};

/// The outcome of triage for one mail.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Triage {
    pub category: Category,
    /// 0–100: how far the winning category is ahead of the others.
    pub confidence: u8,
    pub language: Language,
    /// Order or receipt references quoted in the text ("1042", "ord_8Fh2k…"), in order of appearance.
    pub order_refs: Vec<String>,
    /// The phrases that decided it, for the operator's "why?".
    pub matched: Vec<&'static str>,
}

/// (category, phrase, weight). Phrases are folded; a phrase matches on word boundaries at its start.
/// Weights: 3 = says the category outright, 2 = strong hint, 1 = weak hint.
const RULES: &[(Category, &str, u32)] = &[
    // Overcharge / double charge / accidental purchase: checked before refunds, which they often ask for.
    (Category::Overcharge, "charged twice", 5),
    (Category::Overcharge, "charged me twice", 5),
    (Category::Overcharge, "double charge", 5),
    (Category::Overcharge, "double charged", 5),
    (Category::Overcharge, "billed twice", 5),
    (Category::Overcharge, "paid twice", 5),
    (Category::Overcharge, "two charges", 4),
    (Category::Overcharge, "2 charges", 4),
    (Category::Overcharge, "charged two times", 5),
    (Category::Overcharge, "bought it twice", 5),
    (Category::Overcharge, "bought twice", 5),
    (Category::Overcharge, "purchased twice", 5),
    (Category::Overcharge, "ordered twice", 5),
    (Category::Overcharge, "duplicate", 3),
    (Category::Overcharge, "by accident", 3),
    (Category::Overcharge, "by mistake", 3),
    (Category::Overcharge, "accidentally", 3),
    (Category::Overcharge, "overcharged", 5),
    (Category::Overcharge, "charged more", 4),
    (Category::Overcharge, "wrong amount", 4),
    (Category::Overcharge, "charged the full price", 3),
    (Category::Overcharge, "debite deux fois", 5),
    (Category::Overcharge, "debitee deux fois", 5),
    (Category::Overcharge, "debite 2 fois", 5),
    (Category::Overcharge, "preleve deux fois", 5),
    (Category::Overcharge, "preleve 2 fois", 5),
    (Category::Overcharge, "paye deux fois", 5),
    (Category::Overcharge, "paye 2 fois", 5),
    (Category::Overcharge, "achete deux fois", 5),
    (Category::Overcharge, "achete 2 fois", 5),
    (Category::Overcharge, "deux prelevements", 5),
    (Category::Overcharge, "2 prelevements", 5),
    (Category::Overcharge, "double prelevement", 5),
    (Category::Overcharge, "double paiement", 5),
    (Category::Overcharge, "double debit", 5),
    (Category::Overcharge, "en double", 4),
    (Category::Overcharge, "par erreur", 3),
    (Category::Overcharge, "par accident", 3),
    (Category::Overcharge, "montant incorrect", 4),
    (Category::Overcharge, "mauvais montant", 4),
    (Category::Overcharge, "trop paye", 4),
    (Category::Overcharge, "facture deux fois", 5),
    // Refund requests and cancellations.
    (Category::Refund, "refund", 3),
    (Category::Refund, "my money back", 3),
    (Category::Refund, "money back", 3),
    (Category::Refund, "reimburse", 3),
    (Category::Refund, "cancel my order", 3),
    (Category::Refund, "cancel my ticket", 3),
    (Category::Refund, "cancel my purchase", 3),
    (Category::Refund, "cancellation", 2),
    (Category::Refund, "can't attend", 2),
    (Category::Refund, "cannot attend", 2),
    (Category::Refund, "chargeback", 2),
    (Category::Refund, "rembourse", 3),
    (Category::Refund, "remboursement", 3),
    (Category::Refund, "rembourser", 3),
    (Category::Refund, "remboursez", 3),
    (Category::Refund, "annuler ma commande", 3),
    (Category::Refund, "annuler mon achat", 3),
    (Category::Refund, "annuler mon billet", 3),
    (Category::Refund, "annulation", 2),
    (Category::Refund, "recuperer mon argent", 3),
    (Category::Refund, "ne pourrai pas", 1),
    (Category::Refund, "erstattung", 3),
    (Category::Refund, "geld zuruck", 3),
    // Promo codes.
    (Category::PromoCode, "promo code", 4),
    (Category::PromoCode, "promo", 3),
    (Category::PromoCode, "discount code", 4),
    (Category::PromoCode, "discount", 2),
    (Category::PromoCode, "coupon", 4),
    (Category::PromoCode, "voucher", 3),
    (Category::PromoCode, "code promo", 4),
    (Category::PromoCode, "code de reduction", 4),
    (Category::PromoCode, "reduction", 2),
    (Category::PromoCode, "code avantage", 3),
    (Category::PromoCode, "early bird", 2),
    (Category::PromoCode, "-20%", 1),
    (Category::PromoCode, "% off", 2),
    (Category::PromoCode, "code is invalid", 3),
    (Category::PromoCode, "code invalide", 3),
    (Category::PromoCode, "code n'est pas valide", 3),
    (Category::PromoCode, "code ne marche pas", 3),
    (Category::PromoCode, "code doesn't work", 3),
    // Access: paid but cannot watch.
    (Category::Access, "can't watch", 4),
    (Category::Access, "cant watch", 4),
    (Category::Access, "cannot watch", 4),
    (Category::Access, "unable to watch", 4),
    (Category::Access, "can't access", 4),
    (Category::Access, "cannot access", 4),
    (Category::Access, "can't get in", 3),
    (Category::Access, "no access", 3),
    (Category::Access, "access link", 3),
    (Category::Access, "watch link", 3),
    (Category::Access, "the link", 2),
    (Category::Access, "link doesn't work", 4),
    (Category::Access, "link does not work", 4),
    (Category::Access, "link is not working", 4),
    (Category::Access, "not working", 1),
    (Category::Access, "black screen", 4),
    (Category::Access, "stream", 1),
    (Category::Access, "player", 2),
    (Category::Access, "buffering", 2),
    (Category::Access, "not authorised", 4),
    (Category::Access, "not authorized", 4),
    (Category::Access, "error 403", 4),
    (Category::Access, "expired", 3),
    (Category::Access, "login", 2),
    (Category::Access, "log in", 2),
    (Category::Access, "password", 1),
    (Category::Access, "never received", 3),
    (Category::Access, "didn't receive", 3),
    (Category::Access, "did not receive", 3),
    (Category::Access, "no confirmation", 3),
    (Category::Access, "confirmation email", 2),
    (Category::Access, "paid but", 3),
    (Category::Access, "i paid and", 2),
    (Category::Access, "where is the link", 4),
    (Category::Access, "impossible de regarder", 4),
    (Category::Access, "impossible de voir", 4),
    (Category::Access, "impossible d'acceder", 4),
    (Category::Access, "pas acces", 4),
    (Category::Access, "pas d'acces", 4),
    (Category::Access, "acceder au", 3),
    (Category::Access, "acces au live", 4),
    (Category::Access, "le lien", 2),
    (Category::Access, "lien ne marche pas", 4),
    (Category::Access, "lien ne fonctionne pas", 4),
    (Category::Access, "ne fonctionne pas", 1),
    (Category::Access, "ecran noir", 4),
    (Category::Access, "la video", 2),
    (Category::Access, "le direct", 2),
    (Category::Access, "le live", 2),
    (Category::Access, "lecteur", 2),
    (Category::Access, "rien ne s'affiche", 3),
    (Category::Access, "pas recu", 3),
    (Category::Access, "jamais recu", 3),
    (Category::Access, "mail de confirmation", 2),
    (Category::Access, "j'ai paye mais", 4),
    (Category::Access, "paye mais", 3),
    (Category::Access, "connexion", 1),
    (Category::Access, "se connecter", 2),
    (Category::Access, "mot de passe", 1),
    (Category::Access, "expire", 2),
    // A few German cues: international audiences write in their own language.
    (Category::Access, "zugang", 3),
    (Category::Access, "funktioniert nicht", 2),
    (Category::Access, "abgelaufen", 3),
    // Payment form trouble and subscription questions.
    (Category::Payment, "card data", 4),
    (Category::Payment, "card details", 4),
    (Category::Payment, "card safe", 4),
    (Category::Payment, "is it safe", 3),
    (Category::Payment, "secure", 2),
    (Category::Payment, "payment failed", 4),
    (Category::Payment, "payment was declined", 4),
    (Category::Payment, "declined", 4),
    (Category::Payment, "payment form", 4),
    (Category::Payment, "checkout", 3),
    (Category::Payment, "can't pay", 4),
    (Category::Payment, "cannot pay", 4),
    (Category::Payment, "unable to pay", 4),
    (Category::Payment, "pay with", 3),
    (Category::Payment, "paypal", 3),
    (Category::Payment, "apple pay", 3),
    (Category::Payment, "credit card", 2),
    (Category::Payment, "subscription", 4),
    (Category::Payment, "subscribe", 3),
    (Category::Payment, "renew", 3),
    (Category::Payment, "recurring", 3),
    (Category::Payment, "season pass", 3),
    (Category::Payment, "invoice", 2),
    (Category::Payment, "vat", 2),
    (Category::Payment, "3d secure", 4),
    (Category::Payment, "3ds", 3),
    (Category::Payment, "donnees bancaires", 4),
    (Category::Payment, "donnees de carte", 4),
    (Category::Payment, "numero de carte", 3),
    (Category::Payment, "securise", 3),
    (Category::Payment, "paiement refuse", 4),
    (Category::Payment, "paiement a echoue", 4),
    (Category::Payment, "paiement echoue", 4),
    (Category::Payment, "refusee", 3),
    (Category::Payment, "refuse", 2),
    (Category::Payment, "formulaire de paiement", 4),
    (Category::Payment, "impossible de payer", 4),
    (Category::Payment, "payer par", 3),
    (Category::Payment, "payer avec", 3),
    (Category::Payment, "carte bancaire", 2),
    (Category::Payment, "carte bleue", 2),
    (Category::Payment, "abonnement", 4),
    (Category::Payment, "abonner", 3),
    (Category::Payment, "renouvel", 3),
    (Category::Payment, "facture", 2),
    (Category::Payment, "tva", 2),
];

/// French words that rarely appear in English mail; English ones likewise.
const FRENCH_MARKERS: &[&str] = &[
    "bonjour",
    "merci",
    "je",
    "j'ai",
    "mon",
    "ma",
    "mes",
    "le",
    "la",
    "les",
    "est",
    "pas",
    "pour",
    "avec",
    "une",
    "des",
    "vous",
    "votre",
    "cordialement",
    "bonsoir",
    "mais",
    "commande",
    "rembourse",
];
const ENGLISH_MARKERS: &[&str] = &[
    "hello", "hi", "thanks", "thank", "i", "my", "the", "is", "not", "for", "with", "you", "your", "please", "but",
    "order", "regards", "can't", "and",
];

static ORDER_REF: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)
        \b(?:ord|pi|ch|cs|py)_[a-z0-9]{6,40}\b                # Stripe-style ids
        | \#\s?(\d{3,10})\b                                   # #1042
        | \b(?:order|commande|receipt|recu|reçu|invoice|facture|booking|reservation|ticket)
          \s*(?:no\.?|n°|nº|number|numero|num|id|\#|:)?\s*(?:is\s*)?\#?\s*(\d{3,10})\b",
    )
    .ok()
});

/// Triage of one mail (subject and body as received).
pub fn triage(subject: &str, body: &str) -> Triage {
    let own_body = strip_quoted(body);
    let subject = fold(subject);
    let body = fold(&own_body);

    let mut scores = [0_u32; 6];
    let mut matched = Vec::new();
    for &(category, phrase, weight) in RULES {
        let in_subject = contains_phrase(&subject, phrase);
        let in_body = contains_phrase(&body, phrase);
        if in_subject || in_body {
            // The subject is what the buyer chose to say first: it weighs double.
            scores[index(category)] += weight * if in_subject { 2 } else { 1 };
            matched.push(phrase);
        }
    }
    let mut ranked: Vec<(Category, u32)> = Category::ALL.iter().map(|&c| (c, scores[index(c)])).collect();
    // Stable sort: on a tie the earlier category of ALL wins, and ALL lists the more specific
    // (and more urgent to act on) kinds before the general ones.
    ranked.sort_by_key(|&(_, score)| std::cmp::Reverse(score));
    let (top, top_score) = ranked[0];
    let second = ranked[1].1;
    let (category, confidence) = if top_score == 0 {
        (Category::Other, 30)
    } else {
        let margin = f64::from(top_score - second) / f64::from(top_score);
        let strength = (f64::from(top_score) / 8.0).min(1.0);
        (top, (40.0 + 60.0 * margin * strength).round().clamp(0.0, 100.0) as u8)
    };
    let raw_text = format!("{subject}\n{own_body}");
    Triage {
        category,
        confidence,
        language: language(&format!("{subject} {body}")),
        order_refs: order_refs(&raw_text),
        matched,
    }
}

fn index(category: Category) -> usize {
    Category::ALL.iter().position(|&c| c == category).unwrap_or(5)
}

/// `phrase` occurs in `text` starting at a word boundary ("refund" in "refunded", not in "prefund").
fn contains_phrase(text: &str, phrase: &str) -> bool {
    let mut start = 0;
    while let Some(found) = text[start..].find(phrase) {
        let at = start + found;
        let boundary = text[..at].chars().next_back().is_none_or(|ch| !ch.is_alphanumeric());
        if boundary {
            return true;
        }
        start = at + phrase.len().max(1);
        if start >= text.len() {
            return false;
        }
        while !text.is_char_boundary(start) {
            start += 1;
        }
    }
    false
}

/// The language most of the words belong to (French wins ties only with a French greeting).
pub fn language(folded: &str) -> Language {
    let words: Vec<&str> =
        folded.split(|ch: char| !(ch.is_alphanumeric() || ch == '\'')).filter(|w| !w.is_empty()).collect();
    let count = |markers: &[&str]| words.iter().filter(|w| markers.contains(w)).count();
    if count(FRENCH_MARKERS) > count(ENGLISH_MARKERS) { Language::Fr } else { Language::En }
}

/// Order and receipt references quoted in `text`, de-duplicated, in order.
pub fn order_refs(text: &str) -> Vec<String> {
    let Some(pattern) = ORDER_REF.as_ref() else {
        return Vec::new();
    };
    let mut refs: Vec<String> = Vec::new();
    for found in pattern.captures_iter(text) {
        let reference = found
            .get(1)
            .or_else(|| found.get(2))
            .or_else(|| found.get(0))
            .map(|m| m.as_str().to_owned())
            .unwrap_or_default();
        if !reference.is_empty() && !refs.contains(&reference) {
            refs.push(reference);
        }
    }
    refs
}

/// The buyer's own words: quoted lines, the quoted original after "On … wrote:", signatures and
/// mobile footers removed. Never returns less than nothing: if stripping leaves no text (a mail
/// that is all quote), the original is kept.
pub fn strip_quoted(body: &str) -> String {
    let mut kept = Vec::new();
    for line in body.lines() {
        let trimmed = line.trim();
        let folded = fold(trimmed);
        let starts_quote = (folded.starts_with("on ") && folded.ends_with("wrote:"))
            || (folded.starts_with("le ") && (folded.ends_with("a ecrit :") || folded.ends_with("a ecrit:")))
            || folded.starts_with("-----original message")
            || folded.starts_with("----- original message")
            || folded.starts_with("-----message d'origine")
            || folded.starts_with("de : ")
            || folded.starts_with("from: ")
            || trimmed == "--"
            || trimmed == "-- ";
        if starts_quote {
            break;
        }
        let footer = folded.starts_with("sent from my")
            || folded.starts_with("envoye de mon")
            || folded.starts_with("envoye depuis")
            || folded.starts_with("get outlook for")
            || folded.starts_with("telecharger outlook");
        if trimmed.starts_with('>') || footer {
            continue;
        }
        kept.push(line);
    }
    let own = kept.join("\n");
    if own.trim().is_empty() { body.to_owned() } else { own }
}

/// Urgency, 0–100 (higher first). A paying buyer who cannot watch while the show is live comes
/// first; automatic mail last.
pub fn priority(category: Category, has_paid_order: bool, show_is_live: bool, automatic: bool) -> u8 {
    if automatic {
        return 0;
    }
    match (category, has_paid_order, show_is_live) {
        (Category::Access, true, true) => 100,
        (Category::Access, true, false) => 80,
        (Category::Access, false, true) => 70,
        (Category::Overcharge, _, _) => 65,
        (Category::Payment, _, true) => 60,
        (Category::Access, false, false) => 55,
        (Category::Payment, _, false) => 45,
        (Category::Refund, _, _) => 40,
        (Category::PromoCode, _, _) => 30,
        (Category::Other, _, _) => 20,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_main_kinds_are_told_apart_in_both_languages() {
        let cases = [
            ("Is my card data safe?", "Before I pay, is it secure?", Category::Payment),
            ("Double débit", "Bonjour, j'ai été débité deux fois pour le concert", Category::Overcharge),
            ("Refund please", "I can't attend anymore, please refund order #1042", Category::Refund),
            ("Code promo", "Mon code promo EARLY20 est invalide", Category::PromoCode),
            ("Help!!", "I paid but the stream shows a black screen", Category::Access),
            ("Question", "What time does the doors open at the venue?", Category::Other),
        ];
        for (subject, body, expected) in cases {
            assert_eq!(triage(subject, body).category, expected, "{subject}: {body}");
        }
    }

    #[test]
    fn quoted_text_does_not_decide() {
        let body = "Thanks, it works now!\n\nOn Tue, 4 Mar 2025, PPV Support wrote:\n> Here is your refund of 12 EUR";
        assert_eq!(strip_quoted(body), "Thanks, it works now!\n");
        assert_eq!(triage("Re: [SD-4] ok", body).category, Category::Other);
    }

    #[test]
    fn order_references_are_found() {
        let refs = order_refs("Order #1042, commande n° 2051, receipt: 3099, pi_3NxYzAbCdEf and #1042 again");
        assert_eq!(refs, ["1042", "2051", "3099", "pi_3NxYzAbCdEf"]);
        assert!(order_refs("Call me at 10, on the 3rd").is_empty());
    }

    #[test]
    fn language_and_priority() {
        assert_eq!(triage("Bonjour", "je n'ai pas reçu le lien pour le live").language, Language::Fr);
        assert_eq!(triage("Hi", "I have not received the link").language, Language::En);
        assert!(priority(Category::Access, true, true, false) > priority(Category::Refund, true, true, false));
        assert_eq!(priority(Category::Access, true, true, true), 0);
    }

    #[test]
    fn garbage_never_panics() {
        for text in ["", "\u{0}\u{ffff}", "#", "ordér #", "éééé\u{301}", &"x".repeat(100_000)] {
            let _ = triage(text, text);
        }
    }
}
