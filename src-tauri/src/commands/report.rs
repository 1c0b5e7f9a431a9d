//! After the show: the report, its export, the retrospective, the follow-up mail, open items.
//!
//! The words of the report and the mails follow the window's language (`language`: "en" or "fr";
//! English when not given).

use std::path::PathBuf;

use showdesk_control::report::views::{FollowUpPreview, OpenItem, Retrospective};
use showdesk_core::support::Language;

use super::{Reply, Service, body, invalid, required_show};

fn language(language: Option<&str>) -> Reply<Language> {
    match language.map(str::trim).filter(|l| !l.is_empty()) {
        None => Ok(Language::En),
        Some(tag) => {
            // "fr-CA" → French: the region does not change the words.
            let base = tag.split(['-', '_']).next().unwrap_or(tag).to_ascii_lowercase();
            base.parse().map_err(|_| invalid("language", format!("{tag:?}: en or fr")))
        }
    }
}

/// The whole report as one self-contained page (no scripts, charts inline).
#[tauri::command]
pub async fn report_html(service: Service<'_>, show_id: String, language: Option<String>) -> Reply<String> {
    let language = self::language(language.as_deref())?;
    service.report_html(required_show(&show_id)?, language).await.map_err(body)
}

/// Writes the report files into `folder` (an absolute path; created when missing).
#[tauri::command]
pub async fn report_export(
    service: Service<'_>,
    show_id: String,
    folder: String,
    language: Option<String>,
) -> Reply<Vec<String>> {
    let language = self::language(language.as_deref())?;
    let folder = PathBuf::from(folder.trim());
    if !folder.is_absolute() {
        return Err(invalid("folder", format!("{} is not a full path (it starts with /)", folder.display())));
    }
    let files = service.export_report(required_show(&show_id)?, &folder, language).await.map_err(body)?;
    Ok(files.into_iter().map(|path| path.display().to_string()).collect())
}

#[tauri::command]
pub async fn retrospective(service: Service<'_>, show_id: String, language: Option<String>) -> Reply<Retrospective> {
    let language = self::language(language.as_deref())?;
    service.retrospective(required_show(&show_id)?, language).await.map_err(body)
}

#[tauri::command]
pub async fn retrospective_save(service: Service<'_>, show_id: String, retrospective: Retrospective) -> Reply<()> {
    service.save_retrospective(required_show(&show_id)?, &retrospective).await.map(drop).map_err(body)
}

#[tauri::command]
pub async fn follow_ups(
    service: Service<'_>,
    show_id: String,
    language: Option<String>,
) -> Reply<Vec<FollowUpPreview>> {
    let language = self::language(language.as_deref())?;
    service.follow_ups(required_show(&show_id)?, language).await.map_err(body)
}

/// Queues the chosen follow-ups in the paced outbox; returns how many mails were new.
#[tauri::command]
pub async fn follow_ups_send(
    service: Service<'_>,
    show_id: String,
    kinds: Vec<String>,
    language: Option<String>,
) -> Reply<u32> {
    let language = self::language(language.as_deref())?;
    if kinds.is_empty() {
        return Err(invalid("kinds", "choose at least one follow-up to send"));
    }
    service.send_follow_ups(required_show(&show_id)?, &kinds, language).await.map_err(body)
}

#[tauri::command]
pub async fn open_items(service: Service<'_>, show_id: String, language: Option<String>) -> Reply<Vec<OpenItem>> {
    let language = self::language(language.as_deref())?;
    service.open_items(required_show(&show_id)?, language).await.map_err(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_language_picks_the_words() {
        assert_eq!(language(None).ok(), Some(Language::En));
        assert_eq!(language(Some("fr-CA")).ok(), Some(Language::Fr));
        assert_eq!(language(Some("EN")).ok(), Some(Language::En));
        let refused = language(Some("de")).err().map(|e| e.message);
        assert!(refused.is_some_and(|m| m.starts_with("language:")));
    }
}
