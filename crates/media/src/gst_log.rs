//! GStreamer's own debug log, routed into `tracing` and through the secret scrubber.
//!
//! Left alone, GStreamer writes its debug output (when GST_DEBUG is set) straight to stderr, and at
//! level 5 rtmp2sink prints the full URL with the stream key and srtsink the passphrase and stream
//! id (FACTS). Here the default printer is removed; every message goes to `tracing` (target "gst")
//! after `redact`, and the rtmp2/srt categories are capped at INFO whatever GST_DEBUG asks.

use std::sync::Once;

use gstreamer as gst;

static INSTALL: Once = Once::new();

/// Categories whose detailed levels print credentials.
const CAPPED_PREFIXES: &[&str] = &["rtmp2", "srt"];

/// Initialises GStreamer once per process, with the log bridge installed before anything runs.
pub fn init() -> Result<(), gst::glib::Error> {
    gst::init()?;
    INSTALL.call_once(|| {
        gst::log::remove_default_log_function();
        gst::log::add_log_function(|category, level, file, function, line, _object, message| {
            if level > gst::DebugLevel::Info && CAPPED_PREFIXES.iter().any(|prefix| category.name().starts_with(prefix))
            {
                return;
            }
            let Some(text) = message.get() else { return };
            let text = showdesk_platform::redact(text.as_str());
            let category = category.name();
            match level {
                gst::DebugLevel::Error => {
                    tracing::error!(target: "gst", %category, %file, %function, line, "{text}")
                }
                gst::DebugLevel::Warning | gst::DebugLevel::Fixme => {
                    tracing::warn!(target: "gst", %category, %file, %function, line, "{text}")
                }
                gst::DebugLevel::Info => tracing::info!(target: "gst", %category, "{text}"),
                gst::DebugLevel::Debug => tracing::debug!(target: "gst", %category, "{text}"),
                _ => tracing::trace!(target: "gst", %category, "{text}"),
            }
        });
    });
    Ok(())
}
