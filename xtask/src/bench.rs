//! `cargo xtask bench`: benchmarks that compare Showdesk with ffmpeg and gst-launch in the same run
//! (never timed assertions in tests: these machines are noisy). Each writes one flat JSON object of
//! numbers to target/bench/<name>.json.

use std::process::ExitCode;

/// (name, what it measures). Benchmarks join this list as the areas they measure land.
const BENCHES: &[(&str, &str)] = &[];

pub fn bench(args: &[String]) -> Result<ExitCode, String> {
    for name in args {
        if !BENCHES.iter().any(|(known, _)| known == name) {
            let known: Vec<_> = BENCHES.iter().map(|(n, _)| *n).collect();
            return Err(format!("no benchmark named {name:?} (known: {known:?})"));
        }
    }
    if BENCHES.is_empty() {
        eprintln!("No benchmarks are registered yet: they arrive with the media, ledger, support and app work.");
    }
    Ok(ExitCode::SUCCESS)
}
