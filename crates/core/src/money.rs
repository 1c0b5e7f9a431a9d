//! Money: an amount in the currency's minor unit (cents, centimes, yen) and its ISO 4217 code.
//!
//! Floats never hold money: 0.1 + 0.2 is not 0.3, and a refund computed in floats can exceed what was
//! paid by a cent. Arithmetic is checked and refuses to mix currencies.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Why an amount or a currency was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("{0:?} is not an ISO 4217 currency code (three letters, such as EUR or USD)")]
    BadCurrency(String),
    #[error("cannot combine {0} and {1}: different currencies")]
    CurrencyMismatch(Currency, Currency),
    #[error("the amount is out of range")]
    Overflow,
    #[error("{0:?} is not an amount (use digits and at most one decimal separator, e.g. 12.50)")]
    BadAmount(String),
    #[error("{amount} has more decimals than {currency} allows ({digits})")]
    TooPrecise { amount: String, currency: Currency, digits: u32 },
}

/// An ISO 4217 code, stored upper-case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

impl Currency {
    pub const EUR: Self = Self(*b"EUR");
    pub const USD: Self = Self(*b"USD");
    pub const GBP: Self = Self(*b"GBP");

    pub fn as_str(&self) -> &str {
        // Built only from ASCII letters (see FromStr), so this never fails.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }

    /// Digits after the decimal point in this currency (Stripe's list of zero-decimal currencies,
    /// plus the three-decimal dinars).
    pub fn minor_digits(&self) -> u32 {
        match self.as_str() {
            "BIF" | "CLP" | "DJF" | "GNF" | "JPY" | "KMF" | "KRW" | "MGA" | "PYG" | "RWF" | "UGX" | "VND" | "VUV"
            | "XAF" | "XOF" | "XPF" => 0,
            "BHD" | "JOD" | "KWD" | "OMR" | "TND" => 3,
            _ => 2,
        }
    }

    /// Lower-case, as Stripe wants it.
    pub fn to_lowercase(&self) -> String {
        self.as_str().to_ascii_lowercase()
    }
}

impl FromStr for Currency {
    type Err = MoneyError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let trimmed = text.trim();
        match trimmed.as_bytes() {
            [a, b, c] if [a, b, c].iter().all(|x| x.is_ascii_alphabetic()) => {
                Ok(Self([a.to_ascii_uppercase(), b.to_ascii_uppercase(), c.to_ascii_uppercase()]))
            }
            _ => Err(MoneyError::BadCurrency(text.to_owned())),
        }
    }
}

impl TryFrom<String> for Currency {
    type Error = MoneyError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<Currency> for String {
    fn from(value: Currency) -> Self {
        value.as_str().to_owned()
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An amount of money.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    /// In the currency's minor unit (2500 EUR = 25.00 €).
    pub minor: i64,
    pub currency: Currency,
}

impl Money {
    pub const fn new(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    pub const fn zero(currency: Currency) -> Self {
        Self { minor: 0, currency }
    }

    /// Parses a decimal amount as a person types it ("12.5", "12,50", "1 200") in `currency`.
    pub fn parse(text: &str, currency: Currency) -> Result<Self, MoneyError> {
        let bad = || MoneyError::BadAmount(text.to_owned());
        let cleaned: String = text.trim().chars().filter(|c| !c.is_whitespace() && *c != '\u{202f}').collect();
        let (negative, digits) = match cleaned.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, cleaned.as_str()),
        };
        let (whole, fraction) = match digits.split_once(['.', ',']) {
            Some((whole, fraction)) => (whole, fraction),
            None => (digits, ""),
        };
        if whole.is_empty() && fraction.is_empty()
            || !whole.bytes().all(|b| b.is_ascii_digit())
            || !fraction.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(bad());
        }
        let scale = currency.minor_digits();
        if fraction.len() as u32 > scale {
            return Err(MoneyError::TooPrecise { amount: text.to_owned(), currency, digits: scale });
        }
        let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| MoneyError::Overflow)? };
        let padded = format!("{fraction:0<width$}", width = scale as usize);
        let fraction: i64 = if padded.is_empty() { 0 } else { padded.parse().map_err(|_| bad())? };
        let minor =
            whole.checked_mul(10_i64.pow(scale)).and_then(|m| m.checked_add(fraction)).ok_or(MoneyError::Overflow)?;
        Ok(Self::new(if negative { -minor } else { minor }, currency))
    }

    pub fn checked_add(self, other: Self) -> Result<Self, MoneyError> {
        self.same_currency(other)?;
        self.minor.checked_add(other.minor).map(|minor| Self::new(minor, self.currency)).ok_or(MoneyError::Overflow)
    }

    pub fn checked_sub(self, other: Self) -> Result<Self, MoneyError> {
        self.same_currency(other)?;
        self.minor.checked_sub(other.minor).map(|minor| Self::new(minor, self.currency)).ok_or(MoneyError::Overflow)
    }

    pub fn is_zero(&self) -> bool {
        self.minor == 0
    }

    fn same_currency(self, other: Self) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch(self.currency, other.currency))
        }
    }
}

