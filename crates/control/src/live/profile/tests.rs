use std::collections::HashMap;

use super::*;

struct FakeSecrets {
    env: HashMap<&'static str, &'static str>,
    keyring: HashMap<&'static str, &'static str>,
}

impl SecretSource for FakeSecrets {
    fn env(&self, name: &str) -> Option<String> {
        self.env.get(name).map(|v| (*v).to_owned())
    }
    fn keyring(&self, name: &str) -> Result<String, String> {
        self.keyring.get(name).map(|v| (*v).to_owned()).ok_or_else(|| format!("no secret named {name:?}"))
    }
}

fn secrets() -> FakeSecrets {
    FakeSecrets {
        env: HashMap::from([("MAIN_KEY", "sk_TESTKEY_9f8e7d6c5b4a")]),
        keyring: HashMap::from([
            ("backup", "BACKUPKEY_123456"),
            ("srt-url", "srt://srt.example.com:9000?streamid=STREAMID_CANARY_55&passphrase=PASSPHRASE_CANARY_77"),
        ]),
    }
}

const GOOD: &str = r#"
[show]
title = "Fight Night"
starts_at = "2026-12-24T20:00:00+01:00"
language = "fr"

[video]
preset = "1080p30"

[[sources]]
name = "Camera 1"
kind = "camera"
device = "/dev/video0"

[[sources]]
name = "Intro"
kind = "file"
path = "/media/intro.mp4"
loop = true

[[destinations]]
name = "Main (YouTube)"
url = "rtmp://a.rtmp.youtube.com/live2"
key_env = "MAIN_KEY"

[[destinations]]
name = "Backup"
url = "srt://backup.example.com:9000"
key_keyring = "backup"
"#;

fn parse_good(text: &str) -> Result<Profile, ProfileError> {
    parse(text, "show.toml", Path::new("/videos"), &secrets())
}

fn error_of(text: &str) -> String {
    match parse_good(text) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(err) => err.message,
    }
}

#[test]
fn a_complete_profile_becomes_an_engine_spec() -> Result<(), ProfileError> {
    let profile = parse_good(GOOD)?;
    let spec = profile.spec;
    assert_eq!(spec.show_title, "Fight Night");
    assert_eq!(spec.show_starts_at, Some(1_798_138_800));
    assert_eq!(spec.language, Language::Fr);
    assert_eq!(spec.video.format.height, 1080);
    assert_eq!(spec.video.bitrate_kbps, 4500);
    assert_eq!(spec.sources.len(), 2);
    assert_eq!(spec.outputs.iter().map(|o| o.id.as_str()).collect::<Vec<_>>(), ["main-youtube", "backup"]);
    assert!(spec.outputs[0].target.display().ends_with("/live2/****"));
    let recording = spec.recording.ok_or(ProfileError { file: String::new(), message: "no recording".into() })?;
    assert_eq!(recording.folder, Path::new("/videos"));
    assert!(recording.base_name.ends_with(" Fight Night"));
    Ok(())
}

#[test]
fn a_key_written_in_the_profile_is_refused_with_how_to_store_it() {
    // Shaped like a live key, assembled here so no such string sits in the source.
    let key = ["sk", "live", "abcdefghijkl"].join("_");
    let text = GOOD.replace("key_env = \"MAIN_KEY\"", &format!("key = \"{key}\""));
    let message = error_of(&text);
    assert!(message.starts_with("destinations[0].key:"), "{message}");
    assert!(message.contains("showdesk key set"), "{message}");
    assert!(!message.contains(&key), "the error must not repeat the key");
}

