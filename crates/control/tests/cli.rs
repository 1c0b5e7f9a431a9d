//! The `showdesk` CLI as a user runs it.

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn showdesk(home: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_showdesk"));
    command.env("SHOWDESK_HOME", home);
    command
}

fn port_of(address: &str) -> Option<u16> {
    address.rsplit(':').next()?.trim_end_matches(|c: char| !c.is_ascii_digit()).split('/').next()?.parse().ok()
}

fn accepts(port: u16) -> bool {
    TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_millis(300)).is_ok()
}

fn eventually(what: &str, timeout: Duration, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn info_reports_version_folders_and_media() -> TestResult {
    let home = tempfile::tempdir()?;
    let output = showdesk(home.path()).args(["info", "--json"]).output()?;
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let info: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    assert_eq!(info["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(info["isolated_home"], true);
    assert!(info["data_dir"].as_str().is_some_and(|dir| dir.starts_with(&*home.path().to_string_lossy())));
    assert!(info["gstreamer"].as_str().is_some_and(|v| v.starts_with("GStreamer 1.")), "{info}");
    Ok(())
}

#[test]
fn info_names_a_home_it_cannot_write_to_and_fails() -> TestResult {
    let home = tempfile::tempdir()?;
    let blocker = home.path().join("a-file");
    std::fs::write(&blocker, b"in the way")?;
    // A home under a file, and one under /proc: neither can hold a folder.
    for root in [blocker.join("showdesk"), std::path::PathBuf::from("/proc/showdesk-test")] {
        let output = showdesk(&root).arg("info").output()?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(!output.status.success(), "info under {} must fail:\n{stdout}", root.display());
        assert!(stdout.contains("problem") && stdout.contains("cannot create the folder"), "{stdout}");
    }
    assert_eq!(std::fs::read_dir(home.path())?.count(), 1, "info left nothing behind");
    Ok(())
}

#[test]
fn info_into_a_closed_pipe_exits_quietly() -> TestResult {
    let home = tempfile::tempdir()?;
    let mut child = showdesk(home.path()).arg("info").stdout(Stdio::piped()).stderr(Stdio::piped()).spawn()?;
    // The reader goes away before the first line is written (as `| head -0` would).
    drop(child.stdout.take());
    let output = child.wait_with_output()?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(output.status.success(), "{:?}: {stderr}", output.status);
    Ok(())
}

#[test]
fn the_stack_serves_until_its_time_is_up_and_masks_its_passwords() -> TestResult {
    let home = tempfile::tempdir()?;
    let mut child =
        showdesk(home.path()).args(["stack", "--json", "--duration", "3"]).stdout(Stdio::piped()).spawn()?;
    let mut line = String::new();
    BufReader::new(child.stdout.take().ok_or("no stdout")?).read_line(&mut line)?;
    let endpoints: serde_json::Value = serde_json::from_str(&line)?;
    let shown = endpoints["imap_password"].as_str().unwrap_or_default();
    assert!(shown.starts_with("****") && shown.len() == 8, "the password is masked without --reveal: {shown}");
    let imap_port = endpoints["imap_port"].as_u64().ok_or("no imap port")? as u16;
    let rtmp_port = endpoints["rtmp_server_url"].as_str().and_then(port_of).ok_or("no rtmp port")?;
    assert!(accepts(imap_port) && accepts(rtmp_port));
    let status = child.wait()?;
    assert!(status.success());
    assert!(!accepts(imap_port) && !accepts(rtmp_port), "services outlived the stack");
    Ok(())
}

#[test]
fn killing_the_cli_with_sigkill_takes_every_service_with_it() -> TestResult {
    let home = tempfile::tempdir()?;
    // The services' folders are made under TMPDIR: give them one we can inspect.
    let temp = tempfile::tempdir()?;
    let mut child =
        showdesk(home.path()).args(["stack", "--json"]).env("TMPDIR", temp.path()).stdout(Stdio::piped()).spawn()?;
    let service_dirs = || {
        std::fs::read_dir(temp.path())
            .map(|entries| {
                entries.flatten().filter(|e| e.file_name().to_string_lossy().starts_with("showdesk-")).count()
            })
            .unwrap_or(0)
    };
    let mut line = String::new();
    BufReader::new(child.stdout.take().ok_or("no stdout")?).read_line(&mut line)?;
    let endpoints: serde_json::Value = serde_json::from_str(&line)?;
    assert_eq!(service_dirs(), 5, "one folder per service");
    let ports: Vec<u16> = [
        endpoints["rtmp_server_url"].as_str().and_then(port_of),
        endpoints["rtmp_stat_url"].as_str().and_then(port_of),
        endpoints["stripe_api_base"].as_str().and_then(port_of),
        endpoints["imap_port"].as_u64().map(|p| p as u16),
        endpoints["smtp_port"].as_u64().map(|p| p as u16),
    ]
    .into_iter()
    .collect::<Option<_>>()
    .ok_or(format!("unexpected endpoints {endpoints}"))?;
    for &port in &ports {
        assert!(accepts(port), "port {port} is not served");
    }
    child.kill()?; // SIGKILL: no destructor runs
    child.wait()?;
    for &port in &ports {
        eventually(&format!("port {port} to close"), Duration::from_secs(10), || !accepts(port));
    }
    // Their folders go too (the destructors that would have removed them never ran).
    eventually("the service folders to be removed", Duration::from_secs(10), || service_dirs() == 0);
    Ok(())
}
