//! The Showdesk desktop shell: a thin Tauri 2 adapter over the control service.
//!
//! Commands are one-line calls into `showdesk_control`; errors cross IPC as `{code, message}`
//! (`ErrorBody`); state changes go out as typed events. No logic lives here.

mod commands;
mod launch;

use std::process::ExitCode;

use showdesk_control::ControlService;
use showdesk_platform::{AppDirs, LogOptions, init_logging};
use tauri::{Emitter, Manager};

/// The event carrying every `RehearsalStatus` change.
pub const REHEARSAL_STATUS_EVENT: &str = "rehearsal-status";

/// Opens the control room.
pub fn run() -> ExitCode {
    let env = |name: &str| std::env::var(name).ok();
    let launch = match launch::parse(std::env::args().skip(1), env) {
        Ok(launch::Request::Open(launch)) => launch,
        Ok(launch::Request::Help) => {
            println!("{}", launch::USAGE);
            return ExitCode::SUCCESS;
        }
        Ok(launch::Request::Version) => {
            println!("showdesk-desktop {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        Err(message) => return fail(&format!("{message}\n{}", launch::USAGE)),
    };
    if !launch::has_display(env) {
        return fail(
            "no display: DISPLAY and WAYLAND_DISPLAY are unset, so the window cannot open. Run the control room \
             headless with `showdesk stack`, or under a virtual display: `xvfb-run -a showdesk-desktop`.",
        );
    }
    for ignored in &launch.ignored {
        eprintln!("showdesk: ignoring the unknown argument {ignored:?} (see --help)");
    }
    let dirs = match &launch.home {
        Some(home) => AppDirs::isolated(home),
        None => AppDirs::resolve(),
    };
    let dirs = match dirs {
        Ok(dirs) => dirs,
        Err(err) => return fail(&err.to_string()),
    };
    let _log = match init_logging(&LogOptions::to_dir(&dirs.logs)) {
        Ok(guard) => guard,
        Err(err) => return fail(&err.to_string()),
    };
    let service = match tauri::async_runtime::block_on(ControlService::open(dirs)) {
        Ok(service) => service,
        Err(err) => return fail(&err.to_body().message),
    };
    let launch::Launch { rehearsal, exit_after, .. } = launch;
    // The webview keeps its storage (language choice, caches) with the rest of our data, so an
    // isolated home (tests, rehearsal) never shares it with a real installation.
    let webview_data = service.dirs().data.join("webview");
    let built = tauri::Builder::default()
        .manage(service)
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::rehearsal_status,
            commands::rehearsal_start,
            commands::rehearsal_stop,
        ])
        .setup(move |app| {
            open_main_window(app, webview_data.clone())?;
            let handle = app.handle().clone();
            let service = app.state::<ControlService>();
            service.rehearsal().subscribe(move |status| {
                if let Err(err) = handle.emit(REHEARSAL_STATUS_EVENT, status) {
                    tracing::warn!("cannot send the rehearsal status to the window: {err}");
                }
            });
            if rehearsal {
                service.rehearsal().start();
            }
            if let Some(after) = exit_after {
                let handle = app.handle().clone();
                std::thread::spawn(move || {
                    std::thread::sleep(after);
                    handle.exit(0);
                });
            }
            Ok(())
        })
        .build(tauri::generate_context!());
    let app = match built {
        Ok(app) => app,
        Err(err) => return fail(&format!("the window could not open: {err}")),
    };
    app.run(|handle, event| {
        if let tauri::RunEvent::Exit = event {
            // Stop the local services before the process goes (they would die with it anyway).
            handle.state::<ControlService>().rehearsal().stop();
        }
    });
    ExitCode::SUCCESS
}

/// The one window. Built here rather than in tauri.conf.json to give it its data folder.
fn open_main_window(app: &tauri::App, data_directory: std::path::PathBuf) -> tauri::Result<()> {
    tauri::WebviewWindowBuilder::new(app, "main", tauri::WebviewUrl::App("index.html".into()))
        .title("Showdesk")
        .inner_size(1366.0, 800.0)
        .min_inner_size(1024.0, 640.0)
        .background_color(tauri::window::Color(15, 18, 24, 255))
        .data_directory(data_directory)
        .build()
        .map(drop)
}

fn fail(message: &str) -> ExitCode {
    let message = showdesk_platform::redact(message);
    tracing::error!("{message}");
    eprintln!("showdesk: {message}");
    ExitCode::FAILURE
}
