//! MIME parsing with mail-parser, plus what a support desk needs on top: a readable body every time
//! (HTML-only mail, an empty text part, a body hidden in winmail.dat), text labelled ISO-8859-1
//! that is really windows-1252, attachments listed, oversized mail truncated with a note.

use std::borrow::Cow;

use mail_parser::{HeaderValue, MessageParser, MimeHeaders, PartType};
use showdesk_core::support::MailSignals;

use super::dsn::DeliveryReport;
use super::tnef;

/// How much of a mail is kept.
#[derive(Debug, Clone, Copy)]
pub struct ParseLimits {
    /// Characters of body text kept; the rest is cut with a note.
    pub max_text_chars: usize,
    /// Characters of HTML kept (a cut HTML is still sanitized, so it stays safe).
    pub max_html_chars: usize,
}

impl Default for ParseLimits {
    fn default() -> Self {
        Self { max_text_chars: 100_000, max_html_chars: 400_000 }
    }
}

/// One attachment, listed (its bytes stay in the raw message; see [`attachment_bytes`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub name: String,
    pub content_type: String,
    pub size: usize,
    /// Where it came from when not a plain MIME part, e.g. "winmail.dat".
    pub inside: Option<String>,
}

/// What the desk keeps of one mail.
#[derive(Debug, Clone, Default)]
pub struct ParsedMail {
    /// Without angle brackets; `None` when the mail has none (handled like any other).
    pub message_id: Option<String>,
    pub in_reply_to: Vec<String>,
    pub references: Vec<String>,
    pub from_name: String,
    /// Lower-cased; empty when the From header is missing or unreadable.
    pub from_address: String,
    pub reply_to: Option<String>,
    pub to: Vec<String>,
    /// Plain text, control characters removed. Shown as text, never as HTML.
    pub subject: String,
    pub date_ms: Option<i64>,
    /// The readable body (never silently blank: see `notes`).
    pub text: String,
    /// The HTML body as received (unsafe: sanitize before showing).
    pub html: Option<String>,
    pub attachments: Vec<Attachment>,
    /// What the desk had to do to read it ("body taken from the HTML part", "truncated", …).
    pub notes: Vec<String>,
    pub truncated: bool,
    pub signals: MailSignals,
    pub delivery_report: Option<DeliveryReport>,
}

