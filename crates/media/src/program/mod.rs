//! The program: every source mixed into one picture and one sound, encoded once.
//!
//! ```text
//!  source pipelines (one per source, see `sources`; they can fail and be replaced alone)
//!        │ intervideosink / interaudiosink, one channel per slot
//!        ▼
//!  intervideosrc(slot) ─ capsfilter ─┐                                 ┌─ queue ─ x264enc ─ h264 caps ─ h264parse ─ appsink ⇒ StreamProducer (video)
//!  …                                 ├─ compositor ─ capsfilter ─ tee ─┤
//!  intervideosrc(slate) ─ capsfilter ┘                                 └─ tap: queue(leaky) ─ videorate ─ videoscale ─ jpegenc ─ appsink ⇒ preview frames (only while watched)
//!  interaudiosrc(ch) ─ caps ─ volume ─ level ─┐
//!  …                                          ├─ audiomixer ─ caps ─ level(program) ─ queue ─ audioconvert ─ AAC ─ aacparse ─ appsink ⇒ StreamProducer (audio)
//!  audiotestsrc(silence) ─────────────────────┘  (so there is always an audio track)
//! ```
//!
//! Cuts and picture-in-picture only change compositor pad properties; the encoder never restarts.
//! Every output (network or file) is its own pipeline fed by the two StreamProducers (see `output`).

mod encoder;
mod slate;
pub mod sources;
pub mod tap;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;
use gstreamer_utils::StreamProducer;
use gstreamer_utils::streamproducer::ProducerSettings;

pub use encoder::EncoderKind;
pub use slate::slate_text;
pub use sources::{SourceEvent, SourceRunner, SourceState};
pub use tap::{PREVIEW_SIZE, PreviewFrame, SourceThumbnail, THUMBNAIL_SIZE, TapSize, ThumbnailFeed};

use crate::MediaError;
use crate::elements::{add_chain, capsfilter, link, make, raw_audio_caps, raw_video_caps};
use crate::layout::Layout;
use crate::spec::{EngineSpec, VideoFormat};

/// The running program pipeline and its handles.
#[derive(Debug)]
pub struct Program {
    pub pipeline: gst::Pipeline,
    pub video: StreamProducer,
    pub audio: StreamProducer,
    pub format: VideoFormat,
    encoder_kind: EncoderKind,
    compositor_pads: Vec<gst::Pad>,
    volumes: Vec<gst::Element>,
    /// Inter channel names: one per video slot (the last one is the slate), one per audio channel.
    pub video_channels: Vec<String>,
    pub audio_channels: Vec<String>,
    frames_encoded: Arc<AtomicU64>,
}

/// Names of the level elements, to tell meter messages apart on the bus.
pub const PROGRAM_LEVEL: &str = "level-program";
pub fn channel_level_name(channel: usize) -> String {
    format!("level-ch{channel}")
}

