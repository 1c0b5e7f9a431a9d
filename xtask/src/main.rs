//! `cargo xtask`: the project's two commands and their helpers.
//!
//! - `run`: installs what is missing, builds, opens the control room on the local rehearsal stack
//!   (headless without a display).
//! - `test`: installs what is missing and runs every tier: Rust, UI unit, UI screens, end to end.
//! - `bench`: runs the benchmarks.
//! - `bindings`: regenerates the UI's TypeScript types from the Rust ones.
//! - `install`: only installs.
//!
//! Deliberately dependency-light (std + serde_json): it must build in seconds on a fresh machine.

mod bench;
mod install;
mod proc;
mod run;
mod system;
mod tiers;
mod tiers_e2e;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command>

  run [--headless] [--duration SECS]   install what is missing, build, open the control room on the
                                       local rehearsal stack (headless when there is no display)
  test [--tier rust|ui|screens|e2e]... install what is missing, run every test tier (or the ones named)
  bench [NAME]...                      run the benchmarks (all, or the ones named)
  bindings                             regenerate ui/src/lib/backend/generated from the Rust types
  install                              only install what is missing
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, rest)) = args.split_first() else {
        eprint!("{USAGE}");
        return ExitCode::from(2);
    };
    let outcome = match command.as_str() {
        "run" => run::run(rest),
        "test" => tiers::test(rest),
        "bench" => bench::bench(rest),
        "bindings" => tiers::bindings(),
        "install" => install::install_everything().map(|_| ExitCode::SUCCESS),
        "help" | "--help" | "-h" => {
            print!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        other => Err(format!("unknown command {other:?}\n{USAGE}")),
    };
    match outcome {
        Ok(code) => code,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The repository root (xtask lives one level down).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."))
}

/// The shared cargo target folder.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root().join("target"))
}

/// A step heading on stderr.
pub fn step(text: &str) {
    eprintln!("\n==> {text}");
}
