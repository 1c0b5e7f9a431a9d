use serde::Serialize;
use ts_rs::TS;

/// Everything a use case can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    #[error(transparent)]
    Platform(#[from] showdesk_platform::PlatformError),
    #[error(transparent)]
    Media(#[from] showdesk_media::MediaError),
    #[error(transparent)]
    Store(#[from] showdesk_store::StoreError),
    #[error("the rehearsal stack could not start: {0}")]
    Rehearsal(#[from] showdesk_testkit::TestkitError),
    #[error(transparent)]
    BoxOffice(#[from] showdesk_core::box_office::RuleError),
    #[error(transparent)]
    Stripe(#[from] showdesk_connectors::StripeError),
    #[error(transparent)]
    Audience(#[from] showdesk_connectors::AudienceError),
    /// Something must be set up first (Stripe connected, a secret given).
    #[error("{0}")]
    NotReady(String),
    #[error(transparent)]
    Support(#[from] crate::support::SupportError),
    #[error(transparent)]
    Profile(#[from] crate::live::profile::ProfileError),
    #[error(transparent)]
    Keyring(#[from] showdesk_platform::keyring::KeyringError),
    /// Input from the operator that cannot be used (an unknown follow-up kind, an empty field); the message names the field.
    #[error("{0}")]
    Invalid(String),
    /// A report file could not be written.
    #[error("cannot write {path}: {source}")]
    Export { path: String, source: std::io::Error },
    #[error("{0}")]
    Internal(String),
}

impl ControlError {
    /// Stable machine-readable code; the UI mirrors these (ui/src/lib/backend/errors.ts).
    pub fn code(&self) -> String {
        match self {
            Self::Platform(err) => err.code().to_owned(),
            Self::Media(err) => err.code().to_owned(),
            Self::Store(err) => err.code().to_owned(),
            Self::Rehearsal(err) => {
                format!("rehearsal.{}", err.code().trim_start_matches("testkit."))
            }
            Self::BoxOffice(err) => err.code().to_owned(),
            Self::Stripe(err) => err.code().to_owned(),
            Self::Audience(err) => err.code().to_owned(),
            Self::NotReady(_) => "not_ready".to_owned(),
            Self::Support(err) => err.code(),
            Self::Profile(_) => "profile.invalid".to_owned(),
            Self::Keyring(err) => err.code().to_owned(),
            Self::Invalid(_) => "invalid".to_owned(),
            Self::Export { .. } => "report.export_failed".to_owned(),
            Self::Internal(_) => "internal".to_owned(),
        }
    }

    /// The form that crosses IPC and reaches people: a code and a scrubbed message.
    pub fn to_body(&self) -> ErrorBody {
        ErrorBody { code: self.code(), message: showdesk_platform::redact(&self.to_string()).into_owned() }
    }
}

/// An error as the UI receives it: `{code, message}`. The message is already scrubbed of secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export_to = "ErrorBody.ts")]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
}

impl From<&ControlError> for ErrorBody {
    fn from(err: &ControlError) -> Self {
        err.to_body()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ipc_body_carries_the_code_and_a_scrubbed_message() {
        showdesk_platform::register_secret("sk_TESTKEY_9f8e7d6c5b4a");
        let err = ControlError::Internal("publish to rtmp://h/live/sk_TESTKEY_9f8e7d6c5b4a refused".into());
        let body = err.to_body();
        assert_eq!(body.code, "internal");
        assert_eq!(body.message, "publish to rtmp://h/live/**** refused");
    }

    #[test]
    fn codes_are_namespaced_by_area() {
        let err = ControlError::from(showdesk_testkit::TestkitError::NoFreePort(3));
        assert_eq!(err.code(), "rehearsal.no_free_port");
        let err = ControlError::from(showdesk_platform::PlatformError::NoHome);
        assert_eq!(err.code(), "platform.no_home");
    }
}
