//! HTML from a support mail, made safe to show (C24): no script, no event handler, no
//! `javascript:` link, no form, no frame, no style that loads anything, and no remote image until
//! the operator asks for them. The result is meant for an `<iframe sandbox srcdoc=…>` (scripts off)
//! and carries its own Content-Security-Policy as a second lock.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use ammonia::{Builder, UrlRelative};

/// Whether remote images may load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemoteContent {
    /// The default: remote images are removed and counted (tracking pixels stay silent).
    Blocked,
    /// The operator clicked "show images" for this message.
    Allowed,
}

/// Sanitized HTML, ready for a sandboxed frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SanitizedHtml {
    /// The body fragment, sanitized.
    pub fragment: String,
    /// A whole document: the fragment under a CSP that forbids scripts, frames, forms and (unless
    /// allowed) remote loads. Put it in `srcdoc` of an iframe with `sandbox=""`.
    pub document: String,
    /// Remote images removed (0 when allowed).
    pub blocked_remote_images: usize,
}

/// Sanitizes `html` for display.
pub fn sanitize_html(html: &str, remote: RemoteContent) -> SanitizedHtml {
    let blocked = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&blocked);
    let schemes: HashSet<&str> = ["http", "https", "mailto", "cid"].into_iter().collect();
    let mut builder = Builder::default();
    builder
        .url_schemes(schemes)
        // A relative URL has no base worth trusting (<base> is removed): drop it.
        .url_relative(UrlRelative::Deny)
        .link_rel(Some("noopener noreferrer nofollow"))
        .attribute_filter(move |element, attribute, value| {
            let remote_url = {
                let lower = value.trim().to_ascii_lowercase();
                lower.starts_with("http:") || lower.starts_with("https:") || lower.starts_with("//")
            };
            if remote == RemoteContent::Blocked && remote_url && element == "img" && attribute == "src" {
                counter.fetch_add(1, Ordering::Relaxed);
                return None;
            }
            Some(value.into())
        });
    let fragment = builder.clean(html).to_string();
    let blocked_remote_images = blocked.load(Ordering::Relaxed);
    let images = match remote {
        RemoteContent::Blocked => "data: cid:",
        RemoteContent::Allowed => "https: http: data: cid:",
    };
    let document = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src {images}; \
         style-src 'unsafe-inline'; form-action 'none'; base-uri 'none'; frame-src 'none'\">\
         <style>{PAPER}</style></head><body>{fragment}</body></html>"
    );
    SanitizedHtml { fragment, document, blocked_remote_images }
}

/// Mail is written for white paper; a frame left without a background shows the window's own
/// (dark) colour through it in some engines (WebKitGTK), black text on near-black.
const PAPER: &str = "html{background:#fff;color:#111;color-scheme:light}body{margin:12px;font:14px/1.45 sans-serif;overflow-wrap:anywhere}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_mail_html_survives() {
        let clean = sanitize_html(
            "<p>Hello <b>there</b> <a href=\"https://ppv.example.org/watch\">watch</a></p>",
            RemoteContent::Blocked,
        );
        assert!(clean.fragment.contains("<b>there</b>"), "{}", clean.fragment);
        assert!(clean.fragment.contains("href=\"https://ppv.example.org/watch\""));
        assert!(clean.fragment.contains("noopener"));
    }

    #[test]
    fn remote_images_wait_for_the_operator() {
        let html = "<img src=\"https://tracker.example/p.gif\" alt=\"logo\"><img src=\"cid:logo@x\">";
        let blocked = sanitize_html(html, RemoteContent::Blocked);
        assert_eq!(blocked.blocked_remote_images, 1);
        assert!(!blocked.document.contains("tracker.example"));
        assert!(blocked.fragment.contains("cid:logo@x"));
        let allowed = sanitize_html(html, RemoteContent::Allowed);
        assert!(allowed.fragment.contains("https://tracker.example/p.gif"));
        assert_eq!(allowed.blocked_remote_images, 0);
    }
}
