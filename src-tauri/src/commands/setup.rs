//! Setup: secrets in the OS keyring, the show profile, Stripe and the mailbox, the checklist.

use showdesk_control::box_office::{ForecastInput, RiskNoticeView, StripeStatus};
use showdesk_control::connections::MailboxInput;
use showdesk_control::live::profile::ProfileDoc;
use showdesk_control::setup::{CheckView, SecretStoreStatus};

use super::{Reply, Service, blocking, body, invalid};

/// Keyring entry names: short, printable, no path tricks.
fn entry_name(name: &str) -> Reply<String> {
    let name = name.trim();
    if name.is_empty() || name.len() > 128 || name.chars().any(|c| c.is_control() || c == '/' || c == '\\') {
        return Err(invalid("name", format!("{name:?} is not a usable keyring entry name")));
    }
    Ok(name.to_owned())
}

#[tauri::command]
pub async fn secret_store_status(service: Service<'_>) -> Reply<SecretStoreStatus> {
    let service = service.inner().clone();
    blocking(move || Ok(service.secret_store_status())).await
}

/// Stores a secret; it is read back before this says yes. The value never comes back out.
#[tauri::command]
pub async fn secret_set(service: Service<'_>, name: String, value: String) -> Reply<()> {
    let name = entry_name(&name)?;
    showdesk_platform::register_secret(value.trim());
    let service = service.inner().clone();
    blocking(move || service.set_secret(&name, &value).map_err(body)).await
}

#[tauri::command]
pub async fn secret_hint(service: Service<'_>, name: String) -> Reply<String> {
    let name = entry_name(&name)?;
    let service = service.inner().clone();
    blocking(move || service.secret_hint(&name).map_err(body)).await
}

#[tauri::command]
pub async fn secret_delete(service: Service<'_>, name: String) -> Reply<()> {
    let name = entry_name(&name)?;
    let service = service.inner().clone();
    blocking(move || service.delete_secret(&name).map_err(body)).await
}

#[tauri::command]
pub fn profile_get(service: Service<'_>) -> Reply<ProfileDoc> {
    service.profile().map_err(body)
}

#[tauri::command]
pub async fn profile_save(service: Service<'_>, profile: ProfileDoc) -> Reply<()> {
    let service = service.inner().clone();
    blocking(move || service.save_profile(&profile).map_err(body)).await
}

#[tauri::command]
pub fn profile_export(service: Service<'_>) -> Reply<String> {
    service.export_profile().map_err(body)
}

#[tauri::command]
pub async fn profile_import(service: Service<'_>, toml: String) -> Reply<ProfileDoc> {
    let service = service.inner().clone();
    blocking(move || service.import_profile(&toml).map_err(body)).await
}

#[tauri::command]
pub async fn stripe_connect(service: Service<'_>, secret_name: String) -> Reply<StripeStatus> {
    let name = entry_name(&secret_name)?;
    service.connect_stripe_from_keyring(&name).await.map_err(body)
}

#[tauri::command]
pub async fn stripe_status(service: Service<'_>) -> Reply<StripeStatus> {
    service.box_office().stripe_status().await.map_err(body)
}

#[tauri::command]
pub async fn mailbox_connect(service: Service<'_>, input: MailboxInput) -> Reply<()> {
    service.connect_mailbox(&input).await.map_err(body)
}

#[tauri::command]
pub async fn preflight(service: Service<'_>, with_bandwidth: bool) -> Reply<Vec<CheckView>> {
    service.preflight(with_bandwidth).await.map_err(body)
}

#[tauri::command]
pub async fn risk_notice(service: Service<'_>, input: ForecastInput) -> Reply<RiskNoticeView> {
    service.box_office().risk_notice(&input).await.map_err(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyring_entry_names_are_checked() {
        assert_eq!(entry_name(" stripe-live ").ok().as_deref(), Some("stripe-live"));
        for bad in ["", "   ", "a/b", "line\nbreak", &"x".repeat(129)] {
            let refused = entry_name(bad).err().map(|e| (e.code, e.message));
            assert!(
                refused.as_ref().is_some_and(|(code, message)| code == "invalid" && message.starts_with("name:")),
                "{bad:?}"
            );
        }
    }
}