impl Program {
    /// Builds the program for `spec`. `instance` makes the inter channel names unique in the process.
    /// `preview` is asked whether anyone watches and receives the preview frames (when the spec asks
    /// for them).
    pub fn build(
        spec: &EngineSpec,
        instance: &str,
        preview: Option<(tap::Watched, tap::OnFrame)>,
    ) -> Result<Self, MediaError> {
        let format = spec.video.format;
        let pipeline = gst::Pipeline::with_name(&format!("program-{instance}"));
        let video_slots = spec.sources.iter().filter(|s| s.kind.has_video()).count() + 1; // + the slate
        let audio_inputs = spec.sources.iter().filter(|s| s.kind.has_audio()).count();
        let video_channels: Vec<String> = (0..video_slots).map(|slot| format!("{instance}-v{slot}")).collect();
        let audio_channels: Vec<String> = (0..audio_inputs).map(|ch| format!("{instance}-a{ch}")).collect();

        // Video: slots into the compositor.
        let compositor = make("compositor", "compositor")?;
        compositor.set_property_from_str("background", "black");
        pipeline.add(&compositor).map_err(|err| MediaError::Build(err.to_string()))?;
        let mut compositor_pads = Vec::new();
        for (slot, channel) in video_channels.iter().enumerate() {
            let source = make("intervideosrc", &format!("slot-src-{slot}"))?;
            source.set_property("channel", channel);
            // A slot whose source stalls goes black after 1 s rather than freezing on its last frame.
            source.set_property("timeout", gst::ClockTime::SECOND.nseconds());
            let caps = capsfilter(&format!("slot-caps-{slot}"), &raw_video_caps(format))?;
            add_chain(&pipeline, &[&source, &caps])?;
            let pad = compositor
                .request_pad_simple("sink_%u")
                .ok_or_else(|| MediaError::Build("the compositor gave no input pad".into()))?;
            caps.static_pad("src")
                .ok_or_else(|| MediaError::Build("capsfilter without src pad".into()))?
                .link(&pad)
                .map_err(|err| MediaError::Build(format!("slot {slot} into the compositor: {err:?}")))?;
            compositor_pads.push(pad);
        }
        let program_caps = capsfilter("program-video-caps", &raw_video_caps(format))?;
        let tee = make("tee", "program-video-tee")?;
        add_chain(&pipeline, &[&program_caps, &tee])?;
        link(&compositor, &program_caps)?;

        // Video encoder branch.
        let encode_queue = make("queue", "encode-queue")?;
        let (encoder, encoder_kind, encoded) = encoder::build(&pipeline, &spec.video)?;
        let video_sink = make("appsink", "video-out")?
            .downcast::<gst_app::AppSink>()
            .map_err(|_| MediaError::Build("appsink".into()))?;
        pipeline.add(&video_sink).map_err(|err| MediaError::Build(err.to_string()))?;
        add_chain(&pipeline, &[&encode_queue])?;
        link(&tee, &encode_queue)?;
        link(&encode_queue, &encoder)?;
        link(&encoded, video_sink.upcast_ref())?;
        let frames_encoded = Arc::new(AtomicU64::new(0));
        count_buffers(video_sink.upcast_ref(), Arc::clone(&frames_encoded))?;

        // Preview branch.
        if let Some((watched, on_frame)) = preview.filter(|_| spec.preview) {
            tap::attach(&pipeline, &tee, "preview", PREVIEW_SIZE, watched, on_frame)?;
        }

        // Audio: inputs into the mixer, plus silence so there always is a track.
        let mixer = make("audiomixer", "audiomixer")?;
        pipeline.add(&mixer).map_err(|err| MediaError::Build(err.to_string()))?;
        let silence = make("audiotestsrc", "silence")?;
        silence.set_property_from_str("wave", "silence");
        silence.set_property("is-live", true);
        let silence_caps = capsfilter("silence-caps", &raw_audio_caps())?;
        add_chain(&pipeline, &[&silence, &silence_caps])?;
        link(&silence_caps, &mixer)?;
        let mut volumes = Vec::new();
        for (index, channel) in audio_channels.iter().enumerate() {
            let source = make("interaudiosrc", &format!("channel-src-{index}"))?;
            source.set_property("channel", channel);
            let convert = make("audioconvert", &format!("channel-convert-{index}"))?;
            let caps = capsfilter(&format!("channel-caps-{index}"), &raw_audio_caps())?;
            let volume = make("volume", &format!("channel-volume-{index}"))?;
            let level = make("level", &channel_level_name(index))?;
            level.set_property("interval", 50 * gst::ClockTime::MSECOND.nseconds());
            level.set_property("post-messages", true);
            add_chain(&pipeline, &[&source, &convert, &caps, &volume, &level])?;
            link(&level, &mixer)?;
            volumes.push(volume);
        }
        let mix_caps = capsfilter("program-audio-caps", &raw_audio_caps())?;
        let program_level = make("level", PROGRAM_LEVEL)?;
        program_level.set_property("interval", 50 * gst::ClockTime::MSECOND.nseconds());
        program_level.set_property("post-messages", true);
        let audio_queue = make("queue", "audio-encode-queue")?;
        let audio_convert = make("audioconvert", "audio-encode-convert")?;
        let aac = encoder::aac(spec.audio.bitrate_kbps)?;
        let aac_parse = make("aacparse", "aacparse")?;
        let audio_sink = make("appsink", "audio-out")?
            .downcast::<gst_app::AppSink>()
            .map_err(|_| MediaError::Build("appsink".into()))?;
        add_chain(
            &pipeline,
            &[&mix_caps, &program_level, &audio_queue, &audio_convert, &aac, &aac_parse, audio_sink.upcast_ref()],
        )?;
        link(&mixer, &mix_caps)?;

        // Deliver encoded data as soon as it exists: outputs pace themselves.
        let settings = ProducerSettings { sync: false };
        let video = StreamProducer::with(&video_sink, settings.clone());
        let audio = StreamProducer::with(&audio_sink, settings);

        let program = Self {
            pipeline,
            video,
            audio,
            format,
            encoder_kind,
            compositor_pads,
            volumes,
            video_channels,
            audio_channels,
            frames_encoded,
        };
        program.set_layout(Layout::Single { slot: 0 })?;
        Ok(program)
    }

