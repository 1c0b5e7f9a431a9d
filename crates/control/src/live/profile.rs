//! The show profile: a TOML file describing the show, its sources, where it goes and the recording.
//! It never holds a secret — a stream key comes from the OS keyring (`key_keyring`) or from an
//! environment variable (`key_env`); a key written in the file is refused with how to store it.
//! Every error names the field and what is wrong with it.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use showdesk_media::destination::{Notice, Target};
use showdesk_media::spec::{
    AudioSettings, EncoderChoice, EngineSpec, Language, OutputSpec, RecordingSpec, SourceKind, SourceSpec, VideoPreset,
    VideoSettings,
};
use showdesk_platform::keyring::Keyring;
use ts_rs::TS;

/// Why a profile was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {message}")]
pub struct ProfileError {
    pub file: String,
    /// "destinations[1].url: …" — the field first.
    pub message: String,
}

/// A show profile as written (TOML) and as the setup screens edit it. Holds no secret: only the
/// names of keyring entries or environment variables.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export_to = "ProfileDoc.ts")]
pub struct ProfileDoc {
    pub show: ShowSection,
    #[serde(default)]
    pub video: VideoSection,
    #[serde(default)]
    pub audio: AudioSection,
    #[serde(default)]
    pub sources: Vec<SourceSection>,
    #[serde(default)]
    pub destinations: Vec<DestinationSection>,
    #[serde(default)]
    pub recording: RecordingSection,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export_to = "ShowSection.ts")]
pub struct ShowSection {
    pub title: String,
    /// RFC 3339, e.g. 2026-12-24T20:00:00Z.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starts_at: Option<String>,
    /// en or fr (the slates' language).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export_to = "VideoSection.ts")]
pub struct VideoSection {
    /// 720p30 or 1080p30.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preset: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bitrate_kbps: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_bitrate_kbps: Option<u32>,
    /// auto or x264.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoder: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub speed_preset: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export_to = "AudioSection.ts")]
pub struct AudioSection {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bitrate_kbps: Option<u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export_to = "SourceSection.ts")]
pub struct SourceSection {
    pub name: String,
    /// camera, microphone, file, image, test_pattern, tone.
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(type = "string | null")]
    pub path: Option<PathBuf>,
    #[serde(rename = "loop", skip_serializing_if = "Option::is_none")]
    pub looped: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frequency_hz: Option<u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export_to = "DestinationSection.ts")]
pub struct DestinationSection {
    pub name: String,
    /// The server URL, without credentials.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Or the whole URL (with its passphrase, password or token) from the environment / keyring.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url_env: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url_keyring: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_env: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_keyring: Option<String>,
    /// Present only to be refused with a helpful message.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(skip)]
    pub key: Option<toml::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export_to = "RecordingSection.ts")]
pub struct RecordingSection {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(type = "string | null")]
    pub folder: Option<PathBuf>,
}

/// Where secrets come from (the environment and the keyring), injectable for tests.
pub trait SecretSource {
    fn env(&self, name: &str) -> Option<String>;
    fn keyring(&self, name: &str) -> Result<String, String>;
}

/// The real environment and OS keyring.
#[derive(Debug, Default)]
pub struct SystemSecrets;

impl SecretSource for SystemSecrets {
    fn env(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }

    fn keyring(&self, name: &str) -> Result<String, String> {
        let keyring = Keyring::open().map_err(|err| err.to_string())?;
        keyring.get(name).map(|secret| secret.expose().to_owned()).map_err(|err| err.to_string())
    }
}

/// A parsed profile: the engine spec and notes for the operator.
#[derive(Debug)]
pub struct Profile {
    pub spec: EngineSpec,
    /// Things worth saying that do not stop the show (a key found in a URL…).
    pub notices: Vec<String>,
}

/// Reads and resolves the profile at `path`. `videos` is the default recording folder.
pub fn load(path: &Path, videos: &Path, secrets: &dyn SecretSource) -> Result<Profile, ProfileError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|err| ProfileError { file: file.clone(), message: format!("cannot read the profile: {err}") })?;
    parse(&text, &file, videos, secrets)
}

/// Parses profile text (`file` names it in errors).
pub fn parse(text: &str, file: &str, videos: &Path, secrets: &dyn SecretSource) -> Result<Profile, ProfileError> {
    resolve(read_doc(text, file)?, file, videos, secrets)
}

