//! One running service: its process group, its folder, its log.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{Result, TestkitError};

/// How long a service gets to stop on SIGTERM before the whole group is killed.
const GRACE: Duration = Duration::from_secs(5);

/// A service process started in its own process group, writing stdout and stderr to a log file in
/// its own temporary folder. Dropping it stops the whole group; if the thread is panicking the folder
/// is kept and the end of the log printed. If this process dies without dropping it (a test killed
/// by a timeout, `kill -9`), the group goes too: see [`launch_guarded`].
#[derive(Debug)]
pub struct ServiceProcess {
    name: &'static str,
    /// The guard shell leading the process group (see [`launch_guarded`]).
    child: Option<Child>,
    /// The write end of the guard's stdin: closing it (our drop, or this process dying in any way,
    /// SIGKILL included) makes the guard kill the whole group.
    lifeline: Option<ChildStdin>,
    log: PathBuf,
    dir: Option<tempfile::TempDir>,
    command: Command,
    account: Option<ServiceUser>,
}

/// The account a service runs as. Some servers refuse to run as root (PostgreSQL) or to serve mail
/// for uid 0 (dovecot); when the tests run as root those get the unprivileged `nobody`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceUser {
    pub uid: u32,
    pub gid: u32,
}

impl ServiceUser {
    pub fn current() -> Self {
        use std::os::unix::fs::MetadataExt;
        // /proc/self is owned by the process's effective ids: no FFI needed to read them.
        std::fs::metadata("/proc/self")
            .map(|meta| Self { uid: meta.uid(), gid: meta.gid() })
            .unwrap_or(Self { uid: 0, gid: 0 })
    }

    /// The current account, or `nobody` when that is root.
    pub fn unprivileged() -> Self {
        let current = Self::current();
        if current.uid != 0 {
            return current;
        }
        Self { uid: 65534, gid: 65534 }
    }

    pub fn is_current(self) -> bool {
        self == Self::current()
    }

    /// Gives `path` and everything under it to this account (no-op when it is the current one).
    pub fn own(self, path: &Path) -> Result<()> {
        if self.is_current() {
            return Ok(());
        }
        std::os::unix::fs::chown(path, Some(self.uid), Some(self.gid))
            .map_err(TestkitError::io(format!("chown {}", path.display())))?;
        if path.is_dir() {
            let entries = std::fs::read_dir(path).map_err(TestkitError::io(format!("list {}", path.display())))?;
            for entry in entries.flatten() {
                self.own(&entry.path())?;
            }
        }
        Ok(())
    }
}

/// A fresh temporary folder for a service, named after it.
pub fn service_dir(name: &str) -> Result<tempfile::TempDir> {
    tempfile::Builder::new()
        .prefix(&format!("showdesk-{name}-"))
        .tempdir()
        .map_err(TestkitError::io(format!("create a temporary folder for {name}")))
}

impl ServiceProcess {
    /// Starts `command` as service `name`, logging stdout and stderr to `<dir>/<name>.log`. The folder
    /// is owned by the process from now on (removed when it stops, kept when a test panics).
    pub fn spawn(name: &'static str, command: Command, dir: tempfile::TempDir) -> Result<Self> {
        Self::spawn_inner(name, command, dir, None, None)
    }

    /// Like [`spawn`](Self::spawn), with stdout going to `stdout` (a program that writes the stream it
    /// receives there) and only stderr to the log.
    pub fn spawn_with_stdout(
        name: &'static str,
        command: Command,
        dir: tempfile::TempDir,
        stdout: File,
    ) -> Result<Self> {
        Self::spawn_inner(name, command, dir, Some(stdout), None)
    }

    /// Like [`spawn`](Self::spawn), as another account (see [`ServiceUser::unprivileged`]).
    pub fn spawn_as(
        name: &'static str,
        command: Command,
        dir: tempfile::TempDir,
        account: ServiceUser,
    ) -> Result<Self> {
        Self::spawn_inner(name, command, dir, None, Some(account))
    }

