//! The IMAP and SMTP clients against real servers from the testkit: dovecot and the SMTP sink.

use std::time::Duration;

use showdesk_connectors::ConnectorError;
use showdesk_connectors::mail::{
    ImapClient, ImapSettings, OutgoingMail, Security, SmtpSecurity, SmtpSender, SmtpSettings, WaitOutcome, compose,
    new_message_id,
};
use showdesk_platform::redact::Secret;
use showdesk_testkit::{Dovecot, SmtpSink};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn settings(dovecot: &Dovecot) -> ImapSettings {
    ImapSettings::new(dovecot.host(), dovecot.port(), Security::Plain, dovecot.user(), Secret::new(dovecot.password()))
}

fn mail(n: u32) -> Vec<u8> {
    format!("From: buyer{n}@example.com\r\nMessage-ID: <m{n}@example.com>\r\nSubject: mail {n}\r\n\r\nbody {n}\r\n")
        .into_bytes()
}

#[tokio::test]
async fn imap_reads_new_mail_by_uid_and_idles() -> TestResult {
    let dovecot = Dovecot::start()?;
    for n in 1..=3 {
        dovecot.deliver(&mail(n))?;
    }
    let mut client = ImapClient::connect(&settings(&dovecot)).await?;
    assert!(client.offers_idle(), "dovecot offers IDLE");
    let status = client.select("INBOX").await?;
    assert!(status.uid_validity > 0);
    assert_eq!(status.exists, 3);
    let uids = client.uids_after(0).await?;
    assert_eq!(uids.len(), 3);
    let fetched = client.fetch(&uids).await?;
    assert!(String::from_utf8_lossy(&fetched[0].raw).contains("Subject: mail 1"));
    assert_eq!(client.uids_after(uids[2]).await?, Vec::<u32>::new(), "nothing after the last UID");

    // IDLE wakes up when mail arrives while it waits (delivered over a second connection).
    let mut deliverer = ImapClient::connect(&settings(&dovecot)).await?;
    let (outcome, appended) = tokio::join!(client.wait(Duration::from_secs(60)), async {
        tokio::time::sleep(Duration::from_millis(500)).await;
        deliverer.append("INBOX", &mail(4)).await
    });
    appended?;
    assert_eq!(outcome?, WaitOutcome::Changed);
    assert_eq!(client.uids_after(uids[2]).await?.len(), 1);
    client.logout().await;
    Ok(())
}

#[tokio::test]
async fn the_sent_folder_is_searched_by_message_id_and_appended_to() -> TestResult {
    let dovecot = Dovecot::start()?;
    let mut client = ImapClient::connect(&settings(&dovecot)).await?;
    let id = new_message_id("ppv.example.org");
    assert!(!client.folder_has_message_id("Sent", &id).await?);
    let raw = format!("From: support@ppv.example.org\r\nMessage-ID: <{id}>\r\nSubject: copy\r\n\r\nhello\r\n");
    client.append("Sent", raw.as_bytes()).await?;
    assert!(client.folder_has_message_id("Sent", &id).await?);
    assert!(client.folder_has_message_id("Sent", &format!("<{id}>")).await?);
    assert!(!client.folder_has_message_id("Sent", "other@x").await?);
    assert!(!client.folder_has_message_id("Sent", "evil\" OR ALL").await?, "no search injection");
    Ok(())
}

#[tokio::test]
async fn a_wrong_password_is_an_auth_error_without_the_password() -> TestResult {
    let dovecot = Dovecot::start()?;
    let mut wrong = settings(&dovecot);
    wrong.password = Secret::new("USERPASS_CANARY_33");
    let Err(err) = ImapClient::connect(&wrong).await else { panic!("login with a wrong password succeeded") };
    assert_eq!(err.code(), "connector.auth");
    assert!(!format!("{err} {err:?}").contains("USERPASS_CANARY_33"));
    Ok(())
}

#[tokio::test]
async fn plain_connections_are_refused_beyond_loopback() {
    let remote = ImapSettings::new("imap.example.com", 143, Security::Plain, "u", Secret::new("pw-123456"));
    assert!(matches!(ImapClient::connect(&remote).await, Err(ConnectorError::Settings(_))));
    let smtp = SmtpSettings {
        host: "smtp.example.com".into(),
        port: 25,
        security: SmtpSecurity::Plain,
        user: None,
        password: None,
        timeout: Duration::from_secs(5),
    };
    assert!(matches!(SmtpSender::new(&smtp), Err(ConnectorError::Settings(_))));
}

#[tokio::test]
async fn smtp_sends_and_classifies_refusals() -> TestResult {
    let sink = SmtpSink::start()?;
    let sender = SmtpSender::new(&SmtpSettings {
        host: sink.host().into(),
        port: sink.smtp_port(),
        security: SmtpSecurity::Plain,
        user: Some("support@ppv.example.org".into()),
        password: Some(Secret::new("smtp-password-1")),
        timeout: Duration::from_secs(10),
    })?;
    let outgoing = OutgoingMail {
        from_name: "PPV Support".into(),
        from_address: "support@ppv.example.org".into(),
        to_name: None,
        to_address: "buyer@example.com".into(),
        subject: "Your access".into(),
        text: "Here it is.".into(),
        message_id: new_message_id("ppv.example.org"),
        in_reply_to: None,
        references: vec![],
        automatic: true,
    };
    let raw = compose(&outgoing)?;
    sender.send("support@ppv.example.org", "buyer@example.com", &raw).await?;
    let sent = sink.messages()?;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].rcpt_tos, ["buyer@example.com"]);
    assert!(sent[0].raw.contains(&outgoing.message_id));
    assert!(sent[0].raw.contains("Auto-Submitted: auto-generated"));

    sink.set_faults(&["gone@example.com"], 0)?;
    let err = sender.send("support@ppv.example.org", "gone@example.com", &raw).await.err().ok_or("550 expected")?;
    assert!(matches!(&err, ConnectorError::Permanent { recipient: Some(r), .. } if r == "gone@example.com"), "{err:?}");
    sink.set_faults(&[], 1)?;
    let err = sender.send("support@ppv.example.org", "buyer@example.com", &raw).await.err().ok_or("451 expected")?;
    assert!(err.is_transient(), "{err:?}");
    sender.send("support@ppv.example.org", "buyer@example.com", &raw).await?;
    assert_eq!(sink.messages()?.len(), 2);
    Ok(())
}
