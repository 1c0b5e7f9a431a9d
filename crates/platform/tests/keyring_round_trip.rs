//! The OS keyring as this machine has it. `cargo xtask test` runs the Rust tier inside
//! `keyctl session -`, so the kernel session keyring is there at least; the Secret Service when a
//! desktop keyring runs.

use showdesk_platform::keyring::{Keyring, KeyringError};

fn unique(name: &str) -> String {
    format!("test-{name}-{}", std::process::id())
}

#[test]
fn a_secret_goes_in_comes_back_and_goes_away() -> Result<(), KeyringError> {
    let keyring = Keyring::open()?;
    let name = unique("roundtrip");
    keyring.set(&name, "  sk_TESTKEY_9f8e7d6c5b4a\n")?;
    assert_eq!(keyring.get(&name)?.expose(), "sk_TESTKEY_9f8e7d6c5b4a", "stored trimmed");
    assert_eq!(showdesk_platform::redact("key sk_TESTKEY_9f8e7d6c5b4a"), "key ****");
    keyring.delete(&name)?;
    assert!(matches!(keyring.get(&name), Err(KeyringError::NotFound(..))));
    keyring.delete(&name)?; // deleting twice is fine
    Ok(())
}

#[test]
fn bad_names_and_empty_secrets_are_refused_with_a_reason() -> Result<(), KeyringError> {
    let keyring = Keyring::open()?;
    assert!(matches!(keyring.set("no spaces allowed", "x"), Err(KeyringError::BadName(_))));
    assert!(matches!(keyring.set(&unique("empty"), "  \n"), Err(KeyringError::Empty)));
    let missing = keyring.get(&unique("missing")).err().map(|err| err.to_string()).unwrap_or_default();
    assert!(missing.contains("showdesk key set"), "{missing}");
    Ok(())
}
