//! The report's tables as CSV (orders, refunds, support tickets) for a spreadsheet or an
//! accountant: RFC 4180 (quoted when a field holds a comma, a quote or a line break; CRLF lines),
//! UTF-8 with a byte-order mark so spreadsheet programs read accents right, money as both a decimal
//! amount and integer minor units, times in ISO 8601 UTC.
//!
//! Text that came from outside — a buyer's name, a mail's subject — is neutralised against formula
//! injection: a spreadsheet runs a cell that starts with `=`, `+`, `-`, `@` (or a tab or carriage
//! return before one), so such text gets a leading apostrophe and shows as the text it is.

use showdesk_core::{Currency, Money};

use super::facts::ShowReport;
use super::text::Words;

/// One field.
enum Cell {
    /// Text from outside: neutralised.
    Text(String),
    /// A number, a code or a time that we wrote ourselves: as is.
    Plain(String),
}

fn text(value: impl Into<String>) -> Cell {
    Cell::Text(value.into())
}

fn plain(value: impl ToString) -> Cell {
    Cell::Plain(value.to_string())
}

fn opt_time(ms: Option<i64>) -> Cell {
    plain(ms.map(Words::iso_utc).unwrap_or_default())
}

/// A spreadsheet would run this text as a formula.
fn neutralised(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{value}") } else { value.to_owned() }
}

/// One field, quoted when it must be.
pub fn field(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) || value.starts_with(' ') || value.ends_with(' ') {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

fn write(header: &[&str], rows: Vec<Vec<Cell>>) -> String {
    let mut out = String::from("\u{feff}");
    out.push_str(&header.iter().map(|h| field(h)).collect::<Vec<_>>().join(","));
    out.push_str("\r\n");
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .map(|cell| match cell {
                Cell::Text(value) => field(&neutralised(value)),
                Cell::Plain(value) => field(value),
            })
            .collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

/// `25.00`: a decimal amount with a point, whatever the language (machines read these files).
fn decimal(minor: i64, currency: Currency) -> String {
    let shown = Money::new(minor, currency).to_string();
    shown.rsplit_once(' ').map_or(shown.clone(), |(amount, _)| amount.to_owned())
}

pub const ORDER_COLUMNS: [&str; 15] = [
    "order_id",
    "purchased_at",
    "buyer_email",
    "buyer_name",
    "status",
    "currency",
    "amount",
    "amount_minor",
    "refunded",
    "refunded_minor",
    "discount_minor",
    "promotion_code_id",
    "ticket_issued_at",
    "payment_intent",
    "checkout_session",
];

pub fn orders(r: &ShowReport) -> String {
    let rows = r
        .orders
        .iter()
        .map(|o| {
            let currency = o.currency.unwrap_or(r.currency);
            let amount = o.facts.amount_minor;
            vec![
                text(&o.id),
                plain(Words::iso_utc(o.purchased_ms)),
                text(o.buyer.email.clone().unwrap_or_default()),
                text(o.buyer.name.clone().unwrap_or_default()),
                plain(o.status.as_str()),
                plain(currency),
                plain(amount.map(|m| decimal(m, currency)).unwrap_or_default()),
                plain(amount.map(|m| m.to_string()).unwrap_or_default()),
                plain(decimal(o.facts.refunded_minor, currency)),
                plain(o.facts.refunded_minor),
                plain(o.discount_minor),
                text(o.promotion_code_id.clone().unwrap_or_default()),
                opt_time(o.ticket_issued_ms),
                text(o.refs.payment_intent.clone().unwrap_or_default()),
                text(o.refs.checkout_session.clone().unwrap_or_default()),
            ]
        })
        .collect();
    write(&ORDER_COLUMNS, rows)
}

pub const REFUND_COLUMNS: [&str; 13] = [
    "refund_id",
    "order_id",
    "buyer_email",
    "requested_at",
    "settled_at",
    "status",
    "reason",
    "currency",
    "amount",
    "amount_minor",
    "processor_refund_id",
    "error_code",
    "requested_by",
];

pub fn refunds(r: &ShowReport) -> String {
    let rows = r
        .refund_records
        .iter()
        .map(|f| {
            vec![
                plain(f.id),
                text(&f.order_id),
                text(r.buyer_of(&f.order_id).unwrap_or_default()),
                plain(Words::iso_utc(f.requested_ms)),
                opt_time(f.settled_ms),
                plain(f.status.as_str()),
                plain(f.reason.as_str()),
                plain(f.amount.currency),
                plain(decimal(f.amount.minor, f.amount.currency)),
                plain(f.amount.minor),
                text(f.processor_refund_id.clone().unwrap_or_default()),
                text(f.error_code.clone().unwrap_or_default()),
                text(&f.requested_by),
            ]
        })
        .collect();
    write(&REFUND_COLUMNS, rows)
}

pub const TICKET_COLUMNS: [&str; 15] = [
    "ticket",
    "created_at",
    "category",
    "status",
    "language",
    "requester_email",
    "requester_name",
    "buyer_email",
    "subject",
    "linked_orders",
    "messages",
    "first_response_at",
    "first_response_s",
    "resolved_at",
    "resolution_s",
];

pub fn tickets(r: &ShowReport, ticket_prefix: &str) -> String {
    let seconds =
        |from: i64, to: Option<i64>| plain(to.map(|to| ((to - from).max(0) / 1000).to_string()).unwrap_or_default());
    let rows = r
        .tickets
        .iter()
        .map(|t| {
            vec![
                plain(format!("{ticket_prefix}-{}", t.id)),
                plain(Words::iso_utc(t.created_at_ms)),
                plain(t.category.as_str()),
                plain(t.status.as_str()),
                plain(t.language.as_str()),
                text(&t.requester_email),
                text(&t.requester_name),
                text(t.buyer_email.clone().unwrap_or_default()),
                text(&t.subject),
                text(t.linked_orders.join(" ")),
                plain(t.message_count),
                opt_time(t.first_response_at_ms),
                seconds(t.created_at_ms, t.first_response_at_ms),
                opt_time(t.resolved_at_ms),
                seconds(t.created_at_ms, t.resolved_at_ms),
            ]
        })
        .collect();
    write(&TICKET_COLUMNS, rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_with_commas_quotes_and_line_breaks_are_quoted() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("Dupont, Camille"), "\"Dupont, Camille\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
        assert_eq!(field("cr\rhere"), "\"cr\rhere\"");
        assert_eq!(field(" padded"), "\" padded\"");
    }

    #[test]
    fn formulas_from_outside_are_neutralised_but_our_numbers_are_not() {
        for formula in ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"] {
            assert!(neutralised(formula).starts_with('\''), "{formula:?}");
        }
        assert_eq!(neutralised("Camille"), "Camille");
        let csv = write(&["name", "amount"], vec![vec![text("=1+2,3"), plain("-5")]]);
        assert_eq!(csv, "\u{feff}name,amount\r\n\"'=1+2,3\",-5\r\n");
    }

    #[test]
    fn amounts_are_decimal_with_a_point() {
        assert_eq!(decimal(2500, Currency::EUR), "25.00");
        assert_eq!(decimal(1500, "JPY".parse().unwrap_or(Currency::EUR)), "1500");
    }
}
