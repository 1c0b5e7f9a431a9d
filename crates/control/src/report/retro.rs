//! The retrospective's prefill: the report's facts as short sentences, sorted into what worked and
//! what did not, with what to change for each problem. The operator edits it; the saved note is
//! kept with the show and printed at the end of the report.

use super::content::term;
use super::facts::ShowReport;
use super::text::Words;
use super::views::Retrospective;

/// A decline rate from which the retrospective calls payments a problem (the dashboard's warning).
const DECLINES_WARN_PER_MILLE: u64 = 150;
/// More tickets than this in ten minutes is a surge (the desk's alert is 10 a minute; ten minutes
/// of steady arrivals at a third of it already bury one agent).
const SURGE_PER_TEN_MINUTES: i64 = 30;

/// One fact and how it reads.
struct Fact {
    text: String,
    good: Option<bool>,
    change: Option<String>,
}

fn neutral(text: String) -> Fact {
    Fact { text, good: None, change: None }
}

fn good(text: String) -> Fact {
    Fact { text, good: Some(true), change: None }
}

fn bad(text: String, change: &str) -> Fact {
    Fact { text, good: Some(false), change: Some(change.to_owned()) }
}

fn facts(r: &ShowReport, w: &Words) -> Vec<Fact> {
    let mut facts = Vec::new();
    let t = &r.totals;
    let c = r.currency;
    let capacity = i64::from(r.show.capacity);
    let sold = format!(
        "{} {} {} {} ({}){}{} {}.",
        w.pick("Sold", "Vendu"),
        w.count(t.tickets),
        w.pick("of", "billets sur"),
        w.count(capacity),
        w.share(t.tickets, capacity),
        w.pick("; ", "\u{a0}; "),
        w.pick("net", "net"),
        w.money(r.net_minor(), c)
    );
    facts.push(if t.tickets >= capacity { good(sold) } else { neutral(sold) });
    if r.sales.last_hour_before_start > 0 {
        facts.push(neutral(format!(
            "{} {}.",
            w.count(r.sales.last_hour_before_start),
            w.pick(
                "tickets sold in the last hour before the start",
                "billets vendus dans la dernière heure avant le début"
            )
        )));
    }
    let a = &r.attempts.counts;
    if let Some(rate) = r.decline_per_mille() {
        let text = format!(
            "{} {} {} {} ({}).",
            w.count(a.declined as i64),
            w.pick("of", "sur"),
            w.count(a.decided() as i64),
            w.pick("payment attempts declined", "paiements refusés"),
            w.per_mille(rate)
        );
        facts.push(if rate >= DECLINES_WARN_PER_MILLE {
            bad(text, w.pick("Warn the payment processor before the sale opens (the pre-show notice), and check the payment form on a phone.", "Prévenir le processeur de paiement avant l’ouverture des ventes (l’avis d’avant-spectacle) et tester le formulaire de paiement sur mobile."))
        } else {
            neutral(text)
        });
    }
    if r.refunds.count > 0 {
        let top = r.refunds.by_reason.iter().filter(|t| t.reason != "outside").max_by_key(|t| t.count);
        facts.push(neutral(format!(
            "{} {} ({}){}.",
            w.count(r.refunds.count),
            w.pick("refund(s)", "remboursement(s)"),
            w.money(r.refunds.amount_minor, c),
            top.map(|t| format!(", {} {}", w.pick("mostly", "surtout"), term(w, &t.reason).to_lowercase()))
                .unwrap_or_default()
        )));
    }
    if !r.refunds.owed.is_empty() {
        facts.push(bad(
            format!(
                "{} {} ({}).",
                r.refunds.owed.len(),
                w.pick("refund(s) still owed", "remboursement(s) encore dû(s)"),
                w.money(r.refunds.owed_minor(), c)
            ),
            w.pick(
                "Settle the refunds still owed, and send the buyers the notice.",
                "Régler les remboursements dus et prévenir les acheteurs.",
            ),
        ));
    }
    let d = &r.doubles;
    if d.found > 0 {
        let text = format!(
            "{} {} {} {}.",
            w.count(d.found),
            w.pick("double purchase(s) found,", "achat(s) en double détecté(s),"),
            w.count(d.open),
            w.pick("not resolved", "non résolu(s)")
        );
        facts.push(if d.open == 0 {
            good(text)
        } else {
            bad(text, w.pick("Refund the double purchases still open.", "Rembourser les achats en double restants."))
        });
    }
    let s = &r.support;
    if let Some((at, n)) = s.busiest {
        let in_first_ten = at >= r.show.starts_at_ms - s.bucket_ms && at < r.show.starts_at_ms + s.bucket_ms;
        let text = if in_first_ten {
            format!(
                "{} {} {}.",
                w.pick("Support surge of", "Afflux au support :"),
                w.count(n),
                w.pick("tickets in the first 10 minutes", "demandes dans les 10 premières minutes")
            )
        } else {
            format!(
                "{} {} {} {}.",
                w.pick("Busiest 10 minutes of support:", "10 minutes les plus chargées au support :"),
                w.count(n),
                w.pick("tickets from", "demandes à partir de"),
                w.clock(at)
            )
        };
        let top = s.by_category.iter().max_by_key(|c| c.1).filter(|c| c.1 > 0).map(|c| term(w, &c.0).to_lowercase());
        facts.push(if n > SURGE_PER_TEN_MINUTES {
            let change = format!(
                "{}{}.",
                w.pick(
                    "Plan more agents for the first minutes and prepare macros",
                    "Prévoir plus d’agents pour les premières minutes et préparer des réponses types"
                ),
                top.map(|t| format!(" ({} {t})", w.pick("most tickets:", "surtout :"))).unwrap_or_default()
            );
            Fact { text, good: Some(false), change: Some(change) }
        } else {
            neutral(text)
        });
    }
    if s.tickets > 0 {
        let median = s.median_first_response_s.map_or("—".into(), |v| w.duration(v.round() as i64));
        let text = format!(
            "{} {median}{}{} {} {}.",
            w.pick("Median first response", "Première réponse médiane"),
            w.pick("; ", "\u{a0}; "),
            w.count(s.breaches),
            w.pick("ticket(s) over the target of", "demande(s) au-delà de l’objectif de"),
            w.duration(s.target_s)
        );
        facts.push(if s.breaches == 0 && s.answered > 0 {
            good(text)
        } else if s.breaches > 0 {
            bad(text, w.pick("Answer the first tickets sooner: turn on automatic acknowledgements and keep macros at hand.", "Répondre plus vite aux premières demandes : activer les accusés de réception et garder les réponses types sous la main."))
        } else {
            neutral(text)
        });
    }
    if s.open_left > 0 {
        facts.push(bad(
            format!(
                "{} {}.",
                w.count(s.open_left),
                w.pick("support ticket(s) still open", "demande(s) au support encore ouverte(s)")
            ),
            w.pick(
                "Close the open tickets before the follow-up mail goes out.",
                "Clore les demandes ouvertes avant l’envoi des messages de suivi.",
            ),
        ));
    }
    let destinations: Vec<_> = r.stream.outputs.iter().filter(|o| !o.recording).collect();
    if !destinations.is_empty() {
        let reconnects: i64 = destinations.iter().map(|o| o.reconnects).sum();
        let dropped = destinations.iter().map(|o| o.dropped_percent).fold(0.0, f64::max);
        let text = format!(
            "{} {}, {} {}, {} {}.",
            w.pick("On air", "À l’antenne"),
            w.duration(r.stream.on_air_seconds),
            w.count(reconnects),
            w.pick("reconnect(s)", "reconnexion(s)"),
            w.percent(dropped),
            w.pick("of frames dropped", "d’images perdues")
        );
        facts.push(if reconnects == 0 && dropped < 1.0 {
            good(text)
        } else {
            bad(
                text,
                w.pick(
                    "Test the upload longer before the show and keep a lower bitrate in reserve.",
                    "Tester plus longtemps la connexion avant le spectacle et garder un débit plus bas en réserve.",
                ),
            )
        });
    }
    if let Some(peak) = r.audience.peak {
        let text = format!(
            "{} {} {} {} {}.",
            w.pick("Peak of", "Pic de"),
            w.count(peak),
            w.pick("viewers for", "spectateurs pour"),
            w.count(t.tickets),
            w.pick("tickets", "billets")
        );
        facts.push(if peak > t.tickets {
            bad(
                text,
                w.pick(
                    "More viewers than tickets: use per-buyer watch links where the host offers them.",
                    "Plus de spectateurs que de billets : utiliser des liens personnels quand l’hébergeur le permet.",
                ),
            )
        } else {
            neutral(text)
        });
    }
    facts
}

/// The prefill of the show's retrospective.
pub fn prefill(report: &ShowReport, words: &Words) -> Retrospective {
    let facts = facts(report, words);
    let lines = |good: bool| {
        facts.iter().filter(|f| f.good == Some(good)).map(|f| format!("- {}", f.text)).collect::<Vec<_>>().join("\n")
    };
    let mut changes: Vec<String> = facts.iter().filter_map(|f| f.change.clone()).collect();
    changes.dedup();
    Retrospective {
        worked: lines(true),
        did_not: lines(false),
        change: changes.iter().map(|c| format!("- {c}")).collect::<Vec<_>>().join("\n"),
        facts: facts.into_iter().map(|f| f.text).collect(),
        saved_ms: None,
    }
}

#[cfg(test)]
#[path = "retro_tests.rs"]
mod tests;