/// The profile document in `text`, not yet checked beyond its shape.
pub fn read_doc(text: &str, file: &str) -> Result<ProfileDoc, ProfileError> {
    toml::from_str(text).map_err(|err| ProfileError { file: file.to_owned(), message: toml_error(&err, text) })
}

/// The profile as TOML, the way `read_doc` reads it back.
pub fn write_doc(doc: &ProfileDoc) -> Result<String, ProfileError> {
    toml::to_string_pretty(doc).map_err(|err| ProfileError { file: String::new(), message: err.to_string() })
}

/// Checks a profile document and resolves its secrets into an engine spec.
pub fn resolve(
    parsed: ProfileDoc,
    file: &str,
    videos: &Path,
    secrets: &dyn SecretSource,
) -> Result<Profile, ProfileError> {
    let error = |message: String| ProfileError { file: file.to_owned(), message };
    let mut notices = Vec::new();

    let title = parsed.show.title.trim().to_owned();
    if title.is_empty() {
        return Err(error("show.title: the show needs a title".into()));
    }
    let show_starts_at = parsed
        .show
        .starts_at
        .as_deref()
        .map(|text| {
            parse_rfc3339(text).ok_or_else(|| {
                error(format!("show.starts_at: {text:?} is not a date and time like 2026-12-24T20:00:00Z"))
            })
        })
        .transpose()?;
    let language = match parsed.show.language.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None | Some("en") => Language::En,
        Some("fr") => Language::Fr,
        Some(other) => return Err(error(format!("show.language: {other:?} is not en or fr"))),
    };

    let preset_name = parsed.video.preset.as_deref().unwrap_or("720p30");
    let preset = VideoPreset::parse(preset_name)
        .ok_or_else(|| error(format!("video.preset: {preset_name:?} is not 720p30 or 1080p30")))?;
    let bitrate_kbps = parsed.video.bitrate_kbps.unwrap_or(preset.default_bitrate_kbps());
    if !(300..=20_000).contains(&bitrate_kbps) {
        return Err(error(format!("video.bitrate_kbps: {bitrate_kbps} is outside 300–20000")));
    }
    let min_bitrate_kbps = parsed.video.min_bitrate_kbps.unwrap_or(bitrate_kbps / 4).max(200);
    if min_bitrate_kbps > bitrate_kbps {
        return Err(error(format!(
            "video.min_bitrate_kbps: {min_bitrate_kbps} is above video.bitrate_kbps ({bitrate_kbps})"
        )));
    }
    let encoder = match parsed.video.encoder.as_deref() {
        None | Some("auto") => EncoderChoice::Auto,
        Some("x264") => EncoderChoice::X264,
        Some(other) => return Err(error(format!("video.encoder: {other:?} is not auto or x264"))),
    };
    let speed_preset = parsed.video.speed_preset.unwrap_or_else(|| "veryfast".into());
    const SPEEDS: &[&str] = &["ultrafast", "superfast", "veryfast", "faster", "fast", "medium"];
    if !SPEEDS.contains(&speed_preset.as_str()) {
        return Err(error(format!("video.speed_preset: {speed_preset:?} is not one of {}", SPEEDS.join(", "))));
    }
    let audio_kbps = parsed.audio.bitrate_kbps.unwrap_or(128);
    if !(96..=320).contains(&audio_kbps) {
        return Err(error(format!("audio.bitrate_kbps: {audio_kbps} is outside 96–320 (128–160 is usual)")));
    }

    let mut sources = Vec::new();
    for (index, source) in parsed.sources.into_iter().enumerate() {
        let at = |field: &str| format!("sources[{index}].{field}");
        if source.name.trim().is_empty() {
            return Err(error(format!("{}: every source needs a name", at("name"))));
        }
        let kind = match source.kind.as_str() {
            "test_pattern" => SourceKind::TestPattern { pattern: source.pattern.unwrap_or_else(|| "smpte".into()) },
            "tone" => SourceKind::Tone { frequency_hz: source.frequency_hz.unwrap_or(440).clamp(20, 20_000) },
            "camera" => SourceKind::Camera { device: source.device },
            "microphone" => SourceKind::Microphone { device: source.device },
            "file" => SourceKind::File {
                path: source.path.ok_or_else(|| error(format!("{}: a file source needs a path", at("path"))))?,
                looped: source.looped.unwrap_or(false),
            },
            "image" => SourceKind::Image {
                path: source.path.ok_or_else(|| error(format!("{}: an image source needs a path", at("path"))))?,
            },
            other => {
                return Err(error(format!(
                    "{}: {other:?} is not one of camera, microphone, file, image, test_pattern, tone",
                    at("kind")
                )));
            }
        };
        sources.push(SourceSpec { name: source.name.trim().to_owned(), kind });
    }
    if !sources.iter().any(|s| s.kind.has_video()) {
        notices.push("no video source: the program shows the slate only".into());
    }

    let mut outputs: Vec<OutputSpec> = Vec::new();
    for (index, destination) in parsed.destinations.into_iter().enumerate() {
        let at = |field: &str| format!("destinations[{index}].{field}");
        if destination.enabled == Some(false) {
            continue;
        }
        let name = destination.name.trim().to_owned();
        if name.is_empty() {
            return Err(error(format!("{}: every destination needs a name", at("name"))));
        }
        if destination.key.is_some() {
            return Err(error(format!(
                "{}: a stream key written in the profile is refused (profiles get shared and copied). Store it in \
                 the OS keyring with `showdesk key set <name>` and write key_keyring = \"<name>\", or put it in an \
                 environment variable and write key_env = \"VARIABLE\"",
                at("key")
            )));
        }
        let key =
            read_secret(secrets, &destination.key_env, &destination.key_keyring, &at("key_env"), &at("key_keyring"))
                .map_err(error)?
                .unwrap_or_default();
        let url = match (
            &destination.url,
            read_secret(secrets, &destination.url_env, &destination.url_keyring, &at("url_env"), &at("url_keyring"))
                .map_err(error)?,
        ) {
            (Some(url), None) => {
                if let Some(credential) = credential_in_url(url) {
                    return Err(error(format!(
                        "{}: the URL holds a credential ({credential}); a profile never does. Keep the whole URL in the OS keyring \
                         (`showdesk key set <name>`, then url_keyring = \"<name>\") or in an environment variable (url_env = \"VARIABLE\")",
                        at("url")
                    )));
                }
                url.clone()
            }
            (None, Some(url)) => url,
            (Some(_), Some(_)) => {
                return Err(error(format!("{}: give url, url_env or url_keyring, only one", at("url"))));
            }
            (None, None) => {
                return Err(error(format!("{}: every destination needs a url (or url_env / url_keyring)", at("url"))));
            }
        };
        let parsed_target = Target::parse(&url, &key).map_err(|err| error(format!("{}: {err}", at("url"))))?;
        // A key at the end of a URL written in the profile would sit in the file in clear (and in
        // every export); from url_env / url_keyring it is a secret like any other.
        if parsed_target.notice == Some(Notice::KeyFoundInUrl) && destination.url.is_some() {
            return Err(error(format!(
                "{}: the stream key is pasted at the end of the URL, and a profile never holds a key. Keep the URL \
                 without it and store the key in the OS keyring (key_keyring; in the window: the key field) or an \
                 environment variable (key_env)",
                at("url")
            )));
        }
        let id = slug(&name);
        if outputs.iter().any(|o| o.id == id) {
            return Err(error(format!("{}: two destinations are called {name:?}", at("name"))));
        }
        outputs.push(OutputSpec { id, name, target: parsed_target.target });
    }

    let recording = (parsed.recording.enabled != Some(false)).then(|| RecordingSpec {
        folder: parsed.recording.folder.unwrap_or_else(|| videos.to_path_buf()),
        base_name: recording_name(&title),
    });
    if outputs.is_empty() && recording.is_none() {
        return Err(error("destinations: nothing to do — no destination and the recording is off".into()));
    }
    let spec = EngineSpec {
        show_title: title,
        show_starts_at,
        language,
        video: VideoSettings { format: preset.format(), bitrate_kbps, min_bitrate_kbps, encoder, speed_preset },
        audio: AudioSettings { bitrate_kbps: audio_kbps },
        sources,
        outputs,
        recording,
        preview: parsed.preview.unwrap_or(true),
        dynamic_bitrate: true,
    };
    Ok(Profile { spec, notices })
}

