//! `cargo xtask bench media`: 60 s of the same 720p30 show (x264 veryfast, 2.5 Mb/s, AAC 128 kb/s,
//! static SMPTE bars and a 440 Hz tone) pushed to a local nginx-rtmp, one after the other in the
//! same run, by:
//! - `showdesk live` as it runs headless: meters and their alerts on, no preview (nobody watches,
//!   so the engine encodes no JPEG) — compared with ffmpeg (goal ≤ 1.00×);
//! - `showdesk live --preview FILE`: meters on and the program preview encoded at 10 fps and
//!   written to a file, as when the window watches — compared with a bare gst-launch (goal ≤ 1.10×);
//! - ffmpeg and a bare gst-launch with the same settings.
//!
//! CPU seconds and peak RSS of each, every ratio, and how fast `showdesk live` is back on air after
//! the ingest restarts. Figures go to SHOWDESK_BENCH_OUT as one flat JSON object.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use showdesk_testkit::NginxRtmp;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

const SECONDS: u64 = 60;

/// CPU seconds (user + system) and peak RSS (MiB) of a running process, from /proc.
fn usage(pid: u32) -> Result<(f64, f64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let fields: Vec<&str> = stat.rsplit_once(')').ok_or("bad stat")?.1.split_whitespace().collect();
    let ticks: f64 = fields[11].parse::<f64>()? + fields[12].parse::<f64>()?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let hwm_kib: f64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or("no VmHWM")?;
    Ok((ticks / 100.0, hwm_kib / 1024.0))
}

/// Runs `child` for SECONDS, checks the ingest really got it, and returns its usage.
fn measure(name: &str, mut child: Child, ingest: &NginxRtmp) -> Result<(f64, f64)> {
    let started = Instant::now();
    let mut published = false;
    while started.elapsed() < Duration::from_secs(SECONDS) {
        std::thread::sleep(Duration::from_millis(500));
        published |= ingest.stat_xml().map(|xml| xml.contains("<publishing/>")).unwrap_or(false);
        if let Some(status) = child.try_wait()? {
            return Err(format!("{name} exited early ({status})").into());
        }
    }
    let usage = usage(child.id())?;
    // SIGTERM, then wait.
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    let _ = child.wait();
    if !published {
        return Err(format!("{name} never published to the ingest").into());
    }
    eprintln!("{name:<14} {:6.1} CPU-s  {:6.1} MiB peak", usage.0, usage.1);
    Ok(usage)
}

fn profile(dir: &Path, file: &str, ingest: &NginxRtmp) -> Result<std::path::PathBuf> {
    let path = dir.join(file);
    std::fs::write(
        &path,
        format!(
            r#"[show]
title = "Bench"
[video]
preset = "720p30"
bitrate_kbps = 2500
speed_preset = "veryfast"
encoder = "x264"
[audio]
bitrate_kbps = 128
[[sources]]
name = "Bars"
kind = "test_pattern"
pattern = "smpte"
[[sources]]
name = "Tone"
kind = "tone"
[[destinations]]
name = "Main"
url = "{}"
key_env = "BENCH_KEY"
[recording]
enabled = false
"#,
            ingest.server_url()
        ),
    )?;
    Ok(path)
}

fn showdesk(home: &Path, profile: &Path, duration: Option<u64>, preview: Option<&Path>) -> Result<Child> {
    let mut command = Command::new(env!("CARGO_BIN_EXE_showdesk"));
    command.arg("live").arg("--profile").arg(profile).env("SHOWDESK_HOME", home).env("BENCH_KEY", "showdesk");
    if let Some(secs) = duration {
        command.args(["--duration", &secs.to_string()]);
    }
    if let Some(file) = preview {
        command.arg("--preview").arg(file);
    }
    Ok(command.stdout(Stdio::null()).stderr(Stdio::null()).spawn()?)
}