#[test]
fn errors_name_the_field_and_the_problem() {
    let cases = [
        (GOOD.replace("preset = \"1080p30\"", "preset = \"4k\""), "video.preset"),
        (GOOD.replace("language = \"fr\"", "language = \"de\""), "show.language"),
        (GOOD.replace("starts_at = \"2026-12-24T20:00:00+01:00\"", "starts_at = \"tomorrow\""), "show.starts_at"),
        (GOOD.replace("kind = \"camera\"", "kind = \"webcam\""), "sources[0].kind"),
        (GOOD.replace("path = \"/media/intro.mp4\"\n", ""), "sources[1].path"),
        (GOOD.replace("key_env = \"MAIN_KEY\"", "key_env = \"NOT_SET\""), "destinations[0].key_env"),
        (GOOD.replace("key_keyring = \"backup\"", "key_keyring = \"missing\""), "destinations[1].key_keyring"),
        (GOOD.replace("rtmp://a.rtmp.youtube.com/live2", "a.rtmp.youtube.com/live2"), "destinations[0].url"),
        (GOOD.replace("name = \"Backup\"", "name = \"Main (YouTube)\""), "destinations[1].name"),
        (
            GOOD.replace("[video]\npreset = \"1080p30\"", "[video]\npreset = \"720p30\"\nbitrate_kbps = 50"),
            "video.bitrate_kbps",
        ),
    ];
    for (text, field) in cases {
        let message = error_of(&text);
        assert!(message.starts_with(field), "{field}: {message}");
    }
}

#[test]
fn unknown_fields_and_broken_toml_name_the_line() {
    let message = error_of(&GOOD.replace("key_env = \"MAIN_KEY\"", "kee_env = \"MAIN_KEY\""));
    assert!(message.starts_with("line 24:") && message.contains("kee_env"), "{message}");
    let message = error_of("[show\ntitle = 1");
    assert!(message.starts_with("line 1:"), "{message}");
    assert!(error_of("[video]\npreset = \"720p30\"").contains("show"), "a profile needs its [show]");
}

#[test]
fn a_key_pasted_in_the_url_of_a_profile_is_refused_without_showing_it() {
    let text = GOOD.replace(
        "url = \"rtmp://a.rtmp.youtube.com/live2\"\nkey_env = \"MAIN_KEY\"",
        "url = \"rtmp://a.rtmp.youtube.com/live2/abcd-efgh-ijkl\"",
    );
    let message = error_of(&text);
    assert!(message.contains("pasted at the end of the URL") && message.contains("key_keyring"), "{message}");
    assert!(!message.contains("abcd-efgh-ijkl"), "the key is not repeated: {message}");
}

#[test]
fn credentials_in_a_url_are_refused_and_the_whole_url_can_come_from_the_keyring() -> Result<(), ProfileError> {
    for (url, what) in [
        ("rtmp://user:USERPASS_CANARY_33@h/live", "password before the @"),
        ("srt://h:9000?passphrase=PASSPHRASE_CANARY_77", "passphrase"),
        ("rtmp://h/live?auth=TOKEN_CANARY_11", "auth"),
    ] {
        let message = error_of(&GOOD.replace("rtmp://a.rtmp.youtube.com/live2", url));
        assert!(message.starts_with("destinations[0].url:") && message.contains(what), "{message}");
        assert!(!message.contains("CANARY"), "{message}");
    }
    let text =
        GOOD.replace("url = \"srt://backup.example.com:9000\"\nkey_keyring = \"backup\"", "url_keyring = \"srt-url\"");
    let profile = parse_good(&text)?;
    assert_eq!(profile.spec.outputs[1].target.display(), "srt://srt.example.com:9000?streamid=****&passphrase=****");
    Ok(())
}

#[test]
fn nothing_to_do_is_an_error() {
    let text = "[show]\ntitle = \"x\"\n[recording]\nenabled = false\n";
    assert!(error_of(text).starts_with("destinations"));
}

#[test]
fn dates_and_slugs() {
    assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
    assert_eq!(parse_rfc3339("2026-12-24T20:00:00Z"), Some(1_798_142_400));
    assert_eq!(parse_rfc3339("2026-12-24T20:00:00-05:30"), Some(1_798_142_400 + 5 * 3600 + 1800));
    assert_eq!(parse_rfc3339("2026-13-01T00:00:00Z"), None);
    assert_eq!(civil_from_days(20_811), (2026, 12, 24));
    assert_eq!(slug("Main (YouTube)"), "main-youtube");
    assert_eq!(slug("  Backup #2 "), "backup-2");
}

#[test]
fn a_long_title_makes_a_recording_name_a_file_system_takes() {
    let name = recording_name(&"🎤".repeat(70));
    assert!(name.len() <= 11 + RECORDING_TITLE_BYTES, "{} bytes", name.len());
    assert!(name.ends_with('🎤'), "cut between characters, never inside one: {name}");
    let short = recording_name("  Gala: 1/2  ");
    assert!(short.ends_with(" Gala- 1-2"), "{short}");
}
