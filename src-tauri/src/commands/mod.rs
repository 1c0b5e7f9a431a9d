//! Tauri commands, by area. Each is a thin adapter: arguments in, one call into the control
//! service, its result or `{code, message}` out. Names are the contract's (ui/src/lib/backend).

pub mod app;
pub mod box_office;
pub mod live;
pub mod report;
pub mod setup;
pub mod support;

use std::sync::Arc;

use showdesk_control::{ControlError, ControlService, ErrorBody};

/// The service as commands receive it.
pub type Service<'a> = tauri::State<'a, Arc<ControlService>>;

/// A command's result.
pub type Reply<T> = Result<T, ErrorBody>;

/// The IPC form of any of our errors.
pub fn body(err: impl Into<ControlError>) -> ErrorBody {
    err.into().to_body()
}

/// Bad input from the window, naming the field.
pub fn invalid(field: &str, why: impl std::fmt::Display) -> ErrorBody {
    ControlError::Invalid(format!("{field}: {why}")).to_body()
}

/// Keyring and file work blocks (D-Bus, disk): off the async workers.
pub async fn blocking<T: Send + 'static>(work: impl FnOnce() -> Reply<T> + Send + 'static) -> Reply<T> {
    tauri::async_runtime::spawn_blocking(work)
        .await
        .unwrap_or_else(|err| Err(ControlError::Internal(format!("the task failed: {err}")).to_body()))
}

/// Who did it, in the audit log.
pub const OPERATOR: &str = "operator";

/// A show id from the window: trimmed, never empty.
pub fn required_show(show_id: &str) -> Reply<&str> {
    let id = show_id.trim();
    if id.is_empty() { Err(invalid("showId", "no show was given")) } else { Ok(id) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_show_id_names_the_field() {
        assert_eq!(required_show(" abc ").ok(), Some("abc"));
        let refused = required_show("  ").err().map(|e| (e.code, e.message));
        assert!(refused.is_some_and(|(code, message)| code == "invalid" && message.starts_with("showId:")));
    }
}
