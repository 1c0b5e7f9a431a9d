//! Building outgoing mail: our own Message-ID (the key of the outbox's crash recovery), threading
//! headers so the buyer's client keeps the conversation together, and the RFC 3834 marks on
//! anything automatic.

use std::sync::atomic::{AtomicU64, Ordering};

use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, Message};

use crate::ConnectorError;

/// One mail to build.
#[derive(Debug, Clone)]
pub struct OutgoingMail {
    pub from_name: String,
    pub from_address: String,
    pub to_name: Option<String>,
    pub to_address: String,
    pub subject: String,
    pub text: String,
    /// Without angle brackets (see [`new_message_id`]).
    pub message_id: String,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    /// Sent by a rule, not typed by a person: marked `Auto-Submitted: auto-generated`.
    pub automatic: bool,
}

/// `Auto-Submitted` (RFC 3834): tells the buyer's mail software not to answer automatically.
#[derive(Debug, Clone)]
struct AutoSubmitted(String);

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }
    fn parse(text: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(text.to_owned()))
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// `X-Auto-Response-Suppress: All`: Exchange's own switch for the same thing.
#[derive(Debug, Clone)]
struct AutoResponseSuppress;

impl Header for AutoResponseSuppress {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("X-Auto-Response-Suppress")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "All".into())
    }
}

/// The bytes to send (and to store in the outbox, so a retry sends exactly the same message).
pub fn compose(mail: &OutgoingMail) -> Result<Vec<u8>, ConnectorError> {
    let from = mailbox(Some(&mail.from_name), &mail.from_address)?;
    let to = mailbox(mail.to_name.as_deref(), &mail.to_address)?;
    let mut builder = Message::builder()
        .from(from)
        .to(to)
        .subject(mail.subject.replace(['\r', '\n'], " "))
        .message_id(Some(format!("<{}>", mail.message_id)))
        .date_now();
    if let Some(parent) = &mail.in_reply_to {
        builder = builder.in_reply_to(format!("<{parent}>"));
    }
    if !mail.references.is_empty() {
        let references = mail.references.iter().map(|id| format!("<{id}>")).collect::<Vec<_>>().join(" ");
        builder = builder.references(references);
    }
    if mail.automatic {
        builder = builder.header(AutoSubmitted("auto-generated".into())).header(AutoResponseSuppress);
    }
    let message = builder
        .header(ContentType::TEXT_PLAIN)
        .body(mail.text.clone())
        .map_err(|err| ConnectorError::Compose(err.to_string()))?;
    Ok(message.formatted())
}

fn mailbox(name: Option<&str>, address: &str) -> Result<Mailbox, ConnectorError> {
    let address = address
        .trim()
        .parse()
        .map_err(|err| ConnectorError::Compose(format!("{address:?} is not a mail address: {err}")))?;
    let name = name.map(|n| n.replace(['\r', '\n', '"'], " ").trim().to_owned()).filter(|n| !n.is_empty());
    Ok(Mailbox::new(name, address))
}

/// A fresh, globally unique Message-ID (without angle brackets) in our own domain.
pub fn new_message_id(domain: &str) -> String {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u128(now);
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.write_u32(std::process::id());
    let domain = domain.trim().trim_start_matches('@');
    let domain = if domain.is_empty() { "showdesk.invalid" } else { domain };
    format!("sd.{:x}.{:016x}@{domain}", now / 1_000_000, hasher.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply() -> OutgoingMail {
        OutgoingMail {
            from_name: "PPV Support".into(),
            from_address: "support@ppv.example.org".into(),
            to_name: Some("Jürgen \"JB\" Beispiel".into()),
            to_address: "buyer1042@example.com".into(),
            subject: "Re: [SD-7] Zugangslink für das Konzert\r\nBcc: evil@example.net".into(),
            text: "Hello,\nhere is your link.".into(),
            message_id: new_message_id("ppv.example.org"),
            in_reply_to: Some("c18-split-word@mail.example.com".into()),
            references: vec!["a@x".into(), "c18-split-word@mail.example.com".into()],
            automatic: false,
        }
    }

    #[test]
    fn replies_carry_threading_headers_and_no_injected_header() -> Result<(), ConnectorError> {
        let mail = reply();
        let raw = String::from_utf8_lossy(&compose(&mail)?).into_owned();
        assert!(raw.contains(&format!("Message-ID: <{}>", mail.message_id)), "{raw}");
        assert!(raw.contains("In-Reply-To: <c18-split-word@mail.example.com>"));
        assert!(raw.contains("References: <a@x> <c18-split-word@mail.example.com>"));
        assert!(!raw.contains("Auto-Submitted"));
        assert!(!raw.contains("\r\nBcc:"), "{raw}");
        Ok(())
    }

    #[test]
    fn automatic_mail_says_so() -> Result<(), ConnectorError> {
        let raw = String::from_utf8_lossy(&compose(&OutgoingMail { automatic: true, ..reply() })?).into_owned();
        assert!(raw.contains("Auto-Submitted: auto-generated"));
        assert!(raw.contains("X-Auto-Response-Suppress: All"));
        Ok(())
    }

    #[test]
    fn ids_are_unique_and_bad_addresses_are_refused() {
        assert_ne!(new_message_id("a.org"), new_message_id("a.org"));
        assert!(new_message_id("").ends_with("@showdesk.invalid"));
        let err = compose(&OutgoingMail { to_address: "not an address".into(), ..reply() });
        assert!(matches!(err, Err(ConnectorError::Compose(_))));
    }
}
