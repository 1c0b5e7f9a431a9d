//! Story: a crew opens the rehearsal before a show. Every service it lists answers its own protocol;
//! the stack's passwords never reach the log; stopping it leaves nothing running.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use showdesk_control::{ControlService, RehearsalPhase};
use showdesk_platform::{AppDirs, LogOptions, init_logging};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn first_line(port: u16) -> std::io::Result<String> {
    let stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut line = String::new();
    BufReader::new(stream).read_line(&mut line)?;
    Ok(line)
}

fn http_get(url: &str) -> std::io::Result<String> {
    let rest = url.trim_start_matches("http://");
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let mut stream = TcpStream::connect(host)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(stream, "GET /{path} HTTP/1.0\r\nHost: {host}\r\n\r\n")?;
    let mut body = String::new();
    stream.read_to_string(&mut body)?;
    Ok(body)
}

#[tokio::test]
async fn the_rehearsal_stack_serves_every_role_and_keeps_its_secrets() -> TestResult {
    let home = tempfile::tempdir()?;
    let dirs = AppDirs::under(home.path());
    let log = init_logging(&LogOptions { stderr: false, ..LogOptions::to_dir(&dirs.logs) })?;
    let service = ControlService::open(dirs.clone()).await?;

    service.rehearsal().start();
    let status = service.rehearsal().wait_until_settled(Duration::from_secs(60));
    assert_eq!(status.phase, RehearsalPhase::Running, "{:?}", status.error);
    let roles: Vec<_> = status.services.iter().map(|s| s.role.as_str()).collect();
    assert_eq!(roles, ["ingest", "audience", "srt", "payments", "mailbox", "outgoing_mail"]);

    let endpoints = service.rehearsal().endpoints().ok_or("no endpoints while running")?;
    assert!(http_get(&endpoints.rtmp_stat_url)?.contains("<rtmp>"), "the audience /stat does not answer");
    assert!(
        http_get(&format!("{}/v1/customers", endpoints.stripe_api_base))?.contains(" 401 Unauthorized"),
        "localstripe"
    );
    assert!(first_line(endpoints.imap_port)?.starts_with("* OK"), "the mailbox does not greet");
    assert!(first_line(endpoints.smtp_port)?.starts_with("220"), "the SMTP sink does not greet");
    // Nothing in the window's list carries a credential.
    let listed = serde_json::to_string(&status.services)?;
    assert!(!listed.contains(&endpoints.imap_password));

    tracing::info!("connecting to the mailbox with {}", endpoints.imap_password);
    let password = endpoints.imap_password.clone();
    service.rehearsal().stop();
    assert_eq!(service.rehearsal().status().phase, RehearsalPhase::Stopped);
    assert!(TcpStream::connect(("127.0.0.1", endpoints.imap_port)).is_err(), "the mailbox outlived the stack");
    drop(log);

    let mut written = String::new();
    for entry in std::fs::read_dir(&dirs.logs)? {
        written.push_str(&std::fs::read_to_string(entry?.path())?);
    }
    assert!(written.contains("rehearsal stack running"), "{written}");
    assert!(!written.contains(&password), "the mailbox password reached the log");
    assert!(written.contains("connecting to the mailbox with ****"), "{written}");
    Ok(())
}
