//! The words for the codes the report prints: refund reasons, ticket categories, follow-up kinds,
//! on-air events, open items.

use super::text::Words;

/// A reason, category or kind as people read it.
pub fn term(w: &Words, key: &str) -> String {
    let (en, fr) = match key {
        "duplicate" => ("Double purchase", "Achat en double"),
        "requested_by_customer" => ("Asked by the buyer", "Demandé par l’acheteur"),
        "fraudulent" => ("Fraud", "Fraude"),
        "outside" => ("Made outside Showdesk", "Fait hors de Showdesk"),
        "payment" => ("Payment", "Paiement"),
        "refund" => ("Refund", "Remboursement"),
        "overcharge" => ("Overcharge", "Surfacturation"),
        "promo_code" => ("Promo code", "Code promo"),
        "access" => ("Can’t watch", "Accès impossible"),
        "other" => ("Other", "Autre"),
        "thank_you" => ("Thank you (replay link)", "Merci (lien du replay)"),
        "apology" => ("Apology (promo code)", "Excuses (code promo)"),
        "refund_owed" => ("Refund still owed", "Remboursement dû"),
        "alert" => ("Alert", "Alerte"),
        "off_air" => ("Off the air", "Hors antenne"),
        "failed" => ("Gave up", "Abandon"),
        "ticket_open" => ("Ticket not closed", "Demande non close"),
        "double_purchase" => ("Double purchase", "Achat en double"),
        "requested" => ("not confirmed", "non confirmé"),
        other => (other, other),
    };
    w.pick(en, fr).to_owned()
}
