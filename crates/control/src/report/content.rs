//! What the report says, section by section, in the operator's language: the facts turned into
//! blocks (key figures, tables, charts) that the HTML and the PDF lay out.

use super::charts::{Series, TimeChart};
use super::doc::{Block, Column, Kpi};
use super::facts::ShowReport;
pub use super::terms::term;
use super::text::Words;
use super::views::{OpenItem, Retrospective};

mod after;

use after::{follow_ups, open, retro, stream, support};

const MINUTE: i64 = 60_000;

fn kpi(label: &str, value: String, note: Option<String>, alarm: bool) -> Kpi {
    Kpi { label: label.to_owned(), value, note, alarm }
}

/// The whole report; `retrospective` is the saved note or the prefill.
pub fn blocks(report: &ShowReport, w: &Words, retrospective: &Retrospective, open_items: &[OpenItem]) -> Vec<Block> {
    let mut blocks = vec![title(report, w)];
    summary(&mut blocks, report, w);
    sales(&mut blocks, report, w);
    blocks.push(Block::PageBreak);
    refunds(&mut blocks, report, w);
    audience(&mut blocks, report, w);
    blocks.push(Block::PageBreak);
    stream(&mut blocks, report, w);
    blocks.push(Block::PageBreak);
    support(&mut blocks, report, w);
    follow_ups(&mut blocks, report, w);
    blocks.push(Block::PageBreak);
    open(&mut blocks, w, open_items);
    retro(&mut blocks, w, retrospective);
    blocks
}

pub fn report_title(report: &ShowReport, w: &Words) -> String {
    format!("{} — {}", w.pick("Show report", "Bilan du spectacle"), report.show.title)
}

fn title(report: &ShowReport, w: &Words) -> Block {
    let show = &report.show;
    Block::Title {
        title: report_title(report, w),
        subtitle: format!(
            "{} – {} · {} {} · {} {}",
            w.date_time(show.starts_at_ms),
            w.clock(show.ends_at_ms),
            w.pick("written", "établi le"),
            w.date_time(report.generated_ms),
            w.pick("times in", "heures en"),
            w.zone()
        ),
    }
}

fn summary(blocks: &mut Vec<Block>, r: &ShowReport, w: &Words) {
    let c = r.currency;
    let t = &r.totals;
    blocks.push(Block::Heading(w.pick("Summary", "En bref").into()));
    blocks.push(Block::Kpis(vec![
        kpi(
            w.pick("Tickets sold", "Billets vendus"),
            w.count(t.tickets),
            Some(format!(
                "{} {} · {}",
                w.pick("of", "sur"),
                w.count(i64::from(r.show.capacity)),
                w.share(t.tickets, i64::from(r.show.capacity))
            )),
            false,
        ),
        kpi(
            w.pick("Gross", "Brut"),
            w.money(t.gross_minor, c),
            Some(format!("{} {}", w.count(t.paid_orders), w.pick("paid orders", "commandes payées"))),
            false,
        ),
        kpi(
            w.pick("Refunded", "Remboursé"),
            w.money(t.refunded_minor, c),
            Some(format!("{} {}", w.count(r.refunds.count), w.pick("refunds", "remboursements"))),
            false,
        ),
        kpi(w.pick("Net", "Net"), w.money(r.net_minor(), c), None, false),
        kpi(
            w.pick("Peak viewers", "Pic de spectateurs"),
            r.audience.peak.map_or("—".into(), |p| w.count(p)),
            r.audience.peak_at_ms.map(|at| w.clock(at)),
            false,
        ),
        kpi(
            w.pick("Time on air", "Temps à l’antenne"),
            w.duration(r.stream.on_air_seconds),
            Some(format!("{} {}", r.stream.sessions.len(), w.pick("session(s)", "session(s)"))),
            false,
        ),
        kpi(
            w.pick("Support tickets", "Demandes au support"),
            w.count(r.support.tickets),
            Some(format!("{} {}", w.count(r.support.open_left), w.pick("still open", "encore ouvertes"))),
            r.support.open_left > 0,
        ),
        kpi(
            w.pick("Refunds owed", "Remboursements dus"),
            w.money(r.refunds.owed_minor(), c),
            Some(format!("{} {}", r.refunds.owed.len(), w.pick("to settle", "à régler"))),
            !r.refunds.owed.is_empty(),
        ),
    ]));
}

