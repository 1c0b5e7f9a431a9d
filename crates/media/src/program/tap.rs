//! JPEG taps: small pictures of a video branch for the window — the program preview and each
//! source's thumbnail.
//!
//! A tap costs a scale and a JPEG encode per picture, which ffmpeg-style pushers never pay, so a
//! tap only works while someone watches: its entry is a `valve`, and every frame asks `watched`
//! on the way in; frames nobody would see are dropped by the valve, before the queue, the scaler and
//! the encoder. The headless `showdesk live` has no viewer and pays nothing; the window subscribes
//! and gets pictures within one frame interval. (A valve, not a probe returning Drop: on GStreamer
//! 1.22 a dropping probe behind a tee logs a critical for every frame.)

use std::sync::Arc;

use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;
use tokio::sync::broadcast;

use crate::MediaError;
use crate::elements::{add_chain, capsfilter, link, make};

/// One JPEG picture for the UI.
#[derive(Debug, Clone)]
pub struct PreviewFrame {
    pub jpeg: Arc<Vec<u8>>,
    pub width: i32,
    pub height: i32,
}

/// Size and rate of a tap's pictures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TapSize {
    pub width: i32,
    pub height: i32,
    pub fps: i32,
}

/// The program preview: about 640×360 at 10 fps.
pub const PREVIEW_SIZE: TapSize = TapSize { width: 640, height: 360, fps: 10 };
/// A source's thumbnail in the switcher: 256×144 at 4 fps (enough to see the angle is alive).
pub const THUMBNAIL_SIZE: TapSize = TapSize { width: 256, height: 144, fps: 4 };

/// Whether anyone watches a tap now (asked once per frame, so it must be cheap).
pub type Watched = Arc<dyn Fn() -> bool + Send + Sync>;
/// Where a tap's pictures go.
pub type OnFrame = Box<dyn Fn(PreviewFrame) + Send + Sync>;

/// A tap that feeds a broadcast channel and is watched while the channel has receivers (the
/// window holds one while it shows the pictures).
pub fn into_broadcast<T: Clone + Send + 'static>(
    sender: broadcast::Sender<T>,
    wrap: impl Fn(PreviewFrame) -> T + Send + Sync + 'static,
) -> (Watched, OnFrame) {
    let watched = sender.clone();
    (
        Arc::new(move || watched.receiver_count() > 0),
        Box::new(move |frame| {
            let _ = sender.send(wrap(frame));
        }),
    )
}

/// A source's thumbnail: the program slot the source fills, its name, and the picture.
#[derive(Debug, Clone)]
pub struct SourceThumbnail {
    pub slot: usize,
    pub source: String,
    pub frame: PreviewFrame,
}

/// Where one source's thumbnails go.
#[derive(Debug, Clone)]
pub struct ThumbnailFeed {
    pub slot: usize,
    pub source: String,
    pub sender: broadcast::Sender<SourceThumbnail>,
}

impl ThumbnailFeed {
    /// Hangs the thumbnail tap off the source's `tee`.
    pub fn attach(&self, pipeline: &gst::Pipeline, tee: &gst::Element) -> Result<(), MediaError> {
        let (slot, source) = (self.slot, self.source.clone());
        let (watched, on_frame) =
            into_broadcast(self.sender.clone(), move |frame| SourceThumbnail { slot, source: source.clone(), frame });
        attach(pipeline, tee, "thumbnail", THUMBNAIL_SIZE, watched, on_frame)
    }
}

