//! The report as a list of blocks — headings, key figures, tables, charts, paragraphs — written
//! once from the facts (see `content.rs`) and laid out twice: as an HTML page and as PDF pages.

use super::charts::Figure;

/// One key figure: a label, the value, and a line under it.
#[derive(Debug, Clone, PartialEq)]
pub struct Kpi {
    pub label: String,
    pub value: String,
    pub note: Option<String>,
    /// Drawn in red: something went wrong (owed refunds, SLA breaches).
    pub alarm: bool,
}

/// A table column.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub label: String,
    /// Numbers are right-aligned.
    pub numeric: bool,
    /// Share of the table's width.
    pub weight: f32,
}

impl Column {
    pub fn text(label: impl Into<String>, weight: f32) -> Self {
        Self { label: label.into(), numeric: false, weight }
    }

    pub fn number(label: impl Into<String>, weight: f32) -> Self {
        Self { label: label.into(), numeric: true, weight }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// The report's title, with the show's dates and where the times are.
    Title {
        title: String,
        subtitle: String,
    },
    /// A section; in the PDF a section never starts at the foot of a page.
    Heading(String),
    /// A sub-heading inside a section.
    Subheading(String),
    Kpis(Vec<Kpi>),
    Table {
        columns: Vec<Column>,
        rows: Vec<Vec<String>>,
        empty: String,
    },
    Chart(Figure),
    Paragraph(String),
    Bullets(Vec<String>),
    /// A small grey line (how a figure was counted).
    Note(String),
    /// The PDF starts a new page here; the HTML ignores it.
    PageBreak,
}
