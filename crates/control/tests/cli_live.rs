//! `showdesk live` and `showdesk preflight` as an operator runs them, against a real nginx-rtmp.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use showdesk_testkit::NginxRtmp;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn showdesk(home: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_showdesk"));
    command.env("SHOWDESK_HOME", home).env_remove("SHOWDESK_LOG");
    command
}

/// A small, cheap profile pushing to `url` with the key from $KEY_VAR.
fn write_profile(dir: &Path, url: &str, extra: &str) -> Result<std::path::PathBuf, std::io::Error> {
    let path = dir.join("show.toml");
    std::fs::write(
        &path,
        format!(
            r#"[show]
title = "CLI show"
[video]
preset = "720p30"
bitrate_kbps = 800
speed_preset = "ultrafast"
[[sources]]
name = "Pattern"
kind = "test_pattern"
[[sources]]
name = "Tone"
kind = "tone"
[[destinations]]
name = "Main"
url = "{url}"
key_env = "SHOWDESK_TEST_KEY"
{extra}
"#
        ),
    )?;
    Ok(path)
}

fn recordings(home: &Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(home.join("videos"))
        .map(|entries| entries.flatten().map(|e| e.path()).collect())
        .unwrap_or_default()
}

fn playable_seconds(file: &Path) -> Result<f64, Box<dyn std::error::Error>> {
    let output = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-count_frames",
            "-show_entries",
            "stream=nb_read_frames",
            "-of",
            "csv=p=0",
        ])
        .arg(file)
        .output()?;
    let frames: f64 = String::from_utf8_lossy(&output.stdout).trim().trim_end_matches(',').parse().map_err(|_| {
        format!("ffprobe could not count frames in {}: {}", file.display(), String::from_utf8_lossy(&output.stderr))
    })?;
    Ok(frames / 30.0)
}

#[test]
fn live_prints_one_json_stats_line_per_second_and_records() -> TestResult {
    let ingest = NginxRtmp::start()?;
    let home = tempfile::tempdir()?;
    let profile = write_profile(home.path(), &ingest.server_url(), "")?;
    let preview = home.path().join("program.jpg");
    let output = showdesk(home.path())
        .args(["live", "--json", "--duration", "6", "--profile"])
        .arg(&profile)
        .arg("--preview")
        .arg(&preview)
        .env("SHOWDESK_TEST_KEY", "cli_key_123")
        .output()?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let lines: Vec<serde_json::Value> =
        String::from_utf8_lossy(&output.stdout).lines().map(serde_json::from_str).collect::<Result<_, _>>()?;
    assert!(lines.len() >= 4, "{} stats lines", lines.len());
    let last = lines.last().ok_or("no stats")?;
    let main = last["outputs"].as_array().into_iter().flatten().find(|o| o["id"] == "main").ok_or("no main output")?;
    assert_eq!(main["stats"]["state"], "live", "{last}");
    assert!(last["encoder_fps"].as_f64().is_some_and(|fps| fps > 20.0), "{last}");
    assert!(stderr.contains("main: live"), "{stderr}");
    assert!(!stderr.contains("cli_key_123") && !String::from_utf8_lossy(&output.stdout).contains("cli_key_123"));
    let files = recordings(home.path());
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(playable_seconds(&files[0])? > 3.0);
    // The latest program picture, whole (written aside, then renamed).
    let picture = std::fs::read(&preview)?;
    assert!(picture.starts_with(&[0xFF, 0xD8]) && picture.ends_with(&[0xFF, 0xD9]), "a whole JPEG");
    Ok(())
}

#[test]
fn a_preview_file_in_a_missing_folder_is_refused_before_going_live() -> TestResult {
    let home = tempfile::tempdir()?;
    let profile = write_profile(home.path(), "rtmp://127.0.0.1:9/live", "")?;
    let output = showdesk(home.path())
        .args(["live", "--duration", "1", "--profile"])
        .arg(&profile)
        .arg("--preview")
        .arg(home.path().join("no-such-folder/program.jpg"))
        .env("SHOWDESK_TEST_KEY", "k")
        .output()?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("--preview") && stderr.contains("does not exist"), "{stderr}");
    assert!(recordings(home.path()).is_empty(), "nothing went live");
    Ok(())
}

#[test]
fn kill_9_while_recording_leaves_a_playable_file() -> TestResult {
    let home = tempfile::tempdir()?;
    // No destination reachable: only the recording matters here.
    let profile = write_profile(home.path(), "rtmp://127.0.0.1:9/live", "")?;
    let mut child = showdesk(home.path())
        .args(["live", "--profile"])
        .arg(&profile)
        .env("SHOWDESK_TEST_KEY", "k")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()?;
    let stderr = child.stderr.take().ok_or("no stderr")?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(200))
            && line.contains("recording: live")
        {
            break;
        }
    }
    std::thread::sleep(Duration::from_secs(4));
    child.kill()?; // SIGKILL: nothing is finalised
    child.wait()?;
    let files = recordings(home.path());
    assert_eq!(files.len(), 1, "{files:?}");
    let seconds = playable_seconds(&files[0])?;
    assert!(seconds > 2.0, "only {seconds:.1} s playable after kill -9");
    Ok(())
}

