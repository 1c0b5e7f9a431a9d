//! Keeping secrets out of everything Showdesk writes.
//!
//! Two nets, because either alone leaks:
//! 1. **Registered values.** Every secret the app learns (a stream key, an SRT passphrase, a Stripe
//!    key, a mailbox password) is registered here the moment it is read, and every occurrence of it,
//!    raw or percent-encoded, is masked wherever it appears — inside a URL, a Debug dump, an error text
//!    from a library that echoes its input.
//! 2. **Shapes.** Text that reaches a log before its secret was registered (a URL as the user pasted
//!    it, an error from a parser that failed half-way) is still scrubbed by shape: the password in
//!    `user:password@host`, query parameters named like credentials, the path after an RTMP app name
//!    (which is where the stream key sits), Stripe-style keys and `Authorization` headers.
//!
//! Every log line goes through [`redact`] (see `logging`); error texts meant for the UI should too.

use std::borrow::Cow;
use std::fmt;
use std::sync::{LazyLock, RwLock};

use regex::Regex;

/// What a secret looks like once masked.
pub const MASK: &str = "****";

/// Secrets shorter than this are not worth the damage masking them would do to every log line
/// (profile validation refuses them anyway).
const MIN_SECRET_LEN: usize = 3;

static REGISTERED: RwLock<Vec<String>> = RwLock::new(Vec::new());

struct Shape {
    pattern: Regex,
    replacement: &'static str,
}

static SHAPES: LazyLock<Vec<Shape>> = LazyLock::new(|| {
    let shape = |pattern: &str, replacement: &'static str| Shape {
        // The patterns are constants of this file; a typo is caught by every test below.
        pattern: Regex::new(pattern).unwrap_or_else(|err| panic!("redaction pattern {pattern:?}: {err}")),
        replacement,
    };
    vec![
        // rtmp(s)://host[:port]/app[?query]/STREAM_KEY... — everything after the app is the key.
        shape(r#"(?i)\b(rtmps?://[^/\s"'<>]+/[^/\s?"'<>]+(?:\?[^/\s"'<>]*)?)/[^\s"'<>]+"#, "$1/****"),
        // scheme://user:password@host
        shape(r#"(?i)\b([a-z][a-z0-9+.-]*://[^/\s:@"'<>]+):[^@\s/"'<>]+@"#, "$1:****@"),
        // ?passphrase=...&streamid=...&auth=... A value may hold '/' (an SRT streamid such as
        // publish:live/KEY) but stops at "/****", the stream key the rule above already masked.
        shape(
            r#"(?i)([?&;](?:passphrase|streamid|auth|token|access_token|api_key|apikey|key|password|passwd|pass|pwd|secret|sig|signature|stream_?key)=)(?:[^&\s#"'<>/]|/[^*&\s#"'<>])+"#,
            "$1****",
        ),
        // Stripe secret and restricted keys, webhook signing secrets.
        shape(r"\b((?:sk|rk)_(?:live|test)_)[0-9A-Za-z]{6,}", "$1****"),
        shape(r"\b(whsec_)[0-9A-Za-z]{6,}", "$1****"),
        // Authorization: Bearer ... / Basic ...
        shape(r"(?i)(authorization\s*[:=]\s*(?:bearer|basic)\s+)[^\s,;]+", "$1****"),
    ]
});

/// Registers a secret value so that it is masked wherever it would be written from now on.
/// Surrounding whitespace is ignored (people paste keys with a trailing newline).
pub fn register_secret(secret: &str) {
    let secret = secret.trim();
    if secret.chars().count() < MIN_SECRET_LEN {
        return;
    }
    let mut variants = vec![secret.to_owned()];
    let encoded = percent_encode(secret);
    if encoded != secret {
        variants.push(encoded);
    }
    let mut registered = REGISTERED.write().unwrap_or_else(|poisoned| poisoned.into_inner());
    for variant in variants {
        if !registered.contains(&variant) {
            registered.push(variant);
        }
    }
    // Longest first, so a secret that contains another is masked whole.
    registered.sort_by_key(|s| std::cmp::Reverse(s.len()));
}

/// Masks every registered secret and every secret-shaped fragment in `text`.
pub fn redact(text: &str) -> Cow<'_, str> {
    let mut out = Cow::Borrowed(text);
    {
        let registered = REGISTERED.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        for secret in registered.iter() {
            if out.contains(secret.as_str()) {
                out = Cow::Owned(out.replace(secret.as_str(), MASK));
            }
        }
    }
    for shape in SHAPES.iter() {
        if let Cow::Owned(replaced) = shape.pattern.replace_all(&out, shape.replacement) {
            out = Cow::Owned(replaced);
        }
    }
    out
}

