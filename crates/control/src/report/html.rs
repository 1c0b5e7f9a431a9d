//! The report as one self-contained HTML page: inline CSS, charts as inline SVG, no script, no
//! external resource (a Content-Security-Policy says so to the browser too), so it opens the same
//! in the window's sandboxed frame, in a mail attachment and years later from a folder.

use std::fmt::Write;

use super::charts::svg;
use super::doc::{Block, Column};

/// Text made safe for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const STYLE: &str = "\
*{box-sizing:border-box}\
body{margin:0;background:#f3f4f6;color:#1f2937;font:14px/1.45 -apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif}\
main{max-width:920px;margin:0 auto;padding:32px 28px 48px;background:#fff}\
header{border-bottom:3px solid #2563eb;padding-bottom:14px;margin-bottom:8px}\
h1{font-size:26px;margin:0 0 4px}\
.sub{color:#6b7280;margin:0}\
h2{font-size:18px;margin:30px 0 10px;padding-bottom:4px;border-bottom:1px solid #e5e7eb}\
h3{font-size:15px;margin:18px 0 8px}\
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:10px;margin:10px 0}\
.kpi{border:1px solid #e5e7eb;border-radius:8px;padding:10px 12px;background:#f9fafb}\
.kpi .label{font-size:12px;color:#6b7280;text-transform:uppercase;letter-spacing:.03em}\
.kpi .value{font-size:22px;font-weight:600;margin-top:2px;font-variant-numeric:tabular-nums}\
.kpi .note{font-size:12px;color:#6b7280}\
.kpi.alarm{border-color:#fca5a5;background:#fef2f2}.kpi.alarm .value{color:#dc2626}\
table{width:100%;table-layout:fixed;border-collapse:collapse;margin:8px 0 4px;font-variant-numeric:tabular-nums}\
th{text-align:left;font-size:12px;color:#6b7280;font-weight:600;border-bottom:2px solid #e5e7eb;padding:6px 8px}\
td{border-bottom:1px solid #f3f4f6;padding:6px 8px;vertical-align:top;overflow-wrap:anywhere}\
th.n,td.n{text-align:right;white-space:nowrap}\
td.empty{color:#6b7280;font-style:italic}\
figure{margin:12px 0}svg{width:100%;height:auto;font-family:inherit}\
.note{color:#6b7280;font-size:12px;margin:4px 0}\
ul{margin:6px 0 6px 20px;padding:0}\
@media print{body{background:#fff}main{padding:0}h2{break-after:avoid}figure,table,.kpis{break-inside:avoid}}";

/// The page for `blocks`, in `lang` (the `lang` attribute: hyphenation, screen readers).
pub fn page(lang: &str, title: &str, blocks: &[Block]) -> String {
    let mut out = String::with_capacity(32 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"Showdesk\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n",
        escape(title)
    );
    for block in blocks {
        block_html(&mut out, block);
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

fn block_html(out: &mut String, block: &Block) {
    let _ = match block {
        Block::Title { title, subtitle } => {
            writeln!(out, "<header><h1>{}</h1><p class=\"sub\">{}</p></header>", escape(title), escape(subtitle))
        }
        Block::Heading(text) => writeln!(out, "<h2>{}</h2>", escape(text)),
        Block::Subheading(text) => writeln!(out, "<h3>{}</h3>", escape(text)),
        Block::Kpis(kpis) => {
            out.push_str("<div class=\"kpis\">");
            for kpi in kpis {
                let _ = write!(
                    out,
                    "<div class=\"kpi{}\"><div class=\"label\">{}</div><div class=\"value\">{}</div>",
                    if kpi.alarm { " alarm" } else { "" },
                    escape(&kpi.label),
                    escape(&kpi.value)
                );
                if let Some(note) = &kpi.note {
                    let _ = write!(out, "<div class=\"note\">{}</div>", escape(note));
                }
                out.push_str("</div>");
            }
            writeln!(out, "</div>")
        }
        Block::Table { columns, rows, empty } => table(out, columns, rows, empty),
        Block::Chart(figure) => writeln!(out, "<figure>{}</figure>", svg(figure)),
        Block::Paragraph(text) => {
            let text = escape(text).replace('\n', "<br>");
            writeln!(out, "<p>{text}</p>")
        }
        Block::Bullets(items) => {
            out.push_str("<ul>");
            for item in items {
                let _ = write!(out, "<li>{}</li>", escape(item));
            }
            writeln!(out, "</ul>")
        }
        Block::Note(text) => writeln!(out, "<p class=\"note\">{}</p>", escape(text)),
        Block::PageBreak => Ok(()),
    };
}

fn table(out: &mut String, columns: &[Column], rows: &[Vec<String>], empty: &str) -> std::fmt::Result {
    let total: f32 = columns.iter().map(|c| c.weight).sum::<f32>().max(f32::MIN_POSITIVE);
    out.push_str("<table><colgroup>");
    for column in columns {
        let _ = write!(out, "<col style=\"width:{:.1}%\">", column.weight / total * 100.0);
    }
    out.push_str("</colgroup>");
    // A table of figures with their labels in the first column needs no header row.
    if columns.iter().any(|c| !c.label.is_empty()) {
        out.push_str("<thead><tr>");
        for column in columns {
            let _ =
                write!(out, "<th{}>{}</th>", if column.numeric { " class=\"n\"" } else { "" }, escape(&column.label));
        }
        out.push_str("</tr></thead>");
    }
    out.push_str("<tbody>");
    if rows.is_empty() {
        let _ = write!(out, "<tr><td class=\"empty\" colspan=\"{}\">{}</td></tr>", columns.len(), escape(empty));
    }
    for row in rows {
        out.push_str("<tr>");
        for (cell, column) in row.iter().zip(columns) {
            let _ = write!(out, "<td{}>{}</td>", if column.numeric { " class=\"n\"" } else { "" }, escape(cell));
        }
        out.push_str("</tr>");
    }
    writeln!(out, "</tbody></table>")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::doc::Kpi;

    #[test]
    fn text_cannot_become_markup() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        let blocks = [
            Block::Title { title: "<img src=x onerror=alert(1)>".into(), subtitle: String::new() },
            Block::Kpis(vec![Kpi { label: "a".into(), value: "<b>".into(), note: None, alarm: true }]),
            Block::Table {
                columns: vec![Column::text("x", 1.0)],
                rows: vec![vec!["</td><script>".into()]],
                empty: "-".into(),
            },
        ];
        let page = page("fr", "Rapport", &blocks);
        assert!(!page.contains("<script") && !page.contains("<img"), "{page}");
        assert!(page.contains("<html lang=\"fr\">") && page.contains("Content-Security-Policy"));
    }
}
