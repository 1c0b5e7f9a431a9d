//! Text for the PDF in the standard Helvetica (every PDF reader has it: no font file to ship or
//! embed), WinAnsi-encoded, which covers English and French (accents, « », €, ’, œ). A character
//! outside it prints as `?`. The widths are Helvetica's metrics (per 1000 units of the font size),
//! as published in its AFM files, for codes 32–255; they let the PDF right-align numbers and cut
//! text that would overflow a table cell.

/// Advance widths of Helvetica, WinAnsi codes 32–255.
const REGULAR: [u16; 224] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556,
    556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833,
    722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556,
    556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334,
    260, 334, 584, 0, 556, 0, 222, 556, 333, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0, 0, 222, 222, 333,
    333, 350, 556, 1000, 333, 1000, 500, 333, 944, 0, 500, 667, 278, 333, 556, 556, 556, 556, 260, 556, 333, 737, 370,
    556, 584, 333, 737, 333, 400, 584, 333, 333, 333, 556, 537, 278, 333, 333, 365, 556, 834, 834, 834, 611, 667, 667,
    667, 667, 667, 667, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278, 722, 722, 778, 778, 778, 778, 778, 584, 778,
    722, 722, 722, 722, 667, 667, 611, 556, 556, 556, 556, 556, 556, 889, 500, 556, 556, 556, 556, 278, 278, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 584, 611, 556, 556, 556, 556, 500, 556, 500,
];

/// Advance widths of Helvetica-Bold, WinAnsi codes 32–255.
const BOLD: [u16; 224] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556,
    556, 556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833,
    722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, 333, 556, 611, 556, 611,
    556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389,
    280, 389, 584, 0, 556, 0, 278, 556, 500, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0, 0, 278, 278, 500,
    500, 350, 556, 1000, 333, 1000, 556, 333, 944, 0, 500, 667, 278, 333, 556, 556, 556, 556, 280, 556, 333, 737, 370,
    556, 584, 333, 737, 333, 400, 584, 333, 333, 333, 611, 556, 278, 333, 333, 365, 556, 834, 834, 834, 611, 722, 722,
    722, 722, 722, 722, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278, 722, 722, 778, 778, 778, 778, 778, 584, 778,
    722, 722, 722, 722, 667, 667, 611, 556, 556, 556, 556, 556, 556, 889, 556, 556, 556, 556, 556, 278, 278, 278, 278,
    611, 611, 611, 611, 611, 611, 611, 584, 611, 611, 611, 611, 611, 556, 611, 556,
];

/// WinAnsi's codes 0x80–0x9F (where it differs from Latin-1).
const WIN_ANSI_HIGH: [(char, u8); 27] = [
    ('€', 0x80),
    ('‚', 0x82),
    ('ƒ', 0x83),
    ('„', 0x84),
    ('…', 0x85),
    ('†', 0x86),
    ('‡', 0x87),
    ('ˆ', 0x88),
    ('‰', 0x89),
    ('Š', 0x8a),
    ('‹', 0x8b),
    ('Œ', 0x8c),
    ('Ž', 0x8e),
    ('‘', 0x91),
    ('’', 0x92),
    ('“', 0x93),
    ('”', 0x94),
    ('•', 0x95),
    ('–', 0x96),
    ('—', 0x97),
    ('˜', 0x98),
    ('™', 0x99),
    ('š', 0x9a),
    ('›', 0x9b),
    ('œ', 0x9c),
    ('ž', 0x9e),
    ('Ÿ', 0x9f),
];

/// The WinAnsi code of a character; `?` when it has none.
pub fn win_ansi(c: char) -> u8 {
    match c {
        ' '..='~' => c as u8,
        // No-break spaces (French number grouping) print as Latin-1's no-break space.
        '\u{a0}' | '\u{202f}' | '\u{2009}' => 0xa0,
        '\u{a1}'..='\u{ff}' => c as u8,
        '\t' | '\n' | '\r' => b' ',
        _ => WIN_ANSI_HIGH.iter().find(|(ch, _)| *ch == c).map_or(b'?', |(_, code)| *code),
    }
}

/// The bytes to show for `text`.
pub fn encode(text: &str) -> Vec<u8> {
    text.chars().map(win_ansi).collect()
}

/// The width of `text` at `size` points.
pub fn width(text: &str, size: f32, bold: bool) -> f32 {
    let table = if bold { &BOLD } else { &REGULAR };
    let units: u32 = text
        .chars()
        .map(|c| {
            let code = win_ansi(c);
            u32::from(table.get(usize::from(code).saturating_sub(32)).copied().unwrap_or(556))
        })
        .sum();
    units as f32 * size / 1000.0
}

/// `text` cut with an ellipsis so that it fits in `max` points.
pub fn fit(text: &str, size: f32, bold: bool, max: f32) -> String {
    if width(text, size, bold) <= max {
        return text.to_owned();
    }
    let mut cut: String = text.to_owned();
    while !cut.is_empty() && width(&format!("{cut}…"), size, bold) > max {
        cut.pop();
    }
    format!("{}…", cut.trim_end())
}

/// `text` broken into lines no wider than `max` points (at spaces; a longer word is cut).
pub fn wrap(text: &str, size: f32, bold: bool, max: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let candidate = if line.is_empty() { word.to_owned() } else { format!("{line} {word}") };
            if width(&candidate, size, bold) <= max || line.is_empty() {
                line = fit(&candidate, size, bold, max);
            } else {
                lines.push(std::mem::take(&mut line));
                line = fit(word, size, bold, max);
            }
        }
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_and_money_are_in_win_ansi() {
        assert_eq!(
            encode("Reçu 1\u{202f}234,50\u{a0}€ « œuvre » — l’été"),
            [
                b"Re".as_slice(),
                &[0xe7],
                b"u 1",
                &[0xa0],
                b"234,50",
                &[0xa0, 0x80],
                b" ",
                &[0xab],
                b" ",
                &[0x9c],
                b"uvre ",
                &[0xbb],
                b" ",
                &[0x97],
                b" l",
                &[0x92],
                &[0xe9],
                b"t",
                &[0xe9],
            ]
            .concat()
        );
        assert_eq!(encode("日本"), b"??");
    }

    #[test]
    fn widths_fit_and_wrap() {
        // Helvetica: "a" is 556 units, "i" 222; bold "a" 556.
        assert_eq!(width("ai", 10.0, false), 7.78);
        assert!(width("Tickets", 10.0, true) > width("Tickets", 10.0, false));
        let cut = fit("A very long promo code name", 10.0, false, 60.0);
        assert!(cut.ends_with('…') && width(&cut, 10.0, false) <= 60.0, "{cut}");
        let lines = wrap("one two three four five six", 10.0, false, 40.0);
        assert!(lines.len() > 2 && lines.iter().all(|l| width(l, 10.0, false) <= 40.0), "{lines:?}");
    }
}
