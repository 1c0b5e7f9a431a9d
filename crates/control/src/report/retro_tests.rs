use showdesk_core::support::Language;

use super::prefill;
use crate::report::facts::fixture;
use crate::report::text::Words;

fn words(language: Language) -> Words {
    Words::new(language, chrono::FixedOffset::east_opt(3600).unwrap_or_else(|| chrono::Utc.fix()))
}

use chrono::Offset;

#[test]
fn the_prefill_states_the_facts_and_sorts_them() {
    let report = fixture::report();
    let note = prefill(&report, &words(Language::En));
    assert!(note.saved_ms.is_none());
    let facts = note.facts.join("\n");
    assert!(facts.contains("Sold 3 of 100 (3.0%); net €45.00."), "{facts}");
    assert!(facts.contains("Support surge of 40 tickets in the first 10 minutes."), "{facts}");
    assert!(facts.contains("Median first response 7 min; 1 ticket(s) over the target of 30 min."), "{facts}");
    assert!(facts.contains("1 of 4 payment attempts declined (25.0%)."), "{facts}");
    assert!(facts.contains("On air 1 h 58 min, 2 reconnect(s), 0.40% of frames dropped."), "{facts}");
    assert!(facts.contains("1 refund(s) still owed (€5.00)."), "{facts}");
    // Problems go to "did not" with what to change; a clean double purchase record to "worked".
    assert!(note.did_not.contains("- Support surge of 40 tickets"), "{}", note.did_not);
    assert!(note.did_not.contains("declined"), "{}", note.did_not);
    assert!(note.worked.contains("double purchase(s) found, 0 not resolved"), "{}", note.worked);
    assert!(
        note.change.contains("Plan more agents for the first minutes and prepare macros (most tickets: can’t watch)."),
        "{}",
        note.change
    );
    assert!(note.change.contains("Warn the payment processor"), "{}", note.change);
}

#[test]
fn the_prefill_speaks_french() {
    let note = prefill(&fixture::report(), &words(Language::Fr));
    let facts = note.facts.join("\n");
    assert!(facts.contains("Afflux au support : 40 demandes dans les 10 premières minutes."), "{facts}");
    assert!(facts.contains("Première réponse médiane 7 min\u{a0}; 1 demande(s)"), "{facts}");
    assert!(facts.contains("45,00\u{a0}€"), "{facts}");
}