/// Parses `raw`. Never fails; `declared_size` is the size the server reported when it is larger
/// than what was fetched (a mail cut at fetch time).
pub fn parse_mail(raw: &[u8], declared_size: Option<usize>, limits: ParseLimits) -> ParsedMail {
    let mut mail = ParsedMail::default();
    if let Some(size) = declared_size.filter(|&size| size > raw.len()) {
        mail.truncated = true;
        mail.notes.push(format!(
            "This mail is {}; only its first {} were imported.",
            human_size(size),
            human_size(raw.len())
        ));
    }
    let raw = super::encoded_words::merge_adjacent_encoded_words(raw);
    let raw = raw.as_ref();
    let Some(message) = MessageParser::default().parse(raw) else {
        let text = String::from_utf8_lossy(raw);
        mail.text = clean_text(&text);
        mail.notes.push("The mail could not be read as MIME; its raw text is shown.".into());
        cap(&mut mail.text, limits.max_text_chars, &mut mail.notes, &mut mail.truncated);
        return mail;
    };

    mail.message_id = message.message_id().map(strip_angles).filter(|id| !id.is_empty());
    mail.in_reply_to = ids(message.in_reply_to());
    mail.references = ids(message.references());
    if let Some(from) = message.from().and_then(|address| address.first()) {
        mail.from_name = from.name.as_deref().map(clean_line).unwrap_or_default();
        mail.from_address = from.address.as_deref().map(|a| a.trim().to_lowercase()).unwrap_or_default();
    }
    mail.reply_to = message
        .reply_to()
        .and_then(|address| address.first())
        .and_then(|addr| addr.address.as_deref())
        .map(|a| a.trim().to_lowercase());
    mail.to = message
        .to()
        .map(|address| address.iter().filter_map(|addr| addr.address.as_deref().map(str::to_lowercase)).collect())
        .unwrap_or_default();
    mail.subject = message.subject().map(clean_line).unwrap_or_default();
    mail.date_ms = message.date().map(|date| date.to_timestamp().saturating_mul(1000));

    let texts: Vec<String> = message
        .text_bodies()
        .filter_map(|part| match &part.body {
            PartType::Text(text) => Some(clean_text(text)),
            _ => None,
        })
        .filter(|text| !text.trim().is_empty())
        .collect();
    let htmls: Vec<String> = message
        .html_bodies()
        .filter_map(|part| match &part.body {
            PartType::Html(html) => Some(fix_mislabelled_latin1(html).into_owned()),
            _ => None,
        })
        .collect();
    mail.text = texts.join("\n\n");
    if !htmls.is_empty() {
        let mut html = htmls.join("\n<hr>\n");
        let mut ignored = false;
        cap(&mut html, limits.max_html_chars, &mut Vec::new(), &mut ignored);
        mail.html = Some(html);
    }
    if mail.text.trim().is_empty()
        && let Some(html) = &mail.html
    {
        let text = clean_text(&mail_parser::decoders::html::html_to_text(html));
        if !text.trim().is_empty() {
            mail.text = text;
            mail.notes.push("The mail has no plain-text body; the text was taken from its HTML.".into());
        }
    }

    for part in message.attachments() {
        let content_type = part
            .content_type()
            .map(|ct| format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or("octet-stream")).to_lowercase())
            .unwrap_or_else(|| "application/octet-stream".into());
        let name = part.attachment_name().map(clean_line).unwrap_or_else(|| fallback_name(&content_type));
        let is_tnef = content_type == "application/ms-tnef" || name.eq_ignore_ascii_case("winmail.dat");
        mail.attachments.push(Attachment { name: name.clone(), content_type, size: part.len(), inside: None });
        if is_tnef {
            read_tnef(part.contents(), &name, &mut mail);
        }
    }

    if mail.text.trim().is_empty() {
        let why = if mail.attachments.is_empty() {
            "This mail has no text."
        } else {
            "This mail has no readable text; see its attachments."
        };
        mail.notes.push(why.into());
    }
    cap(&mut mail.text, limits.max_text_chars, &mut mail.notes, &mut mail.truncated);

    mail.signals = signals(&message, &mail);
    mail.delivery_report = DeliveryReport::from_message(&message);
    mail
}

fn read_tnef(data: &[u8], name: &str, mail: &mut ParsedMail) {
    let Some(content) = tnef::read(data) else {
        mail.notes
            .push(format!("{name} is an Outlook (TNEF) file that could not be read; it is offered as an attachment."));
        return;
    };
    let mut extracted = Vec::new();
    if let Some(body) = content.body.as_deref().map(clean_text).filter(|text| !text.trim().is_empty())
        && mail.text.trim().is_empty()
    {
        mail.text = body;
        extracted.push("the text".to_owned());
    }
    for inner in content.attachments {
        extracted.push(inner.name.clone());
        mail.attachments.push(Attachment {
            name: inner.name,
            content_type: "application/octet-stream".into(),
            size: inner.data.len(),
            inside: Some(name.to_owned()),
        });
    }
    let what = if extracted.is_empty() { "nothing readable".to_owned() } else { extracted.join(", ") };
    mail.notes.push(format!("Outlook sent this mail as {name} (TNEF); extracted: {what}."));
}

/// The bytes of attachment `index` as listed by [`parse_mail`] (TNEF contents included).
pub fn attachment_bytes(raw: &[u8], index: usize) -> Option<Vec<u8>> {
    let message = MessageParser::default().parse(raw)?;
    let mut listed: Vec<Vec<u8>> = Vec::new();
    for part in message.attachments() {
        listed.push(part.contents().to_vec());
        let is_tnef = part.content_type().is_some_and(|ct| {
            ct.ctype().eq_ignore_ascii_case("application")
                && ct.subtype().is_some_and(|s| s.eq_ignore_ascii_case("ms-tnef"))
        }) || part.attachment_name().is_some_and(|n| n.eq_ignore_ascii_case("winmail.dat"));
        if is_tnef && let Some(content) = tnef::read(part.contents()) {
            listed.extend(content.attachments.into_iter().map(|inner| inner.data));
        }
    }
    listed.into_iter().nth(index)
}

