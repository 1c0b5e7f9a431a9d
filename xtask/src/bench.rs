//! `cargo xtask bench [NAME]...`: benchmarks that compare Showdesk with ffmpeg and gst-launch in the
//! same run (never timed assertions in tests: these machines are noisy).
//!
//! Each benchmark is a `[[bench]]` target with `harness = false` in the crate that owns what it
//! measures. It is run with `cargo bench -p <package> --bench <target>`, gets the real local services
//! from the testkit like any test, prints its figures, and writes one flat JSON object of numbers to
//! the path in `SHOWDESK_BENCH_OUT` (target/bench/<name>.json).

use std::process::{Command, ExitCode};

use crate::install::tools_dir;
use crate::{proc, root, step, target_dir};

struct Bench {
    name: &'static str,
    about: &'static str,
    package: &'static str,
    target: &'static str,
}

/// Benchmarks join this list as the areas they measure land.
const BENCHES: &[Bench] = &[
    Bench {
        name: "media",
        about: "showdesk live (headless, and with its preview watched) vs ffmpeg vs gst-launch, 60 s each at 720p30, \
                plus reconnect time",
        package: "showdesk-control",
        target: "media",
    },
    Bench {
        name: "ledger",
        about: "a rush of 1,000,000 purchase events (repeats, refunds, double buyers) applied to the SQLite ledger \
                (goal ≥ 10,000 events/s) and the dashboard snapshot at 1 M orders (goal ≤ 10 ms)",
        package: "showdesk-store",
        target: "ledger",
    },
    Bench {
        name: "support",
        about: "support desk: intake of 1,000 mails from dovecot, search over 10,000 tickets, outbox pacing for 2 minutes",
        package: "showdesk-control",
        target: "support",
    },
    Bench {
        name: "app",
        about: "the desktop app (release): cold start to a loaded window (goal ≤ 1 s) and resident memory live at \
                720p30 with the drill (goal ≤ 200 MB), beside gst-launch pushing the same show",
        package: "showdesk-desktop",
        target: "app",
    },
];

pub fn bench(args: &[String]) -> Result<ExitCode, String> {
    let chosen: Vec<&Bench> = if args.is_empty() {
        BENCHES.iter().collect()
    } else {
        args.iter()
            .map(|name| {
                BENCHES.iter().find(|bench| bench.name == name).ok_or_else(|| {
                    let known: Vec<_> = BENCHES.iter().map(|b| b.name).collect();
                    format!("no benchmark named {name:?} (known: {})", known.join(", "))
                })
            })
            .collect::<Result<_, _>>()?
    };
    if chosen.is_empty() {
        eprintln!("No benchmarks are registered yet.");
        return Ok(ExitCode::SUCCESS);
    }
    crate::install::install_everything()?;
    let out_dir = target_dir().join("bench");
    std::fs::create_dir_all(&out_dir).map_err(|err| format!("cannot create {}: {err}", out_dir.display()))?;
    let mut failed = Vec::new();
    for bench in chosen {
        step(&format!("Benchmark {}: {}", bench.name, bench.about));
        let out = out_dir.join(format!("{}.json", bench.name));
        let _ = std::fs::remove_file(&out);
        let mut command = Command::new("cargo");
        command
            .args(["bench", "--package", bench.package, "--bench", bench.target])
            .current_dir(root())
            .env("SHOWDESK_BENCH_OUT", &out)
            .env("SHOWDESK_TOOLS_DIR", tools_dir())
            .env("SHOWDESK_HOME", target_dir().join("bench-home"));
        match proc::status(&mut command) {
            Ok(status) if status.success() && out.is_file() => {
                let figures = std::fs::read_to_string(&out).unwrap_or_default();
                eprintln!("{} → {}\n{figures}", bench.name, out.display());
            }
            Ok(status) => {
                failed.push(format!("{} ({status}, {} written: {})", bench.name, out.display(), out.is_file()))
            }
            Err(err) => failed.push(format!("{}: {err}", bench.name)),
        }
    }
    if failed.is_empty() { Ok(ExitCode::SUCCESS) } else { Err(format!("benchmarks failed: {}", failed.join("; "))) }
}
