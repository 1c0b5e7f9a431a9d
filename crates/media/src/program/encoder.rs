//! H.264 and AAC encoders. x264 by default, always fed I420 and constrained to 8-bit 4:2:0 High
//! (without it x264enc negotiates 4:4:4 that ingests reject, FACTS); a hardware encoder when the
//! machine has one and the profile allows it.

use gstreamer as gst;
use gstreamer::prelude::*;
use serde::Serialize;

use crate::MediaError;
use crate::elements::{add_chain, capsfilter, exists, make, raw_video_caps, set_from_str};
use crate::spec::{EncoderChoice, VideoSettings};

/// Which encoder runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EncoderKind {
    X264,
    /// VA-API (Intel, AMD) through the `va` plugin.
    VaH264,
    /// NVIDIA NVENC.
    NvH264,
}

impl EncoderKind {
    fn factory(self) -> &'static str {
        match self {
            Self::X264 => "x264enc",
            Self::VaH264 => "vah264enc",
            Self::NvH264 => "nvh264enc",
        }
    }
}

/// The hardware encoders this machine has, best first.
pub fn hardware_encoders() -> Vec<EncoderKind> {
    [EncoderKind::NvH264, EncoderKind::VaH264].into_iter().filter(|kind| exists(kind.factory())).collect()
}

/// Builds `capsfilter(I420) ! encoder ! capsfilter(h264 High, byte-stream, au) ! h264parse` in
/// `pipeline`. Returns (the element to link into, the kind, the last element to link from).
pub fn build(
    pipeline: &gst::Pipeline,
    settings: &VideoSettings,
) -> Result<(gst::Element, EncoderKind, gst::Element), MediaError> {
    let kind = match settings.encoder {
        EncoderChoice::X264 => EncoderKind::X264,
        EncoderChoice::Auto => hardware_encoders().into_iter().next().unwrap_or(EncoderKind::X264),
    };
    let input = capsfilter("encoder-input-caps", &raw_video_caps(settings.format))?;
    let encoder = make(kind.factory(), ENCODER_NAME)?;
    let keyframe_every = settings.format.fps * 2;
    match kind {
        EncoderKind::X264 => {
            set_from_str(&encoder, "speed-preset", &settings.speed_preset)?;
            set_from_str(&encoder, "tune", "zerolatency")?;
            encoder.set_property("key-int-max", keyframe_every);
            encoder.set_property("bitrate", settings.bitrate_kbps);
            // Streaming hosts want a steady rate: cap the VBV at the target over one second.
            encoder.set_property("vbv-buf-capacity", 1000u32);
        }
        EncoderKind::VaH264 | EncoderKind::NvH264 => {
            encoder.set_property("bitrate", settings.bitrate_kbps);
            if encoder.find_property("key-int-max").is_some() {
                encoder.set_property("key-int-max", keyframe_every);
            } else if encoder.find_property("gop-size").is_some() {
                encoder.set_property("gop-size", keyframe_every as i32);
            }
        }
    }
    let output = capsfilter(
        "encoder-output-caps",
        &gst::Caps::builder("video/x-h264")
            .field("profile", "high")
            .field("stream-format", "byte-stream")
            .field("alignment", "au")
            .build(),
    )?;
    let parse = make("h264parse", "video-parse")?;
    // SPS/PPS before every keyframe: a late SRT joiner or a reconnected output decodes at once.
    parse.set_property("config-interval", -1i32);
    add_chain(pipeline, &[&input, &encoder, &output, &parse])?;
    Ok((input, kind, parse))
}

/// The video encoder's name in the program pipeline.
pub const ENCODER_NAME: &str = "video-encoder";

/// Changes the bitrate of a running encoder.
pub fn set_bitrate(encoder: &gst::Element, kind: EncoderKind, kbps: u32) {
    // x264enc, vah264enc and nvh264enc all take kbit/s (a uint) and apply it to the next frames.
    if encoder.find_property("bitrate").is_some_and(|p| p.value_type() == u32::static_type()) {
        encoder.set_property("bitrate", kbps);
    } else {
        tracing::warn!(?kind, "this encoder has no kbit/s bitrate: unchanged");
    }
}

/// The AAC encoder: FFmpeg's (avenc_aac) or VisualOn's (voaacenc); fdkaacenc is not packaged.
pub fn aac(bitrate_kbps: u32) -> Result<gst::Element, MediaError> {
    let bitrate = i32::try_from(bitrate_kbps.saturating_mul(1000)).unwrap_or(128_000);
    if exists("avenc_aac") {
        let encoder = make("avenc_aac", "audio-encoder")?;
        encoder.set_property("bitrate", bitrate);
        Ok(encoder)
    } else {
        let encoder = make("voaacenc", "audio-encoder")?;
        encoder.set_property("bitrate", bitrate);
        Ok(encoder)
    }
}