/// A secret named by `*_env` or `*_keyring` (at most one), registered for redaction.
fn read_secret(
    secrets: &dyn SecretSource,
    env: &Option<String>,
    keyring: &Option<String>,
    env_field: &str,
    keyring_field: &str,
) -> Result<Option<String>, String> {
    let value = match (env, keyring) {
        (Some(_), Some(_)) => return Err(format!("{env_field}: use {env_field} or {keyring_field}, not both")),
        (Some(variable), None) => Some(
            secrets
                .env(variable)
                .ok_or_else(|| format!("{env_field}: the environment variable {variable} is not set"))?,
        ),
        (None, Some(entry)) => Some(secrets.keyring(entry).map_err(|why| format!("{keyring_field}: {why}"))?),
        (None, None) => None,
    };
    if let Some(value) = &value {
        showdesk_platform::register_secret(value);
    }
    Ok(value)
}

/// What in a URL is a credential: a password in `user:password@`, or a query parameter named like
/// one. Returns its name (never its value).
fn credential_in_url(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    if authority.rsplit_once('@').is_some_and(|(userinfo, _)| userinfo.contains(':')) {
        return Some("a password before the @".into());
    }
    const NAMES: &[&str] =
        &["passphrase", "streamid", "password", "passwd", "pwd", "secret", "token", "auth", "key", "sig", "signature"];
    let query = rest.split_once('?').map_or("", |(_, query)| query);
    query
        .split('&')
        .filter_map(|pair| pair.split_once('=').map(|(name, _)| name.to_ascii_lowercase()))
        .find(|name| NAMES.iter().any(|secret| name == secret || name.ends_with(&format!("_{secret}"))))
}