    fn spawn_inner(
        name: &'static str,
        command: Command,
        dir: tempfile::TempDir,
        stdout: Option<File>,
        account: Option<ServiceUser>,
    ) -> Result<Self> {
        let log = dir.path().join(format!("{name}.log"));
        let (child, lifeline) = launch_guarded(&command, dir.path(), &log, stdout, account)?;
        tracing::debug!(service = name, pid = child.id(), dir = %dir.path().display(), "service started");
        Ok(Self { name, child: Some(child), lifeline: Some(lifeline), log, dir: Some(dir), command, account })
    }

    /// Starts the service again after [`stop_process`](Self::stop_process) (or stops it first), with
    /// the same command, folder and log.
    pub fn restart(&mut self) -> Result<()> {
        self.stop_process();
        let (child, lifeline) = launch_guarded(&self.command, self.dir(), &self.log, None, self.account)?;
        self.child = Some(child);
        self.lifeline = Some(lifeline);
        Ok(())
    }

    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The pid of the group leader, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    pub fn dir(&self) -> &Path {
        self.dir.as_ref().map_or_else(|| Path::new("/nonexistent"), |dir| dir.path())
    }

    pub fn log_path(&self) -> &Path {
        &self.log
    }

    /// Fails with the log's tail if the process has already exited.
    pub fn check_alive(&mut self) -> Result<()> {
        let Some(child) = self.child.as_mut() else {
            return Err(self.exited("stopped"));
        };
        match child.try_wait() {
            Ok(None) => Ok(()),
            Ok(Some(status)) => Err(self.exited(&status.to_string())),
            Err(err) => Err(self.exited(&err.to_string())),
        }
    }

    fn exited(&self, status: &str) -> TestkitError {
        TestkitError::Exited {
            service: self.name,
            status: status.to_owned(),
            log: self.log.clone(),
            tail: self.log_tail(40),
        }
    }

    pub(crate) fn not_ready(&self, waited: Duration, reason: String) -> TestkitError {
        TestkitError::NotReady { service: self.name, waited, reason, log: self.log.clone(), tail: self.log_tail(40) }
    }

    /// The last `lines` lines of the service's log.
    pub fn log_tail(&self, lines: usize) -> String {
        let Ok(mut file) = File::open(&self.log) else {
            return String::from("(no log)");
        };
        let len = file.metadata().map(|m| m.len()).unwrap_or(0);
        let start = len.saturating_sub(64 * 1024);
        let mut text = String::new();
        if file.seek(SeekFrom::Start(start)).is_err() || file.read_to_string(&mut text).is_err() {
            return String::from("(unreadable log)");
        }
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }

    /// Stops the process group: SIGTERM (sent by the guard's watchdog, or by us if it is gone), then
    /// SIGKILL for whatever is left after a grace period. The folder stays.
    pub fn stop_process(&mut self) {
        let Some(mut child) = self.child.take() else { return };
        let pgid = child.id() as i32;
        let asked = self.lifeline.take().is_some_and(|mut lifeline| lifeline.write_all(b"stop\n").is_ok());
        if !asked {
            signal_group(pgid, Signal::Term);
        }
        let started = Instant::now();
        // Wait for the whole group (nginx workers, dovecot children), not just its leader.
        while group_exists(pgid) && started.elapsed() < GRACE {
            let _ = child.try_wait();
            std::thread::sleep(Duration::from_millis(10));
        }
        let forced = group_exists(pgid);
        signal_group(pgid, Signal::Kill);
        let _ = child.wait();
        tracing::debug!(service = self.name, took = ?started.elapsed(), forced, "service stopped");
    }
}

impl Drop for ServiceProcess {
    fn drop(&mut self) {
        self.stop_process();
        if std::thread::panicking()
            && let Some(dir) = self.dir.take()
        {
            let kept = dir.keep();
            eprintln!(
                "--- {} log ({}), folder kept at {} ---\n{}\n--- end of {} log ---",
                self.name,
                self.log.display(),
                kept.display(),
                self.log_tail(60),
                self.name
            );
        }
    }
}

/// Whether a process with this pid exists and is not a zombie.
pub fn process_is_alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the parenthesised command name, which may itself hold spaces or ')'.
        Ok(stat) => {
            stat.rsplit_once(')').and_then(|(_, rest)| rest.trim_start().chars().next()).is_some_and(|s| s != 'Z')
        }
        Err(_) => false,
    }
}

