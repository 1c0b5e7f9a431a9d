//! Audio meters: the `level` element's messages as peak/RMS per channel, and the two alerts a
//! show needs from them — clipping and long silence. The detection is pure (time passed in).

use std::time::Duration;

use gstreamer as gst;
use serde::Serialize;

/// One reading of a meter, in dBFS per channel (−inf reads as −100).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeterReading {
    pub peak_db: Vec<f64>,
    pub rms_db: Vec<f64>,
}

impl MeterReading {
    /// The loudest channel's peak.
    pub fn max_peak(&self) -> f64 {
        self.peak_db.iter().copied().fold(FLOOR_DB, f64::max)
    }

    pub fn max_rms(&self) -> f64 {
        self.rms_db.iter().copied().fold(FLOOR_DB, f64::max)
    }

    /// Reads a `level` element message.
    pub fn from_level_message(structure: &gst::StructureRef) -> Option<Self> {
        if structure.name() != "level" {
            return None;
        }
        let read = |field: &str| -> Option<Vec<f64>> {
            let values = structure.get::<gst::glib::ValueArray>(field).ok()?;
            Some(values.iter().map(|value| value.get::<f64>().map_or(FLOOR_DB, clamp_db)).collect())
        };
        Some(Self { peak_db: read("peak")?, rms_db: read("rms")? })
    }
}

/// The quietest level shown.
pub const FLOOR_DB: f64 = -100.0;

fn clamp_db(db: f64) -> f64 {
    if db.is_finite() { db.max(FLOOR_DB) } else { FLOOR_DB }
}

/// A sound problem worth telling the operator.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "alert", rename_all = "snake_case")]
pub enum SoundAlert {
    /// The signal hits full scale: lower the gain.
    Clipping { peak_db: f64 },
    /// Nothing audible for this long: a muted mic, a dead cable.
    Silence { seconds: u64 },
    /// Sound is back after a silence alert.
    SoundBack,
}

/// Peaks at or above this are clipping.
pub const CLIP_DB: f64 = -0.5;
/// RMS below this is silence.
pub const SILENCE_DB: f64 = -60.0;
/// Silence longer than this raises an alert.
pub const SILENCE_ALERT_AFTER: Duration = Duration::from_secs(10);
/// Clipping alerts are not repeated more often than this.
const CLIP_ALERT_EVERY: Duration = Duration::from_secs(5);

/// Watches one meter's readings over time.
#[derive(Debug, Default, Clone)]
pub struct SoundWatch {
    silent_since: Option<Duration>,
    silence_reported: bool,
    last_clip_alert: Option<Duration>,
}

impl SoundWatch {
    /// Feeds a reading taken at `now` (time since the watch started); returns an alert to raise.
    pub fn observe(&mut self, now: Duration, reading: &MeterReading) -> Option<SoundAlert> {
        let peak = reading.max_peak();
        if peak >= CLIP_DB {
            let due = self.last_clip_alert.is_none_or(|last| now.saturating_sub(last) >= CLIP_ALERT_EVERY);
            if due {
                self.last_clip_alert = Some(now);
                return Some(SoundAlert::Clipping { peak_db: peak });
            }
        }
        if reading.max_rms() < SILENCE_DB {
            let since = *self.silent_since.get_or_insert(now);
            let silent_for = now.saturating_sub(since);
            if silent_for >= SILENCE_ALERT_AFTER && !self.silence_reported {
                self.silence_reported = true;
                return Some(SoundAlert::Silence { seconds: silent_for.as_secs() });
            }
        } else {
            self.silent_since = None;
            if std::mem::take(&mut self.silence_reported) {
                return Some(SoundAlert::SoundBack);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reading(peak: f64, rms: f64) -> MeterReading {
        MeterReading { peak_db: vec![peak, peak - 1.0], rms_db: vec![rms, rms - 1.0] }
    }

    #[test]
    fn silence_is_reported_once_after_ten_seconds_and_its_end_too() {
        let mut watch = SoundWatch::default();
        let mut alerts = Vec::new();
        for tenth in 0..150 {
            let now = Duration::from_millis(tenth * 100);
            let level = if tenth < 120 { reading(-90.0, -95.0) } else { reading(-12.0, -20.0) };
            alerts.extend(watch.observe(now, &level));
        }
        assert_eq!(alerts, [SoundAlert::Silence { seconds: 10 }, SoundAlert::SoundBack]);
    }

    #[test]
    fn clipping_is_reported_at_most_every_five_seconds() {
        let mut watch = SoundWatch::default();
        let alerts: Vec<_> = (0..100)
            .filter_map(|tenth| watch.observe(Duration::from_millis(tenth * 100), &reading(0.0, -3.0)))
            .collect();
        assert_eq!(alerts.len(), 2, "{alerts:?}");
        assert!(matches!(alerts[0], SoundAlert::Clipping { peak_db } if peak_db == 0.0));
    }

    #[test]
    fn normal_speech_raises_nothing() {
        let mut watch = SoundWatch::default();
        assert!((0..200).all(|t| watch.observe(Duration::from_millis(t * 50), &reading(-6.0, -18.0)).is_none()));
    }

    #[test]
    fn minus_infinity_reads_as_the_floor() {
        assert_eq!(clamp_db(f64::NEG_INFINITY), FLOOR_DB);
        assert_eq!(clamp_db(-3.0), -3.0);
    }
}
