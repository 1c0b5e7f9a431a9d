//! Every mail of the field cases (C18–C21, C24), delivered to a real dovecot and imported by the
//! desk: the right subject, sender, text and category; no automatic answer to automatic mail; the
//! bounce recorded on our message; hostile HTML inert. Acknowledgements go out through the SMTP sink.

mod common;

use showdesk_connectors::mail::ImapClient;
use showdesk_control::support::outbox::RunUntil;
use showdesk_control::support::queries::TicketQuery;
use showdesk_control::support::views::{TicketCategory, TicketListItem};
use showdesk_core::support::OutboxState;
use showdesk_store::NewOutboxMail;
use showdesk_testkit::{Dovecot, SmtpSink};
use tokio::sync::watch;

type TestResult = Result<(), Box<dyn std::error::Error>>;

const CASES: [&str; 9] = [
    "C18-split-encoded-word.eml",
    "C19-cp1252-labelled-latin1.eml",
    "C20-empty-plain-part.eml",
    "C20-html-only.eml",
    "C20-winmail-only.eml",
    "C21-bounce-dsn.eml",
    "C21-foreign-helpdesk-ack.eml",
    "C21-out-of-office.eml",
    "C24-hostile-html.eml",
];

fn by_requester<'a>(tickets: &'a [TicketListItem], email: &str) -> &'a TicketListItem {
    tickets
        .iter()
        .find(|t| t.requester_email == email)
        .unwrap_or_else(|| panic!("no ticket from {email}: {tickets:#?}"))
}

#[tokio::test]
async fn the_field_cases_on_sqlite() -> TestResult {
    let dir = tempfile::tempdir()?;
    field_cases(showdesk_store::open_sqlite(&dir.path().join("showdesk.db")).await?).await
}

/// The same on PostgreSQL (crew mode): the desk's whole path through the portable SQL.
#[tokio::test]
async fn the_field_cases_on_postgres() -> TestResult {
    let pg = showdesk_testkit::Postgres::start()?;
    field_cases(showdesk_store::connect_postgres(&pg.url("postgres")).await?).await
}

