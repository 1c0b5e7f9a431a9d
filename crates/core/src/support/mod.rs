//! The support desk's domain: ticket vocabulary, triage rules (English and French), how automatic
//! mail is recognised, the outbox's pacing, and SLA figures. No I/O: the control service feeds these
//! rules with parsed mail and the store's rows.

pub mod automatic;
pub mod pacing;
pub mod sla;
pub mod token;
pub mod triage;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub use automatic::{AutomaticReason, MailSignals, automatic_reason};
pub use pacing::{Backoff, Pacer};
pub use sla::{SlaFigures, SurgeDetector};
pub use token::TicketToken;
pub use triage::{Triage, priority, triage};

/// What a support mail is about: the kinds the show's surge brings (design brief).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Payment form trouble, subscription questions, "is my card data safe?".
    Payment,
    /// "Please refund me", cancellations.
    Refund,
    /// Charged twice, charged the wrong amount, bought by accident.
    Overcharge,
    /// A promo code that does not work, or a request for one.
    PromoCode,
    /// "I paid but cannot watch": access link, login, player errors.
    Access,
    Other,
}

impl Category {
    pub const ALL: [Category; 6] =
        [Self::Payment, Self::Refund, Self::Overcharge, Self::PromoCode, Self::Access, Self::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Payment => "payment",
            Self::Refund => "refund",
            Self::Overcharge => "overcharge",
            Self::PromoCode => "promo_code",
            Self::Access => "access",
            Self::Other => "other",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A word that names no category, language or state we know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} {value:?} is not known")]
pub struct UnknownName {
    pub what: &'static str,
    pub value: String,
}

impl FromStr for Category {
    type Err = UnknownName;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|category| category.as_str() == text)
            .ok_or_else(|| UnknownName { what: "category", value: text.to_owned() })
    }
}

/// The language a mail is written in, as far as the desk speaks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    En,
    Fr,
}

impl Language {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Fr => "fr",
        }
    }
}

impl FromStr for Language {
    type Err = UnknownName;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "en" => Ok(Self::En),
            "fr" => Ok(Self::Fr),
            other => Err(UnknownName { what: "language", value: other.to_owned() }),
        }
    }
}

/// Where a ticket is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    /// Waiting for us.
    Open,
    /// We answered; waiting for the buyer.
    Answered,
    Resolved,
}

impl TicketStatus {
    pub const ALL: [TicketStatus; 3] = [Self::Open, Self::Answered, Self::Resolved];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Answered => "answered",
            Self::Resolved => "resolved",
        }
    }
}

impl FromStr for TicketStatus {
    type Err = UnknownName;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == text)
            .ok_or_else(|| UnknownName { what: "ticket status", value: text.to_owned() })
    }
}

/// The life of one outgoing mail in the outbox: queued → sending → sent / failed / bounced, plus
/// `held` for a mail whose fate after a crash could not be established (the operator decides).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxState {
    Queued,
    Sending,
    Sent,
    Failed,
    Bounced,
    Held,
}

impl OutboxState {
    pub const ALL: [OutboxState; 6] =
        [Self::Queued, Self::Sending, Self::Sent, Self::Failed, Self::Bounced, Self::Held];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Failed => "failed",
            Self::Bounced => "bounced",
            Self::Held => "held",
        }
    }
}

impl FromStr for OutboxState {
    type Err = UnknownName;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|state| state.as_str() == text)
            .ok_or_else(|| UnknownName { what: "outbox state", value: text.to_owned() })
    }
}

/// Lower-cases and strips accents and typographic quotes so rules match "remboursé", "rembourse"
/// and "REMBOURSÉ" alike, and "can’t" like "can't".
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        let folded = match ch {
            'à' | 'á' | 'â' | 'ä' | 'ã' | 'À' | 'Á' | 'Â' | 'Ä' => 'a',
            'ç' | 'Ç' => 'c',
            'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => 'e',
            'î' | 'ï' | 'í' | 'Î' | 'Ï' => 'i',
            'ô' | 'ö' | 'ó' | 'Ô' | 'Ö' => 'o',
            'ù' | 'û' | 'ü' | 'ú' | 'Ù' | 'Û' | 'Ü' => 'u',
            'ÿ' => 'y',
            '’' | '‘' | '`' | '´' => '\'',
            '“' | '”' | '«' | '»' => '"',
            '\u{a0}' | '\u{202f}' => ' ',
            other => {
                for lower in other.to_lowercase() {
                    out.push(lower);
                }
                continue;
            }
        };
        out.push(folded);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for category in Category::ALL {
            assert_eq!(category.as_str().parse::<Category>(), Ok(category));
        }
        for state in OutboxState::ALL {
            assert_eq!(state.as_str().parse::<OutboxState>(), Ok(state));
        }
        assert!("nope".parse::<TicketStatus>().is_err());
    }

    #[test]
    fn folding_removes_case_accents_and_curly_quotes() {
        assert_eq!(fold("REMBOURSÉ, can’t « ça »"), "rembourse, can't \" ca \"");
    }
}
