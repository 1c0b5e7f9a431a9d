//! `showdesk key set|check|delete NAME`: stream keys in the OS keyring, referred to by name from a
//! profile (`key_keyring = "NAME"`).

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use clap::Subcommand;
use showdesk_platform::keyring::Keyring;

use super::fail;

#[derive(Debug, Subcommand)]
pub enum KeyAction {
    /// Stores a secret read from standard input (one line; not echoed when typed).
    Set { name: String },
    /// Says whether the secret is there (masked).
    Check { name: String },
    /// Removes the secret.
    Delete { name: String },
}

pub fn run(action: KeyAction) -> ExitCode {
    let keyring = match Keyring::open() {
        Ok(keyring) => keyring,
        Err(err) => return fail(&err.to_string()),
    };
    match action {
        KeyAction::Set { name } => {
            let line = if std::io::stdin().is_terminal() {
                eprint!("Paste the secret for {name:?} and press Enter (it is not shown): ");
                let _ = std::io::stderr().flush();
                rpassword::read_password()
            } else {
                let mut line = String::new();
                std::io::stdin().lock().read_line(&mut line).map(|_| line)
            };
            let line = match line {
                Ok(line) => line,
                Err(err) => return fail(&format!("cannot read the secret: {err}")),
            };
            match keyring.set(&name, &line) {
                Ok(()) => {
                    say!("Saved {name:?} in {}.", keyring.kind().describe());
                    ExitCode::SUCCESS
                }
                Err(err) => fail(&err.to_string()),
            }
        }
        KeyAction::Check { name } => match keyring.get(&name) {
            Ok(secret) => {
                say!("{name:?} is in {}: {secret}", keyring.kind().describe());
                ExitCode::SUCCESS
            }
            Err(err) => fail(&err.to_string()),
        },
        KeyAction::Delete { name } => match keyring.delete(&name) {
            Ok(()) => {
                say!("Deleted {name:?} from {}.", keyring.kind().describe());
                ExitCode::SUCCESS
            }
            Err(err) => fail(&err.to_string()),
        },
    }
}
