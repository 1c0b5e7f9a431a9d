//! The support repositories through the `Store` trait, on both backends (SQLite in a temporary
//! file, a real PostgreSQL from the testkit), following tests/audit_log.rs.

use std::sync::Arc;

use showdesk_core::support::{Category, Language, OutboxState, TicketStatus};
use showdesk_store::{
    Direction, MailboxCursor, NewMessage, NewOutboxMail, NewTicket, Recorded, Store, StoreError, TicketChange,
    TicketFilter, TicketTarget,
};
use showdesk_testkit::Postgres;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn new_ticket(subject: &str, email: &str, category: Category, priority: u8, at: i64) -> NewTicket {
    NewTicket {
        subject: subject.into(),
        requester_email: email.into(),
        requester_name: "Camille Martin".into(),
        buyer_email: Some(email.into()),
        category,
        confidence: 80,
        language: Language::Fr,
        priority,
        order_refs: vec!["1042".into()],
        linked_orders: vec!["ord_1".into()],
        automatic: false,
        sender_mismatch: false,
        created_at_ms: at,
    }
}

fn message(key: &str, message_id: Option<&str>, from: &str, body: &str, at: i64) -> NewMessage {
    NewMessage {
        direction: Direction::In,
        dedupe_key: key.into(),
        message_id: message_id.map(Into::into),
        in_reply_to: None,
        references: vec![],
        from_email: from.into(),
        from_name: String::new(),
        subject: "subject".into(),
        body_text: body.into(),
        body_html: None,
        attachments: vec![],
        notes: vec![],
        automatic: None,
        sender_is_buyer: true,
        raw: Some(b"raw bytes".to_vec()),
        origin: None,
        at_ms: at,
    }
}

