//! The audit log, through the `Store` trait, on both backends: SQLite in a temporary file and a real
//! PostgreSQL from the testkit. New repositories follow the same pattern: write the behaviour once
//! against `&dyn Store` and call it from one test per backend.

use std::sync::Arc;

use serde_json::json;
use showdesk_store::{AuditOutcome, Backend, NewAuditEntry, Store, StoreError};
use showdesk_testkit::Postgres;

type TestResult = Result<(), Box<dyn std::error::Error>>;

async fn audit_behaviour(store: Arc<dyn Store>) -> Result<(), StoreError> {
    let refund = NewAuditEntry {
        actor: "camille".into(),
        action: "refund.create".into(),
        subject: "order:ord_1".into(),
        detail: json!({ "amount_minor": 500, "currency": "EUR" }),
        outcome: AuditOutcome::Ok,
        error_code: None,
    };
    let first = store.record_audit(refund.clone()).await?;
    let second = store
        .record_audit(NewAuditEntry {
            action: "refund.create".into(),
            outcome: AuditOutcome::Error,
            error_code: Some("stripe.rate_limited".into()),
            ..refund.clone()
        })
        .await?;
    store
        .record_audit(NewAuditEntry { subject: "ticket:SD-1".into(), action: "ticket.reply".into(), ..refund })
        .await?;
    assert!(second > first);

    let recent = store.recent_audit(2).await?;
    assert_eq!(recent.len(), 2);
    assert_eq!(recent[0].subject, "ticket:SD-1", "newest first");
    let order = store.audit_for("order:ord_1").await?;
    assert_eq!(order.iter().map(|e| e.outcome).collect::<Vec<_>>(), [AuditOutcome::Ok, AuditOutcome::Error]);
    assert_eq!(order[1].error_code.as_deref(), Some("stripe.rate_limited"));
    assert_eq!(order[0].detail["amount_minor"], 500);
    assert!(order[0].at_ms > 1_700_000_000_000);
    Ok(())
}

#[tokio::test]
async fn audit_log_on_sqlite() -> TestResult {
    let dir = tempfile::tempdir()?;
    let store = showdesk_store::open_sqlite(&dir.path().join("showdesk.db")).await?;
    assert_eq!(store.backend(), Backend::Sqlite);
    audit_behaviour(store).await?;
    Ok(())
}

#[tokio::test]
async fn audit_log_on_postgres() -> TestResult {
    let pg = Postgres::start()?;
    let store = showdesk_store::connect_postgres(&pg.url("postgres")).await?;
    assert_eq!(store.backend(), Backend::Postgres);
    audit_behaviour(store).await?;
    Ok(())
}

#[tokio::test]
async fn reopening_a_sqlite_store_keeps_its_data_and_migrates_once() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("nested/folder/showdesk.db");
    let store = showdesk_store::open_sqlite(&path).await?;
    store
        .record_audit(NewAuditEntry {
            actor: "system".into(),
            action: "app.start".into(),
            subject: "app".into(),
            detail: json!({}),
            outcome: AuditOutcome::Ok,
            error_code: None,
        })
        .await?;
    drop(store);
    let again = showdesk_store::open_sqlite(&path).await?;
    assert_eq!(again.recent_audit(10).await?.len(), 1);
    Ok(())
}

#[tokio::test]
async fn a_store_path_that_cannot_be_created_is_named_in_the_error() -> TestResult {
    let dir = tempfile::tempdir()?;
    let blocker = dir.path().join("a-file");
    std::fs::write(&blocker, "not a folder")?;
    let Err(err) = showdesk_store::open_sqlite(&blocker.join("showdesk.db")).await else {
        panic!("a database under a regular file cannot be opened");
    };
    assert_eq!(err.code(), "store.open");
    assert!(err.to_string().contains("a-file/showdesk.db"), "{err}");
    Ok(())
}
