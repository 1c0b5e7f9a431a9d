use super::*;
use crate::report::facts::fixture;
use crate::report::{html, pdf, retro};
use showdesk_core::support::Language;

/// Renders the fixture in both languages; with SHOWDESK_REPORT_PREVIEW=DIR set, writes the
/// pages there to look at (pdftoppm, a browser).
#[test]
fn the_fixture_renders_in_both_languages_without_script_or_url() -> std::io::Result<()> {
    let report = fixture::report();
    for language in [Language::En, Language::Fr] {
        let words = Words::new(
            language,
            chrono::FixedOffset::east_opt(3600).unwrap_or_else(|| chrono::Offset::fix(&chrono::Utc)),
        );
        let note = retro::prefill(&report, &words);
        let items = vec![OpenItem {
            kind: "refund_owed".into(),
            subject: "ord_3".into(),
            description: "€5.00".into(),
            action: "refund".into(),
        }];
        let blocks = blocks(&report, &words, &note, &items);
        let page = html::page(language.as_str(), "Report", &blocks);
        assert!(
            !page.contains("<script") && !page.contains("http://") && !page.contains("https://"),
            "a URL or a script"
        );
        let bytes = pdf::render("Report", "Showdesk", &|n, t| format!("{n}/{t}"), &blocks);
        assert!(bytes.starts_with(b"%PDF-"));
        if let Some(dir) = std::env::var_os("SHOWDESK_REPORT_PREVIEW") {
            let dir = std::path::PathBuf::from(dir);
            std::fs::create_dir_all(&dir)?;
            std::fs::write(dir.join(format!("fixture-{}.html", language.as_str())), &page)?;
            std::fs::write(dir.join(format!("fixture-{}.pdf", language.as_str())), &bytes)?;
        }
    }
    Ok(())
}
