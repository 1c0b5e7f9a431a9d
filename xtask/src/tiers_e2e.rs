//! The end-to-end tier: the real desktop app under Xvfb, inside its own D-Bus session (with dunst as
//! the notification server) and a kernel session keyring, driven by WebdriverIO through tauri-driver.

use std::path::Path;
use std::process::Command;

use crate::install::{tauri_driver, tools_dir};
use crate::tiers::{Outcome, read_json, test_env};
use crate::{proc, root, step, target_dir};

pub fn e2e_tier(test_home: &Path) -> Outcome {
    step("Building the desktop app for the e2e tier");
    if let Err(err) =
        proc::run(Command::new("cargo").args(["build", "--package", "showdesk-desktop"]).current_dir(root()))
    {
        return Outcome::broken("e2e", err);
    }
    let app = target_dir().join("debug").join("showdesk-desktop");
    let report = target_dir().join("e2e").join("report.json");
    let _ = std::fs::remove_file(&report);
    let _ = std::fs::remove_dir_all(target_dir().join("e2e-homes"));

    let e2e = root().join("tests/e2e");
    let vitest = e2e.join("node_modules/.bin/vitest");
    let mut command = Command::new("xvfb-run");
    command
        .args(["-a", "--server-args=-screen 0 1366x800x24", "dbus-run-session", "--", "keyctl", "session", "-"])
        .args(["sh", "-c", r#"dunst >/dev/null 2>&1 & exec "$0" run"#])
        .arg(&vitest)
        .current_dir(&e2e)
        .env("SHOWDESK_APP", &app)
        .env("SHOWDESK_TAURI_DRIVER", tauri_driver())
        .env("SHOWDESK_TOOLS_DIR", tools_dir());
    test_env(&mut command, test_home);
    if let Err(err) = proc::status(&mut command) {
        return Outcome::broken("e2e", err);
    }
    match read_json(&report) {
        Ok(json) => {
            let n = |key: &str| json[key].as_u64().unwrap_or(0);
            let mut failed = n("numFailedTests");
            if failed == 0 {
                failed += n("numFailedTestSuites");
            }
            Outcome {
                tier: "e2e",
                passed: n("numPassedTests"),
                failed,
                skipped: n("numPendingTests") + n("numTodoTests"),
                problem: (failed > 0).then(|| format!("screenshots in {}", target_dir().join("e2e-screens").display())),
                ..Outcome::default()
            }
        }
        Err(err) => Outcome::broken("e2e", err),
    }
}
