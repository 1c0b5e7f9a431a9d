//! The words on the slates, in English and French.

use crate::spec::{Language, SlateKind};

/// The text of a slate. `now` and `starts_at` are seconds since the epoch (for the countdown).
pub fn slate_text(
    kind: SlateKind,
    language: Language,
    title: &str,
    subject: &str,
    starts_at: Option<i64>,
    now: i64,
) -> String {
    let fr = language == Language::Fr;
    let title = title.trim();
    let with_title = |line: &str| if title.is_empty() { line.to_owned() } else { format!("{title}\n{line}") };
    match kind {
        SlateKind::Countdown => match starts_at {
            Some(start) if start > now => {
                let left = start - now;
                let (hours, minutes, seconds) = (left / 3600, left % 3600 / 60, left % 60);
                let clock = if hours > 0 {
                    format!("{hours}:{minutes:02}:{seconds:02}")
                } else {
                    format!("{minutes:02}:{seconds:02}")
                };
                with_title(&if fr { format!("Début dans {clock}") } else { format!("Starts in {clock}") })
            }
            Some(_) => with_title(if fr { "Ça commence !" } else { "Starting now" }),
            None => with_title(if fr { "Ça commence bientôt" } else { "Starting soon" }),
        },
        SlateKind::StartingSoon => with_title(if fr { "Ça commence bientôt" } else { "Starting soon" }),
        SlateKind::BeRightBack => with_title(if fr { "On revient tout de suite" } else { "Be right back" }),
        SlateKind::Ended => with_title(if fr { "Merci d’avoir regardé !" } else { "Thanks for watching!" }),
        SlateKind::NoSignal => {
            let line = if fr { "Pas de signal" } else { "No signal" };
            if subject.is_empty() { line.to_owned() } else { format!("{line}\n{subject}") }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_countdown_counts_to_the_start_in_both_languages() {
        let start = 1_000_000;
        assert_eq!(
            slate_text(SlateKind::Countdown, Language::En, "Fight Night", "", Some(start), start - 754),
            "Fight Night\nStarts in 12:34"
        );
        assert_eq!(
            slate_text(SlateKind::Countdown, Language::Fr, "", "", Some(start), start - 3_661),
            "Début dans 1:01:01"
        );
        assert_eq!(slate_text(SlateKind::Countdown, Language::En, "", "", Some(start), start + 5), "Starting now");
        assert_eq!(slate_text(SlateKind::Countdown, Language::Fr, "", "", None, 0), "Ça commence bientôt");
    }

    #[test]
    fn every_slate_has_words_in_both_languages() {
        for kind in [SlateKind::StartingSoon, SlateKind::BeRightBack, SlateKind::Ended, SlateKind::NoSignal] {
            let en = slate_text(kind, Language::En, "", "Camera 2", None, 0);
            let fr = slate_text(kind, Language::Fr, "", "Camera 2", None, 0);
            assert!(!en.is_empty() && !fr.is_empty() && en != fr, "{kind:?}");
        }
        assert_eq!(slate_text(SlateKind::NoSignal, Language::En, "Show", "Camera 2", None, 0), "No signal\nCamera 2");
    }
}
