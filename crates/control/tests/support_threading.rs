//! Threading (headers, then the ticket token), the sender check, and reading the mailbox again:
//! after a restart nothing is imported twice, and after a UIDVALIDITY change the mailbox is read
//! from the start without duplicates — also for mail without a Message-ID.

mod common;

use showdesk_control::support::SupportDesk;
use showdesk_control::support::outbox::RunUntil;
use showdesk_control::support::queries::TicketQuery;
use showdesk_testkit::{Dovecot, SmtpSink};
use tokio::sync::watch;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn mail(from: &str, message_id: Option<&str>, in_reply_to: Option<&str>, subject: &str, body: &str) -> Vec<u8> {
    let mut raw = format!("From: {from}\r\nTo: support@ppv.example.org\r\nSubject: {subject}\r\n");
    if let Some(id) = message_id {
        raw.push_str(&format!("Message-ID: <{id}>\r\n"));
    }
    if let Some(parent) = in_reply_to {
        raw.push_str(&format!("In-Reply-To: <{parent}>\r\nReferences: <{parent}>\r\n"));
    }
    raw.push_str(&format!("Content-Type: text/plain; charset=UTF-8\r\n\r\n{body}\r\n"));
    raw.into_bytes()
}

#[tokio::test]
async fn replies_thread_by_headers_then_by_token_and_strangers_are_flagged() -> TestResult {
    let dovecot = Dovecot::start()?;
    let sink = SmtpSink::start()?;
    let dir = tempfile::tempdir()?;
    let (desk, _store) = common::sqlite_desk(dir.path()).await?;
    desk.configure(common::settings(&dovecot, &sink));
    let (_stop, shutdown) = watch::channel(false);

    dovecot.deliver(&mail(
        "Camille <camille@example.com>",
        Some("q1@example.com"),
        None,
        "Je ne peux pas regarder",
        "Écran noir depuis le début du live",
    ))?;
    desk.sync_mailbox().await?;
    desk.run_outbox(shutdown.clone(), RunUntil::QueueEmpty).await?;
    let ack = sink.messages()?.into_iter().next().ok_or("an acknowledgement")?;
    let ack_id = ack
        .raw
        .lines()
        .find_map(|l| l.strip_prefix("Message-ID: <"))
        .ok_or("ack Message-ID")?
        .trim_end_matches('>')
        .to_owned();
    let tickets = desk.list_tickets(&TicketQuery::default()).await?;
    assert_eq!(tickets.len(), 1);
    let ticket = &tickets[0];
    assert_eq!(ticket.language, "fr");
    assert!(ack.raw.contains("Subject: Nous nous en occupons"), "the French acknowledgement: {}", ack.raw);

    // A reply to our acknowledgement, by headers.
    dovecot.deliver(&mail(
        "camille@example.com",
        Some("q2@example.com"),
        Some(&ack_id),
        "Re: ça marche pas",
        "toujours noir",
    ))?;
    // A client that drops headers: only the token in the subject.
    let token_subject = format!("RE: [{}] encore", ticket.token);
    dovecot.deliver(&mail("camille@example.com", Some("q3@example.com"), None, &token_subject, "toujours"))?;
    // Someone else answers in the thread.
    dovecot.deliver(&mail(
        "stranger@example.net",
        Some("q4@example.net"),
        Some("q2@example.com"),
        "Re: x",
        "send me the link",
    ))?;
    // The same mail without a Message-ID, delivered twice (a forwarding loop): one record.
    let anonymous = mail("dup@example.com", None, None, "Promo code", "my code EARLY is invalid");
    dovecot.deliver(&anonymous)?;
    dovecot.deliver(&anonymous)?;
    let report = desk.sync_mailbox().await?;
    assert_eq!((report.fetched, report.recorded, report.duplicates), (5, 4, 1), "{report:?}");

    let tickets = desk.list_tickets(&TicketQuery::default()).await?;
    assert_eq!(tickets.len(), 2, "{tickets:#?}");
    let detail = desk.ticket_detail(ticket.id).await?;
    let inbound: Vec<_> = detail.messages.iter().filter(|m| m.direction == "in").collect();
    assert_eq!(inbound.len(), 4);
    assert!(detail.ticket.sender_mismatch, "a stranger wrote in the ticket");
    assert!(!inbound[3].sender_is_buyer && inbound[2].sender_is_buyer);

    // A macro with a watch link is refused towards the stranger, who wrote last…
    let extra = [("watch_link".to_owned(), "https://watch.example/t/abc".to_owned())].into_iter().collect();
    let err = desk.reply_with_macro("camille-op", ticket.id, "access", &extra, false).await.expect_err("refused");
    assert_eq!(err.code(), "support.foreign_recipient");
    // …unless the operator confirms.
    desk.reply_with_macro("camille-op", ticket.id, "access", &extra, true).await?;
    Ok(())
}

async fn import_all(desk: &SupportDesk) -> Result<(u32, u32, bool), Box<dyn std::error::Error>> {
    let report = desk.sync_mailbox().await?;
    Ok((report.recorded, report.duplicates, report.resynced))
}

#[tokio::test]
async fn restarts_and_a_uidvalidity_change_import_nothing_twice() -> TestResult {
    let dovecot = Dovecot::start()?;
    let sink = SmtpSink::start()?;
    let dir = tempfile::tempdir()?;
    let mut settings = common::settings(&dovecot, &sink);
    if let Some(imap) = settings.imap.as_mut() {
        imap.mailbox = "Support".into();
    }
    let mails: Vec<Vec<u8>> = (0..6)
        .map(|n| {
            let id = format!("r{n}@example.com");
            mail(
                &format!("buyer{n}@example.com"),
                (n % 2 == 0).then_some(id.as_str()),
                None,
                "Refund please",
                &format!("refund order #{}", 2000 + n),
            )
        })
        .collect();
    for raw in &mails[..4] {
        dovecot.deliver_to("Support", raw)?;
    }
    {
        let (desk, _) = common::sqlite_desk(dir.path()).await?;
        desk.configure(settings.clone());
        assert_eq!(import_all(&desk).await?, (4, 0, false));
    }
    // A restart (a new desk over the same store): only what is new.
    dovecot.deliver_to("Support", &mails[4])?;
    let (desk, store) = common::sqlite_desk(dir.path()).await?;
    desk.configure(settings.clone());
    assert_eq!(import_all(&desk).await?, (1, 0, false));
    assert_eq!(import_all(&desk).await?, (0, 0, false));

    // The server rebuilds the folder (a restore, a migration): same mail, new UIDVALIDITY and UIDs.
    let folder = dovecot.mail_dir().join("support/.Support");
    assert!(folder.is_dir(), "the maildir folder is at {}", folder.display());
    std::fs::remove_dir_all(&folder)?;
    let before = store.mailbox_cursor("Support").await?.ok_or("a cursor")?;
    for raw in &mails {
        dovecot.deliver_to("Support", raw)?;
    }
    let (recorded, duplicates, resynced) = import_all(&desk).await?;
    assert!(resynced, "the UIDVALIDITY change was seen");
    assert_eq!((recorded, duplicates), (1, 5), "only the one new mail is imported");
    let after = store.mailbox_cursor("Support").await?.ok_or("a cursor")?;
    assert_ne!(before.uid_validity, after.uid_validity);
    assert_eq!(desk.list_tickets(&TicketQuery::default()).await?.len(), 6);
    Ok(())
}