async fn tickets_behaviour(store: Arc<dyn Store>) -> Result<(), StoreError> {
    let first = store
        .record_message(
            TicketTarget::New(new_ticket(
                "Can't watch 100% of the show",
                "a@example.com",
                Category::Access,
                100,
                1_000,
            )),
            message("mid:m1@x", Some("m1@x"), "a@example.com", "Le lien ne marche pas", 1_000),
        )
        .await?;
    let Recorded::Added { ticket_id: access, message_row, new_ticket: true } = first else {
        panic!("a new ticket: {first:?}")
    };
    assert_eq!(store.message_raw(message_row).await?, Some(b"raw bytes".to_vec()));
    // The same mail again (a restart, a UIDVALIDITY change): not recorded twice.
    let again = store
        .record_message(
            TicketTarget::New(new_ticket("dup", "a@example.com", Category::Access, 100, 1_000)),
            message("mid:m1@x", Some("m1@x"), "a@example.com", "dup", 1_000),
        )
        .await?;
    assert_eq!(again, Recorded::Duplicate { ticket_id: access });
    assert_eq!(store.ticket_for_message_ids(&["nope".into(), "m1@x".into()]).await?, Some(access));
    assert_eq!(store.ticket_for_message_ids(&[]).await?, None);

    let refund = store
        .record_message(
            TicketTarget::New(new_ticket("Remboursement", "b@example.com", Category::Refund, 40, 2_000)),
            message("raw:abc", None, "b@example.com", "rembourse_moi", 2_000),
        )
        .await?;
    let Recorded::Added { ticket_id: refund, .. } = refund else { panic!() };

    // Someone else writes into the refund ticket: flagged.
    store
        .record_message(
            TicketTarget::Existing(refund),
            NewMessage {
                sender_is_buyer: false,
                ..message("mid:m3@x", Some("m3@x"), "c@example.com", "me too", 3_000)
            },
        )
        .await?;
    let ticket = store.ticket(refund).await?;
    assert!(ticket.sender_mismatch);
    assert_eq!(ticket.message_count, 2);
    assert_eq!(ticket.last_message_at_ms, 3_000);
    let messages = store.ticket_messages(refund).await?;
    assert_eq!(messages.iter().map(|m| m.from_email.as_str()).collect::<Vec<_>>(), ["b@example.com", "c@example.com"]);
    assert!(!messages[1].sender_is_buyer);

    // Most urgent first; filters; search with LIKE wildcards taken literally.
    let all = store.list_tickets(&TicketFilter::default()).await?;
    assert_eq!(all.iter().map(|t| t.id).collect::<Vec<_>>(), [access, refund]);
    let refunds = store.list_tickets(&TicketFilter { category: Some(Category::Refund), ..Default::default() }).await?;
    assert_eq!(refunds.len(), 1);
    let found = store.list_tickets(&TicketFilter { text: Some("LIEN 100%".into()), ..Default::default() }).await?;
    assert_eq!(found.iter().map(|t| t.id).collect::<Vec<_>>(), [access]);
    let underscore =
        store.list_tickets(&TicketFilter { text: Some("rembourse_".into()), ..Default::default() }).await?;
    assert_eq!(underscore.iter().map(|t| t.id).collect::<Vec<_>>(), [refund]);
    let none = store.list_tickets(&TicketFilter { text: Some("_%".into()), ..Default::default() }).await?;
    assert!(none.is_empty(), "wildcards are literal");
    let by_email = store.list_tickets(&TicketFilter { text: Some("b@example".into()), ..Default::default() }).await?;
    assert_eq!(by_email.len(), 1);

    // SLA timestamps: the first response is kept; resolving then a new mail reopens.
    store
        .update_ticket(
            access,
            TicketChange { responded_at_ms: Some(5_000), status: Some(TicketStatus::Answered), ..Default::default() },
        )
        .await?;
    let ticket =
        store.update_ticket(access, TicketChange { responded_at_ms: Some(9_000), ..Default::default() }).await?;
    assert_eq!(ticket.first_response_at_ms, Some(5_000));
    let ticket = store
        .update_ticket(
            access,
            TicketChange {
                status: Some(TicketStatus::Resolved),
                resolved_at_ms: Some(6_000),
                category: Some(Category::Refund),
                ..Default::default()
            },
        )
        .await?;
    assert_eq!(
        (ticket.status, ticket.resolved_at_ms, ticket.category, ticket.category_by_operator),
        (TicketStatus::Resolved, Some(6_000), Category::Refund, true)
    );
    let counts = store.ticket_counts(true).await?;
    assert_eq!(counts, [(Category::Refund, 1)]);
    store
        .record_message(
            TicketTarget::Existing(access),
            message("mid:m4@x", Some("m4@x"), "a@example.com", "still broken", 7_000),
        )
        .await?;
    let ticket = store.ticket(access).await?;
    assert_eq!((ticket.status, ticket.resolved_at_ms), (TicketStatus::Open, None));
    // An automatic reply does not reopen.
    store
        .update_ticket(
            access,
            TicketChange { status: Some(TicketStatus::Resolved), resolved_at_ms: Some(8_000), ..Default::default() },
        )
        .await?;
    store
        .record_message(
            TicketTarget::Existing(access),
            NewMessage {
                automatic: Some("auto_submitted".into()),
                ..message("mid:m5@x", Some("m5@x"), "a@example.com", "away", 9_000)
            },
        )
        .await?;
    assert_eq!(store.ticket(access).await?.status, TicketStatus::Resolved);

    let times = store.ticket_times(0).await?;
    assert_eq!(times.len(), 2);
    assert_eq!(store.tickets_created_since(1_500).await?, [2_000]);
    assert!(matches!(store.ticket(999_999).await, Err(StoreError::NotFound { .. })));

    assert_eq!(store.mailbox_cursor("INBOX").await?, None);
    store.save_mailbox_cursor("INBOX", MailboxCursor { uid_validity: 7, last_uid: 10 }).await?;
    store.save_mailbox_cursor("INBOX", MailboxCursor { uid_validity: 7, last_uid: 12 }).await?;
    assert_eq!(store.mailbox_cursor("INBOX").await?, Some(MailboxCursor { uid_validity: 7, last_uid: 12 }));
    Ok(())
}

fn outgoing(message_id: &str, key: Option<&str>, to: &str, automatic: bool, not_before: i64) -> NewOutboxMail {
    NewOutboxMail {
        message_id: message_id.into(),
        idempotency_key: key.map(Into::into),
        ticket_id: None,
        kind: "reply".into(),
        automatic,
        from_address: "support@ppv.example.org".into(),
        recipient: to.into(),
        subject: "Re: x".into(),
        raw: format!("Message-ID: <{message_id}>\r\n\r\nhi").into_bytes(),
        not_before_ms: not_before,
    }
}

