//! ../shared/cases/C01: the canary secrets go through a refused connect, a server-side rejection, a
//! reconnect and debug logging (ours and GStreamer's), then every file the app wrote, its output
//! and its temp folder are searched: zero hits.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use showdesk_testkit::{NginxOptions, NginxRtmp, PortLease, Protocol, PublishHook};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const CANARIES: [&str; 5] =
    ["9f8e7d6c5b4a", "PASSPHRASE_CANARY_77", "STREAMID_CANARY_55", "USERPASS_CANARY_33", "TOKEN_CANARY_11"];

fn hits_in_tree(root: &Path) -> Vec<String> {
    let mut hits = Vec::new();
    let Ok(entries) = std::fs::read_dir(root) else { return hits };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            hits.extend(hits_in_tree(&path));
        } else if let Ok(bytes) = std::fs::read(&path) {
            let text = String::from_utf8_lossy(&bytes);
            for canary in CANARIES {
                if text.contains(canary) {
                    hits.push(format!("{canary} in {}", path.display()));
                }
            }
        }
    }
    hits
}

#[test]
fn no_canary_reaches_any_file_output_or_temp_folder() -> TestResult {
    let hook = PublishHook::start(&["sk_TESTKEY_9f8e7d6c5b4a"])?;
    let refusing = NginxRtmp::start_with(&NginxOptions { on_publish: Some(hook.url()) })?;
    let mut restarting = NginxRtmp::start()?;
    let dead_srt = PortLease::new(Protocol::Udp)?;
    let home = tempfile::tempdir()?;
    let temp = tempfile::tempdir()?;
    // The profile itself holds no secret; the credentialed URLs come from the environment.
    let input = tempfile::tempdir()?;
    let profile = input.path().join("show.toml");
    std::fs::write(
        &profile,
        format!(
            r#"[show]
title = "Canary show"
[video]
bitrate_kbps = 600
speed_preset = "ultrafast"
[[sources]]
name = "Pattern"
kind = "test_pattern"
[[destinations]]
name = "Refused"
url_env = "CANARY_REFUSED_URL"
key_env = "CANARY_KEY"
[[destinations]]
name = "Restarting"
url = "{restarting}"
key_env = "CANARY_KEY"
[[destinations]]
name = "Nobody"
url_env = "CANARY_SRT_URL"
"#,
            restarting = restarting.server_url(),
        ),
    )?;
    let child = Command::new(env!("CARGO_BIN_EXE_showdesk"))
        .args(["live", "--json", "--duration", "120", "--profile"])
        .arg(&profile)
        .env("SHOWDESK_HOME", home.path())
        .env("TMPDIR", temp.path())
        .env("CANARY_KEY", "sk_TESTKEY_9f8e7d6c5b4a")
        .env(
            "CANARY_REFUSED_URL",
            format!("rtmp://publisher:USERPASS_CANARY_33@127.0.0.1:{}/live?auth=TOKEN_CANARY_11", refusing.rtmp_port()),
        )
        .env(
            "CANARY_SRT_URL",
            format!(
                "srt://127.0.0.1:{}?streamid=publish:live/STREAMID_CANARY_55&passphrase=PASSPHRASE_CANARY_77",
                dead_srt.port()
            ),
        )
        .env("SHOWDESK_LOG", "trace")
        .env("GST_DEBUG", "rtmp2*:7,srt*:7,basesink:5,3")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    // A reconnect in the middle: once the stream is on that ingest (a loaded machine takes longer
    // to get there than a quiet one), the ingest goes away and comes back.
    // Read what it prints as it goes: trace logs fill a pipe in a second, and a full pipe would
    // stall the show.
    let drain = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            if let Some(mut pipe) = pipe {
                let mut bytes = Vec::new();
                let _ = pipe.read_to_end(&mut bytes);
                text = String::from_utf8_lossy(&bytes).into_owned();
            }
            text
        })
    };
    let mut child = child;
    let stdout_reader = drain(child.stdout.take().map(|p| Box::new(p) as Box<dyn std::io::Read + Send>));
    let stderr_reader = drain(child.stderr.take().map(|p| Box::new(p) as Box<dyn std::io::Read + Send>));
    let publishing = |ingest: &NginxRtmp| ingest.stat_xml().is_ok_and(|xml| xml.contains("<publishing/>"));
    let wait_until = |what: &str, done: &dyn Fn() -> bool| {
        let started = std::time::Instant::now();
        while !done() {
            // Trace-level logs of every GStreamer category slow everything down: be patient.
            assert!(started.elapsed() < Duration::from_secs(45), "{what} did not happen within 45 s");
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    wait_until("the stream reaching the restarting ingest", &|| publishing(&restarting));
    std::thread::sleep(Duration::from_secs(1));
    restarting.stop();
    std::thread::sleep(Duration::from_millis(700));
    restarting.start_again()?;
    wait_until("the stream coming back", &|| publishing(&restarting));
    // Ctrl-C's twin: the show ends cleanly and the recording is finalised.
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let status = child.wait()?;
    let stdout = stdout_reader.join().map_err(|_| "stdout reader")?;
    let stderr = stderr_reader.join().map_err(|_| "stderr reader")?;
    assert!(status.success(), "{stderr}");
    assert!(stderr.contains("refused the stream"), "the rejection happened: {stderr}");
    assert!(stderr.contains("restarting: reconnecting"), "the reconnect happened");
    assert!(hook.calls().iter().any(|call| call.name == "sk_TESTKEY_9f8e7d6c5b4a"), "the server did get the key");

    let mut hits = hits_in_tree(home.path());
    hits.extend(hits_in_tree(temp.path()));
    for canary in CANARIES {
        if stdout.contains(canary) {
            hits.push(format!("{canary} on stdout"));
        }
        if stderr.contains(canary) {
            hits.push(format!("{canary} on stderr"));
        }
    }
    assert!(hits.is_empty(), "secrets leaked: {hits:#?}");
    // The masked forms are there instead.
    assert!(stdout.contains("rtmp://publisher:****@127.0.0.1:") && stdout.contains("/live?auth=****/****"), "{stdout}");
    assert!(stdout.contains("streamid=****&passphrase=****"), "{stdout}");
    Ok(())
}
