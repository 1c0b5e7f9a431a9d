//! Each service starts, answers its own protocol, and leaves nothing behind: no process, no port.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use showdesk_testkit::{
    Dovecot, LocalStripe, NginxRtmp, Postgres, Protocol, SmtpSink, SrtPeer, SrtPeerOptions, port_is_free,
    process_group_is_alive, process_is_alive,
};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// After a service is dropped, its process group must be gone and its ports bindable again.
fn assert_gone(pid: Option<u32>, ports: &[(u16, Protocol)]) {
    let Some(pid) = pid else { panic!("the service had no pid while running") };
    let deadline = Instant::now() + Duration::from_secs(5);
    while process_is_alive(pid) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!process_is_alive(pid), "process {pid} outlived its handle");
    assert!(!process_group_is_alive(pid as i32), "process group {pid} still has live members");
    for &(port, protocol) in ports {
        assert!(port_is_free(port, protocol), "port {port} is still bound");
    }
}

#[test]
fn nginx_rtmp_accepts_a_publisher_and_counts_it_in_stat() -> TestResult {
    let ingest = NginxRtmp::start()?;
    let (pid, port) = (ingest.pid(), ingest.rtmp_port());
    let url = ingest.stream_url("teststream");
    let mut publisher = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-re", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=15"])
        .args(["-t", "20", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-f", "flv"])
        .arg(&url)
        .spawn()?;
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut publishing = false;
    while Instant::now() < deadline && !publishing {
        publishing = ingest.stat_xml()?.contains("<publishing/>");
        std::thread::sleep(Duration::from_millis(200));
    }
    publisher.kill()?;
    publisher.wait()?;
    assert!(publishing, "/stat never showed the publisher");
    drop(ingest);
    assert_gone(pid, &[(port, Protocol::Tcp)]);
    Ok(())
}

#[test]
fn nginx_rtmp_can_be_stopped_and_started_again_on_the_same_port() -> TestResult {
    let mut ingest = NginxRtmp::start()?;
    let port = ingest.rtmp_port();
    ingest.stop();
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err(), "the ingest still accepts while stopped");
    ingest.start_again()?;
    assert_eq!(ingest.rtmp_port(), port);
    TcpStream::connect(("127.0.0.1", port))?;
    ingest.reload()?;
    assert!(ingest.stat_xml()?.contains("<rtmp>"));
    Ok(())
}

#[test]
fn srt_listener_receives_a_caller_stream() -> TestResult {
    let peer = SrtPeer::listener(&SrtPeerOptions::default())?;
    let (pid, port) = (peer.pid(), peer.port());
    let status = Command::new("gst-launch-1.0")
        .args([
            "-q",
            "videotestsrc",
            "is-live=true",
            "num-buffers=45",
            "!",
            "video/x-raw,width=320,height=240,framerate=15/1",
        ])
        .args(["!", "x264enc", "tune=zerolatency", "speed-preset=ultrafast", "!", "video/x-h264,profile=main"])
        .args(["!", "mpegtsmux", "!", "srtsink"])
        .arg(format!("uri={}?mode=caller", peer.url()))
        .status()?;
    assert!(status.success(), "gst-launch could not send over SRT");
    let deadline = Instant::now() + Duration::from_secs(5);
    while peer.received_bytes() == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(peer.received_bytes() > 10_000, "the SRT peer received {} bytes", peer.received_bytes());
    drop(peer);
    assert_gone(pid, &[(port, Protocol::Udp)]);
    Ok(())
}

#[test]
fn localstripe_takes_a_payment_and_lists_its_events() -> TestResult {
    let stripe = LocalStripe::start()?;
    let (pid, port) = (stripe.pid(), stripe.port());
    let intent = stripe.post_form(
        "/v1/payment_intents",
        &[("amount", "2500"), ("currency", "eur"), ("payment_method", "pm_card_visa"), ("confirm", "true")],
    )?;
    assert_eq!(intent["status"], "succeeded", "{intent}");
    let events = stripe.get_json("/v1/events?limit=10")?;
    let kinds: Vec<_> = events["data"].as_array().into_iter().flatten().filter_map(|e| e["type"].as_str()).collect();
    assert!(kinds.contains(&"payment_intent.succeeded"), "{kinds:?}");
    drop(stripe);
    assert_gone(pid, &[(port, Protocol::Tcp)]);
    Ok(())
}