/// Hangs a JPEG tap named `prefix-…` off `tee` in `pipeline`.
pub fn attach(
    pipeline: &gst::Pipeline,
    tee: &gst::Element,
    prefix: &str,
    size: TapSize,
    watched: Watched,
    on_frame: OnFrame,
) -> Result<(), MediaError> {
    let valve = make("valve", &format!("{prefix}-valve"))?;
    valve.set_property("drop", true);
    let entry =
        valve.static_pad("sink").ok_or_else(|| MediaError::Build(format!("{prefix}: valve without sink pad")))?;
    // Weak: the valve owns the pad that owns this probe.
    let (gate, was_open) = (valve.downgrade(), std::sync::atomic::AtomicBool::new(false));
    entry.add_probe(gst::PadProbeType::BUFFER, move |_, _| {
        // The property is only touched when the answer changes, not on every frame.
        let open = watched();
        if was_open.swap(open, std::sync::atomic::Ordering::Relaxed) != open
            && let Some(valve) = gate.upgrade()
        {
            valve.set_property("drop", !open);
        }
        gst::PadProbeReturn::Ok
    });
    let queue = make("queue", &format!("{prefix}-queue"))?;
    // Never hold the picture back: drop tap frames when the JPEG encoder is behind.
    queue.set_property_from_str("leaky", "downstream");
    queue.set_property("max-size-buffers", 2u32);
    queue.set_property("max-size-bytes", 0u32);
    queue.set_property("max-size-time", 0u64);
    let rate = make("videorate", &format!("{prefix}-rate"))?;
    rate.set_property("drop-only", true);
    let scale = make("videoscale", &format!("{prefix}-scale"))?;
    let caps = capsfilter(
        &format!("{prefix}-caps"),
        &gst::Caps::builder("video/x-raw")
            .field("width", size.width)
            .field("height", size.height)
            .field("framerate", gst::Fraction::new(size.fps, 1))
            .build(),
    )?;
    let jpeg = make("jpegenc", &format!("{prefix}-jpeg"))?;
    jpeg.set_property("quality", 70i32);
    let sink = make("appsink", &format!("{prefix}-out"))?
        .downcast::<gst_app::AppSink>()
        .map_err(|_| MediaError::Build("appsink".into()))?;
    sink.set_property("sync", false);
    // A tap never takes part in the pipeline's preroll: it may see no frame for a long time.
    sink.set_property("async", false);
    sink.set_max_buffers(1);
    sink.set_drop(true);
    sink.set_callbacks(
        gst_app::AppSinkCallbacks::builder()
            .new_sample(move |sink| {
                let sample = sink.pull_sample().map_err(|_| gst::FlowError::Flushing)?;
                if let Some(buffer) = sample.buffer()
                    && let Ok(map) = buffer.map_readable()
                {
                    on_frame(PreviewFrame {
                        jpeg: Arc::new(map.as_slice().to_vec()),
                        width: size.width,
                        height: size.height,
                    });
                }
                Ok(gst::FlowSuccess::Ok)
            })
            .build(),
    );
    add_chain(pipeline, &[&valve, &queue, &rate, &scale, &caps, &jpeg, sink.upcast_ref()])?;
    link(tee, &valve)
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::time::{Duration, Instant};

    use super::*;

    fn pattern_with_tap(watched: Arc<AtomicBool>, frames: Arc<AtomicUsize>) -> gst::Pipeline {
        gst::init().expect("GStreamer initialises");
        let pipeline = gst::Pipeline::new();
        let source = make("videotestsrc", "pattern").expect("videotestsrc");
        source.set_property("is-live", true);
        let tee = make("tee", "tee").expect("tee");
        let sink = make("fakesink", "main").expect("fakesink");
        add_chain(&pipeline, &[&source, &tee]).expect("chain");
        pipeline.add(&sink).expect("add");
        link(&tee, &sink).expect("link");
        attach(
            &pipeline,
            &tee,
            "tap",
            TapSize { width: 64, height: 36, fps: 10 },
            Arc::new(move || watched.load(Ordering::Relaxed)),
            Box::new(move |frame| {
                assert_eq!(&frame.jpeg[..2], &[0xFF, 0xD8], "a JPEG starts with SOI");
                frames.fetch_add(1, Ordering::Relaxed);
            }),
        )
        .expect("tap");
        pipeline
    }

    fn wait_for(what: &str, condition: impl Fn() -> bool) {
        let started = Instant::now();
        while !condition() {
            assert!(started.elapsed() < Duration::from_secs(10), "{what} within 10 s");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    #[test]
    fn encodes_nothing_until_watched_then_jpegs_and_stops_again() {
        let watched = Arc::new(AtomicBool::new(false));
        let frames = Arc::new(AtomicUsize::new(0));
        let pipeline = pattern_with_tap(Arc::clone(&watched), Arc::clone(&frames));
        pipeline.set_state(gst::State::Playing).expect("playing");
        // The main branch runs (the pipeline reaches Playing although the tap sees nothing).
        wait_for("the pipeline playing", || pipeline.current_state() == gst::State::Playing);
        std::thread::sleep(Duration::from_millis(500));
        assert_eq!(frames.load(Ordering::Relaxed), 0, "no JPEG while nobody watches");

        watched.store(true, Ordering::Relaxed);
        wait_for("three JPEG frames once watched", || frames.load(Ordering::Relaxed) >= 3);

        watched.store(false, Ordering::Relaxed);
        std::thread::sleep(Duration::from_millis(300)); // what was in flight drains
        let settled = frames.load(Ordering::Relaxed);
        std::thread::sleep(Duration::from_millis(500));
        assert_eq!(frames.load(Ordering::Relaxed), settled, "no JPEG once nobody watches again");
        pipeline.set_state(gst::State::Null).expect("null");
    }
}
