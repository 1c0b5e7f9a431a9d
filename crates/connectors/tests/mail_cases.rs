//! The field cases C18–C21 and C24 (copied from ../shared/cases into tests/fixtures/mail/cases),
//! parsed for real: the right subject, sender and text, attachments listed, bounces read, hostile
//! HTML made inert. Plus truncated and garbled input: parsing never fails and never goes blank.

use std::path::PathBuf;

use showdesk_connectors::mail::{ParseLimits, ParsedMail, RemoteContent, attachment_bytes, parse_mail, sanitize_html};
use showdesk_core::support::{AutomaticReason, automatic_reason};

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/mail/cases").join(name);
    std::fs::read(&path).unwrap_or_else(|err| panic!("fixture {}: {err}", path.display()))
}

fn parse(name: &str) -> ParsedMail {
    parse_mail(&fixture(name), None, ParseLimits::default())
}

#[test]
fn c18_encoded_words_split_mid_character() {
    let mail = parse("C18-split-encoded-word.eml");
    assert_eq!(mail.subject, "Zugangslink für das Konzert funktioniert nicht");
    assert_eq!(mail.from_name, "Jürgen Beispiel");
    assert_eq!(mail.from_address, "buyer1042@example.com");
    assert_eq!(mail.message_id.as_deref(), Some("c18-split-word@mail.example.com"));
    assert!(mail.text.contains("Bestellung #1042 bezahlt"), "{}", mail.text);
    assert!(mail.text.contains("Gruß"));
    assert_eq!(automatic_reason(&mail.signals), None);
}

#[test]
fn c19_latin1_label_on_windows_1252_text() {
    let mail = parse("C19-cp1252-labelled-latin1.eml");
    assert_eq!(mail.subject, "Ticket says expired");
    assert!(
        mail.text.contains("I paid €12 for Saturday’s stream but the page says “ticket expired”… what’s going on?"),
        "{:?}",
        mail.text
    );
    assert!(!mail.text.chars().any(|ch| ch.is_control() && ch != '\n' && ch != '\t'), "{:?}", mail.text);
}

#[test]
fn c20_html_only_mail_has_a_readable_body() {
    let mail = parse("C20-html-only.eml");
    assert_eq!(mail.subject, "Refund please");
    assert!(mail.text.contains("The stream on Friday froze after 10 minutes (order #1044)."), "{:?}", mail.text);
    assert!(mail.text.contains("Could I get a refund?"));
    assert!(mail.html.is_some());
    assert!(!mail.notes.is_empty(), "the desk says the text came from the HTML");
}

#[test]
fn c20_empty_text_part_falls_back_to_html() {
    let mail = parse("C20-empty-plain-part.eml");
    assert!(mail.text.contains("I typed my email wrong on order #1045"), "{:?}", mail.text);
}

#[test]
fn c20_body_only_in_winmail_dat() {
    let raw = fixture("C20-winmail-only.eml");
    let mail = parse_mail(&raw, None, ParseLimits::default());
    assert!(
        mail.text.contains("I bought a ticket (order #1043) but the player says 'not authorised'."),
        "{:?}",
        mail.text
    );
    let names: Vec<_> = mail.attachments.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["winmail.dat", "error-note.txt"]);
    assert_eq!(mail.attachments[0].content_type, "application/ms-tnef");
    assert_eq!(mail.attachments[1].inside.as_deref(), Some("winmail.dat"));
    // The winmail.dat offered is the same file as the case's C20-winmail.dat.
    assert_eq!(attachment_bytes(&raw, 0), Some(fixture("C20-winmail.dat")));
    assert_eq!(attachment_bytes(&raw, 1).as_deref(), Some(&b"Error 403: token not valid for this event\r\n"[..]));
    assert!(mail.notes.iter().any(|note| note.contains("TNEF")), "{:?}", mail.notes);
}

#[test]
fn c21_automatic_mail_is_recognised() {
    let ooo = parse("C21-out-of-office.eml");
    assert_eq!(automatic_reason(&ooo.signals), Some(AutomaticReason::AutoSubmitted));
    assert_eq!(ooo.in_reply_to, ["reply-1046-1@ppv.example.org"]);
    assert_eq!(ooo.references, ["req-1046@mail.example.com", "reply-1046-1@ppv.example.org"]);

    let ack = parse("C21-foreign-helpdesk-ack.eml");
    assert_eq!(automatic_reason(&ack.signals), Some(AutomaticReason::AutoreplyText));

    let bounce = parse("C21-bounce-dsn.eml");
    assert!(automatic_reason(&bounce.signals).is_some());
    let report = bounce.delivery_report.expect("a delivery report");
    assert_eq!(report.failed_recipients, ["typo-buyer@exmaple.com"]);
    assert_eq!(report.original_message_id.as_deref(), Some("reply-1048-1@ppv.example.org"));
    assert!(report.diagnostic.as_deref().is_some_and(|d| d.contains("5.1.1")), "{report:?}");
}

