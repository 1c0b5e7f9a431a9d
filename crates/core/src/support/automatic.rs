//! Is this mail itself automatic? Then nothing automatic answers it (RFC 3834 §2, and C21 in the
//! field cases): out-of-office replies, another helpdesk's acknowledgement, delivery reports and
//! list mail. Answering them starts mail loops and annoys people during the surge.

use serde::Serialize;

use super::fold;

/// What the parsed mail says about itself, in plain values (the connector fills this in).
#[derive(Debug, Clone, Default)]
pub struct MailSignals {
    pub auto_submitted: Option<String>,
    pub precedence: Option<String>,
    /// `Return-Path: <>`: the null sender of bounces and other reports.
    pub null_return_path: bool,
    /// Top-level content type, e.g. "multipart/report".
    pub content_type: String,
    /// X-Autoreply, X-Autorespond, X-Auto-Response-Suppress and kin are present.
    pub autoreply_header: bool,
    /// List-Id or List-Unsubscribe are present.
    pub list_header: bool,
    pub from_address: String,
    pub subject: String,
    /// The first lines of the body text.
    pub body_start: String,
}

/// Why a mail was judged automatic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AutomaticReason {
    AutoSubmitted,
    BulkPrecedence,
    NullReturnPath,
    DeliveryReport,
    AutoreplyHeader,
    MailingList,
    DaemonSender,
    AutoreplyText,
}

impl AutomaticReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AutoSubmitted => "auto_submitted",
            Self::BulkPrecedence => "bulk_precedence",
            Self::NullReturnPath => "null_return_path",
            Self::DeliveryReport => "delivery_report",
            Self::AutoreplyHeader => "autoreply_header",
            Self::MailingList => "mailing_list",
            Self::DaemonSender => "daemon_sender",
            Self::AutoreplyText => "autoreply_text",
        }
    }
}

const DAEMON_LOCAL_PARTS: [&str; 6] =
    ["mailer-daemon", "postmaster", "noreply", "no-reply", "do-not-reply", "donotreply"];

/// Subject openings of automatic replies, folded (lower case, no accents), EN and FR plus the
/// usual German and Spanish ones, which show up in any international audience.
const AUTOREPLY_SUBJECTS: [&str; 14] = [
    "automatic reply",
    "auto-reply",
    "autoreply",
    "auto reply",
    "out of office",
    "out of the office",
    "reponse automatique",
    "absence du bureau",
    "absent du bureau",
    "abwesenheitsnotiz",
    "automatische antwort",
    "respuesta automatica",
    "undeliverable",
    "delivery status notification",
];

/// Phrases of helpdesk acknowledgements ("we received your request #55231"): these carry none of
/// the headers above, so their wording is the only sign (C21-foreign-helpdesk-ack).
const ACK_PHRASES: [&str; 8] = [
    "request received",
    "your request #",
    "ticket received",
    "has been received and",
    "an agent will respond",
    "we have received your request",
    "nous avons bien recu votre demande",
    "votre demande a bien ete recue",
];

/// The first reason this mail is automatic, if any.
pub fn automatic_reason(signals: &MailSignals) -> Option<AutomaticReason> {
    if signals.auto_submitted.as_deref().is_some_and(|value| !value.trim().eq_ignore_ascii_case("no")) {
        return Some(AutomaticReason::AutoSubmitted);
    }
    if signals.content_type.eq_ignore_ascii_case("multipart/report") {
        return Some(AutomaticReason::DeliveryReport);
    }
    if signals.null_return_path {
        return Some(AutomaticReason::NullReturnPath);
    }
    if let Some(precedence) = &signals.precedence {
        let precedence = precedence.trim().to_ascii_lowercase();
        if ["bulk", "junk", "list", "auto_reply"].contains(&precedence.as_str()) {
            return Some(AutomaticReason::BulkPrecedence);
        }
    }
    if signals.autoreply_header {
        return Some(AutomaticReason::AutoreplyHeader);
    }
    if signals.list_header {
        return Some(AutomaticReason::MailingList);
    }
    let local = signals.from_address.split('@').next().unwrap_or_default().to_ascii_lowercase();
    if DAEMON_LOCAL_PARTS.contains(&local.as_str()) {
        return Some(AutomaticReason::DaemonSender);
    }
    let subject = fold(&signals.subject);
    let subject = strip_reply_prefixes(&subject);
    if AUTOREPLY_SUBJECTS.iter().any(|opening| subject.starts_with(opening)) {
        return Some(AutomaticReason::AutoreplyText);
    }
    let body = fold(&signals.body_start);
    if ACK_PHRASES.iter().any(|phrase| subject.contains(phrase))
        || ACK_PHRASES.iter().filter(|phrase| body.contains(*phrase)).count() >= 2
    {
        return Some(AutomaticReason::AutoreplyText);
    }
    None
}

/// "re: fwd: aw: x" → "x" (already folded).
pub fn strip_reply_prefixes(subject: &str) -> &str {
    let mut rest = subject.trim_start();
    loop {
        let lower = rest.to_ascii_lowercase();
        let Some(prefix) = ["re:", "aw:", "fw:", "fwd:", "tr:", "réf:", "ref:", "sv:", "antw:", "wg:"]
            .iter()
            .find(|prefix| lower.starts_with(**prefix))
        else {
            return rest;
        };
        rest = rest[prefix.len()..].trim_start();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(subject: &str, body: &str) -> MailSignals {
        MailSignals {
            content_type: "text/plain".into(),
            from_address: "buyer@example.com".into(),
            subject: subject.into(),
            body_start: body.into(),
            ..MailSignals::default()
        }
    }

    #[test]
    fn people_are_not_automatic() {
        for (subject, body) in [
            ("Re: [SD-12] can't watch", "I received your answer but the link still fails"),
            ("Remboursement svp", "Bonjour, je voudrais être remboursé"),
            ("Auto insurance? no, ticket question", "When does the show start?"),
        ] {
            assert_eq!(automatic_reason(&person(subject, body)), None, "{subject}");
        }
        let mut explicit_no = person("hello", "hi");
        explicit_no.auto_submitted = Some("no".into());
        assert_eq!(automatic_reason(&explicit_no), None);
    }

    #[test]
    fn headers_say_automatic() {
        let mut ooo = person("Automatic reply: Re: [PPV-1046]", "I am away");
        ooo.auto_submitted = Some("auto-replied".into());
        assert_eq!(automatic_reason(&ooo), Some(AutomaticReason::AutoSubmitted));
        let mut bulk = person("News", "");
        bulk.precedence = Some(" Bulk".into());
        assert_eq!(automatic_reason(&bulk), Some(AutomaticReason::BulkPrecedence));
        let mut dsn = person("Undelivered Mail", "");
        dsn.content_type = "multipart/report".into();
        assert_eq!(automatic_reason(&dsn), Some(AutomaticReason::DeliveryReport));
    }

    #[test]
    fn wording_betrays_autoreplies_without_headers() {
        let ack = person(
            "Request received - #55231 - Re: [PPV-1047] Invoice",
            "Thank you for contacting us. Your request #55231 has been received and an agent will respond shortly.",
        );
        assert_eq!(automatic_reason(&ack), Some(AutomaticReason::AutoreplyText));
        let fr = person("RE: Réponse automatique : absent", "");
        assert_eq!(automatic_reason(&fr), Some(AutomaticReason::AutoreplyText));
        let daemon = MailSignals { from_address: "MAILER-DAEMON@mx.example.net".into(), ..person("x", "") };
        assert_eq!(automatic_reason(&daemon), Some(AutomaticReason::DaemonSender));
    }
}