    pub fn start(&self) -> Result<(), MediaError> {
        self.pipeline
            .set_state(gst::State::Playing)
            .map(drop)
            .map_err(|_| MediaError::State("the program would not start".into()))
    }

    pub fn stop(&self) {
        let _ = self.pipeline.set_state(gst::State::Null);
    }

    /// Number of video slots (sources with video, then the slate).
    pub fn video_slots(&self) -> usize {
        self.compositor_pads.len()
    }

    /// The slate's slot.
    pub fn slate_slot(&self) -> usize {
        self.compositor_pads.len() - 1
    }

    /// Applies a cut or a picture-in-picture: pad properties only, effective on the next frame.
    pub fn set_layout(&self, layout: Layout) -> Result<(), MediaError> {
        if !layout.fits(self.video_slots()) {
            return Err(MediaError::BadCommand(format!("the layout {layout:?} names a slot that does not exist")));
        }
        for (pad, placement) in self.compositor_pads.iter().zip(layout.placements(
            self.video_slots(),
            self.format.width,
            self.format.height,
        )) {
            pad.set_property("alpha", placement.alpha);
            pad.set_property("zorder", placement.zorder);
            pad.set_property("xpos", placement.xpos);
            pad.set_property("ypos", placement.ypos);
            pad.set_property("width", placement.width);
            pad.set_property("height", placement.height);
        }
        Ok(())
    }

    /// Gain in dB and mute of an audio channel.
    pub fn set_audio(&self, channel: usize, gain_db: f64, muted: bool) -> Result<(), MediaError> {
        let volume =
            self.volumes.get(channel).ok_or_else(|| MediaError::BadCommand(format!("no audio channel {channel}")))?;
        if !(-60.0..=24.0).contains(&gain_db) {
            return Err(MediaError::BadCommand(format!("gain {gain_db} dB is outside −60…+24 dB")));
        }
        volume.set_property("volume", 10f64.powf(gain_db / 20.0));
        volume.set_property("mute", muted);
        Ok(())
    }

    /// Changes the encoder's bitrate live (dynamic bitrate, the preflight's bandwidth ladder).
    pub fn set_bitrate_kbps(&self, kbps: u32) {
        // The encoder is found by name (the branch's entry is its caps filter, not the encoder).
        match self.pipeline.by_name(encoder::ENCODER_NAME) {
            Some(video_encoder) => encoder::set_bitrate(&video_encoder, self.encoder_kind, kbps),
            None => tracing::warn!("no video encoder in the program: bitrate unchanged"),
        }
    }

    pub fn encoder_kind(&self) -> EncoderKind {
        self.encoder_kind
    }

    /// Video frames encoded so far.
    pub fn frames_encoded(&self) -> u64 {
        self.frames_encoded.load(Ordering::Relaxed)
    }

    pub fn clock_and_base_time(&self) -> (Option<gst::Clock>, Option<gst::ClockTime>) {
        (self.pipeline.clock(), self.pipeline.base_time())
    }
}

fn count_buffers(element: &gst::Element, counter: Arc<AtomicU64>) -> Result<(), MediaError> {
    let pad = element.static_pad("sink").ok_or_else(|| MediaError::Build("no sink pad to count on".into()))?;
    pad.add_probe(gst::PadProbeType::BUFFER, move |_, _| {
        counter.fetch_add(1, Ordering::Relaxed);
        gst::PadProbeReturn::Ok
    });
    Ok(())
}
