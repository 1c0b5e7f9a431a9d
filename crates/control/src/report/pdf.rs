//! The report as PDF pages (A4), laid out here from the same blocks as the HTML: tables and charts
//! are vector drawings, text is the standard Helvetica (nothing to install, nothing to embed), so the
//! file is written the same way on any machine — no browser, no font, no external program.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use super::charts::{Anchor, Color, Figure, Shape};
use super::doc::{Block, Column, Kpi};
use super::pdf_font::{encode, fit, width, wrap};

const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 42.0;
const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN;
/// Where content stops, from the top (the footer sits below).
const BOTTOM: f32 = PAGE_H - MARGIN - 14.0;
const ROW_H: f32 = 15.0;
const REGULAR: Name<'static> = Name(b"F1");
const BOLD: Name<'static> = Name(b"F2");

/// Lays out pages; `y` grows downwards from the top edge, like the HTML.
struct Pages {
    done: Vec<Content>,
    page: Content,
    y: f32,
    /// Something was drawn on the current page.
    used: bool,
}

impl Pages {
    fn new() -> Self {
        Self { done: Vec::new(), page: Content::new(), y: MARGIN, used: false }
    }

    fn new_page(&mut self) {
        let page = std::mem::replace(&mut self.page, Content::new());
        self.done.push(page);
        self.y = MARGIN;
        self.used = false;
    }

    /// Starts a new page unless `height` still fits on this one.
    fn room(&mut self, height: f32) {
        if self.used && self.y + height > BOTTOM {
            self.new_page();
        }
    }

    fn text(&mut self, x: f32, baseline: f32, size: f32, bold: bool, color: Color, text: &str) {
        let (r, g, b) = color.unit();
        self.page.begin_text();
        self.page.set_font(if bold { BOLD } else { REGULAR }, size);
        self.page.set_fill_rgb(r, g, b);
        self.page.next_line(x, PAGE_H - baseline);
        self.page.show(Str(&encode(text)));
        self.page.end_text();
        self.used = true;
    }

    /// Text ending at `right` (numbers in columns).
    fn text_right(&mut self, right: f32, baseline: f32, size: f32, bold: bool, color: Color, text: &str) {
        let x = right - width(text, size, bold);
        self.text(x, baseline, size, bold, color, text);
    }

    fn rect(&mut self, x: f32, top: f32, w: f32, h: f32, fill: Color) {
        let (r, g, b) = fill.unit();
        self.page.set_fill_rgb(r, g, b);
        self.page.rect(x, PAGE_H - top - h, w, h);
        self.page.fill_nonzero();
        self.used = true;
    }

    fn line(&mut self, from: (f32, f32), to: (f32, f32), color: Color, line_width: f32, dashed: bool) {
        let (r, g, b) = color.unit();
        self.page.set_stroke_rgb(r, g, b);
        self.page.set_line_width(line_width);
        if dashed {
            self.page.set_dash_pattern([3.0, 2.5], 0.0);
        }
        self.page.move_to(from.0, PAGE_H - from.1);
        self.page.line_to(to.0, PAGE_H - to.1);
        self.page.stroke();
        if dashed {
            self.page.set_dash_pattern([], 0.0);
        }
        self.used = true;
    }

    fn finish(mut self) -> Vec<Content> {
        if self.used || self.done.is_empty() {
            self.new_page();
        }
        self.done
    }
}

