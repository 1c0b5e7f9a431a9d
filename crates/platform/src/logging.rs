//! Logging: `tracing` to stderr and to a daily file in the log folder, both through [`redact`].
//!
//! The scrub sits at the writer, after formatting, so it sees the whole line — message, fields, span
//! context and any `Debug` dump a library produced — not just the parts we thought to wrap.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::{PlatformError, redact};

/// The environment variable that sets the log filter (same syntax as `RUST_LOG`).
pub const LOG_FILTER_ENV: &str = "SHOWDESK_LOG";

/// The file-name prefix of the daily log files.
pub const LOG_FILE_PREFIX: &str = "showdesk.log";

/// How to log.
#[derive(Debug, Clone)]
pub struct LogOptions {
    /// Folder for the daily log files; `None` logs to stderr only.
    pub log_dir: Option<PathBuf>,
    /// Also log to stderr. By default only when SHOWDESK_LOG is set: the terminal is for the
    /// program's own messages, the log file for the record.
    pub stderr: bool,
    /// The filter when `SHOWDESK_LOG` is not set.
    pub default_filter: String,
}

impl LogOptions {
    pub fn to_dir(log_dir: &Path) -> Self {
        let asked = std::env::var_os(LOG_FILTER_ENV).is_some_and(|v| !v.is_empty());
        Self { log_dir: Some(log_dir.to_path_buf()), stderr: asked, default_filter: "info".into() }
    }
}

/// Keeps the background file writer alive; drop it last (it flushes what is queued).
#[must_use = "dropping the guard stops the log file writer"]
#[derive(Debug)]
pub struct LogGuard {
    _file: Option<WorkerGuard>,
}

/// Installs the global subscriber and the scrubbing panic hook. Call once, early.
pub fn init_logging(options: &LogOptions) -> Result<LogGuard, PlatformError> {
    let filter = match std::env::var(LOG_FILTER_ENV) {
        Ok(wanted) if !wanted.trim().is_empty() => EnvFilter::try_new(&wanted).or_else(|err| {
            // A typo in the filter must not silently change what is logged.
            eprintln!(
                "showdesk: {LOG_FILTER_ENV}={wanted:?} is not a valid log filter ({err}); using {:?}",
                options.default_filter
            );
            EnvFilter::try_new(&options.default_filter)
        }),
        _ => EnvFilter::try_new(&options.default_filter),
    }
    .map_err(|err| PlatformError::Logging(format!("bad log filter: {err}")))?;

    let (file_layer, file_guard) = match &options.log_dir {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|source| PlatformError::CreateDir { path: dir.clone(), source })?;
            let appender = tracing_appender::rolling::Builder::new()
                .rotation(tracing_appender::rolling::Rotation::DAILY)
                .filename_prefix(LOG_FILE_PREFIX)
                .max_log_files(14)
                .build(dir)
                .map_err(|err| PlatformError::Logging(format!("cannot open a log file in {}: {err}", dir.display())))?;
            let (writer, guard) = tracing_appender::non_blocking(appender);
            let layer = tracing_subscriber::fmt::layer().with_ansi(false).with_writer(Redacting(writer));
            (Some(layer), Some(guard))
        }
        None => (None, None),
    };
    let stderr_layer =
        options.stderr.then(|| tracing_subscriber::fmt::layer().with_ansi(false).with_writer(Redacting(io::stderr)));

    tracing_subscriber::registry()
        .with(filter)
        .with(file_layer)
        .with(stderr_layer)
        .try_init()
        .map_err(|err| PlatformError::Logging(err.to_string()))?;
    install_panic_hook();
    Ok(LogGuard { _file: file_guard })
}

/// Replaces the default panic output (which would print a secret held in a panicking `Debug` dump)
/// with a scrubbed one, written to stderr and to the log.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let thread = std::thread::current();
        let name = thread.name().unwrap_or("<unnamed>");
        let report = redact(&format!("thread '{name}' {info}")).into_owned();
        let _ = writeln!(io::stderr(), "{report}");
        tracing::error!(target: "showdesk::panic", "{report}");
    }));
}

/// A `MakeWriter` whose writers scrub every line before it reaches the inner writer.
#[derive(Debug, Clone)]
pub struct Redacting<M>(pub M);

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for Redacting<M> {
    type Writer = RedactingWriter<M::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        RedactingWriter(self.0.make_writer())
    }
}

/// See [`Redacting`]. `tracing-subscriber` formats an event into one buffer and writes it in one
/// call, so each `write` holds whole lines and a secret is never split across two calls.
#[derive(Debug)]
pub struct RedactingWriter<W>(W);

impl<W: Write> Write for RedactingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.0.write_all(redact(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_writer_scrubs_before_writing() -> io::Result<()> {
        let mut out = Vec::new();
        RedactingWriter(&mut out).write_all(b"push to rtmp://h/live/KEY_9f8e7d6c5b4a failed\n")?;
        assert_eq!(String::from_utf8_lossy(&out), "push to rtmp://h/live/**** failed\n");
        Ok(())
    }
}
