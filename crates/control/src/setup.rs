//! Setting up a show: the show profile (TOML in the config folder, never a secret), the secrets it
//! names (the OS keyring), and the checks before going live.

use std::path::PathBuf;

use serde::Serialize;
use showdesk_media::preflight::{self, Check, Status};
use showdesk_platform::keyring::Keyring;
use ts_rs::TS;

use crate::live::profile::{self, ProfileDoc, SecretSource, SystemSecrets};
use crate::{ControlError, ControlService};

/// The profile file in the config folder.
pub const PROFILE_FILE: &str = "show.toml";

/// Where secrets can be kept on this machine, for the setup screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export_to = "SecretStoreStatus.ts")]
pub struct SecretStoreStatus {
    pub available: bool,
    /// e.g. "the desktop keyring (Secret Service)".
    pub store: Option<String>,
    /// Why there is none, and what to do instead.
    pub problem: Option<String>,
}

/// One line of the pre-show checklist.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export_to = "CheckView.ts")]
pub struct CheckView {
    pub name: String,
    /// pass, warn or fail.
    pub status: String,
    pub detail: String,
}

impl From<Check> for CheckView {
    fn from(check: Check) -> Self {
        let status = match check.status {
            Status::Pass => "pass",
            Status::Warn => "warn",
            Status::Fail => "fail",
        };
        Self { name: check.name, status: status.into(), detail: check.detail }
    }
}

/// Checks a profile's shape without needing its secrets: every named secret reads as a placeholder.
struct Placeholders;

impl SecretSource for Placeholders {
    fn env(&self, _: &str) -> Option<String> {
        Some("placeholder-secret".into())
    }
    fn keyring(&self, _: &str) -> Result<String, String> {
        Ok("placeholder-secret".into())
    }
}

/// A first profile for a new installation: a test picture and tone, no destination, recording on.
fn starter_profile() -> ProfileDoc {
    ProfileDoc {
        show: profile::ShowSection { title: "My show".into(), starts_at: None, language: Some("en".into()) },
        sources: vec![
            profile::SourceSection { name: "Test picture".into(), kind: "test_pattern".into(), ..Default::default() },
            profile::SourceSection { name: "Test tone".into(), kind: "tone".into(), ..Default::default() },
        ],
        ..ProfileDoc::default()
    }
}

impl ControlService {
    pub fn profile_path(&self) -> PathBuf {
        self.dirs().config.join(PROFILE_FILE)
    }

    /// The saved profile, or a starter one.
    pub fn profile(&self) -> Result<ProfileDoc, ControlError> {
        let path = self.profile_path();
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(profile::read_doc(&text, &path.display().to_string())?),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(starter_profile()),
            Err(err) => Err(ControlError::Internal(format!("cannot read {}: {err}", path.display()))),
        }
    }

    /// Checks and saves the profile (written whole, atomically: a crash never leaves half a file).
    pub fn save_profile(&self, doc: &ProfileDoc) -> Result<(), ControlError> {
        profile::resolve(doc.clone(), PROFILE_FILE, &self.dirs().videos, &Placeholders)?;
        let text = profile::write_doc(doc)?;
        let path = self.profile_path();
        let temporary = path.with_extension("toml.new");
        std::fs::write(&temporary, text)
            .and_then(|()| std::fs::rename(&temporary, &path))
            .map_err(|err| ControlError::Internal(format!("cannot save {}: {err}", path.display())))
    }

    /// The profile as TOML, to share (it holds no secret).
    pub fn export_profile(&self) -> Result<String, ControlError> {
        Ok(profile::write_doc(&self.profile()?)?)
    }

    /// Replaces the profile with one in TOML; refused (and nothing changed) when it is not valid.
    pub fn import_profile(&self, text: &str) -> Result<ProfileDoc, ControlError> {
        let doc = profile::read_doc(text, "the imported profile")?;
        self.save_profile(&doc)?;
        Ok(doc)
    }

    pub fn secret_store_status(&self) -> SecretStoreStatus {
        match Keyring::open() {
            Ok(keyring) => {
                SecretStoreStatus { available: true, store: Some(keyring.kind().describe().into()), problem: None }
            }
            Err(err) => SecretStoreStatus { available: false, store: None, problem: Some(err.to_string()) },
        }
    }

    /// Stores a secret in the OS keyring (read back before saying so).
    pub fn set_secret(&self, name: &str, value: &str) -> Result<(), ControlError> {
        Ok(Keyring::open()?.set(name, value)?)
    }

    pub fn delete_secret(&self, name: &str) -> Result<(), ControlError> {
        Ok(Keyring::open()?.delete(name)?)
    }

    /// Whether a secret is stored, in its masked form.
    pub fn secret_hint(&self, name: &str) -> Result<String, ControlError> {
        Ok(Keyring::open()?.get(name)?.to_string())
    }

    /// Goes live with the saved profile.
    /// In a rehearsal, the destinations are the local ingest's and the show is the rehearsal's.
    pub async fn go_live_with_profile(&self, show_id: Option<String>) -> Result<(), ControlError> {
        let spec = self.profile_spec()?;
        let show_id = show_id.or_else(|| self.rehearsal_wiring().map(|wiring| wiring.show_id));
        self.go_live(spec, show_id).await
    }

    /// The saved profile, resolved (secrets read), with a rehearsal's destinations when wired.
    fn profile_spec(&self) -> Result<showdesk_media::spec::EngineSpec, ControlError> {
        let mut spec = profile::resolve(self.profile()?, PROFILE_FILE, &self.dirs().videos, &SystemSecrets)?.spec;
        if let Some(wiring) = self.rehearsal_wiring() {
            spec.outputs = wiring.outputs()?;
        }
        Ok(spec)
    }

    /// The checklist before the show: sources, and every destination (publishes a few seconds of
    /// test picture). `with_bandwidth` adds the upload test (about 20 s per destination).
    pub async fn preflight(&self, with_bandwidth: bool) -> Result<Vec<CheckView>, ControlError> {
        let spec = self.profile_spec()?;
        let mut checks: Vec<CheckView> = preflight::check_sources(&spec, std::time::Duration::from_secs(3))
            .await
            .into_iter()
            .map(Into::into)
            .collect();
        for output in &spec.outputs {
            let connection = preflight::test_connection(&spec, output).await;
            let reachable = connection.iter().all(|check| check.status != Status::Fail);
            checks.extend(connection.into_iter().map(CheckView::from));
            if with_bandwidth && reachable && !output.target.host_port().0.is_empty() {
                let ladder: Vec<u32> = [50, 100, 150, 200].iter().map(|p| spec.video.bitrate_kbps * p / 100).collect();
                match preflight::bandwidth(&spec, output, &ladder, std::time::Duration::from_secs(3)).await {
                    Ok(result) => checks.push(CheckView {
                        name: format!("{}: bandwidth", output.name),
                        status: match result.recommended_kbps {
                            Some(kbps) if kbps >= spec.video.bitrate_kbps => "pass",
                            Some(_) => "warn",
                            None => "fail",
                        }
                        .into(),
                        detail: match result.recommended_kbps {
                            Some(kbps) => format!("recommended {kbps} kb/s"),
                            None => "the upload does not hold the lowest rate tried".into(),
                        },
                    }),
                    Err(why) => checks.push(CheckView {
                        name: format!("{}: bandwidth", output.name),
                        status: "fail".into(),
                        detail: why,
                    }),
                }
            }
        }
        Ok(checks)
    }
}
