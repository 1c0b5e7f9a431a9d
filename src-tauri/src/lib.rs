//! The Showdesk desktop shell: a thin Tauri 2 adapter over the control service.
//!
//! Commands are one-line calls into `showdesk_control`; errors cross IPC as `{code, message}`
//! (`ErrorBody`); state changes go out as typed events. No logic lives here.

mod commands;

use std::process::ExitCode;

use showdesk_control::ControlService;
use showdesk_platform::{AppDirs, LogOptions, init_logging};
use tauri::{Emitter, Manager};

/// The event carrying every `RehearsalStatus` change.
pub const REHEARSAL_STATUS_EVENT: &str = "rehearsal-status";

/// What the command line asks for. Unknown arguments are ignored: WebKit's WebDriver adds its own.
#[derive(Debug, Default)]
struct Launch {
    /// `--rehearsal` (or `SHOWDESK_REHEARSAL=1`): also start the local stack.
    rehearsal: bool,
    /// `--home DIR`: every folder under DIR, like `SHOWDESK_HOME` (the e2e tests give each session
    /// its own; WebDriver can pass arguments but not environment).
    home: Option<std::path::PathBuf>,
    /// `SHOWDESK_EXIT_AFTER_SECS`: close by itself (scripted runs, screenshots).
    exit_after: Option<std::time::Duration>,
}

impl Launch {
    fn from_env() -> Self {
        let mut launch = Self {
            rehearsal: std::env::var("SHOWDESK_REHEARSAL").is_ok_and(|v| v == "1"),
            exit_after: std::env::var("SHOWDESK_EXIT_AFTER_SECS")
                .ok()
                .and_then(|secs| secs.parse().ok())
                .map(std::time::Duration::from_secs),
            ..Self::default()
        };
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            if arg == "--rehearsal" {
                launch.rehearsal = true;
            } else if arg == "--home" {
                launch.home = args.next().map(Into::into);
            } else if let Some(dir) = arg.strip_prefix("--home=") {
                launch.home = Some(dir.into());
            }
        }
        launch
    }
}

/// Opens the control room.
pub fn run() -> ExitCode {
    let launch = Launch::from_env();
    let dirs = match &launch.home {
        Some(home) => AppDirs::under(home),
        None => match AppDirs::resolve() {
            Ok(dirs) => dirs,
            Err(err) => return fail(&err.to_string()),
        },
    };
    let _log = match init_logging(&LogOptions::to_dir(&dirs.logs)) {
        Ok(guard) => guard,
        Err(err) => return fail(&err.to_string()),
    };
    let service = match tauri::async_runtime::block_on(ControlService::open(dirs)) {
        Ok(service) => service,
        Err(err) => return fail(&err.to_body().message),
    };
    let Launch { rehearsal, exit_after, .. } = launch;
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
