//! The report's later sections: stream health, support, the follow-up mail, what is still open,
//! and the retrospective.

use super::super::charts::Series;
use super::super::doc::{Block, Column};
use super::super::facts::ShowReport;
use super::super::text::Words;
use super::super::views::{OpenItem, Retrospective};
use super::{MINUTE, kpi, markers, term, time_chart};

pub(super) fn stream(blocks: &mut Vec<Block>, r: &ShowReport, w: &Words) {
    let s = &r.stream;
    blocks.push(Block::Heading(w.pick("Stream health", "Santé du direct").into()));
    let destinations: Vec<_> = s.outputs.iter().filter(|o| !o.recording).collect();
    let reconnects: i64 = destinations.iter().map(|o| o.reconnects).sum();
    let dropped = destinations.iter().map(|o| o.dropped_percent).fold(0.0, f64::max);
    let bitrate = destinations.first().and_then(|o| o.bitrate_avg_bps);
    blocks.push(Block::Kpis(vec![
        kpi(
            w.pick("Time on air", "Temps à l’antenne"),
            w.duration(s.on_air_seconds),
            Some(format!("{} {}", s.sessions.len(), w.pick("session(s)", "session(s)"))),
            false,
        ),
        kpi(w.pick("Reconnects", "Reconnexions"), w.count(reconnects), None, reconnects > 0),
        kpi(
            w.pick("Frames dropped", "Images perdues"),
            w.percent(dropped),
            Some(w.pick("worst destination", "pire destination").into()),
            dropped >= 1.0,
        ),
        kpi(
            w.pick("Average bitrate", "Débit moyen"),
            bitrate.map_or("—".into(), |b| format!("{} kb/s", w.count(b / 1000))),
            destinations.first().map(|o| o.output_id.clone()),
            false,
        ),
    ]));
    blocks.push(Block::Table {
        columns: vec![
            Column::text(w.pick("Output", "Sortie"), 2.0),
            Column::number(w.pick("Live", "En direct"), 1.3),
            Column::number(w.pick("Reconnects", "Reconnexions"), 1.2),
            Column::number(w.pick("Dropped", "Perdues"), 1.0),
            Column::number(w.pick("Bitrate avg (min–max)", "Débit moyen (min–max)"), 2.4),
        ],
        rows: s
            .outputs
            .iter()
            .map(|o| {
                let name = if o.recording {
                    w.pick("recording (file)", "enregistrement (fichier)").to_owned()
                } else {
                    o.output_id.clone()
                };
                let kbps = |b: Option<i64>| b.map_or("—".into(), |b| w.count(b / 1000));
                vec![
                    name,
                    w.duration(o.live_seconds),
                    w.count(o.reconnects),
                    w.percent(o.dropped_percent),
                    format!(
                        "{} ({}–{}) kb/s",
                        kbps(o.bitrate_avg_bps),
                        kbps(o.bitrate_min_bps),
                        kbps(o.bitrate_max_bps)
                    ),
                ]
            })
            .collect(),
        empty: w
            .pick(
                "The show did not go live from Showdesk.",
                "Le spectacle n’est pas passé à l’antenne depuis Showdesk.",
            )
            .into(),
    });
    if let (Some(first), Some(last)) = (s.bitrate_series.first(), s.bitrate_series.last()) {
        let mut outputs: Vec<&str> = s.bitrate_series.iter().map(|b| b.1.as_str()).collect();
        outputs.dedup();
        outputs.sort_unstable();
        outputs.dedup();
        let series = outputs
            .iter()
            .map(|id| Series {
                label: (*id).to_owned(),
                points: s.bitrate_series.iter().filter(|b| b.1 == *id).map(|b| (b.0, b.2 as f64 / 1000.0)).collect(),
                steps: false,
            })
            .collect();
        blocks.push(time_chart(
            w,
            w.pick("Bitrate of each destination, kb/s", "Débit de chaque destination, kb/s"),
            (first.0, last.0),
            series,
            (vec![], MINUTE),
            vec![],
            None,
        ));
    }
    blocks.push(Block::Subheading(w.pick("On air", "À l’antenne").into()));
    blocks.push(Block::Table {
        columns: vec![
            Column::text(w.pick("Time", "Heure"), 0.8),
            Column::text(w.pick("What", "Quoi"), 1.2),
            Column::text(w.pick("Where", "Où"), 1.2),
            Column::text(w.pick("Detail", "Détail"), 4.0),
        ],
        rows: s
            .alerts
            .iter()
            .take(40)
            .map(|e| vec![w.clock(e.at_ms), term(w, &e.kind), e.subject.clone(), e.message.clone()])
            .collect(),
        empty: w.pick("No alert: nothing went wrong on air.", "Aucune alerte : rien n’a manqué à l’antenne.").into(),
    });
}