async fn outbox_behaviour(store: Arc<dyn Store>) -> Result<(), StoreError> {
    let first = store.enqueue_mail(outgoing("o1@ppv", Some("confirmation:ord_1"), "A@Example.com", true, 0)).await?;
    let same = store.enqueue_mail(outgoing("o1b@ppv", Some("confirmation:ord_1"), "a@example.com", true, 0)).await?;
    assert!(!first.existing);
    assert_eq!(same, showdesk_store::Enqueued { id: first.id, existing: true }, "one confirmation per order");
    let later = store.enqueue_mail(outgoing("o2@ppv", None, "b@example.com", false, 50_000)).await?;
    let third = store.enqueue_mail(outgoing("o3@ppv", None, "c@example.com", false, 0)).await?;

    let (claimed, raw) = store.claim_next_mail(1_000).await?.ok_or(StoreError::Conflict("nothing due".into()))?;
    assert_eq!((claimed.id, claimed.state, claimed.attempts), (first.id, OutboxState::Sending, 1));
    assert!(String::from_utf8_lossy(&raw).contains("o1@ppv"));
    let (next, _) = store.claim_next_mail(1_000).await?.ok_or(StoreError::Conflict("nothing due".into()))?;
    assert_eq!(next.id, third.id, "not-yet-due mail waits");
    assert!(store.claim_next_mail(1_000).await?.is_none());

    store.mark_mail_sent(first.id, 1_100).await?;
    store.retry_mail_later(third.id, 2_000, "451 try later").await?;
    assert!(store.claim_next_mail(1_500).await?.is_none());
    let (retried, _) = store.claim_next_mail(2_000).await?.ok_or(StoreError::Conflict("retry due".into()))?;
    assert_eq!((retried.id, retried.attempts, retried.last_error.as_deref()), (third.id, 2, Some("451 try later")));
    store.set_mail_state(third.id, OutboxState::Held, "crashed while sending").await?;
    store.requeue_mail(third.id, 3_000).await?;
    assert!(
        matches!(store.requeue_mail(first.id, 3_000).await, Err(StoreError::Conflict(_))),
        "a sent mail is never requeued"
    );

    let copies = store.sent_without_copy(10).await?;
    assert_eq!(copies.iter().map(|(mail, _)| mail.id).collect::<Vec<_>>(), [first.id]);
    store.mark_copy_saved(first.id).await?;
    assert!(store.sent_without_copy(10).await?.is_empty());

    store.bounce_mail(first.id, "a@example.com", "5.1.1 user unknown").await?;
    let bounced = store.outbox_mail_by_message_id("o1@ppv").await?.ok_or(StoreError::Conflict("by id".into()))?;
    assert_eq!((bounced.state, bounced.failed_address.as_deref()), (OutboxState::Bounced, Some("a@example.com")));
    assert_eq!(store.automatic_mail_count("a@EXAMPLE.com", 0).await?, 1);
    assert_eq!(store.automatic_mail_count("b@example.com", 0).await?, 0);
    let counts = store.outbox_counts().await?;
    assert!(counts.contains(&(OutboxState::Queued, 2)), "{counts:?}");
    assert!(counts.contains(&(OutboxState::Bounced, 1)), "{counts:?}");
    assert_eq!(
        store.outbox_in_state(OutboxState::Queued, 10).await?.iter().map(|m| m.id).collect::<Vec<_>>(),
        [later.id, third.id]
    );
    Ok(())
}

#[tokio::test]
async fn support_tickets_on_sqlite() -> TestResult {
    let dir = tempfile::tempdir()?;
    tickets_behaviour(showdesk_store::open_sqlite(&dir.path().join("s.db")).await?).await?;
    Ok(())
}

#[tokio::test]
async fn support_tickets_on_postgres() -> TestResult {
    let pg = Postgres::start()?;
    tickets_behaviour(showdesk_store::connect_postgres(&pg.url("postgres")).await?).await?;
    Ok(())
}

#[tokio::test]
async fn mail_outbox_on_sqlite() -> TestResult {
    let dir = tempfile::tempdir()?;
    outbox_behaviour(showdesk_store::open_sqlite(&dir.path().join("s.db")).await?).await?;
    Ok(())
}

#[tokio::test]
async fn mail_outbox_on_postgres() -> TestResult {
    let pg = Postgres::start()?;
    outbox_behaviour(showdesk_store::connect_postgres(&pg.url("postgres")).await?).await?;
    Ok(())
}
