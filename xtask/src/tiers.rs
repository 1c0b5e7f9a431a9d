//! `cargo xtask test`: every tier, one summary.
//!
//! Tiers: Rust (cargo nextest, inside a kernel session keyring), UI (svelte-check + vitest), screens
//! (Playwright in Debian's chromium against the mock backend), e2e (WebdriverIO + tauri-driver
//! against the real app under Xvfb, D-Bus and dunst, on the real local services). Each tier reports
//! passed / failed / skipped; a tier that cannot run at all counts as one failure, with the reason.

use std::path::Path;
use std::process::{Command, ExitCode};
use std::time::Instant;

use serde_json::Value;

use crate::install::{self, tools_dir};
use crate::proc;
use crate::{root, step, target_dir};

const TIERS: &[&str] = &["rust", "ui", "screens", "e2e"];

#[derive(Debug, Default)]
pub struct Outcome {
    pub tier: &'static str,
    pub passed: u64,
    pub failed: u64,
    pub skipped: u64,
    pub seconds: u64,
    pub problem: Option<String>,
}

impl Outcome {
    pub fn broken(tier: &'static str, problem: String) -> Self {
        Self { tier, failed: 1, problem: Some(problem), ..Self::default() }
    }
}

pub fn test(args: &[String]) -> Result<ExitCode, String> {
    let wanted = selected_tiers(args)?;
    install::install_everything()?;
    let test_home = target_dir().join("test-home");
    let _ = std::fs::remove_dir_all(&test_home);
    std::fs::create_dir_all(&test_home).map_err(|err| format!("cannot create {}: {err}", test_home.display()))?;

    step("Building the UI (ui/dist, embedded in the desktop app)");
    proc::run(&mut npm(&root().join("ui"), &["run", "build", "--", "--logLevel", "warn"]))?;

    let mut outcomes = Vec::new();
    for tier in wanted {
        let started = Instant::now();
        step(&format!("Tier: {tier}"));
        let mut outcome = match tier {
            "rust" => rust_tier(&test_home),
            "ui" => ui_tier(),
            "screens" => screens_tier(),
            "e2e" => crate::tiers_e2e::e2e_tier(&test_home),
            _ => unreachable_tier(tier),
        };
        outcome.seconds = started.elapsed().as_secs();
        outcomes.push(outcome);
    }
    Ok(summarize(&outcomes))
}

fn unreachable_tier(tier: &'static str) -> Outcome {
    Outcome::broken(tier, "unknown tier".into())
}

fn selected_tiers(args: &[String]) -> Result<Vec<&'static str>, String> {
    let mut wanted = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--tier" => {
                let name = iter.next().ok_or("--tier needs a name: rust, ui, screens or e2e")?;
                let tier = TIERS
                    .iter()
                    .find(|t| *t == name)
                    .ok_or(format!("unknown tier {name:?}: rust, ui, screens or e2e"))?;
                wanted.push(*tier);
            }
            other => return Err(format!("unknown option {other:?} for test")),
        }
    }
    Ok(if wanted.is_empty() { TIERS.to_vec() } else { wanted })
}

/// Environment every test process gets: our tools, a home that is not the user's — and the desktop
/// libraries' own caches (GStreamer's plugin registry, GTK/WebKit's dconf and caches) under it too,
/// so a test run leaves nothing in the user's ~/.cache or ~/.config.
pub fn test_env(command: &mut Command, test_home: &Path) {
    let xdg = test_home.join("xdg");
    command
        .env("SHOWDESK_TOOLS_DIR", tools_dir())
        .env("SHOWDESK_HOME", test_home)
        .env("XDG_CACHE_HOME", xdg.join("cache"))
        .env("XDG_CONFIG_HOME", xdg.join("config"))
        .env("XDG_DATA_HOME", xdg.join("data"))
        .env("GST_REGISTRY", xdg.join("cache").join("gstreamer-registry.bin"))
        .env("CARGO_TERM_COLOR", "never");
}

fn rust_tier(test_home: &Path) -> Outcome {
    // A session keyring: the OS keyring tests use the kernel store, which lives in one.
    let mut command = Command::new("keyctl");
    command
        .args(["session", "-", "cargo", "nextest", "run", "--workspace", "--no-fail-fast", "--color", "never"])
        .current_dir(root());
    test_env(&mut command, test_home);
    match proc::tee(&mut command) {
        Ok((status, lines)) => match parse_nextest(&lines) {
            Some((passed, failed, skipped)) => Outcome { tier: "rust", passed, failed, skipped, ..Outcome::default() },
            None => Outcome::broken("rust", format!("cargo nextest did not run the tests ({status}); see above")),
        },
        Err(err) => Outcome::broken("rust", err),
    }
}

