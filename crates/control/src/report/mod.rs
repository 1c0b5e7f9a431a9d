//! After the show: the report, the retrospective, follow-up mail, exports and open items.
//!
//! ```text
//! store (ledger, audience, stream log, tickets, outbox) ──gather──▶ ShowReport (facts.rs, figures.rs)
//!        ShowReport ──content.rs──▶ blocks ──html.rs──▶ report.html (inline CSS + SVG, no script)
//!                                         └──pdf.rs───▶ report.pdf  (A4, Helvetica, vector charts)
//!        ShowReport ──csv.rs──▶ orders.csv, refunds.csv, tickets.csv
//!        ShowReport ──retro.rs──▶ the retrospective's prefill;  items.rs ──▶ open items
//!        ShowReport ──follow_up.rs──▶ the support desk's paced outbox (each buyer once per kind)
//! ```
//!
//! Every output is written from one snapshot of the facts, so the HTML, the PDF, the CSV files and
//! the window never disagree. Free text that came from the stream log goes through the secret
//! scrubber; stream keys and passwords are not in the store to begin with.

mod charts;
mod content;
mod csv;
mod doc;
pub mod facts;
pub mod figures;
mod follow_up;
mod html;
mod items;
mod pdf;
mod pdf_font;
mod retro;
mod terms;
mod text;
pub mod views;

use std::path::{Path, PathBuf};

use showdesk_core::support::Language;
use showdesk_store::{RetrospectiveRecord, now_ms};

pub use csv::{ORDER_COLUMNS, REFUND_COLUMNS, TICKET_COLUMNS};
use facts::ShowReport;
pub use follow_up::KINDS as FOLLOW_UP_KINDS;
use text::Words;
use views::{OpenItem, Retrospective};

use crate::{ControlError, ControlService};

/// The files `export_report` writes, in this order.
pub const EXPORT_FILES: [&str; 5] = ["report.html", "report.pdf", "orders.csv", "refunds.csv", "tickets.csv"];
/// Who the store names as the retrospective's author until operators have names.
const OPERATOR: &str = "operator";

impl ControlService {
    /// The report's facts as numbers (what the HTML, the PDF and the CSV files are written from),
    /// for the rehearsal drill and tests that check them against the ledger.
    pub async fn report_facts(&self, show_id: &str) -> Result<ShowReport, ControlError> {
        facts::gather(self.store().as_ref(), show_id, now_ms()).await
    }

    fn ticket_prefix(&self) -> String {
        self.support().settings().ticket_prefix.clone()
    }

    async fn saved_or_prefilled(&self, report: &ShowReport, words: &Words) -> Result<Retrospective, ControlError> {
        Ok(match self.store().retrospective(&report.show.id).await? {
            Some(saved) => Retrospective {
                worked: saved.worked,
                did_not: saved.did_not,
                change: saved.to_change,
                facts: saved.facts,
                saved_ms: Some(saved.saved_ms),
            },
            None => retro::prefill(report, words),
        })
    }

    /// The report as one self-contained HTML page (inline CSS, SVG charts, no script, no external
    /// resource) in `language`, with times in this machine's time zone.
    pub async fn report_html(&self, show_id: &str, language: Language) -> Result<String, ControlError> {
        let report = self.report_facts(show_id).await?;
        let words = Words::local(language, report.show.starts_at_ms);
        self.render_html(&report, &words).await
    }

    async fn render_html(&self, report: &ShowReport, words: &Words) -> Result<String, ControlError> {
        let retrospective = self.saved_or_prefilled(report, words).await?;
        let items = items::open_items(report, words, &self.ticket_prefix());
        let blocks = content::blocks(report, words, &retrospective, &items);
        Ok(html::page(language_tag(words.language), &content::report_title(report, words), &blocks))
    }

