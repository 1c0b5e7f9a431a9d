//! The Showdesk desktop shell: a thin Tauri 2 adapter over the control service.
//!
//! Commands are one-line calls into `showdesk_control`; errors cross IPC as `{code, message}`
//! (`ErrorBody`); state changes go out as typed events. No logic lives here.

mod commands;
mod events;
mod launch;
mod notifications;

use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use showdesk_control::ControlService;
use showdesk_control::operations::{Operations, OperationsOptions};
use showdesk_platform::{AppDirs, LogOptions, init_logging};
use tauri::Manager;

/// The loops that run while the window is open (payments, viewers, mail, status), stopped on exit.
#[derive(Default)]
struct Running(Mutex<Option<Operations>>);

/// Opens the control room.
pub fn run() -> ExitCode {
    STARTED.get_or_init(std::time::Instant::now);
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
            "no display: DISPLAY and WAYLAND_DISPLAY are unset, so the window cannot open. Run the rehearsal \
             headless with `showdesk rehearse`, or the window under a virtual display: `xvfb-run -a showdesk-desktop`.",
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
        Ok(service) => Arc::new(service),
        Err(err) => return fail(&err.to_body().message),
    };
    let launch::Launch { rehearsal, drill, exit_after, notifications, .. } = launch;
    // The webview keeps its storage (language choice, caches) with the rest of our data, so an
    // isolated home (tests, rehearsal) never shares it with a real installation.
    let webview_data = service.dirs().data.join("webview");
    let built = tauri::Builder::default()
        .manage(Arc::clone(&service))
        .manage(Running::default())
        .invoke_handler(tauri::generate_handler![
            commands::app::app_info,
            commands::app::rehearsal_status,
            commands::app::rehearsal_start,
            commands::app::rehearsal_stop,
            commands::app::drill_set,
            commands::app::drill_status,
            commands::setup::secret_store_status,
            commands::setup::secret_set,
            commands::setup::secret_hint,
            commands::setup::secret_delete,
            commands::setup::profile_get,
            commands::setup::profile_save,
            commands::setup::profile_export,
            commands::setup::profile_import,
            commands::setup::stripe_connect,
            commands::setup::stripe_status,
            commands::setup::mailbox_connect,
            commands::setup::preflight,
            commands::setup::risk_notice,
            commands::live::live_status,
            commands::live::go_live,
            commands::live::end_show,
            commands::live::set_layout,
            commands::live::show_slate,
            commands::live::set_audio,
            commands::live::retry_output,
            commands::live::subscribe_meters,
            commands::live::subscribe_preview,
            commands::live::subscribe_thumbnails,
            commands::box_office::shows,
            commands::box_office::show_create,
            commands::box_office::show_put_on_sale,
            commands::box_office::show_sales_open,
            commands::box_office::dashboard,
            commands::box_office::orders,
            commands::box_office::refund,
            commands::box_office::double_purchases,
            commands::box_office::double_purchase_refund,
            commands::box_office::double_purchase_dismiss,
            commands::box_office::promo_codes,
            commands::box_office::promo_create,
            commands::box_office::audience_series,
            commands::support::tickets,
            commands::support::ticket,
            commands::support::message_html,
            commands::support::ticket_counts,
            commands::support::sla,
            commands::support::outbox_summary,
            commands::support::mailbox_status,
            commands::support::macros,
            commands::support::ticket_refund,
            commands::support::ticket_double_charge,
            commands::support::ticket_promo,
            commands::support::ticket_resend_access,
            commands::support::ticket_cancel,
            commands::support::ticket_reply,
            commands::support::ticket_status,
            commands::report::report_html,
            commands::report::report_export,
            commands::report::retrospective,
            commands::report::retrospective_save,
            commands::report::follow_ups,
            commands::report::follow_ups_send,
            commands::report::open_items,
        ])
        .on_page_load(|webview, payload| {
            if payload.event() == tauri::webview::PageLoadEvent::Finished {
                report_ready(webview.label());
            }
        })
        .setup(move |app| {
            open_main_window(app, webview_data.clone())?;
            let service = Arc::clone(app.state::<Arc<ControlService>>().inner());
            events::forward_all(
                app.handle(),
                &service,
                notifications::Notifier::start("Showdesk", notifications),
                drill,
            );
            // Connections remembered from last time, then the loops that keep every number fresh.
            let running = Arc::clone(&service);
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                running.restore_connections().await;
                let operations = Operations::start(Arc::clone(&running), &OperationsOptions::default());
                *handle.state::<Running>().0.lock().unwrap_or_else(|p| p.into_inner()) = Some(operations);
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
            shut_down(handle);
        }
    });
    ExitCode::SUCCESS
}

/// On exit: the show ends cleanly (the recording is finalised), the loops stop (the outbox
/// finishes the mail it is sending), then the local services.
fn shut_down(handle: &tauri::AppHandle) {
    let service = Arc::clone(handle.state::<Arc<ControlService>>().inner());
    let operations = handle.state::<Running>().0.lock().unwrap_or_else(|p| p.into_inner()).take();
    tauri::async_runtime::block_on(async {
        service.stop_drill().await;
        if service.end_show().await.is_ok() {
            tracing::info!("the show was on air at exit: ended, recording finalised");
        }
        if let Some(operations) = operations {
            operations.stop().await;
        }
    });
    service.rehearsal().stop();
}

/// For benchmarks: the time from the process's start to the window's page loaded, written once
/// into `SHOWDESK_READY_FILE`.
fn report_ready(label: &str) {
    static REPORTED: std::sync::Once = std::sync::Once::new();
    let Some(path) = std::env::var_os("SHOWDESK_READY_FILE") else { return };
    REPORTED.call_once(|| {
        let millis = STARTED.get().map_or(0, |started| started.elapsed().as_millis());
        tracing::info!(window = label, millis, "window ready");
        if let Err(err) = std::fs::write(&path, millis.to_string()) {
            tracing::warn!("cannot write SHOWDESK_READY_FILE: {err}");
        }
    });
}

/// When `run` began (the process has done nothing before it).
static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// The one window, fitted to the screen. Built here rather than in tauri.conf.json to give it its
/// data folder.
fn open_main_window(app: &tauri::App, data_directory: std::path::PathBuf) -> tauri::Result<()> {
    let window = tauri::WebviewWindowBuilder::new(app, "main", tauri::WebviewUrl::App("index.html".into()))
        .title("Showdesk")
        .inner_size(1366.0, 800.0)
        .min_inner_size(1024.0, 640.0)
        .background_color(tauri::window::Color(15, 18, 24, 255))
        .data_directory(data_directory)
        .build()?;
    // A laptop screen smaller than the default: take all of it rather than spill over its edges.
    if let Ok(Some(monitor)) = window.current_monitor() {
        let screen = monitor.size().to_logical::<f64>(monitor.scale_factor());
        if screen.width < 1366.0 || screen.height < 800.0 {
            window.maximize()?;
        }
    }
    Ok(())
}

fn fail(message: &str) -> ExitCode {
    let message = showdesk_platform::redact(message);
    tracing::error!("{message}");
    eprintln!("showdesk: {message}");
    ExitCode::FAILURE
}