/// Reads nextest's final "Summary [..] N tests run: P passed, F failed, S skipped" line.
fn parse_nextest(lines: &[String]) -> Option<(u64, u64, u64)> {
    let summary = lines.iter().rev().find(|line| line.contains("tests run:") || line.contains("test run:"))?;
    let count = |word: &str| -> u64 {
        let tokens: Vec<&str> =
            summary.split(|c: char| c == ',' || c == ':' || c.is_whitespace()).filter(|t| !t.is_empty()).collect();
        tokens.windows(2).filter(|pair| pair[1].starts_with(word)).filter_map(|pair| pair[0].parse::<u64>().ok()).sum()
    };
    let failed = count("failed") + count("timed");
    Some((count("passed"), failed, count("skipped")))
}

pub fn npm(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new("npm");
    command.args(args).current_dir(dir);
    command
}

fn ui_tier() -> Outcome {
    let ui = root().join("ui");
    let mut outcome = Outcome { tier: "ui", ..Outcome::default() };
    // Type errors are failures too: one check.
    match proc::status(&mut npm(&ui, &["run", "check"])) {
        Ok(status) if status.success() => outcome.passed += 1,
        Ok(_) => {
            outcome.failed += 1;
            outcome.problem = Some("svelte-check found errors (above)".into());
        }
        Err(err) => return Outcome::broken("ui", err),
    }
    let report = target_dir().join("ui-tests").join("vitest.json");
    let _ = std::fs::remove_file(&report);
    let mut vitest = Command::new(ui.join("node_modules/.bin/vitest"));
    vitest
        .args(["run", "--reporter=default", "--reporter=json"])
        .arg(format!("--outputFile.json={}", report.display()))
        .current_dir(&ui);
    if let Err(err) = proc::status(&mut vitest) {
        return Outcome::broken("ui", err);
    }
    match read_json(&report) {
        Ok(json) => {
            let n = |key: &str| json[key].as_u64().unwrap_or(0);
            outcome.passed += n("numPassedTests");
            outcome.failed += n("numFailedTests");
            // A file that fails to load fails no test but is a failure all the same.
            if n("numFailedTests") == 0 {
                outcome.failed += n("numFailedTestSuites");
            }
            outcome.skipped += n("numPendingTests") + n("numTodoTests");
            outcome
        }
        Err(err) => Outcome::broken("ui", err),
    }
}

fn screens_tier() -> Outcome {
    let ui = root().join("ui");
    let report = target_dir().join("ui-screens").join("report.json");
    let _ = std::fs::remove_file(&report);
    let mut playwright = Command::new(ui.join("node_modules/.bin/playwright"));
    playwright.arg("test").current_dir(&ui);
    if let Err(err) = proc::status(&mut playwright) {
        return Outcome::broken("screens", err);
    }
    match read_json(&report) {
        Ok(json) => {
            let stats = &json["stats"];
            let n = |key: &str| stats[key].as_u64().unwrap_or(0);
            let errors = json["errors"].as_array().map_or(0, Vec::len) as u64;
            Outcome {
                tier: "screens",
                passed: n("expected") + n("flaky"),
                failed: n("unexpected") + errors,
                skipped: n("skipped"),
                problem: (errors > 0).then(|| "Playwright reported errors outside tests (above)".into()),
                ..Outcome::default()
            }
        }
        Err(err) => Outcome::broken("screens", err),
    }
}

pub fn read_json(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|err| format!("no report at {} ({err}): the runner failed before reporting", path.display()))?;
    serde_json::from_str(&text).map_err(|err| format!("unreadable report {}: {err}", path.display()))
}

fn summarize(outcomes: &[Outcome]) -> ExitCode {
    eprintln!("\n==> Summary");
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for outcome in outcomes {
        eprintln!(
            "  {:<8} {:>5} passed  {:>3} failed  {:>3} skipped  ({}s){}",
            outcome.tier,
            outcome.passed,
            outcome.failed,
            outcome.skipped,
            outcome.seconds,
            outcome.problem.as_ref().map(|p| format!("  — {p}")).unwrap_or_default()
        );
        passed += outcome.passed;
        failed += outcome.failed;
        skipped += outcome.skipped;
    }
    println!("{passed} passed, {failed} failed, {skipped} skipped");
    if failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

/// `cargo xtask bindings`: rewrite the generated TypeScript types.
pub fn bindings() -> Result<ExitCode, String> {
    step("Regenerating ui/src/lib/backend/generated from the Rust types");
    proc::run(
        Command::new("cargo")
            .args(["nextest", "run", "-p", "showdesk-control", "bindings"])
            .env("SHOWDESK_UPDATE_BINDINGS", "1")
            .current_dir(root()),
    )?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_owned).collect()
    }

    #[test]
    fn reads_nextest_summaries() {
        assert_eq!(
            parse_nextest(&lines("     Summary [   6.302s] 10 tests run: 10 passed, 0 skipped")),
            Some((10, 0, 0))
        );
        assert_eq!(
            parse_nextest(&lines("Summary [ 1.0s] 12 tests run: 9 passed (1 slow), 2 failed, 1 timed out, 3 skipped")),
            Some((9, 3, 3))
        );
        assert_eq!(parse_nextest(&lines("error: could not compile `x`")), None);
    }
}
