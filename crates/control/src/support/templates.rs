//! Mail templates and macros (canned replies), in English and French, from `assets/mail/<lang>/`.
//! A template is a `Subject:` line, a blank line, then the body; `{{name}}` is a variable. The files
//! are built in; an organizer can put their own versions in a folder that overrides them by name.

use std::collections::BTreeMap;
use std::path::Path;

use showdesk_core::support::Language;

use super::SupportError;

macro_rules! builtin {
    ($($lang:literal / $name:literal),* $(,)?) => {
        &[$(($lang, $name, include_str!(concat!("../../../../assets/mail/", $lang, "/", $name, ".txt")))),*]
    };
}

const BUILTIN: &[(&str, &str, &str)] = builtin![
    "en" / "ack_payment",
    "fr" / "ack_payment",
    "en" / "ack_refund",
    "fr" / "ack_refund",
    "en" / "ack_overcharge",
    "fr" / "ack_overcharge",
    "en" / "ack_promo_code",
    "fr" / "ack_promo_code",
    "en" / "ack_access",
    "fr" / "ack_access",
    "en" / "ack_other",
    "fr" / "ack_other",
    "en" / "refund_done",
    "fr" / "refund_done",
    "en" / "double_charge",
    "fr" / "double_charge",
    "en" / "promo_code",
    "fr" / "promo_code",
    "en" / "access",
    "fr" / "access",
    "en" / "cancelled",
    "fr" / "cancelled",
    "en" / "card_safety",
    "fr" / "card_safety",
    "en" / "ticket_confirmation",
    "fr" / "ticket_confirmation",
    "en" / "refund_confirmation",
    "fr" / "refund_confirmation",
    "en" / "duplicate_refunded",
    "fr" / "duplicate_refunded",
    // After the show, to every buyer of a kind (report/follow_up.rs); not macros.
    "en" / "followup_thank_you",
    "fr" / "followup_thank_you",
    "en" / "followup_apology",
    "fr" / "followup_apology",
    "en" / "followup_refund_owed",
    "fr" / "followup_refund_owed",
];

/// Variables a mail reads well without: the buyer's name (not every buyer gave one).
const OPTIONAL_VARIABLES: &[&str] = &["buyer_name"];

/// Variables whose value is personal to the buyer's orders: a mail using one goes only to the
/// buyer, unless the operator confirms another recipient.
pub const SENSITIVE_VARIABLES: [&str; 4] = ["watch_link", "promo_code", "order", "amount"];

/// A rendered mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub body: String,
    /// Whether it carries any of [`SENSITIVE_VARIABLES`].
    pub sensitive: bool,
}

/// The set of templates.
#[derive(Debug, Clone)]
pub struct Templates {
    by_key: BTreeMap<(String, String), String>,
}

impl Default for Templates {
    fn default() -> Self {
        Self::builtin()
    }
}

impl Templates {
    pub fn builtin() -> Self {
        let by_key = BUILTIN
            .iter()
            .map(|(lang, name, text)| (((*lang).to_owned(), (*name).to_owned()), (*text).to_owned()))
            .collect();
        Self { by_key }
    }

    /// The built-in templates, overridden by `<dir>/<lang>/<name>.txt` files where present.
    pub fn with_overrides(dir: &Path) -> Self {
        let mut templates = Self::builtin();
        for lang in ["en", "fr"] {
            let Ok(entries) = std::fs::read_dir(dir.join(lang)) else { continue };
            for entry in entries.flatten() {
                let path = entry.path();
                let (Some(stem), Some("txt")) =
                    (path.file_stem().and_then(|s| s.to_str()), path.extension().and_then(|e| e.to_str()))
                else {
                    continue;
                };
                if let Ok(text) = std::fs::read_to_string(&path) {
                    templates.by_key.insert((lang.to_owned(), stem.to_owned()), text);
                }
            }
        }
        templates
    }

    /// The macro names, for the reply menu.
    pub fn names(&self) -> Vec<String> {
        // Keyed by (language, name): the same name once per language, so a set, not dedup().
        let names: std::collections::BTreeSet<String> = self.by_key.keys().map(|(_, name)| name.clone()).collect();
        names.into_iter().collect()
    }

    pub fn has(&self, name: &str, language: Language) -> bool {
        self.by_key.contains_key(&(language.as_str().to_owned(), name.to_owned()))
    }

