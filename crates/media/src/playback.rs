//! Checking that a recording plays: its video is read back to the end (demuxed, not decoded) and
//! the time it covers measured. Used after a rehearsal and by anyone who wants to trust a file
//! before the show's replay is published.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use gstreamer as gst;
use gstreamer::prelude::*;

use crate::MediaError;
use crate::elements::make;

/// How long reading a file back may take at most.
const READ_LIMIT: Duration = Duration::from_secs(60);

/// The seconds of video in a recording (MKV or MP4), read to the end. An error says why it does not
/// play: missing, empty, cut short before any frame, unreadable.
pub fn playable_seconds(file: &Path) -> Result<f64, MediaError> {
    match read_back(file) {
        // A read that neither ended nor failed in time is tried once more before the file is
        // called unplayable (a loaded machine, a stalled demuxer): a false alarm costs trust.
        Err(ReadBack::TimedOut(_)) => read_back(file).map_err(ReadBack::into_error),
        other => other.map_err(ReadBack::into_error),
    }
}

/// Why a read back failed: in time (the file's fault) or not (perhaps the machine's).
enum ReadBack {
    Failed(MediaError),
    TimedOut(MediaError),
}

impl ReadBack {
    fn into_error(self) -> MediaError {
        match self {
            Self::Failed(err) | Self::TimedOut(err) => err,
        }
    }
}

impl From<MediaError> for ReadBack {
    fn from(err: MediaError) -> Self {
        Self::Failed(err)
    }
}

fn read_back(file: &Path) -> Result<f64, ReadBack> {
    crate::gst_log::init().map_err(|err| MediaError::Init(err.to_string()))?;
    let metadata = std::fs::metadata(file).map_err(|err| MediaError::Io(format!("{}: {err}", file.display())))?;
    if metadata.len() == 0 {
        return Err(MediaError::Io(format!("{} is empty", file.display())).into());
    }
    let pipeline = gst::Pipeline::with_name("playback-check");
    let source = make("filesrc", "file")?;
    source.set_property("location", file.to_string_lossy().as_ref());
    let demux = make("parsebin", "demux")?;
    pipeline.add_many([&source, &demux]).map_err(|err| MediaError::Build(err.to_string()))?;
    source.link(&demux).map_err(|err| MediaError::Build(err.to_string()))?;

    // (first, last) presentation time of the video, in nanoseconds.
    let span: Arc<Mutex<Option<(u64, u64)>>> = Arc::default();
    let pipeline_weak = pipeline.downgrade();
    let seen = Arc::clone(&span);
    demux.connect_pad_added(move |_, pad| {
        let Some(pipeline) = pipeline_weak.upgrade() else { return };
        // async=false: a sink added while the pipeline is already prerolling must not hold the
        // state change (and so the end of stream) back waiting for its own preroll.
        let Ok(sink) = gst::ElementFactory::make("fakesink").property("sync", false).property("async", false).build()
        else {
            return;
        };
        if pipeline.add(&sink).is_err() {
            return;
        }
        let is_video = pad
            .current_caps()
            .and_then(|caps| caps.structure(0).map(|s| s.name().starts_with("video/")))
            .unwrap_or(false);
        if is_video {
            let seen = Arc::clone(&seen);
            if let Some(sink_pad) = sink.static_pad("sink") {
                sink_pad.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
                    if let Some(pts) = info.buffer().and_then(|b| b.pts()) {
                        let mut span = seen.lock().unwrap_or_else(|p| p.into_inner());
                        let ns = pts.nseconds();
                        *span = Some(span.map_or((ns, ns), |(first, last)| (first.min(ns), last.max(ns))));
                    }
                    gst::PadProbeReturn::Ok
                });
            }
        }
        let _ = sink.sync_state_with_parent();
        if let Some(sink_pad) = sink.static_pad("sink") {
            let _ = pad.link(&sink_pad);
        }
    });

    pipeline.set_state(gst::State::Playing).map_err(|err| MediaError::State(format!("{}: {err}", file.display())))?;
    let bus = pipeline.bus().ok_or_else(|| MediaError::Build("the pipeline has no bus".into()))?;
    let outcome = bus.timed_pop_filtered(
        gst::ClockTime::from_nseconds(READ_LIMIT.as_nanos() as u64),
        &[gst::MessageType::Eos, gst::MessageType::Error],
    );
    let _ = pipeline.set_state(gst::State::Null);
    match outcome.as_ref().map(|message| message.view()) {
        Some(gst::MessageView::Eos(_)) => {}
        Some(gst::MessageView::Error(err)) => {
            return Err(MediaError::Io(format!("{} does not play: {}", file.display(), err.error())).into());
        }
        _ => {
            let why = format!("{} could not be read within {READ_LIMIT:?}", file.display());
            return Err(ReadBack::TimedOut(MediaError::Io(why)));
        }
    }
    let span = *span.lock().unwrap_or_else(|p| p.into_inner());
    match span {
        Some((first, last)) => Ok((last - first) as f64 / 1e9),
        None => Err(MediaError::Io(format!("{} holds no video frame", file.display())).into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    #[test]
    fn a_missing_or_empty_file_says_so() -> TestResult {
        let folder = tempfile::tempdir()?;
        let missing = playable_seconds(&folder.path().join("none.mkv")).map_err(|e| e.to_string());
        assert!(missing.is_err_and(|e| e.contains("none.mkv")));
        let empty = folder.path().join("empty.mkv");
        std::fs::write(&empty, b"")?;
        let empty = playable_seconds(&empty).map_err(|e| e.to_string());
        assert!(empty.is_err_and(|e| e.contains("is empty")));
        Ok(())
    }

    #[test]
    fn garbage_does_not_play() -> TestResult {
        let folder = tempfile::tempdir()?;
        let file = folder.path().join("garbage.mkv");
        std::fs::write(&file, vec![0x5a_u8; 4096])?;
        assert!(playable_seconds(&file).is_err());
        Ok(())
    }
}
