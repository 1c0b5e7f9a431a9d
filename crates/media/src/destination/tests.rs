//! Every row of ../shared/cases/C09 (URL shapes operators paste) and the display forms of C01.

use super::*;

const KEY: &str = "sk_TESTKEY_9f8e7d6c5b4a";

fn rtmp(url: &str, key: &str) -> Result<(RtmpTarget, Option<Notice>), DestinationError> {
    let parsed = Target::parse(url, key)?;
    match parsed.target {
        Target::Rtmp(target) => Ok((target, parsed.notice)),
        Target::Srt(_) => panic!("{url} parsed as SRT"),
    }
}

fn srt(url: &str) -> Result<SrtTarget, DestinationError> {
    match Target::parse(url, "")?.target {
        Target::Srt(target) => Ok(target),
        Target::Rtmp(_) => panic!("{url} parsed as RTMP"),
    }
}

#[test]
fn c09_baseline_uses_port_1935() -> Result<(), DestinationError> {
    let (target, notice) = rtmp("rtmp://ingest.example.com/live", KEY)?;
    assert_eq!((target.host.as_str(), target.port, target.application.as_str()), ("ingest.example.com", 1935, "live"));
    assert_eq!(target.stream.expose(), KEY);
    assert_eq!(target.scheme, RtmpScheme::Rtmp);
    assert!(notice.is_none());
    Ok(())
}

#[test]
fn c09_trailing_slash_does_not_change_the_application() -> Result<(), DestinationError> {
    assert_eq!(rtmp("rtmp://ingest.example.com/live/", KEY)?, rtmp("rtmp://ingest.example.com/live", KEY)?);
    assert_eq!(rtmp("rtmp://ingest.example.com/live/", KEY)?.0.application, "live");
    Ok(())
}

#[test]
fn c09_empty_key_is_refused_before_connecting() {
    assert_eq!(rtmp("rtmp://ingest.example.com/live/", ""), Err(DestinationError::EmptyKey));
    assert_eq!(rtmp("rtmp://ingest.example.com/live", "   \n"), Err(DestinationError::EmptyKey));
}

#[test]
fn c09_key_pasted_into_the_url_is_detected_and_taken_from_there() -> Result<(), DestinationError> {
    let (target, notice) = rtmp("rtmp://ingest.example.com/live/sk_TESTKEY_9f8e7d6c5b4a", "")?;
    assert_eq!(notice, Some(Notice::KeyFoundInUrl));
    assert_eq!(target.application, "live");
    assert_eq!(target.stream.expose(), KEY);
    assert!(!target.display().contains("9f8e7d6c5b4a"));
    Ok(())
}

#[test]
fn c09_multi_segment_application_and_custom_port_are_kept() -> Result<(), DestinationError> {
    let (target, _) = rtmp("rtmp://ingest.example.com:1936/app/_definst_", KEY)?;
    assert_eq!((target.port, target.application.as_str()), (1936, "app/_definst_"));
    assert_eq!(target.stream.expose(), KEY);
    Ok(())
}

#[test]
fn c09_query_on_the_application_stays_with_the_application() -> Result<(), DestinationError> {
    let (target, _) = rtmp("rtmp://ingest.example.com/live?auth=TOKEN_CANARY_11", KEY)?;
    assert_eq!(target.application, "live?auth=TOKEN_CANARY_11");
    assert_eq!(target.stream.expose(), KEY);
    assert_eq!(target.display(), "rtmp://ingest.example.com/live?auth=****/****");
    Ok(())
}

#[test]
fn c09_query_on_the_stream_is_passed_whole() -> Result<(), DestinationError> {
    let (target, _) = rtmp("rtmp://ingest.example.com/live", "sk_TESTKEY_9f8e7d6c5b4a?token=abc&expires=1741650000")?;
    assert_eq!(target.application, "live");
    assert_eq!(target.stream.expose(), "sk_TESTKEY_9f8e7d6c5b4a?token=abc&expires=1741650000");
    Ok(())
}

#[test]
fn c09_whitespace_around_the_key_is_trimmed_never_encoded() -> Result<(), DestinationError> {
    let (target, _) = rtmp("  rtmp://ingest.example.com/live \n", " sk_TESTKEY_9f8e7d6c5b4a\n")?;
    assert_eq!(target.stream.expose(), KEY);
    assert_eq!(rtmp("rtmp://ingest.example.com/live", "sk_TEST KEY"), Err(DestinationError::KeyWithSpace));
    Ok(())
}

#[test]
fn c09_rtmps_with_port_and_trailing_slash_is_the_same_publish() -> Result<(), DestinationError> {
    let (with_slash, _) = rtmp("rtmps://live-api-s.facebook.com:443/rtmp/", "FB-000000000000000-0-TESTKEY")?;
    let (without, _) = rtmp("rtmps://live-api-s.facebook.com:443/rtmp", "FB-000000000000000-0-TESTKEY")?;
    assert_eq!(with_slash, without);
    assert_eq!((with_slash.scheme, with_slash.port, with_slash.application.as_str()), (RtmpScheme::Rtmps, 443, "rtmp"));
    Ok(())
}

#[test]
fn c09_rtmps_without_port_uses_443() -> Result<(), DestinationError> {
    assert_eq!(rtmp("rtmps://ingest.example.com/live", KEY)?.0.port, 443);
    Ok(())
}