/// The PDF of `blocks`; `footer` is printed at the foot of every page with its number.
pub fn render(title: &str, footer: &str, page_label: &dyn Fn(usize, usize) -> String, blocks: &[Block]) -> Vec<u8> {
    let mut pages = Pages::new();
    for (i, block) in blocks.iter().enumerate() {
        // A heading keeps company with what follows it.
        let next = blocks.get(i + 1).map_or(0.0, min_height);
        layout(&mut pages, block, next);
    }
    let contents = pages.finish();
    let total = contents.len();

    let mut pdf = Pdf::new();
    let catalog_id = Ref::new(1);
    let tree_id = Ref::new(2);
    let regular_id = Ref::new(3);
    let bold_id = Ref::new(4);
    let info_id = Ref::new(5);
    let first_page = 10;
    let page_ids: Vec<Ref> = (0..total).map(|n| Ref::new(first_page + 2 * n as i32)).collect();
    pdf.catalog(catalog_id).pages(tree_id);
    pdf.pages(tree_id).kids(page_ids.iter().copied()).count(total as i32);
    pdf.type1_font(regular_id).base_font(Name(b"Helvetica")).encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold_id).base_font(Name(b"Helvetica-Bold")).encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.document_info(info_id).title(TextStr(title)).creator(TextStr("Showdesk")).producer(TextStr("Showdesk"));
    for (n, mut content) in contents.into_iter().enumerate() {
        // The footer, now that the page count is known.
        let baseline = PAGE_H - MARGIN + 8.0;
        let mut foot = Pages { done: Vec::new(), page: content, y: 0.0, used: true };
        foot.line((MARGIN, baseline - 11.0), (PAGE_W - MARGIN, baseline - 11.0), Color::GRID, 0.6, false);
        foot.text(MARGIN, baseline, 7.5, false, Color::MUTED, &fit(footer, 7.5, false, CONTENT_W - 80.0));
        foot.text_right(PAGE_W - MARGIN, baseline, 7.5, false, Color::MUTED, &page_label(n + 1, total));
        content = foot.page;
        let page_id = page_ids[n];
        let content_id = Ref::new(page_id.get() + 1);
        let mut page = pdf.page(page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H)).parent(tree_id).contents(content_id);
        let mut resources = page.resources();
        resources.fonts().pair(REGULAR, regular_id).pair(BOLD, bold_id);
        resources.finish();
        page.finish();
        pdf.stream(content_id, &content.finish());
    }
    pdf.finish()
}

/// How much of a block must fit with the heading before it.
fn min_height(block: &Block) -> f32 {
    match block {
        Block::Kpis(_) => 60.0,
        Block::Table { .. } => 3.0 * ROW_H,
        Block::Chart(figure) => figure.height * CONTENT_W / figure.width + 10.0,
        Block::PageBreak => 0.0,
        _ => 30.0,
    }
}

fn layout(pages: &mut Pages, block: &Block, next: f32) {
    match block {
        Block::Title { title, subtitle } => {
            pages.room(60.0);
            let title = fit(title, 20.0, true, CONTENT_W);
            pages.text(MARGIN, pages.y + 20.0, 20.0, true, Color::INK, &title);
            for line in wrap(subtitle, 9.5, false, CONTENT_W) {
                pages.y += 14.0;
                pages.text(MARGIN, pages.y + 20.0, 9.5, false, Color::MUTED, &line);
            }
            pages.y += 30.0;
            pages.rect(MARGIN, pages.y, CONTENT_W, 2.0, Color::BLUE);
            pages.y += 10.0;
        }
        Block::Heading(text) => {
            pages.room(32.0 + next);
            pages.y += if pages.y > MARGIN + 1.0 { 14.0 } else { 0.0 };
            pages.text(MARGIN, pages.y + 13.0, 13.0, true, Color::INK, text);
            pages.y += 19.0;
            pages.line((MARGIN, pages.y), (PAGE_W - MARGIN, pages.y), Color::GRID, 0.8, false);
            pages.y += 8.0;
        }
        Block::Subheading(text) => {
            pages.room(22.0 + next);
            pages.y += 4.0;
            pages.text(MARGIN, pages.y + 10.0, 10.0, true, Color::INK, text);
            pages.y += 16.0;
        }
        Block::Kpis(kpis) => kpi_rows(pages, kpis),
        Block::Table { columns, rows, empty } => table(pages, columns, rows, empty),
        Block::Chart(figure) => chart(pages, figure),
        Block::Paragraph(text) => lines(pages, text, 9.5, Color::INK, ""),
        Block::Bullets(items) => {
            for item in items {
                lines(pages, item, 9.5, Color::INK, "•  ");
            }
            pages.y += 2.0;
        }
        Block::Note(text) => lines(pages, text, 7.5, Color::MUTED, ""),
        Block::PageBreak => {
            if pages.used {
                pages.new_page();
            }
        }
    }
}

