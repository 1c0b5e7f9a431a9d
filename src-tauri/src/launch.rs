//! What the command line and environment ask of the desktop app, checked before anything opens.

use std::path::PathBuf;
use std::time::Duration;

pub const USAGE: &str = "\
usage: showdesk-desktop [--rehearsal] [--drill] [--home DIR]

  --rehearsal   also start the local rehearsal stack (ingest, payments, mailbox, SMTP)
  --drill       the rehearsal, then go live on it and run the drill (ticket rush, viewers, mail)
  --home DIR    keep every file (data, logs, recordings) under DIR instead of your own folders
  --help        this text
  --version     the version

Environment: SHOWDESK_HOME (like --home), SHOWDESK_LOG (log filter), SHOWDESK_REHEARSAL=1 (like
--rehearsal), SHOWDESK_EXIT_AFTER_SECS (close after that many seconds), SHOWDESK_NOTIFICATIONS=0 (no
desktop notifications; alerts stay in the window), SHOWDESK_READY_FILE (write the milliseconds from
start to a loaded window into that file: benchmarks).
Without a display, rehearse headless instead: `showdesk rehearse`.";

/// Options that WebKit's WebDriver (or GTK) may add: accepted without a word.
const FOREIGN_OPTIONS: &[&str] = &["--automation"];

/// What to do.
#[derive(Debug, PartialEq, Eq)]
pub enum Request {
    Open(Launch),
    Help,
    Version,
}

#[derive(Debug, PartialEq, Eq)]
pub struct Launch {
    pub rehearsal: bool,
    /// Go live on the rehearsal and start the drill as soon as it is wired.
    pub drill: bool,
    pub home: Option<PathBuf>,
    pub exit_after: Option<Duration>,
    /// Desktop notifications for serious alerts (on unless SHOWDESK_NOTIFICATIONS=0).
    pub notifications: bool,
    /// Unknown options, to warn about.
    pub ignored: Vec<String>,
}

/// Reads `args` (without the program name) and the environment through `env`.
pub fn parse(args: impl IntoIterator<Item = String>, env: impl Fn(&str) -> Option<String>) -> Result<Request, String> {
    let mut launch = Launch {
        rehearsal: switch(&env, "SHOWDESK_REHEARSAL", false)?,
        notifications: switch(&env, "SHOWDESK_NOTIFICATIONS", true)?,
        drill: false,
        exit_after: match env("SHOWDESK_EXIT_AFTER_SECS") {
            None => None,
            Some(secs) => Some(Duration::from_secs(
                secs.trim()
                    .parse()
                    .map_err(|_| format!("SHOWDESK_EXIT_AFTER_SECS={secs:?} is not a whole number of seconds"))?,
            )),
        },
        home: None,
        ignored: Vec::new(),
    };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--help" | "-h" => return Ok(Request::Help),
            "--version" | "-V" => return Ok(Request::Version),
            "--rehearsal" => launch.rehearsal = true,
            "--drill" => (launch.rehearsal, launch.drill) = (true, true),
            "--home" => launch.home = Some(home_value(args.next())?),
            _ if arg.starts_with("--home=") => {
                launch.home = Some(home_value(arg.strip_prefix("--home=").map(str::to_owned))?)
            }
            _ if FOREIGN_OPTIONS.contains(&arg.as_str()) => {}
            _ => launch.ignored.push(arg),
        }
    }
    Ok(Request::Open(launch))
}

/// A yes/no environment variable; `default` when unset or empty.
fn switch(env: &impl Fn(&str) -> Option<String>, name: &str, default: bool) -> Result<bool, String> {
    match env(name).as_deref().map(str::trim).map(str::to_ascii_lowercase).as_deref() {
        None | Some("") => Ok(default),
        Some("0" | "false" | "no") => Ok(false),
        Some("1" | "true" | "yes") => Ok(true),
        Some(other) => Err(format!("{name}={other:?}: use 1 or 0")),
    }
}

fn home_value(value: Option<String>) -> Result<PathBuf, String> {
    match value {
        None => Err("--home needs a folder: --home DIR".into()),
        Some(value) if value.trim().is_empty() => Err("--home was given an empty folder name".into()),
        Some(value) if value.starts_with("--") => Err(format!("--home needs a folder, not the option {value}")),
        Some(value) => Ok(PathBuf::from(value)),
    }
}

/// Whether a window can open here (on Linux: an X11 or Wayland display).
pub fn has_display(env: impl Fn(&str) -> Option<String>) -> bool {
    if !cfg!(target_os = "linux") {
        return true;
    }
    ["DISPLAY", "WAYLAND_DISPLAY"].iter().any(|var| env(var).is_some_and(|v| !v.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn reads_the_options() {
        let Ok(Request::Open(launch)) = parse(args(&["--rehearsal", "--home", "/tmp/x", "--automation"]), no_env)
        else {
            panic!("should open")
        };
        assert!(launch.rehearsal && !launch.drill);
        let Ok(Request::Open(drill)) = parse(args(&["--drill"]), no_env) else { panic!("should open") };
        assert!(drill.rehearsal && drill.drill, "the drill needs the rehearsal");
        assert_eq!(launch.home, Some(PathBuf::from("/tmp/x")));
        assert!(launch.ignored.is_empty());
        assert_eq!(parse(args(&["--help"]), no_env), Ok(Request::Help));
        assert_eq!(parse(args(&["--version"]), no_env), Ok(Request::Version));
    }

    #[test]
    fn a_home_without_a_folder_is_an_error_never_the_real_folders() {
        for bad in [&["--home"][..], &["--home", ""], &["--home", "--rehearsal"], &["--home="]] {
            assert!(parse(args(bad), no_env).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn unknown_options_are_reported_and_bad_environment_refused() {
        let Ok(Request::Open(launch)) = parse(args(&["--hmoe", "/tmp/x"]), no_env) else { panic!("should open") };
        assert_eq!(launch.ignored, ["--hmoe", "/tmp/x"]);
        let env = |name: &str| (name == "SHOWDESK_EXIT_AFTER_SECS").then(|| "abc".to_owned());
        assert!(parse(args(&[]), env).unwrap_err().contains("SHOWDESK_EXIT_AFTER_SECS"));
        let env = |name: &str| (name == "SHOWDESK_REHEARSAL").then(|| "TRUE".to_owned());
        assert!(matches!(parse(args(&[]), env), Ok(Request::Open(Launch { rehearsal: true, .. }))));
        let env = |name: &str| (name == "SHOWDESK_NOTIFICATIONS").then(|| "0".to_owned());
        assert!(matches!(parse(args(&[]), env), Ok(Request::Open(Launch { notifications: false, .. }))));
        assert!(matches!(parse(args(&[]), no_env), Ok(Request::Open(Launch { notifications: true, .. }))));
    }

    #[test]
    fn a_display_is_needed_on_linux() {
        if cfg!(target_os = "linux") {
            assert!(!has_display(no_env));
            assert!(has_display(|name| (name == "WAYLAND_DISPLAY").then(|| "wayland-0".to_owned())));
        }
    }
}
