//! Running commands: inherit output, or tee it while scanning lines.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};

/// Runs `command` with inherited output; an error names the command.
pub fn run(command: &mut Command) -> Result<(), String> {
    let status = status(command)?;
    if status.success() { Ok(()) } else { Err(format!("{} failed ({status})", describe(command))) }
}

pub fn status(command: &mut Command) -> Result<ExitStatus, String> {
    command.status().map_err(|err| format!("cannot run {}: {err}", describe(command)))
}

/// Runs `command`, copying its stdout and stderr to ours as they come, and returns the lines of
/// both (for summaries) with the exit status.
pub fn tee(command: &mut Command) -> Result<(ExitStatus, Vec<String>), String> {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|err| format!("cannot run {}: {err}", describe(command)))?;
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let out_thread = std::thread::spawn(move || copy_lines(stdout, false));
    let err_lines = copy_lines(stderr, true);
    let mut lines = out_thread.join().unwrap_or_default();
    lines.extend(err_lines);
    let status = child.wait().map_err(|err| format!("waiting for {}: {err}", describe(command)))?;
    Ok((status, lines))
}

fn copy_lines(source: Option<impl std::io::Read>, to_stderr: bool) -> Vec<String> {
    let Some(source) = source else {
        return Vec::new();
    };
    let mut lines = Vec::new();
    for line in BufReader::new(source).lines().map_while(Result::ok) {
        if to_stderr {
            let _ = writeln!(std::io::stderr(), "{line}");
        } else {
            let _ = writeln!(std::io::stdout(), "{line}");
        }
        lines.push(line);
    }
    lines
}

/// The output of a command that must succeed, as text.
pub fn output(command: &mut Command) -> Result<String, String> {
    let output = command.output().map_err(|err| format!("cannot run {}: {err}", describe(command)))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(format!("{} failed: {}", describe(command), String::from_utf8_lossy(&output.stderr).trim()))
    }
}

/// Whether `program` can be found on PATH.
pub fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| is_executable(&dir.join(program))))
}

pub fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata().is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

pub fn describe(command: &Command) -> String {
    let mut text = command.get_program().to_string_lossy().into_owned();
    for arg in command.get_args().take(6) {
        text.push(' ');
        text.push_str(&arg.to_string_lossy());
    }
    text
}

/// FNV-1a of a file's bytes: enough to notice that a lock file changed since the last install.
pub fn file_hash(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|err| format!("cannot read {}: {err}", path.display()))?;
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    Ok(format!("{hash:016x}"))
}
