//! Secrets in the operating system's keyring: stream keys, API keys, mailbox passwords. Config files
//! and the database only ever hold the entry's name.
//!
//! On Linux the Secret Service (GNOME Keyring, KWallet, KeePassXC) is used when one answers on the
//! session bus; otherwise the kernel keyring of the login session (keyutils), which works headless
//! but forgets everything at logout — the store says which one it is. When neither exists, opening
//! fails with a message saying what to install or do instead; a secret is never reported saved when
//! it was not (every write is read back).

use std::sync::Arc;

use keyring_core::{CredentialStore, Entry};

use crate::redact::Secret;

/// The keyring service name of every Showdesk entry.
pub const SERVICE: &str = "showdesk";

/// Which store holds the secrets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreKind {
    /// org.freedesktop.secrets on the session bus: persistent, unlocked with the login.
    SecretService,
    /// The kernel keyring of this login session: lost at logout or reboot.
    KernelSession,
}

impl StoreKind {
    /// For the UI: where the secret lives and how long it stays.
    pub fn describe(self) -> &'static str {
        match self {
            Self::SecretService => "the desktop keyring (Secret Service)",
            Self::KernelSession => "the kernel keyring of this login session (forgotten at logout)",
        }
    }
}

/// Why a secret could not be stored or read.
#[derive(Debug, thiserror::Error)]
pub enum KeyringError {
    #[error(
        "no secure store for secrets here: no Secret Service answers on D-Bus (install and unlock GNOME Keyring, \
         KWallet or KeePassXC) and there is no kernel session keyring (start the program inside `keyctl session -`). \
         Alternatively name an environment variable that holds the secret ({0})"
    )]
    NoStore(String),
    #[error("no secret named {0:?} in {1}: store it first (`showdesk key set {0}`)")]
    NotFound(String, &'static str),
    #[error("{0:?} is not a usable secret name: use letters, digits, '-', '_' or '.', at most 64")]
    BadName(String),
    #[error("the secret is empty")]
    Empty,
    #[error("{store} did not keep the secret {name:?} (read back {outcome}); nothing was saved")]
    NotKept { name: String, store: &'static str, outcome: &'static str },
    #[error("{store} failed: {detail}")]
    Store { store: &'static str, detail: String },
}

impl KeyringError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoStore(_) => "keyring.no_store",
            Self::NotFound(..) => "keyring.not_found",
            Self::BadName(_) => "keyring.bad_name",
            Self::Empty => "keyring.empty",
            Self::NotKept { .. } => "keyring.not_kept",
            Self::Store { .. } => "keyring.store",
        }
    }
}

/// An open secret store.
pub struct Keyring {
    store: Arc<CredentialStore>,
    kind: StoreKind,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring").field("kind", &self.kind).finish()
    }
}

impl Keyring {
    /// The best store this session has.
    pub fn open() -> Result<Self, KeyringError> {
        let mut tried = Vec::new();
        #[cfg(target_os = "linux")]
        {
            match secret_service() {
                Ok(store) => return Ok(Self { store, kind: StoreKind::SecretService }),
                Err(why) => tried.push(format!("Secret Service: {why}")),
            }
            match kernel_session() {
                Ok(store) => return Ok(Self { store, kind: StoreKind::KernelSession }),
                Err(why) => tried.push(format!("kernel keyring: {why}")),
            }
        }
        #[cfg(not(target_os = "linux"))]
        tried.push(format!("no keyring support built for {}", std::env::consts::OS));
        Err(KeyringError::NoStore(tried.join("; ")))
    }

    pub fn kind(&self) -> StoreKind {
        self.kind
    }

    /// Stores `value` under `name`, then reads it back: an error unless it really is there.
    pub fn set(&self, name: &str, value: &str) -> Result<(), KeyringError> {
        let value = value.trim();
        if value.is_empty() {
            return Err(KeyringError::Empty);
        }
        crate::register_secret(value);
        let entry = self.entry(name)?;
        entry.set_password(value).map_err(|err| self.failure(&err))?;
        match entry.get_password() {
            Ok(back) if back == value => Ok(()),
            Ok(_) => {
                Err(KeyringError::NotKept { name: name.into(), store: self.kind.describe(), outcome: "something else" })
            }
            Err(_) => Err(KeyringError::NotKept { name: name.into(), store: self.kind.describe(), outcome: "nothing" }),
        }
    }

    /// The secret under `name`, registered for redaction.
    pub fn get(&self, name: &str) -> Result<Secret, KeyringError> {
        match self.entry(name)?.get_password() {
            Ok(value) => Ok(Secret::new(value)),
            Err(keyring_core::Error::NoEntry) => Err(KeyringError::NotFound(name.into(), self.kind.describe())),
            Err(err) => Err(self.failure(&err)),
        }
    }

    /// Removes `name`; removing what is not there is not an error.
    pub fn delete(&self, name: &str) -> Result<(), KeyringError> {
        match self.entry(name)?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(err) => Err(self.failure(&err)),
        }
    }

    fn entry(&self, name: &str) -> Result<Entry, KeyringError> {
        let valid = !name.is_empty()
            && name.len() <= 64
            && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !valid {
            return Err(KeyringError::BadName(name.into()));
        }
        Entry::new_in_store(&self.store, SERVICE, name).map_err(|err| self.failure(&err))
    }

    fn failure(&self, err: &keyring_core::Error) -> KeyringError {
        KeyringError::Store { store: self.kind.describe(), detail: crate::redact(&err.to_string()).into_owned() }
    }
}

/// The Secret Service, if one answers: probed by reading an entry that does not exist.
#[cfg(target_os = "linux")]
fn secret_service() -> Result<Arc<CredentialStore>, String> {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        return Err("no D-Bus session".into());
    }
    let store: Arc<CredentialStore> = zbus_secret_service_keyring_store::Store::new().map_err(|err| err.to_string())?;
    probe(&store)?;
    Ok(store)
}

/// The kernel keyring of this session, if the process has one.
#[cfg(target_os = "linux")]
fn kernel_session() -> Result<Arc<CredentialStore>, String> {
    let store: Arc<CredentialStore> = linux_keyutils_keyring_store::Store::new().map_err(|err| err.to_string())?;
    probe(&store)?;
    Ok(store)
}

#[cfg(target_os = "linux")]
fn probe(store: &Arc<CredentialStore>) -> Result<(), String> {
    let entry = Entry::new_in_store(store, SERVICE, "showdesk-probe").map_err(|err| err.to_string())?;
    match entry.get_password() {
        Ok(_) | Err(keyring_core::Error::NoEntry) => Ok(()),
        Err(err) => Err(err.to_string()),
    }
}