fn sales(blocks: &mut Vec<Block>, r: &ShowReport, w: &Words) {
    let c = r.currency;
    let t = &r.totals;
    let a = &r.attempts.counts;
    blocks.push(Block::Heading(w.pick("Sales", "Ventes").into()));
    let mut rows = vec![
        vec![w.pick("Tickets sold (valid now)", "Billets vendus (valables)").into(), w.count(t.tickets)],
        vec![w.pick("Paid orders", "Commandes payées").into(), w.count(t.paid_orders)],
        vec![w.pick("Orders refunded in full", "Commandes remboursées en totalité").into(), w.count(t.refunded_orders)],
        vec![
            w.pick("Pending / failed / disputed orders", "Commandes en attente / échouées / contestées").into(),
            format!("{} / {} / {}", w.count(t.pending_orders), w.count(t.failed_orders), w.count(t.disputed_orders)),
        ],
        vec![w.pick("Gross", "Brut").into(), w.money(t.gross_minor, c)],
        vec![w.pick("Refunded", "Remboursé").into(), w.money(t.refunded_minor, c)],
        vec![w.pick("Net", "Net").into(), w.money(r.net_minor(), c)],
        vec![
            w.pick("Payment attempts declined", "Paiements refusés").into(),
            format!(
                "{} / {} ({})",
                w.count(a.declined as i64),
                w.count(a.decided() as i64),
                r.decline_per_mille().map_or("—".into(), |m| w.per_mille(m))
            ),
        ],
    ];
    if let Some((code, n)) = r.attempts.decline_codes.first() {
        rows.push(vec![
            w.pick("Most frequent decline", "Refus le plus fréquent").into(),
            format!("{code} ({})", w.count(*n as i64)),
        ]);
    }
    if a.rate_limited > 0 {
        rows.push(vec![
            w.pick("Calls slowed by the processor (429)", "Appels ralentis par le processeur (429)").into(),
            w.count(a.rate_limited as i64),
        ]);
    }
    blocks.push(Block::Table {
        columns: vec![Column::text("", 3.0), Column::number("", 1.5)],
        rows,
        empty: String::new(),
    });

    let s = &r.sales;
    blocks.push(Block::Subheading(w.pick("Tickets over time", "Billets dans le temps").into()));
    blocks.push(Block::Kpis(vec![
        kpi(
            w.pick("Before the start", "Avant le début"),
            w.count(s.before_start),
            Some(format!(
                "{} {}",
                w.count(s.last_hour_before_start),
                w.pick("in the last hour", "dans la dernière heure")
            )),
            false,
        ),
        kpi(w.pick("During the show", "Pendant le spectacle"), w.count(s.during), None, false),
        kpi(w.pick("After the end", "Après la fin"), w.count(s.after_end), None, false),
        kpi(
            w.pick("Busiest minute", "Minute la plus forte"),
            s.peak_minute.map_or("—".into(), |(_, n)| w.count(n)),
            s.peak_minute.map(|(at, _)| w.clock(at)),
            false,
        ),
    ]));
    if let (Some(first), Some(last)) = (s.minutes.first(), s.minutes.last()) {
        let from = first.0.min(r.show.starts_at_ms - 30 * MINUTE).max(last.0 - 7 * 24 * 60 * MINUTE);
        let to = (last.0 + MINUTE).max(r.show.ends_at_ms).min(r.generated_ms.max(r.show.ends_at_ms));
        let mut total = 0;
        let points: Vec<(i64, f64)> = s
            .minutes
            .iter()
            .map(|&(at, n)| {
                total += n;
                (at.max(from), total as f64)
            })
            .collect();
        blocks.push(time_chart(
            w,
            w.pick("Tickets sold, running total", "Billets vendus, cumul"),
            (from, to),
            vec![Series { label: w.pick("Tickets", "Billets").into(), points, steps: true }],
            (vec![], MINUTE),
            markers(r, w),
            None,
        ));
    } else {
        blocks.push(Block::Note(w.pick("No ticket sold yet.", "Aucun billet vendu.").into()));
    }
}

fn markers(r: &ShowReport, w: &Words) -> Vec<(i64, String)> {
    vec![(r.show.starts_at_ms, w.pick("Start", "Début").into()), (r.show.ends_at_ms, w.pick("End", "Fin").into())]
}

fn time_chart(
    w: &Words,
    title: &str,
    (from_ms, to_ms): (i64, i64),
    series: Vec<Series>,
    (bars, bar_ms): (Vec<(i64, f64)>, i64),
    markers: Vec<(i64, String)>,
    guide: Option<(f64, String)>,
) -> Block {
    let words = *w;
    let long = to_ms - from_ms > 20 * 60 * MINUTE;
    let time_label = move |ms: i64| if long { words.day_clock(ms) } else { words.clock(ms) };
    let value_label = move |v: f64| words.count(v.round() as i64);
    Block::Chart(
        TimeChart {
            title: title.into(),
            from_ms,
            to_ms: to_ms.max(from_ms + MINUTE),
            series,
            bars,
            bar_ms,
            markers,
            guide,
            time_label: &time_label,
            value_label: &value_label,
            whole: true,
        }
        .draw(),
    )
}

