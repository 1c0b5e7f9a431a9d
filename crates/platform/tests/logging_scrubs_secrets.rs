//! The whole logging path, as the app installs it: nothing registered as a secret reaches the log
//! file, whether it is logged as a message, a field, a Debug dump or a panic.

use showdesk_platform::redact::Secret;
use showdesk_platform::{LogOptions, init_logging, register_secret};

const CANARIES: [&str; 3] = ["9f8e7d6c5b4a", "PASSPHRASE_CANARY_77", "USERPASS_CANARY_33"];

#[derive(Debug)]
#[allow(dead_code)] // read through Debug only
struct Destination {
    url: String,
    key: Secret,
}

#[test]
fn nothing_secret_reaches_the_log_file() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let guard = init_logging(&LogOptions { stderr: false, ..LogOptions::to_dir(dir.path()) })?;

    register_secret("sk_TESTKEY_9f8e7d6c5b4a");
    let destination =
        Destination { url: "rtmp://ingest.example.com/live".into(), key: Secret::new("PASSPHRASE_CANARY_77") };
    tracing::info!("publishing with key sk_TESTKEY_9f8e7d6c5b4a");
    tracing::warn!(url = "rtmp://publisher:USERPASS_CANARY_33@ingest.example.com/live", "refused");
    tracing::error!(?destination, "rejected by the server");
    let panicked = std::thread::spawn(|| panic!("bad stream key sk_TESTKEY_9f8e7d6c5b4a")).join();
    assert!(panicked.is_err());
    drop(guard); // flushes the background writer

    let mut written = String::new();
    for entry in std::fs::read_dir(dir.path())? {
        written.push_str(&std::fs::read_to_string(entry?.path())?);
    }
    for canary in CANARIES {
        assert!(!written.contains(canary), "{canary} reached the log:\n{written}");
    }
    // The lines are there, masked — not dropped.
    assert!(written.contains("publishing with key ****"), "{written}");
    assert!(written.contains("rtmp://publisher:****@ingest.example.com/live"), "{written}");
    assert!(written.contains("Secret(****Y_77)"), "{written}");
    assert!(written.contains("bad stream key ****"), "{written}");
    Ok(())
}