#[test]
fn c24_hostile_html_is_inert() {
    let mail = parse("C24-hostile-html.eml");
    // Subject and sender are plain text: kept verbatim, shown as text by the UI.
    assert_eq!(mail.subject, "<img src=x onerror=alert('subject')> refund for order #1052");
    assert_eq!(mail.from_name, "<svg onload=alert('from')>");
    assert!(mail.text.starts_with("Please refund order #1052."));
    let html = mail.html.as_deref().expect("an HTML part");
    for remote in [RemoteContent::Blocked, RemoteContent::Allowed] {
        let clean = sanitize_html(html, remote);
        let lower = clean.document.to_lowercase();
        for needle in [
            "<script",
            "onerror",
            "onload",
            "onbegin",
            "javascript:",
            "<iframe",
            "srcdoc",
            "<form",
            "<input",
            "<base",
            "http-equiv=\"refresh\"",
            "@import",
            "<svg",
            "__tauri",
            "invoke(",
            "<style",
        ] {
            if needle == "<style" {
                // Only our own paper style, in the head; the mail's styles are gone.
                assert_eq!(lower.matches(needle).count(), 1, "{needle} in {lower}");
                assert!(!clean.fragment.to_lowercase().contains(needle), "the mail's style survived");
                continue;
            }
            if needle == "http-equiv=\"refresh\"" {
                // Our own CSP meta sits in the head; the mail's own meta must be gone.
                assert_eq!(lower.matches(needle).count(), 0, "{needle} in {lower}");
                continue;
            }
            assert!(!lower.contains(needle), "{needle} survived ({remote:?}): {lower}");
        }
        assert!(clean.fragment.contains("Please refund order #1052."));
        assert!(clean.document.contains("Content-Security-Policy"));
    }
    let blocked = sanitize_html(html, RemoteContent::Blocked);
    assert!(!blocked.document.contains("attacker.invalid"), "{}", blocked.document);
    assert_eq!(blocked.blocked_remote_images, 1, "the tracking pixel waits for the operator");
    let allowed = sanitize_html(html, RemoteContent::Allowed);
    assert!(allowed.fragment.contains("http://attacker.invalid/pixel.gif"), "shown once the operator asks");
}

#[test]
fn mail_without_message_id_or_from_still_parses() {
    let mail = parse_mail(b"Subject: hi\r\n\r\nbody", None, ParseLimits::default());
    assert_eq!(mail.message_id, None);
    assert_eq!(mail.from_address, "");
    assert_eq!(mail.text, "body");
}

#[test]
fn oversized_mail_is_cut_with_a_note() {
    let mut raw = b"From: a@example.com\r\nSubject: big\r\nContent-Type: text/plain\r\n\r\n".to_vec();
    raw.extend(std::iter::repeat_n(b'x', 300_000));
    let mail = parse_mail(&raw, Some(20_000_000), ParseLimits { max_text_chars: 1_000, max_html_chars: 1_000 });
    assert!(mail.truncated);
    assert!(mail.text.chars().count() < 1_010);
    assert!(mail.notes.iter().any(|n| n.contains("19.1 MB")), "{:?}", mail.notes);
    assert!(mail.notes.iter().any(|n| n.contains("cut")), "{:?}", mail.notes);
}

#[test]
fn truncated_and_garbled_input_never_panics_or_goes_blank() {
    let mut inputs: Vec<Vec<u8>> = Vec::new();
    for name in [
        "C18-split-encoded-word.eml",
        "C19-cp1252-labelled-latin1.eml",
        "C20-winmail-only.eml",
        "C21-bounce-dsn.eml",
        "C24-hostile-html.eml",
    ] {
        let raw = fixture(name);
        for cut in (0..raw.len()).step_by(17) {
            inputs.push(raw[..cut].to_vec());
        }
        // Flip bytes at a stride: garbled transfer encodings, broken boundaries.
        let mut garbled = raw.clone();
        for (index, byte) in garbled.iter_mut().enumerate() {
            if index % 7 == 3 {
                *byte = byte.wrapping_mul(31).wrapping_add(0x80);
            }
        }
        inputs.push(garbled);
    }
    inputs.push(vec![0xff; 1_000]);
    inputs.push(b"Content-Type: multipart/mixed; boundary=\"x\"\r\n\r\n--x\r\nContent-Type: application/ms-tnef\r\n\r\n\x78\x9f\x3e\x22".to_vec());
    for raw in inputs {
        let mail = parse_mail(&raw, None, ParseLimits::default());
        assert!(
            !mail.text.trim().is_empty()
                || !mail.notes.is_empty()
                || raw.iter().all(|b| b.is_ascii_whitespace())
                || mail.subject.is_empty(),
            "silent blank for {:?}",
            String::from_utf8_lossy(&raw)
        );
        let _ = sanitize_html(mail.html.as_deref().unwrap_or_default(), RemoteContent::Blocked);
    }
}