/// The guard every service runs under. It starts the service in the background (in the guard's own
/// process group) and waits for it, exiting with its status. Beside it, a watchdog reads the guard's
/// stdin, a pipe whose only writer is this process:
/// - a line ("stop") is our [`ServiceProcess::stop_process`]: the watchdog sends SIGTERM to the group
///   (ignoring it itself) and leaves;
/// - end-of-file means we are gone without stopping it — a test killed by a timeout, `kill -9` — and
///   our destructors will never run: the watchdog stops the group, removes the service's folder and
///   kills whatever is left, itself included.
///
/// (PR_SET_PDEATHSIG would only cover the direct child, not nginx's workers or dovecot's children,
/// and it fires when the *thread* that spawned the child ends. The pipe is moved to fd 3 because sh
/// gives background jobs /dev/null as stdin.)
const GUARD: &str = r#"dir=$1; shift
exec 3<&0
"$@" </dev/null 3<&- & service=$!
{
  trap '' TERM
  if read -r _ <&3; then kill -TERM 0; exit 0; fi
  kill -TERM 0; sleep 2; rm -rf "$dir"; kill -KILL 0
} &
exec 3<&-
wait "$service""#;

fn launch_guarded(
    command: &Command,
    dir: &Path,
    log: &Path,
    stdout: Option<File>,
    account: Option<ServiceUser>,
) -> Result<(Child, ChildStdin)> {
    let log_file = File::options()
        .create(true)
        .append(true)
        .open(log)
        .map_err(TestkitError::io(format!("open {}", log.display())))?;
    let stdout = match stdout {
        Some(file) => file,
        None => log_file.try_clone().map_err(TestkitError::io("duplicate the log handle"))?,
    };
    let mut guard = Command::new("sh");
    guard
        .arg("-c")
        .arg(GUARD)
        .arg("showdesk-service-guard")
        .arg(dir)
        .arg(command.get_program())
        .args(command.get_args());
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => guard.env(key, value),
            None => guard.env_remove(key),
        };
    }
    if let Some(dir) = command.get_current_dir() {
        guard.current_dir(dir);
    }
    if let Some(account) = account.filter(|account| !account.is_current()) {
        guard.uid(account.uid).gid(account.gid);
    }
    guard.stdin(Stdio::piped()).stdout(stdout).stderr(log_file).process_group(0);
    let mut child = guard.spawn().map_err(TestkitError::io(format!("start {:?}", command.get_program())))?;
    let lifeline = child.stdin.take().ok_or_else(|| TestkitError::Io {
        what: "keep the service's lifeline".into(),
        source: std::io::Error::other("no stdin pipe"),
    })?;
    Ok((child, lifeline))
}

enum Signal {
    Term,
    Kill,
}

#[allow(unsafe_code)]
fn signal_group(pgid: i32, signal: Signal) {
    let signal = match signal {
        Signal::Term => libc::SIGTERM,
        Signal::Kill => libc::SIGKILL,
    };
    if pgid > 1 {
        // SAFETY: kill(2) takes plain integers and has no memory effects; a negative pid addresses
        // the process group we created for this service (never 0 or -1, which would hit our own
        // group or every process).
        unsafe {
            libc::kill(-pgid, signal);
        }
    }
}

/// Whether any live (not zombie) process is left in process group `pgid`. Zombies do not count: orphans are
/// reaped by PID 1 when it gets to it, which in a container can take seconds.
pub fn group_exists(pgid: i32) -> bool {
    let Ok(entries) = std::fs::read_dir("/proc") else { return false };
    entries.flatten().filter(|entry| entry.file_name().to_string_lossy().bytes().all(|b| b.is_ascii_digit())).any(
        |entry| {
            let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { return false };
            // "pid (comm) state ppid pgrp ..."; comm may hold spaces and parentheses.
            let Some((_, rest)) = stat.rsplit_once(')') else { return false };
            let mut fields = rest.split_whitespace();
            let state = fields.next().unwrap_or("Z");
            let pgrp = fields.nth(1).and_then(|field| field.parse::<i32>().ok());
            pgrp == Some(pgid) && state != "Z" && state != "X"
        },
    )
}