fn lines(pages: &mut Pages, text: &str, size: f32, color: Color, bullet: &str) {
    let indent = width(bullet, size, false);
    for (i, line) in wrap(text, size, false, CONTENT_W - indent).iter().enumerate() {
        pages.room(size + 5.0);
        if i == 0 && !bullet.is_empty() {
            pages.text(MARGIN, pages.y + size, size, false, Color::BLUE, bullet);
        }
        pages.text(MARGIN + indent, pages.y + size, size, false, color, line);
        pages.y += size + 4.5;
    }
    pages.y += 3.0;
}

fn kpi_rows(pages: &mut Pages, kpis: &[Kpi]) {
    const PER_ROW: usize = 4;
    const GAP: f32 = 8.0;
    const HEIGHT: f32 = 50.0;
    let card_w = (CONTENT_W - GAP * (PER_ROW as f32 - 1.0)) / PER_ROW as f32;
    for row in kpis.chunks(PER_ROW) {
        pages.room(HEIGHT + GAP);
        for (i, kpi) in row.iter().enumerate() {
            let x = MARGIN + i as f32 * (card_w + GAP);
            let top = pages.y;
            let (fill, value_color) =
                if kpi.alarm { (Color(0xfe, 0xf2, 0xf2), Color::RED) } else { (Color(0xf9, 0xfa, 0xfb), Color::INK) };
            pages.rect(x, top, card_w, HEIGHT, fill);
            pages.rect(x, top, 2.5, HEIGHT, if kpi.alarm { Color::RED } else { Color::BLUE });
            let inner = card_w - 14.0;
            pages.text(x + 9.0, top + 13.0, 7.0, true, Color::MUTED, &fit(&kpi.label.to_uppercase(), 7.0, true, inner));
            pages.text(x + 9.0, top + 31.0, 15.0, true, value_color, &fit(&kpi.value, 15.0, true, inner));
            if let Some(note) = &kpi.note {
                pages.text(x + 9.0, top + 43.0, 7.0, false, Color::MUTED, &fit(note, 7.0, false, inner));
            }
        }
        pages.y += HEIGHT + GAP;
    }
}

fn table(pages: &mut Pages, columns: &[Column], rows: &[Vec<String>], empty: &str) {
    let total: f32 = columns.iter().map(|c| c.weight).sum::<f32>().max(f32::MIN_POSITIVE);
    let widths: Vec<f32> = columns.iter().map(|c| c.weight / total * CONTENT_W).collect();
    let labelled = columns.iter().any(|c| !c.label.is_empty());
    let header = |pages: &mut Pages| {
        if !labelled {
            pages.line((MARGIN, pages.y + 1.0), (PAGE_W - MARGIN, pages.y + 1.0), Color::GRID, 1.2, false);
            pages.y += 3.0;
            return;
        }
        let mut x = MARGIN;
        for (column, w) in columns.iter().zip(&widths) {
            let label = fit(&column.label, 7.5, true, w - 8.0);
            if column.numeric {
                pages.text_right(x + w - 4.0, pages.y + 10.0, 7.5, true, Color::MUTED, &label);
            } else {
                pages.text(x + 4.0, pages.y + 10.0, 7.5, true, Color::MUTED, &label);
            }
            x += w;
        }
        pages.y += ROW_H;
        pages.line((MARGIN, pages.y - 1.5), (PAGE_W - MARGIN, pages.y - 1.5), Color::GRID, 1.2, false);
    };
    pages.room(2.0 * ROW_H);
    header(pages);
    if rows.is_empty() {
        pages.text(MARGIN + 4.0, pages.y + 10.5, 8.5, false, Color::MUTED, &fit(empty, 8.5, false, CONTENT_W - 8.0));
        pages.y += ROW_H;
    }
    for row in rows {
        if pages.y + ROW_H > BOTTOM {
            pages.new_page();
            header(pages);
        }
        let mut x = MARGIN;
        for ((cell, column), w) in row.iter().zip(columns).zip(&widths) {
            let text = fit(cell, 8.5, false, w - 8.0);
            if column.numeric {
                pages.text_right(x + w - 4.0, pages.y + 10.5, 8.5, false, Color::INK, &text);
            } else {
                pages.text(x + 4.0, pages.y + 10.5, 8.5, false, Color::INK, &text);
            }
            x += w;
        }
        pages.y += ROW_H;
        pages.line((MARGIN, pages.y - 1.5), (PAGE_W - MARGIN, pages.y - 1.5), Color(0xf3, 0xf4, 0xf6), 0.6, false);
    }
    pages.y += 6.0;
}

