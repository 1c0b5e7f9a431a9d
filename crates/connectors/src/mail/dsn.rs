//! Delivery status notifications (RFC 3464): which of our messages bounced, and for which address.

use mail_parser::{Message, MessageParser, MimeHeaders, PartType};

/// What a bounce says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    /// Addresses whose delivery failed for good (`Action: failed`).
    pub failed_recipients: Vec<String>,
    /// The Message-ID of the message that bounced (without angle brackets), when the report quotes it.
    pub original_message_id: Option<String>,
    /// The status and diagnostic, for the operator ("5.1.1 — smtp; 550 5.1.1 user unknown").
    pub diagnostic: Option<String>,
}

impl DeliveryReport {
    /// The report inside `message`, if it is one (multipart/report with a delivery-status part).
    pub fn from_message(message: &Message<'_>) -> Option<Self> {
        let is_report = message.content_type().is_some_and(|ct| {
            ct.ctype().eq_ignore_ascii_case("multipart")
                && ct.subtype().is_some_and(|s| s.eq_ignore_ascii_case("report"))
        });
        if !is_report {
            return None;
        }
        let mut report = Self::default();
        for part in &message.parts {
            let Some(ct) = part.content_type() else { continue };
            let kind = format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or_default()).to_ascii_lowercase();
            match kind.as_str() {
                "message/delivery-status" | "message/global-delivery-status" => {
                    report.read_status(&String::from_utf8_lossy(part.contents()));
                }
                "text/rfc822-headers" | "message/rfc822-headers" => {
                    report.read_original_headers(&String::from_utf8_lossy(part.contents()));
                }
                "message/rfc822" | "message/global" => {
                    if let PartType::Message(original) = &part.body {
                        report.original_message_id = report
                            .original_message_id
                            .take()
                            .or_else(|| original.message_id().map(|id| id.trim_matches(['<', '>']).to_owned()));
                    } else {
                        report.read_original_headers(&String::from_utf8_lossy(part.contents()));
                    }
                }
                _ => {}
            }
        }
        Some(report)
    }

    /// Per-recipient fields of the delivery-status body.
    fn read_status(&mut self, text: &str) {
        let mut recipient: Option<String> = None;
        let mut action: Option<String> = None;
        let mut status: Option<String> = None;
        let mut diagnostic: Option<String> = None;
        // Blank lines separate the per-message block and each per-recipient block.
        for block in text.replace("\r\n", "\n").split("\n\n") {
            for line in block.lines() {
                let Some((name, value)) = line.split_once(':') else { continue };
                let value = value.trim();
                match name.trim().to_ascii_lowercase().as_str() {
                    "final-recipient" | "original-recipient"
                        if recipient.is_none() || name.trim().eq_ignore_ascii_case("final-recipient") =>
                    {
                        let address = value.split_once(';').map_or(value, |(_, address)| address).trim();
                        recipient = Some(address.trim_matches(['<', '>']).to_lowercase());
                    }
                    "action" => action = Some(value.to_ascii_lowercase()),
                    "status" => status = Some(value.to_owned()),
                    "diagnostic-code" => diagnostic = Some(value.to_owned()),
                    _ => {}
                }
            }
            if let (Some(address), Some(action)) = (recipient.take(), action.take())
                && action == "failed"
                && !self.failed_recipients.contains(&address)
            {
                self.failed_recipients.push(address);
                let detail = [status.take(), diagnostic.take()].into_iter().flatten().collect::<Vec<_>>().join(" — ");
                if !detail.is_empty() {
                    self.diagnostic.get_or_insert(detail);
                }
            }
        }
    }

    fn read_original_headers(&mut self, text: &str) {
        if self.original_message_id.is_some() {
            return;
        }
        let parsed = MessageParser::default().parse_headers(text.as_bytes());
        self.original_message_id =
            parsed.and_then(|headers| headers.message_id().map(|id| id.trim_matches(['<', '>']).to_owned()));
    }
}
