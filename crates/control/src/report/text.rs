//! The report's words and numbers in the operator's language: labels in English and French, money
//! from integer minor units (never through floats), counts, percentages, durations and clock times.
//! Clock times are local to the machine that writes the report (the offset is printed with them).

use chrono::{FixedOffset, Offset, TimeZone};
use showdesk_core::Currency;
use showdesk_core::support::Language;

/// French groups thousands with a narrow no-break space and puts the symbol after a no-break space.
const NARROW_NBSP: char = '\u{202f}';
const NBSP: char = '\u{a0}';

/// Formats for one language and one time zone.
#[derive(Debug, Clone, Copy)]
pub struct Words {
    pub language: Language,
    offset: FixedOffset,
}

impl Words {
    pub fn new(language: Language, offset: FixedOffset) -> Self {
        Self { language, offset }
    }

    /// The machine's own offset at `at_ms` (daylight saving included); UTC when it cannot tell.
    pub fn local(language: Language, at_ms: i64) -> Self {
        let offset = chrono::Local
            .timestamp_millis_opt(at_ms)
            .single()
            .map(|t| t.offset().fix())
            .unwrap_or_else(|| chrono::Utc.fix());
        Self::new(language, offset)
    }

    fn fr(&self) -> bool {
        self.language == Language::Fr
    }

    /// Picks the English or the French text.
    pub fn pick<'a>(&self, en: &'a str, fr: &'a str) -> &'a str {
        if self.fr() { fr } else { en }
    }