fn chart(pages: &mut Pages, figure: &Figure) {
    let scale = CONTENT_W / figure.width;
    let height = figure.height * scale;
    pages.room(height + 8.0);
    let (ox, oy) = (MARGIN, pages.y + 4.0);
    let at = |(x, y): (f32, f32)| (ox + x * scale, oy + y * scale);
    for shape in &figure.shapes {
        match shape {
            Shape::Line { from, to, color, width, dashed } => {
                pages.line(at(*from), at(*to), *color, width * scale, *dashed)
            }
            Shape::Polyline { points, color, width } => {
                let (r, g, b) = color.unit();
                pages.page.set_stroke_rgb(r, g, b);
                pages.page.set_line_width(width * scale);
                for (i, point) in points.iter().enumerate() {
                    let (x, y) = at(*point);
                    if i == 0 {
                        pages.page.move_to(x, PAGE_H - y);
                    } else {
                        pages.page.line_to(x, PAGE_H - y);
                    }
                }
                pages.page.stroke();
            }
            Shape::Rect { x, y, w, h, fill } => {
                let (px, py) = at((*x, *y));
                pages.rect(px, py, w * scale, h * scale, *fill);
            }
            Shape::Text { at: point, text, size, anchor, color } => {
                let (x, y) = at(*point);
                let size = size * scale;
                let x = match anchor {
                    Anchor::Start => x,
                    Anchor::Middle => x - width(text, size, false) / 2.0,
                    Anchor::End => x - width(text, size, false),
                };
                pages.text(x, y, size, false, *color, text);
            }
        }
    }
    pages.used = true;
    pages.y += height + 10.0;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_tables_flow_onto_new_pages_with_their_header() {
        let rows: Vec<Vec<String>> = (0..120).map(|n| vec![format!("order {n}"), format!("{n}")]).collect();
        let blocks = [
            Block::Title { title: "Report".into(), subtitle: "Fight night".into() },
            Block::Heading("Orders".into()),
            Block::Table {
                columns: vec![Column::text("Order", 3.0), Column::number("N", 1.0)],
                rows,
                empty: "-".into(),
            },
            Block::PageBreak,
            Block::Paragraph("The end.".into()),
        ];
        let bytes = render("Report", "Showdesk", &|n, total| format!("{n}/{total}"), &blocks);
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.starts_with("%PDF-1.7") && text.trim_end().ends_with("%%EOF"));
        let pages = text.matches("/Type /Page\n").count() + text.matches("/Type /Page ").count();
        assert_eq!(text.matches("/Count 4").count(), 1, "three pages of orders, one after the break");
        assert!(pages >= 4, "{pages}");
        assert!(text.contains("(Order)"), "the header again on each page");
        assert!(text.contains("(4/4)"));
    }
}