fn signals(message: &mail_parser::Message<'_>, mail: &ParsedMail) -> MailSignals {
    let raw_header = |name: &str| message.header_raw(name).map(|value| value.trim().to_owned());
    let return_path = raw_header("Return-Path");
    let content_type = message
        .content_type()
        .map(|ct| format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or_default()).to_lowercase())
        .unwrap_or_else(|| "text/plain".into());
    MailSignals {
        auto_submitted: raw_header("Auto-Submitted"),
        precedence: raw_header("Precedence"),
        null_return_path: return_path
            .is_some_and(|path| path.trim_matches(|c: char| c == '<' || c == '>' || c.is_whitespace()).is_empty()),
        content_type,
        autoreply_header: [
            "X-Autoreply",
            "X-Autorespond",
            "X-Auto-Response-Suppress",
            "X-Autogenerated",
            "X-AutoReply-From",
        ]
        .iter()
        .any(|name| message.header_raw(*name).is_some()),
        list_header: message.header_raw("List-Id").is_some() || message.header_raw("List-Unsubscribe").is_some(),
        from_address: mail.from_address.clone(),
        subject: mail.subject.clone(),
        body_start: mail.text.chars().take(1_000).collect(),
    }
}

fn ids(value: &HeaderValue<'_>) -> Vec<String> {
    let mut out: Vec<String> = match value {
        HeaderValue::Text(text) => text.split_whitespace().map(strip_angles).collect(),
        HeaderValue::TextList(list) => list.iter().flat_map(|text| text.split_whitespace()).map(strip_angles).collect(),
        _ => Vec::new(),
    };
    out.retain(|id| !id.is_empty());
    out
}

fn strip_angles(id: &str) -> String {
    id.trim().trim_start_matches('<').trim_end_matches('>').trim().to_owned()
}

/// One line of header text, safe to show as text: control characters and line breaks removed.
fn clean_line(text: &str) -> String {
    let fixed = fix_mislabelled_latin1(text);
    let line: String = fixed.chars().map(|ch| if ch.is_control() { ' ' } else { ch }).collect();
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Body text: C1 controls fixed (see below), other control characters but newlines and tabs
/// removed, line ends normalised.
fn clean_text(text: &str) -> String {
    let fixed = fix_mislabelled_latin1(text);
    fixed.replace("\r\n", "\n").chars().filter(|&ch| !ch.is_control() || ch == '\n' || ch == '\t').collect()
}

/// Mail labelled ISO-8859-1 is very often windows-1252 (Outlook, C19): the bytes 0x80–0x9F are
/// then €, curly quotes, dashes and the ellipsis, while ISO-8859-1 makes them invisible C1 control
/// characters. Real text never contains C1 controls, so any that survive decoding are mapped as
/// windows-1252.
fn fix_mislabelled_latin1(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|ch| ('\u{80}'..='\u{9f}').contains(&ch)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        if ('\u{80}'..='\u{9f}').contains(&ch) {
            let byte = [ch as u32 as u8];
            let (decoded, _, _) = encoding_rs::WINDOWS_1252.decode(&byte);
            out.push_str(&decoded);
        } else {
            out.push(ch);
        }
    }
    Cow::Owned(out)
}

fn cap(text: &mut String, max_chars: usize, notes: &mut Vec<String>, truncated: &mut bool) {
    if let Some((cut, _)) = text.char_indices().nth(max_chars) {
        let total = text.chars().count();
        text.truncate(cut);
        text.push_str("\n[…]");
        *truncated = true;
        notes.push(format!("The text was cut: {max_chars} of its {total} characters are shown."));
    }
}

fn fallback_name(content_type: &str) -> String {
    format!("attachment ({content_type})")
}

fn human_size(bytes: usize) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MB", bytes as f64 / f64::from(1 << 20))
    } else if bytes >= 1 << 10 {
        format!("{:.0} KB", bytes as f64 / 1024.0)
    } else {
        format!("{bytes} bytes")
    }
}