    /// `1,234` / `1 234`.
    pub fn count(&self, n: i64) -> String {
        let digits = n.unsigned_abs().to_string();
        let separator = if self.fr() { NARROW_NBSP } else { ',' };
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, digit) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push(separator);
            }
            grouped.push(digit);
        }
        if n < 0 { format!("-{grouped}") } else { grouped }
    }

    /// `€1,234.50` / `1 234,50 €`, from minor units.
    pub fn money(&self, minor: i64, currency: Currency) -> String {
        let scale = currency.minor_digits();
        let unit = 10_i64.pow(scale);
        let whole = self.count((minor / unit).abs());
        let fraction = (minor % unit).abs();
        let sign = if minor < 0 { "-" } else { "" };
        let number = if scale == 0 {
            whole
        } else {
            let point = if self.fr() { ',' } else { '.' };
            format!("{whole}{point}{fraction:0width$}", width = scale as usize)
        };
        let symbol = match currency.as_str() {
            "EUR" => Some("€"),
            "USD" => Some("$"),
            "GBP" => Some("£"),
            _ => None,
        };
        match (self.fr(), symbol) {
            (false, Some(symbol)) => format!("{sign}{symbol}{number}"),
            (false, None) => format!("{sign}{number} {currency}"),
            (true, Some(symbol)) => format!("{sign}{number}{NBSP}{symbol}"),
            (true, None) => format!("{sign}{number}{NBSP}{currency}"),
        }
    }

    /// A share in per mille as `19.2%` / `19,2 %`.
    pub fn per_mille(&self, per_mille: u64) -> String {
        let text = format!("{}.{}", per_mille / 10, per_mille % 10);
        if self.fr() { format!("{}{NBSP}%", text.replace('.', ",")) } else { format!("{text}%") }
    }

    /// `part` of `whole` as a percentage with one decimal, or `—` when there is no whole.
    pub fn share(&self, part: i64, whole: i64) -> String {
        if whole <= 0 {
            return "—".into();
        }
        // Rounded to the nearest tenth of a percent, never cut: 32 of 300 is 10.7%, not 10.6%.
        self.per_mille(u64::try_from((part.max(0) * 1000 + whole / 2) / whole).unwrap_or(0))
    }

    /// A measured percentage (dropped frames) with two decimals.
    pub fn percent(&self, value: f64) -> String {
        let text = format!("{value:.2}");
        if self.fr() { format!("{}{NBSP}%", text.replace('.', ",")) } else { format!("{text}%") }
    }

    /// A decimal number with one digit (an average of viewers).
    pub fn decimal(&self, value: f64) -> String {
        let text = format!("{value:.1}");
        if self.fr() { text.replace('.', ",") } else { text }
    }

    /// `1 h 58 min`, `7 min`, `45 s`.
    pub fn duration(&self, seconds: i64) -> String {
        let seconds = seconds.max(0);
        match (seconds / 3600, (seconds % 3600) / 60, seconds % 60) {
            (0, 0, s) => format!("{s} s"),
            (0, m, 0) => format!("{m} min"),
            (0, m, s) if m < 10 => format!("{m} min {s} s"),
            (0, m, _) => format!("{m} min"),
            (h, m, _) => format!("{h} h {m:02} min"),
        }
    }

    fn at(&self, ms: i64) -> Option<chrono::DateTime<FixedOffset>> {
        self.offset.timestamp_millis_opt(ms).single()
    }

    /// `15 Mar 2025, 20:00` / `15 mars 2025, 20:00`.
    pub fn date_time(&self, ms: i64) -> String {
        use chrono::{Datelike, Timelike};
        let Some(t) = self.at(ms) else { return "—".into() };
        const EN: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
        const FR: [&str; 12] =
            ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."];
        let month = t.month0() as usize;
        let name = if self.fr() { FR[month % 12] } else { EN[month % 12] };
        format!("{} {name} {}, {:02}:{:02}", t.day(), t.year(), t.hour(), t.minute())
    }

    /// `20:05`.
    pub fn clock(&self, ms: i64) -> String {
        use chrono::Timelike;
        self.at(ms).map_or_else(|| "—".into(), |t| format!("{:02}:{:02}", t.hour(), t.minute()))
    }

    /// `25/03 20:05`: a chart's axis across days.
    pub fn day_clock(&self, ms: i64) -> String {
        use chrono::{Datelike, Timelike};
        self.at(ms).map_or_else(
            || "—".into(),
            |t| format!("{:02}/{:02} {:02}:{:02}", t.day(), t.month(), t.hour(), t.minute()),
        )
    }

    /// `UTC+01:00`: printed once with the times.
    pub fn zone(&self) -> String {
        let minutes = self.offset.local_minus_utc() / 60;
        let sign = if minutes < 0 { '-' } else { '+' };
        format!("UTC{sign}{:02}:{:02}", minutes.abs() / 60, minutes.abs() % 60)
    }

    /// An ISO 8601 UTC timestamp, for CSV files (machines read them).
    pub fn iso_utc(ms: i64) -> String {
        chrono::Utc
            .timestamp_millis_opt(ms)
            .single()
            .map_or_else(String::new, |t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(language: Language) -> Words {
        Words::new(language, FixedOffset::east_opt(3600).unwrap_or(chrono::Utc.fix()))
    }

    #[test]
    fn money_is_written_as_each_language_writes_it() {
        let (en, fr) = (words(Language::En), words(Language::Fr));
        assert_eq!(en.money(123_450, Currency::EUR), "€1,234.50");
        assert_eq!(fr.money(123_450, Currency::EUR), "1\u{202f}234,50\u{a0}€");
        assert_eq!(en.money(-5, Currency::USD), "-$0.05");
        assert_eq!(en.money(1_500, "JPY".parse().unwrap_or(Currency::EUR)), "1,500 JPY");
        assert_eq!(fr.money(250_000, "CHF".parse().unwrap_or(Currency::EUR)), "2\u{202f}500,00\u{a0}CHF");
        assert_eq!(en.count(1_234_567), "1,234,567");
        assert_eq!(en.count(999), "999");
    }

    #[test]
    fn shares_durations_and_times() {
        let (en, fr) = (words(Language::En), words(Language::Fr));
        assert_eq!(en.share(5, 26), "19.2%");
        assert_eq!(fr.share(5, 26), "19,2\u{a0}%");
        assert_eq!(en.share(1, 0), "—");
        assert_eq!((en.share(32, 300), en.share(80, 300)), ("10.7%".to_owned(), "26.7%".to_owned()));
        assert_eq!(en.duration(7_080), "1 h 58 min");
        assert_eq!(en.duration(420), "7 min");
        assert_eq!(en.duration(75), "1 min 15 s");
        assert_eq!(en.duration(45), "45 s");
        // 2025-03-15 19:00 UTC is 20:00 at UTC+01:00.
        let at = 1_742_065_200_000;
        assert_eq!(en.date_time(at), "15 Mar 2025, 20:00");
        assert_eq!(fr.date_time(at), "15 mars 2025, 20:00");
        assert_eq!(fr.zone(), "UTC+01:00");
        assert_eq!(Words::iso_utc(at), "2025-03-15T19:00:00Z");
    }
}