/// `12.50 EUR` — a neutral form for logs and exports; the UI formats by locale.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scale = self.currency.minor_digits();
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        if scale == 0 {
            write!(f, "{sign}{abs} {}", self.currency)
        } else {
            let unit = 10_u64.pow(scale);
            write!(f, "{sign}{}.{:0width$} {}", abs / unit, abs % unit, self.currency, width = scale as usize)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_amounts_as_people_type_them() -> Result<(), MoneyError> {
        let eur = Currency::EUR;
        assert_eq!(Money::parse("12.5", eur)?.minor, 1250);
        assert_eq!(Money::parse("12,50", eur)?.minor, 1250);
        assert_eq!(Money::parse(" 1 200 ", eur)?.minor, 120_000);
        assert_eq!(Money::parse(".5", eur)?.minor, 50);
        assert_eq!(Money::parse("-3", eur)?.minor, -300);
        assert_eq!(Money::parse("1500", "jpy".parse()?)?.minor, 1500);
        Ok(())
    }

    #[test]
    fn refuses_what_is_not_an_amount() {
        let eur = Currency::EUR;
        for bad in ["", "abc", "1.2.3", "12€", "--1", "."] {
            assert!(Money::parse(bad, eur).is_err(), "{bad:?} was accepted");
        }
        assert!(matches!(Money::parse("1.234", eur), Err(MoneyError::TooPrecise { .. })));
        assert!(matches!(
            Money::parse("1.5", Currency::from_str("JPY").unwrap_or(eur)),
            Err(MoneyError::TooPrecise { .. })
        ));
        assert_eq!(Money::parse("99999999999999999999", eur), Err(MoneyError::Overflow));
    }

    #[test]
    fn currencies_are_three_letters_upper_cased() {
        assert_eq!("eur".parse::<Currency>().map(|c| c.to_string()), Ok("EUR".into()));
        for bad in ["EU", "EURO", "E1R", ""] {
            assert!(bad.parse::<Currency>().is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn arithmetic_refuses_mixed_currencies_and_overflow() {
        let a = Money::new(500, Currency::EUR);
        assert_eq!(a.checked_add(Money::new(250, Currency::EUR)), Ok(Money::new(750, Currency::EUR)));
        assert_eq!(
            a.checked_add(Money::new(1, Currency::USD)),
            Err(MoneyError::CurrencyMismatch(Currency::EUR, Currency::USD))
        );
        assert_eq!(
            Money::new(i64::MAX, Currency::EUR).checked_add(Money::new(1, Currency::EUR)),
            Err(MoneyError::Overflow)
        );
    }

    #[test]
    fn displays_in_major_units() {
        assert_eq!(Money::new(1250, Currency::EUR).to_string(), "12.50 EUR");
        assert_eq!(Money::new(-5, Currency::USD).to_string(), "-0.05 USD");
        assert_eq!(Money::new(1500, Currency::from_str("JPY").unwrap_or(Currency::EUR)).to_string(), "1500 JPY");
    }

    #[test]
    fn serializes_currency_as_its_code() -> Result<(), Box<dyn std::error::Error>> {
        let json = serde_json::to_string(&Money::new(2500, Currency::EUR))?;
        assert_eq!(json, r#"{"minor":2500,"currency":"EUR"}"#);
        assert!(serde_json::from_str::<Money>(r#"{"minor":1,"currency":"EURO"}"#).is_err());
        Ok(())
    }
}
