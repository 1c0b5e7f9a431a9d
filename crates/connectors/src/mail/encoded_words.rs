//! RFC 2047 says adjacent encoded words are joined after decoding, whitespace between them ignored.
//! Senders rely on that to split a long subject anywhere — even inside one UTF-8 character (C18:
//! `=?UTF-8?B?SsM=?= =?UTF-8?B?vHJnZW4=?=` is "Jü…" cut between the two bytes of "ü"). Decoding
//! each word on its own turns both halves into replacement characters. Before parsing, the header
//! block is rewritten so that each run of adjacent encoded words in one charset becomes a single
//! base64 word holding the joined bytes. Mail without such runs is passed through untouched.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::bytes::Regex;

static ENCODED_WORD: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"=\?([^?\s]{1,40})\?([QqBb])\?([^?\s]*)\?=").ok());

/// `raw` with adjacent same-charset encoded words in its headers merged.
pub fn merge_adjacent_encoded_words(raw: &[u8]) -> Cow<'_, [u8]> {
    let Some(pattern) = ENCODED_WORD.as_ref() else {
        return Cow::Borrowed(raw);
    };
    let header_end = find(raw, b"\r\n\r\n").or_else(|| find(raw, b"\n\n")).unwrap_or(raw.len());
    let headers = &raw[..header_end];
    let words: Vec<_> = pattern.captures_iter(headers).collect();
    let adjacent = |a: &regex::bytes::Captures<'_>, b: &regex::bytes::Captures<'_>| {
        let (Some(first), Some(second)) = (a.get(0), b.get(0)) else { return false };
        let gap = &headers[first.end()..second.start()];
        gap.iter().all(|&byte| matches!(byte, b' ' | b'\t' | b'\r' | b'\n'))
            && a.get(1).map(|m| m.as_bytes().to_ascii_lowercase())
                == b.get(1).map(|m| m.as_bytes().to_ascii_lowercase())
    };
    if !words.windows(2).any(|pair| adjacent(&pair[0], &pair[1])) {
        return Cow::Borrowed(raw);
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut copied_to = 0;
    let mut index = 0;
    while index < words.len() {
        let mut end = index;
        while end + 1 < words.len() && adjacent(&words[end], &words[end + 1]) {
            end += 1;
        }
        if end > index {
            let (Some(first), Some(last)) = (words[index].get(0), words[end].get(0)) else { break };
            let mut bytes = Vec::new();
            let mut decodable = true;
            for word in &words[index..=end] {
                match decode_word(word) {
                    Some(decoded) => bytes.extend(decoded),
                    None => decodable = false,
                }
            }
            if decodable {
                let charset = words[index].get(1).map(|m| m.as_bytes()).unwrap_or(b"utf-8");
                out.extend_from_slice(&headers[copied_to..first.start()]);
                out.extend_from_slice(b"=?");
                out.extend_from_slice(charset);
                out.extend_from_slice(b"?B?");
                out.extend_from_slice(base64_encode(&bytes).as_bytes());
                out.extend_from_slice(b"?=");
                copied_to = last.end();
            }
        }
        index = end + 1;
    }
    out.extend_from_slice(&raw[copied_to..]);
    Cow::Owned(out)
}

fn decode_word(word: &regex::bytes::Captures<'_>) -> Option<Vec<u8>> {
    let encoding = word.get(2)?.as_bytes()[0].to_ascii_uppercase();
    let payload = word.get(3)?.as_bytes();
    if encoding == b'B' {
        mail_parser::decoders::base64::base64_decode(payload)
    } else {
        let mut out = Vec::with_capacity(payload.len());
        let mut at = 0;
        while at < payload.len() {
            match payload[at] {
                b'_' => out.push(b' '),
                b'=' => {
                    let (high, low) = (*payload.get(at + 1)?, *payload.get(at + 2)?);
                    out.push(mail_parser::decoders::quoted_printable::quoted_printable_decode_char(high, low)?);
                    at += 2;
                }
                other => out.push(other),
            }
            at += 1;
        }
        Some(out)
    }
}

fn base64_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> shift) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_characters_are_rejoined_and_other_mail_is_untouched() {
        let raw = b"Subject: =?UTF-8?Q?f=C3?=\r\n =?utf-8?Q?=BCr?=\r\nFrom: x\r\n\r\n=?UTF-8?Q?a?= =?UTF-8?Q?b?=";
        let merged = merge_adjacent_encoded_words(raw);
        assert_eq!(&merged[..], &b"Subject: =?UTF-8?B?ZsO8cg==?=\r\nFrom: x\r\n\r\n=?UTF-8?Q?a?= =?UTF-8?Q?b?="[..]);
        let single = b"Subject: =?UTF-8?Q?f=C3=BCr?= and =?UTF-8?Q?x?=\r\n\r\nbody";
        assert!(matches!(merge_adjacent_encoded_words(single), Cow::Borrowed(_)));
        assert_eq!(base64_encode(b"ab"), "YWI=");
        assert_eq!(base64_encode(b"abc"), "YWJj");
    }

    #[test]
    fn different_charsets_and_broken_words_are_left_alone() {
        let raw = b"Subject: =?UTF-8?Q?a?= =?ISO-8859-1?Q?b?= =?UTF-8?B?@@@?= =?UTF-8?B?QQ==?=\r\n\r\n";
        let merged = merge_adjacent_encoded_words(raw);
        assert_eq!(&merged[..], &raw[..]);
    }
}