/// Restarts the ingest three times; returns the worst time from "the ingest accepts again" to
/// "showdesk is publishing again".
fn reconnect_seconds(home: &Path) -> Result<f64> {
    let mut ingest = NginxRtmp::start()?;
    let reconnect_profile = profile(home, "reconnect.toml", &ingest)?;
    let mut child = showdesk(home, &reconnect_profile, Some(40), None)?;
    let publishing = |ingest: &NginxRtmp| ingest.stat_xml().map(|xml| xml.contains("<publishing/>")).unwrap_or(false);
    let wait = |ingest: &NginxRtmp, limit: Duration| -> Result<Duration> {
        let started = Instant::now();
        while !publishing(ingest) {
            if started.elapsed() > limit {
                return Err("not publishing".into());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(started.elapsed())
    };
    wait(&ingest, Duration::from_secs(20))?;
    let mut worst = Duration::ZERO;
    for _ in 0..3 {
        std::thread::sleep(Duration::from_secs(3));
        ingest.stop();
        std::thread::sleep(Duration::from_secs(2));
        ingest.start_again()?;
        let back = wait(&ingest, Duration::from_secs(15))?;
        eprintln!("back on air {:.0} ms after the ingest returned", back.as_secs_f64() * 1000.0);
        worst = worst.max(back);
    }
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    let _ = child.wait();
    Ok(worst.as_secs_f64())
}

fn main() -> Result<()> {
    let out = std::env::var("SHOWDESK_BENCH_OUT").unwrap_or_else(|_| "target/bench/media.json".into());
    let home = tempfile::tempdir()?;
    let ingest = NginxRtmp::start()?;
    let profile = profile(home.path(), "bench.toml", &ingest)?;
    eprintln!("{SECONDS} s each: 720p30 x264 veryfast 2.5 Mb/s + AAC 128 kb/s to a local nginx-rtmp");

    let (showdesk_cpu, showdesk_rss) = measure("showdesk live", showdesk(home.path(), &profile, None, None)?, &ingest)?;
    let preview = home.path().join("program.jpg");
    let watched = showdesk(home.path(), &profile, None, Some(&preview))?;
    let (watched_cpu, watched_rss) = measure("… --preview", watched, &ingest)?;
    if !std::fs::read(&preview).is_ok_and(|jpeg| jpeg.starts_with(&[0xFF, 0xD8])) {
        return Err("showdesk live --preview wrote no picture".into());
    }
    let ffmpeg = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-re", "-f", "lavfi", "-i", "smptebars=size=1280x720:rate=30"])
        .args(["-re", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"])
        .args(["-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-b:v", "2500k", "-maxrate", "2500k"])
        .args(["-bufsize", "2500k", "-g", "60", "-pix_fmt", "yuv420p", "-profile:v", "high"])
        .args(["-c:a", "aac", "-b:a", "128k", "-ac", "2", "-f", "flv"])
        .arg(ingest.stream_url("ffmpeg"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let (ffmpeg_cpu, ffmpeg_rss) = measure("ffmpeg", ffmpeg, &ingest)?;
    let pipeline = format!(
        "videotestsrc is-live=true pattern=smpte ! video/x-raw,format=I420,width=1280,height=720,framerate=30/1 \
         ! x264enc speed-preset=veryfast tune=zerolatency bitrate=2500 key-int-max=60 vbv-buf-capacity=1000 \
         ! video/x-h264,profile=high ! h264parse ! flvmux streamable=true name=m ! rtmp2sink location={} \
         audiotestsrc is-live=true freq=440 ! audioconvert ! audio/x-raw,rate=48000,channels=2 \
         ! avenc_aac bitrate=128000 ! aacparse ! m.",
        ingest.stream_url("gstlaunch")
    );
    let gst = Command::new("gst-launch-1.0")
        .arg("-q")
        .args(pipeline.split_whitespace())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let (gst_cpu, gst_rss) = measure("gst-launch", gst, &ingest)?;
    drop(ingest);
    let reconnect = reconnect_seconds(home.path())?;

    let figures = serde_json::json!({
        "seconds": SECONDS,
        "showdesk_cpu_s": showdesk_cpu,
        "showdesk_preview_cpu_s": watched_cpu,
        "ffmpeg_cpu_s": ffmpeg_cpu,
        "gst_launch_cpu_s": gst_cpu,
        // The goals' pairs: headless vs ffmpeg, preview and meters on vs the bare gst-launch.
        "cpu_ratio_vs_ffmpeg": showdesk_cpu / ffmpeg_cpu,
        "cpu_ratio_vs_gst_launch": watched_cpu / gst_cpu,
        // And the other two, for the record.
        "cpu_ratio_preview_vs_ffmpeg": watched_cpu / ffmpeg_cpu,
        "cpu_ratio_headless_vs_gst_launch": showdesk_cpu / gst_cpu,
        "rss_mb": showdesk_rss.max(watched_rss),
        "rss_mb_headless": showdesk_rss,
        "rss_mb_preview": watched_rss,
        "ffmpeg_rss_mb": ffmpeg_rss,
        "gst_launch_rss_mb": gst_rss,
        "reconnect_s": reconnect,
    });
    eprintln!(
        "ratios: headless {:.2}× ffmpeg (goal ≤ 1.00); with preview and meters {:.2}× gst-launch (goal ≤ 1.10), \
         {:.2}× ffmpeg; reconnect {:.2} s (goal ≤ 1)",
        showdesk_cpu / ffmpeg_cpu,
        watched_cpu / gst_cpu,
        watched_cpu / ffmpeg_cpu,
        reconnect
    );
    if let Some(parent) = Path::new(&out).parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(&out, figures.to_string())?;
    println!("{figures}");
    Ok(())
}