pub(super) fn support(blocks: &mut Vec<Block>, r: &ShowReport, w: &Words) {
    let s = &r.support;
    let minutes = |v: Option<f64>| v.map_or("—".into(), |secs| w.duration(secs.round() as i64));
    blocks.push(Block::Heading(w.pick("Support", "Support").into()));
    blocks.push(Block::Kpis(vec![
        kpi(
            w.pick("Tickets", "Demandes"),
            w.count(s.tickets),
            s.busiest.map(|(at, n)| format!("{} {} {}", w.count(n), w.pick("from", "à partir de"), w.clock(at))),
            false,
        ),
        kpi(
            w.pick("First response (median)", "Première réponse (médiane)"),
            minutes(s.median_first_response_s),
            Some(format!("p90 {}", minutes(s.p90_first_response_s))),
            false,
        ),
        kpi(
            w.pick("Resolution (median)", "Résolution (médiane)"),
            minutes(s.median_resolution_s),
            Some(format!("{} {}", w.count(s.resolved), w.pick("resolved", "résolues"))),
            false,
        ),
        kpi(
            w.pick("SLA breaches", "Délais dépassés"),
            w.count(s.breaches),
            Some(format!("{} {}", w.pick("first response over", "première réponse après"), w.duration(s.target_s))),
            s.breaches > 0,
        ),
    ]));
    blocks.push(Block::Table {
        columns: vec![
            Column::text(w.pick("Category", "Catégorie"), 3.0),
            Column::number(w.pick("Tickets", "Demandes"), 1.0),
            Column::number(w.pick("Still open", "Encore ouvertes"), 1.0),
        ],
        rows: s
            .by_category
            .iter()
            .filter(|c| c.1 > 0)
            .map(|(category, total, open)| vec![term(w, category), w.count(*total), w.count(*open)])
            .collect(),
        empty: w.pick("No support ticket for this show.", "Aucune demande au support pour ce spectacle.").into(),
    });
    if let (Some(first), Some(last)) = (s.per_bucket.first(), s.per_bucket.last()) {
        let bars = s.per_bucket.iter().map(|&(at, n)| (at, n as f64)).collect();
        let range = (
            first.0.min(r.show.starts_at_ms),
            (last.0 + s.bucket_ms).max(r.show.ends_at_ms.min(last.0 + s.bucket_ms * 12)),
        );
        blocks.push(time_chart(
            w,
            w.pick("Tickets per 10 minutes", "Demandes par tranche de 10 minutes"),
            range,
            vec![],
            (bars, s.bucket_ms),
            markers(r, w),
            None,
        ));
    }
    blocks.push(Block::Note(w.pick(
        "A show’s tickets: those linked to its orders or written by its buyers, and those with no order found that came while it was on sale or up to three days after its end.",
        "Les demandes d’un spectacle : celles liées à ses commandes ou écrites par ses acheteurs, et celles sans commande trouvée reçues pendant la vente ou jusqu’à trois jours après la fin.",
    ).into()));
}

pub(super) fn follow_ups(blocks: &mut Vec<Block>, r: &ShowReport, w: &Words) {
    blocks.push(Block::Heading(w.pick("Follow-up mail", "Messages de suivi").into()));
    blocks.push(Block::Table {
        columns: vec![
            Column::text(w.pick("Mail", "Message"), 3.0),
            Column::number(w.pick("Waiting", "En attente"), 1.0),
            Column::number(w.pick("Sent", "Envoyés"), 1.0),
            Column::number(w.pick("Bounced", "Rejetés"), 1.0),
            Column::number(w.pick("Failed", "Échecs"), 1.0),
        ],
        rows: r
            .follow_ups
            .iter()
            .map(|f| vec![term(w, &f.kind), w.count(f.queued), w.count(f.sent), w.count(f.bounced), w.count(f.failed)])
            .collect(),
        empty: w.pick("No follow-up mail sent yet.", "Aucun message de suivi envoyé.").into(),
    });
}

pub(super) fn open(blocks: &mut Vec<Block>, w: &Words, items: &[OpenItem]) {
    blocks.push(Block::Heading(w.pick("Open items", "Points en suspens").into()));
    blocks.push(Block::Table {
        columns: vec![
            Column::text(w.pick("What", "Quoi"), 1.6),
            Column::text(w.pick("About", "Objet"), 1.6),
            Column::text(w.pick("Detail", "Détail"), 4.0),
        ],
        rows: items.iter().map(|i| vec![term(w, &i.kind), i.subject.clone(), i.description.clone()]).collect(),
        empty: w.pick("Nothing left to do.", "Plus rien à faire.").into(),
    });
}

pub(super) fn retro(blocks: &mut Vec<Block>, w: &Words, retrospective: &Retrospective) {
    blocks.push(Block::Heading(w.pick("Retrospective", "Rétrospective").into()));
    if retrospective.saved_ms.is_none() {
        blocks.push(Block::Note(
            w.pick(
                "Prefilled from the report’s facts; not yet reviewed.",
                "Prérempli à partir des faits du bilan ; pas encore relu.",
            )
            .into(),
        ));
    }
    for (label, text) in [
        (w.pick("What worked", "Ce qui a marché"), &retrospective.worked),
        (w.pick("What did not", "Ce qui n’a pas marché"), &retrospective.did_not),
        (w.pick("What to change", "Ce qu’il faut changer"), &retrospective.change),
    ] {
        blocks.push(Block::Subheading(label.into()));
        blocks.push(Block::Paragraph(if text.trim().is_empty() { "—".into() } else { text.clone() }));
    }
    if !retrospective.facts.is_empty() {
        blocks.push(Block::Subheading(w.pick("Facts", "Faits").into()));
        blocks.push(Block::Bullets(retrospective.facts.clone()));
    }
}