async fn field_cases(store: std::sync::Arc<dyn showdesk_store::Store>) -> TestResult {
    let dovecot = Dovecot::start()?;
    let sink = SmtpSink::start()?;
    let desk = showdesk_control::support::SupportDesk::new(std::sync::Arc::clone(&store));
    desk.configure(common::settings(&dovecot, &sink));
    let (_stop, shutdown) = watch::channel(false);

    // Our earlier reply, the one C21's bounce reports.
    store
        .enqueue_mail(NewOutboxMail {
            message_id: "reply-1048-1@ppv.example.org".into(),
            idempotency_key: None,
            ticket_id: None,
            kind: "reply".into(),
            automatic: false,
            from_address: "support@ppv.example.org".into(),
            recipient: "typo-buyer@exmaple.com".into(),
            subject: "Re: [PPV-1048] Your ticket".into(),
            raw: b"Message-ID: <reply-1048-1@ppv.example.org>\r\nSubject: Re: [PPV-1048] Your ticket\r\n\r\nHello\r\n"
                .to_vec(),
            not_before_ms: 0,
        })
        .await?;
    desk.run_outbox(shutdown.clone(), RunUntil::QueueEmpty).await?;
    assert_eq!(sink.messages()?.len(), 1);

    for case in CASES {
        dovecot.deliver(&common::fixture(case))?;
    }
    let report = desk.sync_mailbox().await?;
    assert_eq!((report.fetched, report.recorded, report.bounces), (9, 9, 1), "{report:?}");
    assert_eq!(report.acknowledged, 6, "one acknowledgement per mail written by a person: {report:?}");

    let tickets = desk.list_tickets(&TicketQuery { limit: 50, ..TicketQuery::default() }).await?;
    assert_eq!(tickets.len(), 9);

    let c18 = by_requester(&tickets, "buyer1042@example.com");
    assert_eq!(c18.subject, "Zugangslink für das Konzert funktioniert nicht");
    assert_eq!(c18.requester_name, "Jürgen Beispiel");
    assert_eq!(c18.category, TicketCategory::Access);
    assert_eq!(c18.order_refs, ["1042"]);
    let detail = desk.ticket_detail(c18.id).await?;
    assert!(detail.messages[0].text.contains("Bestellung #1042 bezahlt"));

    let c19 = by_requester(&tickets, "buyer1051@example.com");
    assert_eq!(c19.category, TicketCategory::Access);
    let text = &desk.ticket_detail(c19.id).await?.messages[0].text;
    assert!(text.contains("I paid €12 for Saturday’s stream but the page says “ticket expired”…"), "{text:?}");

    let empty_plain = by_requester(&tickets, "buyer1045@example.com");
    assert_eq!(empty_plain.category, TicketCategory::Other);
    assert!(
        desk.ticket_detail(empty_plain.id).await?.messages[0].text.contains("I typed my email wrong on order #1045")
    );

    let html_only = by_requester(&tickets, "buyer1044@example.com");
    assert_eq!((html_only.subject.as_str(), html_only.category), ("Refund please", TicketCategory::Refund));
    let message = &desk.ticket_detail(html_only.id).await?.messages[0];
    assert!(message.text.contains("froze after 10 minutes (order #1044)"));
    assert!(message.has_html && !message.notes.is_empty());

    let winmail = by_requester(&tickets, "buyer1043@example.com");
    assert_eq!(winmail.category, TicketCategory::Access);
    let message = &desk.ticket_detail(winmail.id).await?.messages[0];
    assert!(message.text.contains("the player says 'not authorised'"), "{:?}", message.text);
    let names: Vec<_> = message.attachments.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["winmail.dat", "error-note.txt"]);
    let (name, bytes) = desk.attachment(message.id, 0).await?.ok_or("winmail.dat is offered")?;
    assert_eq!((name.as_str(), bytes), ("winmail.dat", common::fixture("C20-winmail.dat")));

    for automatic in ["buyer1046@example.com", "help@vendor.example.net", "mailer-daemon@mx.example.net"] {
        let ticket = by_requester(&tickets, automatic);
        assert!(ticket.automatic, "{automatic} is automatic mail");
        assert_eq!(ticket.priority, 0);
    }
    let bounced = store.outbox_mail_by_message_id("reply-1048-1@ppv.example.org").await?.ok_or("our reply")?;
    assert_eq!(bounced.state, OutboxState::Bounced);
    assert_eq!(bounced.failed_address.as_deref(), Some("typo-buyer@exmaple.com"));
    assert!(store.recent_audit(20).await?.iter().any(|e| e.action == "mail.bounced"));

    let hostile = by_requester(&tickets, "attacker@example.net");
    assert_eq!(hostile.subject, "<img src=x onerror=alert('subject')> refund for order #1052", "kept as text");
    assert_eq!(hostile.requester_name, "<svg onload=alert('from')>");
    assert_eq!(hostile.category, TicketCategory::Refund);
    let detail = desk.ticket_detail(hostile.id).await?;
    let html = desk.message_html(detail.messages[0].id, false).await?.ok_or("an HTML body")?;
    let lower = html.document.to_lowercase();
    for needle in ["<script", "onerror", "javascript:", "<iframe", "<form", "attacker.invalid", "__tauri"] {
        assert!(!lower.contains(needle), "{needle} in {lower}");
    }
    assert_eq!(html.blocked_remote_images, 1);

    // The acknowledgements leave through the outbox: none to automatic senders.
    desk.run_outbox(shutdown.clone(), RunUntil::QueueEmpty).await?;
    let sent = sink.messages()?;
    let acks: Vec<_> = sent.iter().filter(|m| m.raw.contains("Auto-Submitted: auto-generated")).collect();
    assert_eq!(acks.len(), 6);
    for ack in &acks {
        for automatic in ["buyer1046@example.com", "help@vendor.example.net", "MAILER-DAEMON@mx.example.net"] {
            assert!(
                !ack.rcpt_tos.iter().any(|r| r.eq_ignore_ascii_case(automatic)),
                "answered automatic mail from {automatic}"
            );
        }
    }
    let c18_ack = acks.iter().find(|m| m.rcpt_tos == ["buyer1042@example.com"]).ok_or("ack to C18")?;
    assert!(c18_ack.raw.contains(&format!("[SD-{}]", c18.id)), "the token is in the subject");
    assert!(c18_ack.raw.contains("In-Reply-To: <c18-split-word@mail.example.com>"));

    // Copies of what was sent are in the Sent folder.
    let message_id =
        c18_ack.raw.lines().find_map(|l| l.strip_prefix("Message-ID: ")).ok_or("Message-ID")?.trim().to_owned();
    let mut client = ImapClient::connect(&common::imap(&dovecot)).await?;
    assert!(client.folder_has_message_id("Sent", &message_id).await?);
    client.logout().await;
    Ok(())
}
