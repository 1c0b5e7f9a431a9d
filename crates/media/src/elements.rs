//! Small helpers for building pipelines without launch strings: each failure names the element.

use gstreamer as gst;
use gstreamer::prelude::*;

use crate::MediaError;

/// Makes an element of `factory` called `name`.
pub fn make(factory: &str, name: &str) -> Result<gst::Element, MediaError> {
    gst::ElementFactory::make(factory).name(name).build().map_err(|_| MediaError::MissingElement(factory.to_owned()))
}

/// Whether this machine has the element.
pub fn exists(factory: &str) -> bool {
    gst::ElementFactory::find(factory).is_some()
}

/// A capsfilter with these caps.
pub fn capsfilter(name: &str, caps: &gst::Caps) -> Result<gst::Element, MediaError> {
    let filter = make("capsfilter", name)?;
    filter.set_property("caps", caps);
    Ok(filter)
}

/// Adds `elements` to `bin` and links them in order.
pub fn add_chain(bin: &impl IsA<gst::Bin>, elements: &[&gst::Element]) -> Result<(), MediaError> {
    bin.add_many(elements.iter().copied()).map_err(|err| MediaError::Build(format!("add: {err}")))?;
    gst::Element::link_many(elements.iter().copied()).map_err(|err| {
        let names: Vec<_> = elements.iter().map(|e| e.name().to_string()).collect();
        MediaError::Build(format!("link {}: {err}", names.join(" ! ")))
    })
}

/// Links `src` to `sink`, naming both on failure.
pub fn link(src: &gst::Element, sink: &gst::Element) -> Result<(), MediaError> {
    src.link(sink).map_err(|err| MediaError::Build(format!("link {} ! {}: {err}", src.name(), sink.name())))
}

/// Raw video caps of the program: I420 (never 4:4:4, see FACTS) at the program's size and rate.
pub fn raw_video_caps(format: crate::spec::VideoFormat) -> gst::Caps {
    gst::Caps::builder("video/x-raw")
        .field("format", "I420")
        .field("width", format.width as i32)
        .field("height", format.height as i32)
        .field("framerate", gst::Fraction::new(format.fps as i32, 1))
        .field("pixel-aspect-ratio", gst::Fraction::new(1, 1))
        .build()
}

/// Raw audio caps of the program: 48 kHz stereo float.
pub fn raw_audio_caps() -> gst::Caps {
    gst::Caps::builder("audio/x-raw")
        .field("format", "F32LE")
        .field("rate", 48_000i32)
        .field("channels", 2i32)
        .field("layout", "interleaved")
        .build()
}

/// Sets an enum or flags property from its nick ("veryfast", "zerolatency", "smpte"), refusing
/// unknown values with an error (gstreamer-rs' own `set_property_from_str` panics on them, and some
/// of these values come from a profile a person wrote).
pub fn set_from_str(element: &gst::Element, property: &str, value: &str) -> Result<(), MediaError> {
    let bad = || MediaError::BadValue {
        element: element.name().to_string(),
        property: property.to_owned(),
        value: value.to_owned(),
    };
    let pspec = element.find_property(property).ok_or_else(bad)?;
    let kind = pspec.value_type();
    let converted = if kind.is_a(gst::glib::Type::ENUM) {
        let class = gst::glib::EnumClass::with_type(kind).ok_or_else(bad)?;
        class.to_value_by_nick(value).or_else(|| class.to_value_by_name(value))
    } else if kind.is_a(gst::glib::Type::FLAGS) {
        let class = gst::glib::FlagsClass::with_type(kind).ok_or_else(bad)?;
        let mut builder = class.builder();
        for part in value.split('+') {
            builder = builder.set_by_nick(part.trim());
        }
        builder.build()
    } else if kind == gst::glib::Type::STRING {
        Some(value.to_value())
    } else {
        None
    };
    element.set_property_from_value(property, &converted.ok_or_else(bad)?);
    Ok(())
}

/// The nicks an enum property accepts (for error messages).
pub fn enum_nicks(element: &gst::Element, property: &str) -> Vec<String> {
    element
        .find_property(property)
        .and_then(|pspec| gst::glib::EnumClass::with_type(pspec.value_type()))
        .map(|class| class.values().iter().map(|value| value.nick().to_owned()).collect())
        .unwrap_or_default()
}

/// Sets a property, converting between number types when the element's type differs (a port is a
/// `gint` on one element and a `guint` on another) and returning an error instead of panicking on a
/// mismatch.
pub fn set(element: &gst::Element, property: &str, value: impl ToValue) -> Result<(), MediaError> {
    let value = value.to_value();
    let pspec = element
        .find_property(property)
        .ok_or_else(|| MediaError::Build(format!("{} has no property {property}", element.name())))?;
    let wanted = pspec.value_type();
    let converted = if value.value_type().is_a(wanted) {
        value
    } else {
        value.transform_with_type(wanted).map_err(|_| {
            MediaError::Build(format!("{}: {property} takes {wanted}, not {}", element.name(), value.value_type()))
        })?
    };
    element.set_property_from_value(property, &converted);
    Ok(())
}

/// A pipeline that goes to NULL when dropped, whatever path drops it (a task cancelled at runtime
/// shutdown, an early return): GStreamer must never dispose a playing pipeline.
#[derive(Debug)]
pub struct OwnedPipeline(pub gst::Pipeline);

impl std::ops::Deref for OwnedPipeline {
    type Target = gst::Pipeline;
    fn deref(&self) -> &gst::Pipeline {
        &self.0
    }
}

impl Drop for OwnedPipeline {
    fn drop(&mut self) {
        let _ = self.0.set_state(gst::State::Null);
    }
}