    /// Renders `name` in `language` (English when that language lacks it) with `values`.
    pub fn render(
        &self,
        name: &str,
        language: Language,
        values: &BTreeMap<&str, String>,
    ) -> Result<Rendered, SupportError> {
        let text = self
            .by_key
            .get(&(language.as_str().to_owned(), name.to_owned()))
            .or_else(|| self.by_key.get(&("en".to_owned(), name.to_owned())))
            .ok_or_else(|| SupportError::NoTemplate {
                name: name.to_owned(),
                language: language.as_str().to_owned(),
            })?;
        let mut sensitive = false;
        let mut out = String::with_capacity(text.len() + 64);
        let mut rest = text.as_str();
        while let Some(open) = rest.find("{{") {
            out.push_str(&rest[..open]);
            let after = &rest[open + 2..];
            let Some(close) = after.find("}}") else {
                out.push_str(&rest[open..]);
                rest = "";
                break;
            };
            let variable = after[..close].trim();
            match values.get(variable).filter(|value| !value.trim().is_empty()) {
                Some(value) => {
                    sensitive |= SENSITIVE_VARIABLES.contains(&variable);
                    out.push_str(value);
                }
                // "Hello {{buyer_name}}," without a name is "Hello,": never the address's local
                // part, which reads like a robot ("Hello jdupont42,").
                None if OPTIONAL_VARIABLES.contains(&variable) => {
                    if out.ends_with(' ') {
                        out.pop();
                    }
                }
                None => {
                    return Err(SupportError::MissingVariable {
                        template: name.to_owned(),
                        variable: variable.to_owned(),
                    });
                }
            }
            rest = &after[close + 2..];
        }
        out.push_str(rest);
        let normalized = out.replace("\r\n", "\n");
        let (subject, body) = match normalized.strip_prefix("Subject:") {
            Some(after) => {
                let (subject, body) = after.split_once('\n').unwrap_or((after, ""));
                (subject.trim().to_owned(), body.trim_start_matches('\n').to_owned())
            }
            None => (String::new(), normalized.clone()),
        };
        Ok(Rendered { subject, body, sensitive })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> BTreeMap<&'static str, String> {
        BTreeMap::from([
            ("buyer_name", "Camille".to_owned()),
            ("show_title", "Nuit de la boxe".to_owned()),
            ("ticket", "SD-12".to_owned()),
            ("watch_link", "https://watch.example/t/abc".to_owned()),
        ])
    }

    #[test]
    fn every_builtin_exists_in_both_languages_and_renders() {
        let templates = Templates::builtin();
        let names = templates.names();
        let unique: std::collections::BTreeSet<&String> = names.iter().collect();
        assert_eq!(unique.len(), names.len(), "each macro once, whatever the languages: {names:?}");
        for name in templates.names() {
            for language in [Language::En, Language::Fr] {
                assert!(templates.has(&name, language), "{name} missing in {language:?}");
            }
        }
        let access = templates.render("access", Language::Fr, &values()).expect("renders");
        assert_eq!(access.subject, "Votre accès à Nuit de la boxe [SD-12]");
        assert!(access.body.starts_with("Bonjour Camille,"));
        assert!(access.body.contains("https://watch.example/t/abc"));
        assert!(access.sensitive);
        let mut nameless = values();
        nameless.insert("buyer_name", "  ".to_owned());
        let greeting = templates.render("access", Language::Fr, &nameless).expect("renders without a name");
        assert!(greeting.body.starts_with("Bonjour,"), "{}", greeting.body);
        let mut no_link = values();
        no_link.remove("watch_link");
        assert!(templates.render("access", Language::En, &no_link).is_err(), "other variables stay required");
        let ack = templates.render("ack_other", Language::En, &values()).expect("renders");
        assert!(!ack.sensitive);
    }

    #[test]
    fn a_missing_value_is_named() {
        let err = Templates::builtin().render("promo_code", Language::En, &values()).expect_err("fails");
        assert_eq!(err.code(), "support.missing_variable");
        assert!(err.to_string().contains("{{promo_code}}"), "{err}");
    }

    #[test]
    fn overrides_replace_builtins_by_name() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        std::fs::create_dir_all(dir.path().join("fr"))?;
        std::fs::write(dir.path().join("fr/ack_other.txt"), "Subject: Reçu [{{ticket}}]\n\nMerci !")?;
        let templates = Templates::with_overrides(dir.path());
        let rendered = templates.render("ack_other", Language::Fr, &values()).expect("renders");
        assert_eq!((rendered.subject.as_str(), rendered.body.as_str()), ("Reçu [SD-12]", "Merci !"));
        Ok(())
    }
}
