//! Which GStreamer elements this machine has, against what the engine needs.

use serde::Serialize;

use crate::MediaError;

/// An element the engine uses, why, and the Debian package that ships it. `any_of` lists
/// interchangeable elements: one present is enough.
struct Needed {
    any_of: &'static [&'static str],
    role: &'static str,
    package: &'static str,
}

const NEEDED: &[Needed] = &[
    Needed { any_of: &["videotestsrc"], role: "test pattern and slates", package: "gstreamer1.0-plugins-base" },
    Needed { any_of: &["audiotestsrc"], role: "test tone", package: "gstreamer1.0-plugins-base" },
    Needed {
        any_of: &["compositor"],
        role: "program mixer (cuts, picture-in-picture)",
        package: "gstreamer1.0-plugins-base",
    },
    Needed { any_of: &["audiomixer"], role: "audio mixer", package: "gstreamer1.0-plugins-base" },
    Needed { any_of: &["x264enc"], role: "H.264 encoder", package: "gstreamer1.0-plugins-ugly" },
    Needed { any_of: &["avenc_aac", "voaacenc"], role: "AAC encoder", package: "gstreamer1.0-libav" },
    Needed { any_of: &["flvmux"], role: "RTMP container", package: "gstreamer1.0-plugins-good" },
    Needed { any_of: &["rtmp2sink"], role: "RTMP/RTMPS output", package: "gstreamer1.0-plugins-bad" },
    Needed { any_of: &["mpegtsmux"], role: "SRT container", package: "gstreamer1.0-plugins-bad" },
    Needed { any_of: &["srtsink"], role: "SRT output", package: "gstreamer1.0-plugins-bad" },
    Needed { any_of: &["matroskamux"], role: "crash-safe recording", package: "gstreamer1.0-plugins-good" },
    Needed { any_of: &["jpegenc"], role: "preview frames", package: "gstreamer1.0-plugins-good" },
    Needed { any_of: &["level"], role: "audio meters", package: "gstreamer1.0-plugins-good" },
    Needed { any_of: &["uridecodebin"], role: "media files", package: "gstreamer1.0-plugins-base" },
    Needed { any_of: &["v4l2src"], role: "cameras", package: "gstreamer1.0-plugins-good" },
];

/// One needed element and whether it is here.
#[derive(Debug, Clone, Serialize)]
pub struct ElementCheck {
    /// The element found, or the first of the alternatives when none is.
    pub element: &'static str,
    pub role: &'static str,
    pub present: bool,
    pub package: &'static str,
}

/// What GStreamer this process has.
#[derive(Debug, Clone, Serialize)]
pub struct MediaProbe {
    /// e.g. "GStreamer 1.22.0".
    pub version: String,
    pub elements: Vec<ElementCheck>,
}

impl MediaProbe {
    pub fn missing(&self) -> impl Iterator<Item = &ElementCheck> {
        self.elements.iter().filter(|check| !check.present)
    }

    pub fn is_complete(&self) -> bool {
        self.missing().next().is_none()
    }
}

/// Initialises GStreamer (once per process) and checks every element the engine needs.
pub fn probe() -> Result<MediaProbe, MediaError> {
    crate::gst_log::init().map_err(|err| MediaError::Init(err.to_string()))?;
    let elements = NEEDED
        .iter()
        .map(|needed| {
            let found = needed.any_of.iter().find(|name| gstreamer::ElementFactory::find(name).is_some());
            ElementCheck {
                element: found.copied().unwrap_or(needed.any_of[0]),
                role: needed.role,
                present: found.is_some(),
                package: needed.package,
            }
        })
        .collect();
    Ok(MediaProbe { version: gstreamer::version_string().to_string(), elements })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_machine_has_every_element_the_engine_needs() -> Result<(), MediaError> {
        let probe = probe()?;
        assert!(probe.version.starts_with("GStreamer 1."), "{}", probe.version);
        let missing: Vec<_> = probe.missing().map(|check| format!("{} ({})", check.element, check.package)).collect();
        assert!(missing.is_empty(), "missing GStreamer elements: {missing:?}");
        Ok(())
    }

    #[test]
    fn a_missing_element_is_reported_with_its_package() -> Result<(), MediaError> {
        let probe = MediaProbe {
            version: "GStreamer 1.22.0".into(),
            elements: vec![ElementCheck {
                element: "x264enc",
                role: "H.264 encoder",
                present: false,
                package: "gstreamer1.0-plugins-ugly",
            }],
        };
        assert!(!probe.is_complete());
        assert_eq!(probe.missing().map(|c| c.package).collect::<Vec<_>>(), ["gstreamer1.0-plugins-ugly"]);
        Ok(())
    }
}
