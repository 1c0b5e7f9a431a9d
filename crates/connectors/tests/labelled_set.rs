//! The triage measured on the labelled set (tests/fixtures/mail/labelled: 66 mails, EN and FR, every
//! category). Each mail goes the way real mail goes — MIME parsing, then triage — and the test
//! prints the accuracy overall, per category and per language, and every confusion.
//!
//! The bar: at least 85 % overall and at least 70 % in every category, languages within 10 points
//! of each other. Why those numbers: a wrong category costs the operator one click (re-file it) while
//! a right one puts the ticket in the right queue with the right macro; below ~85 % the crew stops
//! trusting the queues during the surge. No category may be sacrificed for the average (70 %), and
//! French speakers must be served as well as English ones (the brief is French).

use std::collections::BTreeMap;
use std::path::PathBuf;

use showdesk_connectors::mail::{ParseLimits, parse_mail};
use showdesk_core::support::{Category, Language, triage};

const OVERALL_MIN: f64 = 0.85;
const CATEGORY_MIN: f64 = 0.70;
const LANGUAGE_GAP_MAX: f64 = 0.10;

#[test]
fn the_triage_is_accurate_enough_on_the_labelled_set() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/mail/labelled");
    let labels = std::fs::read_to_string(dir.join("labels.tsv"))?;
    let mut total = 0;
    let mut right = 0;
    let mut language_right = 0;
    let mut per_category: BTreeMap<Category, (u32, u32)> = BTreeMap::new();
    let mut per_language: BTreeMap<&str, (u32, u32)> = BTreeMap::new();
    let mut confusions = Vec::new();
    for line in labels.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
        let mut fields = line.split('\t');
        let (Some(file), Some(category), Some(language)) = (fields.next(), fields.next(), fields.next()) else {
            return Err(format!("bad line {line:?}").into());
        };
        let expected: Category = category.parse()?;
        let expected_language: Language = language.parse()?;
        let mail = parse_mail(&std::fs::read(dir.join(file))?, None, ParseLimits::default());
        let verdict = triage(&mail.subject, &mail.text);
        total += 1;
        let ok = verdict.category == expected;
        right += u32::from(ok);
        language_right += u32::from(verdict.language == expected_language);
        let entry = per_category.entry(expected).or_default();
        entry.0 += u32::from(ok);
        entry.1 += 1;
        let entry = per_language.entry(if language == "fr" { "fr" } else { "en" }).or_default();
        entry.0 += u32::from(ok);
        entry.1 += 1;
        if !ok {
            confusions.push(format!(
                "{file}: {expected} → {} ({}%, matched {:?}) «{}»",
                verdict.category, verdict.confidence, verdict.matched, mail.subject
            ));
        }
    }
    let rate = |(ok, all): (u32, u32)| f64::from(ok) / f64::from(all.max(1));
    let overall = rate((right, total));
    eprintln!("triage accuracy on {total} labelled mails: {:.1} % ({right}/{total})", overall * 100.0);
    eprintln!("language detection: {:.1} %", rate((language_right, total)) * 100.0);
    for (category, counts) in &per_category {
        eprintln!("  {:<11} {:>5.1} % ({}/{})", category.as_str(), rate(*counts) * 100.0, counts.0, counts.1);
    }
    for (language, counts) in &per_language {
        eprintln!("  {language:<11} {:>5.1} % ({}/{})", rate(*counts) * 100.0, counts.0, counts.1);
    }
    for confusion in &confusions {
        eprintln!("  ✗ {confusion}");
    }
    assert!(total >= 60, "the labelled set has {total} mails");
    assert_eq!(per_category.len(), 6, "every category is represented");
    assert!(overall >= OVERALL_MIN, "overall accuracy {overall:.3} < {OVERALL_MIN}");
    for (category, counts) in &per_category {
        assert!(rate(*counts) >= CATEGORY_MIN, "{category}: {:.3} < {CATEGORY_MIN}", rate(*counts));
    }
    let gap = (rate(per_language["en"]) - rate(per_language["fr"])).abs();
    assert!(gap <= LANGUAGE_GAP_MAX, "EN and FR differ by {gap:.3}");
    assert!(rate((language_right, total)) >= 0.95, "language detection");
    Ok(())
}