#[test]
fn dovecot_serves_the_mail_delivered_to_it() -> TestResult {
    let imap = Dovecot::start()?;
    let (pid, port) = (imap.pid(), imap.port());
    let answer = imap.deliver(
        b"From: buyer@example.com\r\nTo: support@showdesk.test\r\nSubject: hello\r\n\r\nI paid but cannot watch.\r\n",
    )?;
    assert!(answer.contains("APPENDUID"), "{answer}");

    let stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    let mut transcript = String::new();
    write!(
        writer,
        "a LOGIN \"{}\" \"{}\"\r\nb SELECT INBOX\r\nc FETCH 1 BODY[HEADER.FIELDS (SUBJECT)]\r\nd LOGOUT\r\n",
        imap.user(),
        imap.password()
    )?;
    let mut line = String::new();
    while reader.read_line(&mut line)? > 0 {
        transcript.push_str(&line);
        if line.starts_with("d ") {
            break;
        }
        line.clear();
    }
    assert!(transcript.contains("a OK"), "{transcript}");
    assert!(transcript.contains("* 1 EXISTS"), "{transcript}");
    assert!(transcript.contains("Subject: hello"), "{transcript}");
    drop(imap);
    assert_gone(pid, &[(port, Protocol::Tcp)]);
    Ok(())
}

#[test]
fn dovecot_refuses_a_wrong_password() -> TestResult {
    let imap = Dovecot::start()?;
    let stream = TcpStream::connect(("127.0.0.1", imap.port()))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    write!(writer, "a LOGIN \"{}\" \"wrong\"\r\n", imap.user())?;
    let mut line = String::new();
    while reader.read_line(&mut line)? > 0 && !line.starts_with("a ") {
        line.clear();
    }
    assert!(line.starts_with("a NO"), "{line}");
    Ok(())
}

#[test]
fn smtp_sink_keeps_what_it_is_sent_and_applies_faults() -> TestResult {
    let sink = SmtpSink::start()?;
    let (pid, port) = (sink.pid(), sink.smtp_port());
    sink.set_faults(&["gone@example.com"], 0)?;
    let transcript = smtp_session(
        port,
        &[
            "EHLO test",
            "MAIL FROM:<support@showdesk.test>",
            "RCPT TO:<gone@example.com>",
            "RCPT TO:<buyer@example.com>",
            "DATA",
            "Subject: Your ticket\r\n\r\nSee you tonight.\r\n.",
            "QUIT",
        ],
    )?;
    assert!(transcript.contains("550 5.1.1"), "{transcript}");
    let messages = sink.messages()?;
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].rcpt_tos, ["buyer@example.com"]);
    assert!(messages[0].raw.contains("See you tonight."));
    drop(sink);
    assert_gone(pid, &[(port, Protocol::Tcp)]);
    Ok(())
}

fn smtp_session(port: u16, commands: &[&str]) -> Result<String, std::io::Error> {
    let stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    let mut transcript = String::new();
    let mut read_reply = |transcript: &mut String| -> std::io::Result<()> {
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line)? == 0 {
                return Ok(());
            }
            transcript.push_str(&line);
            // The last line of a multi-line reply has a space after the code.
            if line.len() < 4 || line.as_bytes()[3] == b' ' {
                return Ok(());
            }
        }
    };
    read_reply(&mut transcript)?;
    for command in commands {
        write!(writer, "{command}\r\n")?;
        read_reply(&mut transcript)?;
    }
    Ok(transcript)
}

#[test]
fn postgres_answers_a_query() -> TestResult {
    let pg = Postgres::start()?;
    let (pid, port) = (pg.pid(), pg.port());
    let output = Command::new("psql").arg(pg.url("postgres")).args(["-tAc", "select 40 + 2"]).output()?;
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "42", "{}", String::from_utf8_lossy(&output.stderr));
    drop(pg);
    assert_gone(pid, &[(port, Protocol::Tcp)]);
    Ok(())
}
