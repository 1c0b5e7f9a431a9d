//! `showdesk preflight --profile FILE`: the checklist before the show.

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use serde::Serialize;
use showdesk_control::live::profile::{self, SystemSecrets};
use showdesk_media::preflight::{self, BandwidthResult, Check, Status};
use showdesk_platform::AppDirs;

use super::{fail, print_json};

#[derive(Debug, Serialize)]
struct Report {
    checks: Vec<Check>,
    bandwidth: Vec<(String, BandwidthResult)>,
    ready: bool,
}

/// The bitrates tried, as a share of the show's bitrate.
const LADDER_PERCENT: [u32; 4] = [50, 100, 150, 200];

pub async fn run(dirs: &AppDirs, profile_path: &Path, with_bandwidth: bool, json: bool) -> ExitCode {
    let profile = match profile::load(profile_path, &dirs.videos, &SystemSecrets) {
        Ok(profile) => profile,
        Err(err) => return fail(&err.to_string()),
    };
    let spec = profile.spec;
    let mut checks = preflight::check_sources(&spec, Duration::from_secs(3)).await;
    let mut bandwidth = Vec::new();
    for output in &spec.outputs {
        let connection = preflight::test_connection(&spec, output).await;
        let reachable = connection.iter().all(|check| check.status != Status::Fail);
        checks.extend(connection);
        if with_bandwidth && reachable && !output.target.host_port().0.is_empty() {
            let ladder: Vec<u32> = LADDER_PERCENT.iter().map(|p| spec.video.bitrate_kbps * p / 100).collect();
            match preflight::bandwidth(&spec, output, &ladder, Duration::from_secs(3)).await {
                Ok(result) => {
                    checks.push(bandwidth_check(&output.name, &result, spec.video.bitrate_kbps));
                    bandwidth.push((output.id.clone(), result));
                }
                Err(why) => checks.push(Check {
                    name: format!("{}: bandwidth", output.name),
                    status: Status::Fail,
                    detail: why,
                }),
            }
        }
    }
    let ready = checks.iter().all(|check| check.status != Status::Fail);
    if json {
        return print_json(&Report { checks, bandwidth, ready }).map_or_else(|code| code, |()| exit(ready));
    }
    for check in &checks {
        let mark = match check.status {
            Status::Pass => "ok  ",
            Status::Warn => "warn",
            Status::Fail => "FAIL",
        };
        say!("[{mark}] {:<40} {}", check.name, check.detail);
    }
    say!("{}", if ready { "Ready for the show." } else { "Not ready: fix what FAILs above." });
    exit(ready)
}

fn bandwidth_check(name: &str, result: &BandwidthResult, wanted_kbps: u32) -> Check {
    let tried: Vec<String> = result.steps.iter().map(|s| format!("{}→{}", s.target_kbps, s.sent_kbps)).collect();
    let (status, detail) = match result.recommended_kbps {
        Some(kbps) if kbps >= wanted_kbps => {
            (Status::Pass, format!("recommended {kbps} kb/s (sent: {})", tried.join(", ")))
        }
        Some(kbps) => (
            Status::Warn,
            format!(
                "the upload holds about {kbps} kb/s with headroom, less than the profile's {wanted_kbps}: lower video.bitrate_kbps (sent: {})",
                tried.join(", ")
            ),
        ),
        None => (
            Status::Fail,
            format!(
                "not even {} kb/s got through (sent: {})",
                result.steps.first().map_or(0, |s| s.target_kbps),
                tried.join(", ")
            ),
        ),
    };
    Check { name: format!("{name}: bandwidth"), status, detail }
}

fn exit(ready: bool) -> ExitCode {
    if ready { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