#[test]
fn bad_profiles_get_one_clear_line_naming_the_field() -> TestResult {
    let home = tempfile::tempdir()?;
    // Shaped like a live key, assembled here so no such string sits in the source.
    let key = ["sk", "live", "abcdefghijklmn"].join("_");
    let inline_key = format!("key = \"{key}\"");
    let cases =
        [(inline_key.as_str(), "destinations[0].key", key.as_str()), ("bogus = 1", "unknown field `bogus`", "")];
    for (extra, wanted, never) in cases {
        let profile = write_profile(home.path(), "rtmp://127.0.0.1/live", extra)?;
        let output =
            showdesk(home.path()).args(["live", "--profile"]).arg(&profile).env("SHOWDESK_TEST_KEY", "k").output()?;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success());
        assert!(stderr.contains(wanted), "{stderr}");
        assert!(never.is_empty() || !stderr.contains(never), "{stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    }
    let output = showdesk(home.path()).args(["live", "--profile", "/nonexistent.toml"]).output()?;
    assert!(String::from_utf8_lossy(&output.stderr).contains("/nonexistent.toml: cannot read the profile"));
    let output = showdesk(home.path())
        .args(["live", "--profile"])
        .arg(write_profile(home.path(), "rtmp://h/live", "")?)
        .output()?;
    assert!(String::from_utf8_lossy(&output.stderr).contains("SHOWDESK_TEST_KEY is not set"));
    Ok(())
}

#[test]
fn preflight_checks_the_sources_and_the_destination() -> TestResult {
    let ingest = NginxRtmp::start()?;
    let home = tempfile::tempdir()?;
    let profile = write_profile(home.path(), &ingest.server_url(), "")?;
    let output = showdesk(home.path())
        .args(["preflight", "--json", "--no-bandwidth", "--profile"])
        .arg(&profile)
        .env("SHOWDESK_TEST_KEY", "preflight_key")
        .output()?;
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)
        .map_err(|err| format!("{err}: {}", String::from_utf8_lossy(&output.stderr)))?;
    let checks = report["checks"].as_array().ok_or("no checks")?;
    let status_of = |name: &str| checks.iter().find(|c| c["name"] == name).map(|c| c["status"].clone());
    assert_eq!(status_of("Pattern: picture"), Some("pass".into()), "{report}");
    assert_eq!(status_of("Tone: sound"), Some("pass".into()), "{report}");
    assert_eq!(status_of("Main: server answers"), Some("pass".into()), "{report}");
    assert_eq!(status_of("Main: publish accepted"), Some("pass".into()), "{report}");
    assert_eq!(status_of("Main: test stays private"), Some("warn".into()), "{report}");
    assert_eq!(report["ready"], true);
    assert!(output.status.success());

    // An ingest that is not there: red, not ready, non-zero exit.
    let profile = write_profile(home.path(), "rtmp://127.0.0.1:9/live", "")?;
    let output = showdesk(home.path())
        .args(["preflight", "--json", "--no-bandwidth", "--profile"])
        .arg(&profile)
        .env("SHOWDESK_TEST_KEY", "k")
        .output()?;
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    assert_eq!(report["ready"], false);
    assert!(!output.status.success());
    Ok(())
}

#[test]
fn a_duration_must_be_a_whole_number_of_seconds_from_one() -> TestResult {
    let home = tempfile::tempdir()?;
    let profile = write_profile(home.path(), "rtmp://127.0.0.1:9/live", "")?;
    for (bad, says) in [("0", "1 or more"), ("-5", "1 or more"), ("abc", "not a number of seconds")] {
        let output = showdesk(home.path()).args(["live", "--duration", bad, "--profile"]).arg(&profile).output()?;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "--duration {bad} accepted");
        assert!(stderr.contains("--duration") && stderr.contains(says), "--duration {bad}: {stderr}");
    }
    assert!(recordings(home.path()).is_empty(), "nothing went live");
    Ok(())
}

#[test]
fn a_source_that_fails_is_told_in_words() -> TestResult {
    let home = tempfile::tempdir()?;
    let missing = "[[sources]]\nname = \"Clip\"\nkind = \"file\"\npath = \"/nonexistent/clip.mp4\"";
    let profile = write_profile(home.path(), "rtmp://127.0.0.1:9/live", missing)?;
    let output = showdesk(home.path())
        .args(["live", "--duration", "2", "--profile"])
        .arg(&profile)
        .env("SHOWDESK_TEST_KEY", "k")
        .output()?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("source Clip: no signal (") && stderr.contains("/nonexistent/clip.mp4"), "{stderr}");
    assert!(!stderr.contains("Failed {"), "no Rust debug text: {stderr}");
    Ok(())
}
