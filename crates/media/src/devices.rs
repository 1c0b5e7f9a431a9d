//! Cameras and microphones, through GStreamer's device monitor, with hot-plug.

use gstreamer as gst;
use gstreamer::prelude::*;
use serde::Serialize;

use crate::MediaError;

/// One capture device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviceInfo {
    /// "camera" or "microphone".
    pub kind: &'static str,
    /// The name people see ("HD Pro Webcam C920").
    pub name: String,
    /// What to put in a profile's `device` (a /dev path for cameras, the PulseAudio/PipeWire name
    /// for microphones), when the device says.
    pub device: Option<String>,
    /// Its formats, briefly ("video/x-raw 1280x720@30, image/jpeg 1920x1080@30").
    pub formats: String,
}

/// A device appearing or going away.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum DeviceChange {
    Added(DeviceInfo),
    Removed(DeviceInfo),
}

fn monitor() -> Result<gst::DeviceMonitor, MediaError> {
    crate::gst_log::init().map_err(|err| MediaError::Init(err.to_string()))?;
    let monitor = gst::DeviceMonitor::new();
    monitor.add_filter(Some("Video/Source"), None);
    monitor.add_filter(Some("Audio/Source"), None);
    Ok(monitor)
}

/// The cameras and microphones connected now.
pub fn list() -> Result<Vec<DeviceInfo>, MediaError> {
    let monitor = monitor()?;
    monitor.start().map_err(|_| MediaError::State("the device monitor would not start".into()))?;
    let devices = monitor.devices().iter().filter_map(describe).collect();
    monitor.stop();
    Ok(devices)
}

/// Watches for devices appearing and going away until `stop` resolves; each change goes to `on_change`.
pub async fn watch(
    on_change: impl Fn(DeviceChange) + Send,
    stop: impl std::future::Future<Output = ()>,
) -> Result<(), MediaError> {
    use futures::StreamExt;
    let monitor = monitor()?;
    let bus = monitor.bus();
    let mut messages = bus.stream();
    monitor.start().map_err(|_| MediaError::State("the device monitor would not start".into()))?;
    tokio::pin!(stop);
    loop {
        tokio::select! {
            () = &mut stop => break,
            message = messages.next() => {
                let Some(message) = message else { break };
                match message.view() {
                    gst::MessageView::DeviceAdded(added) => {
                        if let Some(info) = describe(&added.device()) {
                            on_change(DeviceChange::Added(info));
                        }
                    }
                    gst::MessageView::DeviceRemoved(removed) => {
                        if let Some(info) = describe(&removed.device()) {
                            on_change(DeviceChange::Removed(info));
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    monitor.stop();
    Ok(())
}

fn describe(device: &gst::Device) -> Option<DeviceInfo> {
    let class = device.device_class();
    let kind = if class.contains("Video/Source") {
        "camera"
    } else if class.contains("Audio/Source") {
        "microphone"
    } else {
        return None;
    };
    let properties = device.properties();
    let read = |key: &str| properties.as_ref().and_then(|p| p.get::<String>(key).ok());
    let device_path = read("api.v4l2.path")
        .or_else(|| read("device.path"))
        .or_else(|| read("node.name"))
        .or_else(|| read("device.name"));
    let formats = device
        .caps()
        .map(|caps| {
            caps.iter()
                .take(4)
                .map(|s| {
                    let size = match (s.get::<i32>("width"), s.get::<i32>("height")) {
                        (Ok(w), Ok(h)) => format!(" {w}x{h}"),
                        _ => String::new(),
                    };
                    format!("{}{size}", s.name())
                })
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    Some(DeviceInfo { kind, name: device.display_name().to_string(), device: device_path, formats })
}

#[cfg(test)]
mod tests {
    #[test]
    fn listing_works_without_any_device() -> Result<(), crate::MediaError> {
        // This machine (CI) has no camera or microphone: the list is empty, not an error.
        let devices = super::list()?;
        assert!(devices.iter().all(|d| d.kind == "camera" || d.kind == "microphone"));
        Ok(())
    }
}