    /// Writes report.html, report.pdf, orders.csv, refunds.csv and tickets.csv into `folder`
    /// (created if needed; each file replaced whole, never left half-written) and returns their paths.
    pub async fn export_report(
        &self,
        show_id: &str,
        folder: &Path,
        language: Language,
    ) -> Result<Vec<PathBuf>, ControlError> {
        let report = self.report_facts(show_id).await?;
        let words = Words::local(language, report.show.starts_at_ms);
        let retrospective = self.saved_or_prefilled(&report, &words).await?;
        let prefix = self.ticket_prefix();
        let items = items::open_items(&report, &words, &prefix);
        let blocks = content::blocks(&report, &words, &retrospective, &items);
        let title = content::report_title(&report, &words);
        let html = html::page(language_tag(language), &title, &blocks);
        let footer = format!("Showdesk · {title}");
        let page_label = |n: usize, total: usize| format!("{} {n} / {total}", words.pick("Page", "Page"));
        let pdf = pdf::render(&title, &footer, &page_label, &blocks);
        let contents: [(&str, Vec<u8>); 5] = [
            (EXPORT_FILES[0], html.into_bytes()),
            (EXPORT_FILES[1], pdf),
            (EXPORT_FILES[2], csv::orders(&report).into_bytes()),
            (EXPORT_FILES[3], csv::refunds(&report).into_bytes()),
            (EXPORT_FILES[4], csv::tickets(&report, &prefix).into_bytes()),
        ];
        let export_error = |path: &Path| {
            let path = path.display().to_string();
            move |source| ControlError::Export { path, source }
        };
        tokio::fs::create_dir_all(folder).await.map_err(export_error(folder))?;
        let mut written = Vec::with_capacity(contents.len());
        for (name, bytes) in contents {
            let path = folder.join(name);
            let partial = folder.join(format!(".{name}.partial"));
            tokio::fs::write(&partial, bytes).await.map_err(export_error(&partial))?;
            tokio::fs::rename(&partial, &path).await.map_err(export_error(&path))?;
            written.push(path);
        }
        tracing::info!(show_id, files = written.len(), "report exported");
        Ok(written)
    }

    /// The show's retrospective: the saved note, or a prefill from the report's facts.
    pub async fn retrospective(&self, show_id: &str, language: Language) -> Result<Retrospective, ControlError> {
        let report = self.report_facts(show_id).await?;
        let words = Words::local(language, report.show.starts_at_ms);
        self.saved_or_prefilled(&report, &words).await
    }

    /// Saves the show's retrospective (replacing the earlier one); returns it as saved.
    pub async fn save_retrospective(&self, show_id: &str, note: &Retrospective) -> Result<Retrospective, ControlError> {
        let record = RetrospectiveRecord {
            show_id: show_id.to_owned(),
            worked: note.worked.trim().to_owned(),
            did_not: note.did_not.trim().to_owned(),
            to_change: note.change.trim().to_owned(),
            facts: note.facts.iter().map(|f| f.trim().to_owned()).filter(|f| !f.is_empty()).collect(),
            saved_by: OPERATOR.to_owned(),
            saved_ms: now_ms(),
        };
        let result = self.store().save_retrospective(&record).await.map_err(ControlError::from);
        let detail = serde_json::json!({ "facts": record.facts.len() });
        self.box_office().audit(OPERATOR, "retrospective.save", &format!("show:{show_id}"), detail, &result).await;
        result?;
        Ok(Retrospective {
            worked: record.worked,
            did_not: record.did_not,
            change: record.to_change,
            facts: record.facts,
            saved_ms: Some(record.saved_ms),
        })
    }

    /// What is left to do after the show, each with its one action.
    pub async fn open_items(&self, show_id: &str, language: Language) -> Result<Vec<OpenItem>, ControlError> {
        let report = self.report_facts(show_id).await?;
        let words = Words::local(language, report.show.starts_at_ms);
        Ok(items::open_items(&report, &words, &self.ticket_prefix()))
    }
}

fn language_tag(language: Language) -> &'static str {
    language.as_str()
}