/// "line 4: unknown field `kee`, expected one of …". Only toml's message and the line number: its
/// full report quotes the offending line, which may hold a secret.
fn toml_error(err: &toml::de::Error, text: &str) -> String {
    let message = showdesk_platform::redact(err.message().trim()).into_owned();
    match err.span() {
        Some(span) => {
            let line = text.get(..span.start).map_or(1, |before| before.matches('\n').count() + 1);
            format!("line {line}: {message}")
        }
        None => message,
    }
}

/// An id from a name: "Main (YouTube)" → "main-youtube".
pub fn slug(name: &str) -> String {
    let mut slug = String::new();
    for c in name.to_lowercase().chars() {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_owned()
}

/// "2026-12-24 Fight Night", safe as a file name anywhere.
/// Bytes of the title kept in a recording's file name: file systems stop at 255 bytes, and the date,
/// " (part N)", " (N)" and ".mkv" come on top (a title of 70 emoji is 280 bytes).
const RECORDING_TITLE_BYTES: usize = 180;

fn recording_name(title: &str) -> String {
    let clean: String =
        title.chars().map(|c| if "/\\:*?\"<>|".contains(c) || c.is_control() { '-' } else { c }).collect();
    let mut kept = clean.trim();
    if kept.len() > RECORDING_TITLE_BYTES {
        let mut end = RECORDING_TITLE_BYTES;
        while !kept.is_char_boundary(end) {
            end -= 1;
        }
        kept = kept[..end].trim_end();
    }
    format!("{} {kept}", today())
}

fn today() -> String {
    let days =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() / 86_400).unwrap_or(0)
            as i64;
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// Seconds since the epoch of an RFC 3339 date-time ("2026-12-24T20:00:00Z", "…+01:00").
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let text = text.trim();
    let (date, rest) = text.split_once(['T', 't', ' '])?;
    let mut date_parts = date.split('-');
    let (year, month, day): (i64, i64, i64) =
        (date_parts.next()?.parse().ok()?, date_parts.next()?.parse().ok()?, date_parts.next()?.parse().ok()?);
    if date_parts.next().is_some() || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let (time, offset_seconds) = if let Some(time) = rest.strip_suffix(['Z', 'z']) {
        (time, 0)
    } else {
        let split = rest.rfind(['+', '-'])?;
        let (time, offset) = rest.split_at(split);
        let sign = if offset.starts_with('-') { -1 } else { 1 };
        let (hours, minutes) = offset[1..].split_once(':')?;
        (time, sign * (hours.parse::<i64>().ok()? * 3600 + minutes.parse::<i64>().ok()? * 60))
    };
    let mut time_parts = time.split(':');
    let hour: i64 = time_parts.next()?.parse().ok()?;
    let minute: i64 = time_parts.next()?.parse().ok()?;
    let second: f64 = time_parts.next().unwrap_or("0").parse().ok()?;
    if hour > 23 || minute > 59 || second >= 61.0 {
        return None;
    }
    // Days from civil (inverse of civil_from_days).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hour * 3600 + minute * 60 + second as i64 - offset_seconds)
}

#[cfg(test)]
mod tests;
