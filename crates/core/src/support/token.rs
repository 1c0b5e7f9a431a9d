//! The ticket token carried in subjects, e.g. `[SD-1234]`: the thread of last resort for mail
//! clients that drop In-Reply-To and References.

use std::fmt;

/// A ticket's public token: a short prefix chosen by the organizer and the ticket's number.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TicketToken {
    pub prefix: String,
    pub number: i64,
}

impl TicketToken {
    pub fn new(prefix: &str, number: i64) -> Self {
        Self { prefix: prefix.to_ascii_uppercase(), number }
    }

    /// The first token with this prefix in `subject` (case-insensitive, spaces tolerated inside
    /// the brackets, as some clients re-wrap subjects).
    pub fn find_in(subject: &str, prefix: &str) -> Option<Self> {
        let upper = subject.to_ascii_uppercase();
        let prefix = prefix.to_ascii_uppercase();
        let mut rest = upper.as_str();
        while let Some(open) = rest.find('[') {
            let after = &rest[open + 1..];
            if let Some(number) = parse_inside(after, &prefix) {
                return Some(Self { prefix, number });
            }
            rest = after;
        }
        None
    }

    /// `[SD-1234]`, as put in subjects.
    pub fn bracketed(&self) -> String {
        format!("[{self}]")
    }
}

fn parse_inside(text: &str, prefix: &str) -> Option<i64> {
    let close = text.find(']')?;
    let inside = text[..close].trim();
    let rest = inside.strip_prefix(prefix)?.trim_start();
    let digits = rest.strip_prefix('-')?.trim();
    if digits.is_empty() || digits.len() > 15 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

impl fmt::Display for TicketToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.prefix, self.number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_found_in_rewritten_subjects() {
        let found = TicketToken::find_in("RE: AW: Re: [sd - 1234] Can't watch", "SD");
        assert_eq!(found, Some(TicketToken::new("SD", 1234)));
        assert_eq!(TicketToken::find_in("Re: [PPV-1047] Invoice [SD-7]", "SD").map(|t| t.number), Some(7));
        assert_eq!(TicketToken::new("sd", 42).bracketed(), "[SD-42]");
    }

    #[test]
    fn lookalikes_are_not_tokens() {
        for subject in ["[SD-] x", "[SD-12a]", "SD-12", "[SDX-12]", "[", "[SD-99999999999999999999]", "]["] {
            assert_eq!(TicketToken::find_in(subject, "SD"), None, "{subject}");
        }
    }
}