/// The form a secret is shown in: never the value, at most its last four characters when it is long
/// enough that those say nothing useful to an attacker but still tell the operator which key is set.
pub fn mask(secret: &str) -> String {
    let secret = secret.trim();
    let count = secret.chars().count();
    if count >= 16 {
        let tail: String = secret.chars().skip(count - 4).collect();
        format!("{MASK}{tail}")
    } else {
        MASK.to_owned()
    }
}

/// A secret value: registered for redaction when made, masked in `Debug` and `Display`, so a config
/// struct holding one can be logged or end up in a crash report without leaking it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        let value = value.into();
        register_secret(&value);
        Self(value)
    }

    /// The real value, for the one place that needs it (a connect call). Never format it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({})", mask(&self.0))
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&mask(&self.0))
    }
}

fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(byte as char),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // The canaries of ../shared/cases/C01, kept in the project's fixtures.
    const KEY: &str = "sk_TESTKEY_9f8e7d6c5b4a";
    const CANARIES: [&str; 5] =
        ["9f8e7d6c5b4a", "PASSPHRASE_CANARY_77", "STREAMID_CANARY_55", "USERPASS_CANARY_33", "TOKEN_CANARY_11"];

    fn assert_clean(text: &str) {
        for canary in CANARIES {
            assert!(!text.contains(canary), "{canary} leaked in {text:?}");
        }
    }

    #[test]
    fn c01_urls_are_scrubbed_by_shape_even_before_registration() {
        let cases = [
            ("rtmp://ingest.example.com/live/sk_TESTKEY_9f8e7d6c5b4a", "rtmp://ingest.example.com/live/****"),
            (
                "rtmps://live-api-s.facebook.com:443/rtmp/FB-000000000000000-0-TESTKEY_9f8e7d6c5b4a",
                "rtmps://live-api-s.facebook.com:443/rtmp/****",
            ),
            (
                "rtmp://ingest.example.com/live?auth=TOKEN_CANARY_11/sk_TESTKEY_9f8e7d6c5b4a",
                "rtmp://ingest.example.com/live?auth=****/****",
            ),
            (
                "rtmp://publisher:USERPASS_CANARY_33@ingest.example.com/live/sk_TESTKEY_9f8e7d6c5b4a",
                "rtmp://publisher:****@ingest.example.com/live/****",
            ),
            (
                "srt://ingest.example.com:9000?streamid=publish:live/STREAMID_CANARY_55&passphrase=PASSPHRASE_CANARY_77&latency=200",
                "srt://ingest.example.com:9000?streamid=****&passphrase=****&latency=200",
            ),
        ];
        for (input, expected) in cases {
            let line = format!("connecting to {input} failed: connection refused");
            let redacted = redact(&line);
            assert_eq!(redacted, format!("connecting to {expected} failed: connection refused"));
            assert_clean(&redacted);
        }
    }

    #[test]
    fn registered_secrets_are_masked_wherever_they_appear() {
        register_secret(&format!("  {KEY}\n"));
        let line = format!(r#"Config {{ key: "{KEY}" }} and error: bad key {KEY}!"#);
        let redacted = redact(&line);
        assert_clean(&redacted);
        assert!(redacted.contains("bad key ****!"), "{redacted}");
    }

    #[test]
    fn percent_encoded_forms_are_masked_too() {
        register_secret("p@ss word/9f8e7d6c5b4a");
        let redacted = redact("GET /x?key=p%40ss%20word%2F9f8e7d6c5b4a HTTP/1.1");
        assert_clean(&redacted);
    }

    #[test]
    fn stripe_keys_and_auth_headers_are_masked_by_shape() {
        // Shaped like a live key, assembled here so no such string sits in the source.
        let key = ["sk", "live", "51HxYz0123456789"].join("_");
        let line = format!("key {key} and Authorization: Bearer abc.def.ghi");
        let redacted = redact(&line);
        assert_eq!(redacted, "key sk_live_**** and Authorization: Bearer ****");
    }

    #[test]
    fn text_without_secrets_is_left_alone_and_not_copied() {
        let text = "encoder started at 2500 kb/s, 1280x720@30";
        assert!(matches!(redact(text), Cow::Borrowed(_)));
    }

    #[test]
    fn secret_debug_and_display_never_show_the_value() {
        let secret = Secret::new("PASSPHRASE_CANARY_77");
        assert_eq!(format!("{secret}"), "****Y_77");
        assert_eq!(format!("{secret:?}"), "Secret(****Y_77)");
        assert_eq!(secret.expose(), "PASSPHRASE_CANARY_77");
        assert_eq!(mask("short"), "****");
    }

    #[test]
    fn tiny_values_are_not_registered() {
        register_secret("ab");
        assert_eq!(redact("a tab stops"), "a tab stops");
    }
}
