//! `cargo xtask bench app`: the desktop app itself, release build, on a private Xvfb display.
//!
//! - Cold start: five launches on a new, empty home each, from spawn to the window's page loaded
//!   (the app writes that moment to SHOWDESK_READY_FILE). Goal ≤ 1 s.
//! - Memory while live: `--drill` (the rehearsal stack, live at 720p30 to its ingest, the ticket
//!   rush, viewers and support mail), then the app's resident memory sampled every second for
//!   30 s; WebKit's web process (the window's renderer) is reported beside it. Goal ≤ 200 MB.
//! - In the same run, a bare gst-launch pushing the same 720p30 show to an nginx-rtmp, for scale.
//!
//! Figures go to SHOWDESK_BENCH_OUT as one flat JSON object (`rss_mb_live`, `cold_start_s`, …).

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use showdesk_testkit::NginxRtmp;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

const APP: &str = env!("CARGO_BIN_EXE_showdesk-desktop");
const LAUNCHES: usize = 5;
const LIVE_SAMPLES: usize = 30;

/// A private X server for the run, stopped when dropped.
struct Display {
    server: Child,
    name: String,
}

impl Display {
    fn start() -> Result<Self> {
        for number in 90..120 {
            let name = format!(":{number}");
            if Path::new(&format!("/tmp/.X11-unix/X{number}")).exists() {
                continue;
            }
            let mut server = Command::new("Xvfb")
                .args([name.as_str(), "-screen", "0", "1366x800x24", "-nolisten", "tcp"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()?;
            let started = Instant::now();
            while started.elapsed() < Duration::from_secs(10) {
                if Path::new(&format!("/tmp/.X11-unix/X{number}")).exists() {
                    return Ok(Self { server, name });
                }
                if server.try_wait()?.is_some() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = server.kill();
        }
        Err("no Xvfb display could start".into())
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

/// The app in its own process group (so the rehearsal's services go with it).
fn launch(display: &Display, home: &Path, args: &[&str], ready_file: &Path) -> Result<Child> {
    Ok(Command::new(APP)
        .args(["--home", &home.display().to_string()])
        .args(args)
        .env("DISPLAY", &display.name)
        .env("NO_AT_BRIDGE", "1")
        .env("SHOWDESK_NOTIFICATIONS", "0")
        .env("SHOWDESK_READY_FILE", ready_file)
        .env_remove("WAYLAND_DISPLAY")
        .process_group(0)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?)
}

fn stop(mut child: Child) {
    // The whole group: the app, WebKit's processes, the rehearsal's services.
    let _ = Command::new("kill").args(["-TERM", "--", &format!("-{}", child.id())]).status();
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if matches!(child.try_wait(), Ok(Some(_))) {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = Command::new("kill").args(["-KILL", "--", &format!("-{}", child.id())]).status();
    let _ = child.wait();
}

/// Seconds from spawn to the window's page loaded.
fn cold_start(display: &Display, scratch: &Path, n: usize) -> Result<f64> {
    let home = scratch.join(format!("cold-{n}"));
    let ready = scratch.join(format!("ready-{n}"));
    let started = Instant::now();
    let child = launch(display, &home, &[], &ready)?;
    while !ready.exists() {
        if started.elapsed() > Duration::from_secs(60) {
            stop(child);
            return Err("the window did not load within 60 s".into());
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let seconds = started.elapsed().as_secs_f64();
    stop(child);
    Ok(seconds)
}

/// Resident memory of one process, MiB.
fn rss_mb(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kib: f64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib / 1024.0)
}

/// The processes whose parent is `pid` and whose name starts with `prefix`.
fn children(pid: u32, prefix: &str) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|child| {
            std::fs::read_to_string(format!("/proc/{child}/stat")).ok().is_some_and(|stat| {
                let name = stat.split_once('(').and_then(|(_, rest)| rest.rsplit_once(')')).map(|(name, _)| name);
                let parent = stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().nth(1));
                name.is_some_and(|n| n.starts_with(prefix)) && parent == Some(pid.to_string().as_str())
            })
        })
        .collect()
}

/// Whether the app's log says the drill runs (it is live by then).
fn drill_running(home: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(home.join("logs")) else { return false };
    entries
        .filter_map(|e| e.ok())
        .any(|entry| std::fs::read_to_string(entry.path()).is_ok_and(|text| text.contains("rehearsal drill started")))
}

/// The app live with the drill: (app MiB mean, app MiB peak, web process MiB peak).
fn live_memory(display: &Display, scratch: &Path) -> Result<(f64, f64, f64)> {
    let home = scratch.join("live");
    let child = launch(display, &home, &["--drill"], &scratch.join("ready-live"))?;
    let pid = child.id();
    let started = Instant::now();
    while !drill_running(&home) {
        if started.elapsed() > Duration::from_secs(180) {
            stop(child);
            return Err(
                format!("the drill did not start within 180 s (logs in {})", home.join("logs").display()).into()
            );
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    // Let the rush and the viewers build up before measuring.
    std::thread::sleep(Duration::from_secs(15));
    let (mut app, mut web) = (Vec::new(), Vec::new());
    for _ in 0..LIVE_SAMPLES {
        app.push(rss_mb(pid).ok_or("the app exited while live")?);
        web.push(children(pid, "WebKitWebProces").iter().filter_map(|p| rss_mb(*p)).sum::<f64>());
        std::thread::sleep(Duration::from_secs(1));
    }
    stop(child);
    let peak = |v: &[f64]| v.iter().copied().fold(0.0, f64::max);
    Ok((app.iter().sum::<f64>() / app.len() as f64, peak(&app), peak(&web)))
}

/// gst-launch pushing the same 720p30 show, peak MiB after 30 s.
fn gst_launch_rss() -> Result<f64> {
    let ingest = NginxRtmp::start()?;
    let pipeline = format!(
        "videotestsrc is-live=true pattern=smpte ! video/x-raw,format=I420,width=1280,height=720,framerate=30/1 \
         ! x264enc speed-preset=veryfast tune=zerolatency bitrate=2500 key-int-max=60 \
         ! h264parse ! flvmux streamable=true name=m ! rtmp2sink location={} \
         audiotestsrc is-live=true ! audioconvert ! audio/x-raw,rate=48000,channels=2 ! avenc_aac bitrate=128000 \
         ! aacparse ! m.",
        ingest.stream_url("gstlaunch")
    );
    let mut gst =
        Command::new("gst-launch-1.0").arg("-q").args(pipeline.split_whitespace()).stdout(Stdio::null()).spawn()?;
    let mut peak: f64 = 0.0;
    for _ in 0..30 {
        std::thread::sleep(Duration::from_secs(1));
        peak = peak.max(rss_mb(gst.id()).ok_or("gst-launch exited")?);
    }
    let _ = gst.kill();
    let _ = gst.wait();
    Ok(peak)
}

fn main() -> Result<()> {
    let out = PathBuf::from(std::env::var("SHOWDESK_BENCH_OUT").unwrap_or_else(|_| "target/bench/app.json".into()));
    let scratch = tempfile::tempdir()?;
    let display = Display::start()?;
    eprintln!("release app {APP} on Xvfb {}", display.name);

    let mut starts = Vec::new();
    for n in 0..LAUNCHES {
        let seconds = cold_start(&display, scratch.path(), n)?;
        eprintln!("cold start {}: {seconds:.3} s", n + 1);
        starts.push(seconds);
    }
    starts.sort_by(f64::total_cmp);
    let median = starts[LAUNCHES / 2];

    let (rss_mean, rss_peak, web_peak) = live_memory(&display, scratch.path())?;
    eprintln!("live with the drill: app {rss_mean:.0} MiB mean, {rss_peak:.0} MiB peak; web process {web_peak:.0} MiB");
    let gst = gst_launch_rss()?;
    eprintln!("gst-launch, same show: {gst:.0} MiB");

    let figures = serde_json::json!({
        "cold_start_s": median,
        "cold_start_min_s": starts[0],
        "cold_start_max_s": starts[LAUNCHES - 1],
        "rss_mb_live": rss_peak,
        "rss_mb_live_mean": rss_mean,
        "webview_rss_mb_live": web_peak,
        "gst_launch_rss_mb": gst,
    });
    eprintln!("cold start {median:.2} s (goal ≤ 1), live {rss_peak:.0} MB (goal ≤ 200)");
    if let Some(parent) = out.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(&out, figures.to_string())?;
    println!("{figures}");
    Ok(())
}