fn refunds(blocks: &mut Vec<Block>, r: &ShowReport, w: &Words) {
    let c = r.currency;
    blocks.push(Block::Heading(
        w.pick("Refunds, promo codes, double purchases", "Remboursements, codes promo, achats en double").into(),
    ));
    blocks.push(Block::Subheading(w.pick("Refunds by reason", "Remboursements par motif").into()));
    let rows = r.refunds.by_reason.iter().map(|t| {
        vec![
            term(w, &t.reason),
            if t.reason == "outside" { "—".into() } else { w.count(t.count) },
            w.money(t.amount_minor, c),
        ]
    });
    let mut rows: Vec<Vec<String>> = rows.collect();
    if !rows.is_empty() {
        rows.push(vec![w.pick("Total", "Total").into(), w.count(r.refunds.count), w.money(r.refunds.amount_minor, c)]);
    }
    blocks.push(Block::Table {
        columns: vec![
            Column::text(w.pick("Reason", "Motif"), 3.0),
            Column::number(w.pick("Refunds", "Nombre"), 1.0),
            Column::number(w.pick("Amount", "Montant"), 1.5),
        ],
        rows,
        empty: w.pick("No refund.", "Aucun remboursement.").into(),
    });
    if !r.refunds.owed.is_empty() {
        blocks.push(Block::Note(format!(
            "{} {} ({}) {}",
            r.refunds.owed.len(),
            w.pick("refund(s) still owed", "remboursement(s) encore dû(s)"),
            w.money(r.refunds.owed_minor(), c),
            w.pick("— see the open items.", "— voir les points en suspens.")
        )));
    }
    blocks.push(Block::Subheading(w.pick("Promo codes", "Codes promo").into()));
    blocks.push(Block::Table {
        columns: vec![
            Column::text(w.pick("Code", "Code"), 2.2),
            Column::number(w.pick("Orders", "Commandes"), 1.0),
            Column::number(w.pick("Revenue", "Recettes"), 1.4),
            Column::number(w.pick("Cost (discounts)", "Coût (remises)"), 1.4),
        ],
        rows: r
            .promos
            .iter()
            .map(|p| {
                vec![p.code.clone(), w.count(p.paid_orders), w.money(p.revenue_minor, c), w.money(p.discount_minor, c)]
            })
            .collect(),
        empty: w.pick("No promo code.", "Aucun code promo.").into(),
    });
    let d = &r.doubles;
    blocks.push(Block::Subheading(w.pick("Double purchases", "Achats en double").into()));
    blocks.push(Block::Table {
        columns: vec![Column::text("", 3.0), Column::number("", 1.0)],
        rows: vec![
            vec![w.pick("Found", "Détectés").into(), w.count(d.found)],
            vec![w.pick("Refunded", "Remboursés").into(), w.count(d.refunded)],
            vec![w.pick("Dismissed (not a double)", "Écartés (pas un doublon)").into(), w.count(d.dismissed)],
            vec![w.pick("Not resolved", "Non résolus").into(), w.count(d.open)],
        ],
        empty: String::new(),
    });
}

fn audience(blocks: &mut Vec<Block>, r: &ShowReport, w: &Words) {
    let a = &r.audience;
    blocks.push(Block::Heading(w.pick("Audience", "Audience").into()));
    let ratio = a.peak.map(|p| w.share(p, r.totals.tickets));
    blocks.push(Block::Kpis(vec![
        kpi(
            w.pick("Peak", "Pic"),
            a.peak.map_or("—".into(), |p| w.count(p)),
            a.peak_at_ms.map(|at| w.clock(at)),
            false,
        ),
        kpi(
            w.pick("Average", "Moyenne"),
            a.average.map_or("—".into(), |v| w.decimal(v)),
            Some(format!("{} {}", w.count(a.points.len() as i64), w.pick("readings", "relevés"))),
            false,
        ),
        kpi(
            w.pick("Peak vs tickets", "Pic / billets"),
            ratio.unwrap_or_else(|| "—".into()),
            Some(format!("{} {}", w.count(r.totals.tickets), w.pick("tickets", "billets"))),
            a.peak.is_some_and(|p| p > r.totals.tickets),
        ),
    ]));
    if a.peak.is_some_and(|p| p > r.totals.tickets) {
        blocks.push(Block::Note(
            w.pick(
                "More viewers than tickets: watch links may have been shared.",
                "Plus de spectateurs que de billets : des liens ont peut-être été partagés.",
            )
            .into(),
        ));
    }
    if let (Some(first), Some(last)) = (a.points.first(), a.points.last()) {
        let points = a.points.iter().map(|&(at, v)| (at, v as f64)).collect();
        blocks.push(time_chart(
            w,
            w.pick("Viewers", "Spectateurs"),
            (first.0.min(r.show.starts_at_ms), last.0.max(first.0 + MINUTE)),
            vec![Series { label: w.pick("Viewers", "Spectateurs").into(), points, steps: false }],
            (vec![], MINUTE),
            markers(r, w),
            Some((
                r.totals.tickets as f64,
                format!("{} ({})", w.pick("Tickets sold", "Billets vendus"), w.count(r.totals.tickets)),
            )),
        ));
    } else {
        blocks.push(Block::Note(
            w.pick("No viewer count was recorded.", "Aucun nombre de spectateurs n’a été relevé.").into(),
        ));
    }
    if a.unknown_readings > 0 {
        blocks.push(Block::Note(format!(
            "{} {}",
            w.count(a.unknown_readings),
            w.pick(
                "reading(s) where the host could not tell are left out (never counted as zero).",
                "relevé(s) où l’hébergeur ne savait pas sont écartés (jamais comptés comme zéro)."
            )
        )));
    }
}

#[cfg(test)]
#[path = "content_tests.rs"]
mod tests;