#[test]
fn c09_ipv6_literal_keeps_its_brackets_in_display_only() -> Result<(), DestinationError> {
    let (target, _) = rtmp("rtmp://[2001:db8::10]:1935/live", KEY)?;
    assert_eq!((target.host.as_str(), target.port), ("2001:db8::10", 1935));
    assert_eq!(target.display(), "rtmp://[2001:db8::10]:1935/live/****");
    assert_eq!(target.server_url(), "rtmp://[2001:db8::10]:1935/live");
    assert!(matches!(rtmp("rtmp://[2001:db8::zz]/live", KEY), Err(DestinationError::BadIpv6(_))));
    Ok(())
}

#[test]
fn c09_userinfo_becomes_credentials_masked_everywhere() -> Result<(), DestinationError> {
    let (target, _) = rtmp("rtmp://publisher:USERPASS_CANARY_33@ingest.example.com/live", KEY)?;
    assert_eq!(target.host, "ingest.example.com");
    assert_eq!(target.username.as_deref(), Some("publisher"));
    assert_eq!(target.password.as_ref().map(Secret::expose), Some("USERPASS_CANARY_33"));
    assert_eq!(target.display(), "rtmp://publisher:****@ingest.example.com/live/****");
    assert!(!format!("{target:?}").contains("USERPASS_CANARY_33"), "Debug must not show the password");
    Ok(())
}

#[test]
fn c09_srt_stream_id_survives_intact_and_passphrase_is_validated() -> Result<(), DestinationError> {
    let target = srt(
        "srt://ingest.example.com:9000?mode=caller&streamid=#!::r=live/show,m=publish&passphrase=PASSPHRASE_CANARY_77",
    )?;
    assert_eq!(target.stream_id.as_ref().map(Secret::expose), Some("#!::r=live/show,m=publish"));
    assert_eq!(target.passphrase.as_ref().map(Secret::expose), Some("PASSPHRASE_CANARY_77"));
    assert_eq!((target.host.as_str(), target.port, target.mode), ("ingest.example.com", 9000, SrtMode::Caller));
    assert_eq!(target.element_uri(), "srt://ingest.example.com:9000?mode=caller");
    assert_eq!(srt("srt://h:9000?passphrase=short"), Err(DestinationError::BadPassphraseLength(5)));
    let long = "x".repeat(80);
    assert_eq!(srt(&format!("srt://h:9000?passphrase={long}")), Err(DestinationError::BadPassphraseLength(80)));
    Ok(())
}

#[test]
fn c01_display_forms() -> Result<(), DestinationError> {
    let shown = |url: &str, key: &str| Target::parse(url, key).map(|parsed| parsed.target.display());
    assert_eq!(shown("rtmp://ingest.example.com/live", KEY)?, "rtmp://ingest.example.com/live/****");
    assert_eq!(
        shown("rtmps://live-api-s.facebook.com:443/rtmp/", "FB-000000000000000-0-TESTKEY_9f8e7d6c5b4a")?,
        "rtmps://live-api-s.facebook.com:443/rtmp/****"
    );
    assert_eq!(
        shown(
            "srt://ingest.example.com:9000?streamid=publish:live/STREAMID_CANARY_55&passphrase=PASSPHRASE_CANARY_77&latency=200",
            ""
        )?,
        "srt://ingest.example.com:9000?streamid=****&passphrase=****&latency=200"
    );
    Ok(())
}

#[test]
fn srt_listener_may_omit_the_host_but_a_caller_may_not() -> Result<(), DestinationError> {
    let listener = srt("srt://:9000?mode=listener")?;
    assert_eq!((listener.host.as_str(), listener.port, listener.mode), ("", 9000, SrtMode::Listener));
    assert_eq!(srt("srt://:9000"), Err(DestinationError::SrtCallerWithoutHost));
    assert!(matches!(srt("srt://h:9000?mode=push"), Err(DestinationError::BadSrtMode(_))));
    assert!(matches!(srt("srt://h:9000?latency=fast"), Err(DestinationError::BadLatency(_))));
    Ok(())
}

#[test]
fn bad_input_gets_a_clear_error_naming_the_problem() {
    let error = |url: &str| Target::parse(url, KEY).err().map(|err| err.code());
    assert_eq!(error(""), Some("destination.empty_url"));
    assert_eq!(error("ingest.example.com/live"), Some("destination.no_scheme"));
    assert_eq!(error("http://ingest.example.com/live"), Some("destination.unsupported_scheme"));
    assert_eq!(error("rtmp:///live"), Some("destination.no_host"));
    assert_eq!(error("rtmp://ingest.example.com:99999/live"), Some("destination.bad_port"));
    assert_eq!(error("rtmp://ingest.example.com:abc/live"), Some("destination.bad_port"));
    assert_eq!(error("rtmp://ingest.example.com"), Some("destination.no_application"));
    assert_eq!(error("srt://h"), Some("destination.bad_port"));
    // Errors never carry what looked like a credential.
    let text = Target::parse("ingest.example.com/live?auth=TOKEN_CANARY_11", KEY).err().map(|e| e.to_string());
    assert!(text.is_some_and(|text| !text.contains("TOKEN_CANARY_11")));
}

#[test]
fn parsing_never_panics_on_garbage() {
    for url in [
        "rtmp://",
        "rtmp://@",
        "rtmp://[",
        "rtmp://[]:1/x",
        "srt://?",
        "srt://:/",
        "rtmp://h:/a",
        "rtmp://é%zz/ä/%",
        "rtmp://h/%E2%82",
    ] {
        let _ = Target::parse(url, "");
        let _ = Target::parse(url, KEY);
    }
}
