//! A viewer pulling a stream over RTMP as a player would, reading and discarding it: the rehearsal
//! drill's audience (nginx-rtmp counts each one in `/stat`) and tests that check what an ingest
//! serves. No decoding, so a handful of them cost next to nothing.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use gstreamer as gst;
use gstreamer::prelude::*;

use crate::MediaError;
use crate::elements::make;

/// One viewer; dropping it disconnects.
#[derive(Debug)]
pub struct RtmpViewer {
    pipeline: gst::Pipeline,
    bytes: Arc<AtomicU64>,
}

impl RtmpViewer {
    /// Starts playing `url` (`rtmp://host:port/app/stream`).
    pub fn start(url: &str) -> Result<Self, MediaError> {
        crate::gst_log::init().map_err(|err| MediaError::Init(err.to_string()))?;
        let pipeline = gst::Pipeline::with_name("rtmp-viewer");
        let source = make("rtmp2src", "pull")?;
        source.set_property("location", url);
        // A viewer that sits waiting forever is no viewer: give up after 10 s without data.
        source.set_property("timeout", 10u32);
        let sink = make("fakesink", "discard")?;
        sink.set_property("sync", false);
        sink.set_property("async", false);
        pipeline.add_many([&source, &sink]).map_err(|err| MediaError::Build(err.to_string()))?;
        source.link(&sink).map_err(|err| MediaError::Build(err.to_string()))?;
        let bytes = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&bytes);
        let pad = sink.static_pad("sink").ok_or_else(|| MediaError::Build("fakesink has no sink pad".into()))?;
        pad.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
            if let Some(buffer) = info.buffer() {
                counter.fetch_add(buffer.size() as u64, Ordering::Relaxed);
            }
            gst::PadProbeReturn::Ok
        });
        pipeline.set_state(gst::State::Playing).map_err(|err| MediaError::State(format!("{url}: {err}")))?;
        Ok(Self { pipeline, bytes })
    }

    /// What has arrived so far.
    pub fn bytes_received(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }

    /// Why the viewer stopped (the stream ended, the server refused or went away), if it did.
    pub fn stopped(&self) -> Option<String> {
        let bus = self.pipeline.bus()?;
        while let Some(message) = bus.pop() {
            match message.view() {
                gst::MessageView::Eos(_) => return Some("the stream ended".into()),
                gst::MessageView::Error(err) => return Some(err.error().to_string()),
                _ => {}
            }
        }
        None
    }
}

impl Drop for RtmpViewer {
    fn drop(&mut self) {
        let _ = self.pipeline.set_state(gst::State::Null);
    }
}
