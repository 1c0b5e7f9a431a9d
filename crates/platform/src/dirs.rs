//! The folders Showdesk reads and writes.
//!
//! On a user's machine these are the platform's own (XDG on Linux, `~/Library/Application Support` on
//! macOS, `%APPDATA%` on Windows), and recordings go to the user's Videos folder. When `SHOWDESK_HOME`
//! is set, every folder lives under it instead: tests, the rehearsal stack and CI set it so nothing they
//! do can reach a real user's shows, orders, mail or recordings.

use std::path::{Path, PathBuf};

use crate::PlatformError;

/// The one environment variable that redirects every folder Showdesk uses.
pub const HOME_ENV: &str = "SHOWDESK_HOME";

/// Resolved folders. Create them with [`AppDirs::ensure`] before writing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppDirs {
    /// The SQLite store and anything that must survive an upgrade.
    pub data: PathBuf,
    /// Profiles (TOML, never secrets).
    pub config: PathBuf,
    /// Daily log files, already scrubbed of secrets.
    pub logs: PathBuf,
    /// Things that can be rebuilt: tool downloads, preview caches.
    pub cache: PathBuf,
    /// Show recordings.
    pub videos: PathBuf,
    /// Everything is under one chosen root (`SHOWDESK_HOME` or `--home`), not the user's folders.
    pub isolated: bool,
}

impl AppDirs {
    /// The folders for this process: under `SHOWDESK_HOME` when it is set, the platform's otherwise.
    /// An empty `SHOWDESK_HOME` is an error, not "unset": a script whose variable went missing must
    /// not land on real data.
    pub fn resolve() -> Result<Self, PlatformError> {
        match std::env::var_os(HOME_ENV) {
            // Blank counts as empty: "  " would be a folder named two spaces in the working directory.
            Some(root) if root.to_string_lossy().trim().is_empty() => Err(PlatformError::EmptyHome),
            Some(root) => Self::isolated(Path::new(&root)),
            None => Self::platform(),
        }
    }

    /// Every folder under `root` (`SHOWDESK_HOME`, `--home`), made absolute and checked: a root that
    /// is a file is refused.
    pub fn isolated(root: &Path) -> Result<Self, PlatformError> {
        if root.as_os_str().to_string_lossy().trim().is_empty() {
            return Err(PlatformError::EmptyHome);
        }
        let root = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
        if root.exists() && !root.is_dir() {
            return Err(PlatformError::HomeIsFile(root));
        }
        Ok(Self::under(&root))
    }

    /// Every folder under one root (what `SHOWDESK_HOME` selects).
    pub fn under(root: &Path) -> Self {
        Self {
            data: root.join("data"),
            config: root.join("config"),
            logs: root.join("logs"),
            cache: root.join("cache"),
            videos: root.join("videos"),
            isolated: true,
        }
    }

    fn platform() -> Result<Self, PlatformError> {
        let project = directories::ProjectDirs::from("app", "Showdesk", "Showdesk").ok_or(PlatformError::NoHome)?;
        let videos = directories::UserDirs::new()
            .and_then(|user| user.video_dir().map(|videos| videos.join("Showdesk")))
            // No Videos folder (a bare server account): keep recordings with the data rather than fail.
            .unwrap_or_else(|| project.data_dir().join("recordings"));
        Ok(Self {
            data: project.data_dir().to_path_buf(),
            config: project.config_dir().to_path_buf(),
            logs: project.data_local_dir().join("logs"),
            cache: project.cache_dir().to_path_buf(),
            videos,
            isolated: false,
        })
    }

    /// Creates every folder that does not exist yet.
    pub fn ensure(&self) -> Result<&Self, PlatformError> {
        for path in [&self.data, &self.config, &self.logs, &self.cache, &self.videos] {
            std::fs::create_dir_all(path).map_err(|source| PlatformError::CreateDir { path: path.clone(), source })?;
        }
        Ok(self)
    }

    /// The folders Showdesk could not write to, checked without leaving anything behind (for
    /// `showdesk info`, which only reads): an existing folder must take a file, a missing one must
    /// be creatable under its nearest existing parent.
    pub fn unwritable(&self) -> Vec<PlatformError> {
        self.all().into_iter().filter_map(|path| probe_writable(path).err()).collect()
    }

    /// All folders, for diagnostics and for the secret-leak checks that grep everything we wrote.
    pub fn all(&self) -> [&Path; 5] {
        [&self.data, &self.config, &self.logs, &self.cache, &self.videos]
    }
}

/// Tries to write where `path` is or would be, then removes what it wrote.
fn probe_writable(path: &Path) -> Result<(), PlatformError> {
    let fail = |source: std::io::Error| PlatformError::CreateDir { path: path.to_path_buf(), source };
    let mut existing = path;
    while !existing.exists() {
        existing = existing.parent().unwrap_or(Path::new("/"));
    }
    if !existing.is_dir() {
        return Err(fail(std::io::Error::from(std::io::ErrorKind::NotADirectory)));
    }
    let probe = existing.join(format!(".showdesk-probe-{}", std::process::id()));
    std::fs::create_dir(&probe).map_err(fail)?;
    std::fs::remove_dir(&probe).map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_folder_lives_under_the_override_root() {
        let root = Path::new("/tmp/showdesk-test-root");
        let dirs = AppDirs::under(root);
        for path in dirs.all() {
            assert!(path.starts_with(root), "{} escapes the root", path.display());
        }
        assert_ne!(dirs.data, dirs.logs);
    }

    #[test]
    fn an_isolated_root_is_made_absolute_and_a_file_is_refused() -> Result<(), Box<dyn std::error::Error>> {
        let dirs = AppDirs::isolated(Path::new("relative-home"))?;
        assert!(dirs.data.is_absolute());
        let dir = tempfile::tempdir()?;
        let file = dir.path().join("a-file");
        std::fs::write(&file, b"x")?;
        assert!(matches!(AppDirs::isolated(&file), Err(PlatformError::HomeIsFile(_))));
        assert!(matches!(AppDirs::isolated(Path::new("")), Err(PlatformError::EmptyHome)));
        assert!(matches!(AppDirs::isolated(Path::new("  ")), Err(PlatformError::EmptyHome)));
        Ok(())
    }

    #[test]
    fn unwritable_folders_are_named_and_the_check_leaves_nothing_behind() -> Result<(), Box<dyn std::error::Error>> {
        let root = tempfile::tempdir()?;
        let dirs = AppDirs::under(&root.path().join("home"));
        assert!(dirs.unwritable().is_empty(), "{:?}", dirs.unwritable());
        assert_eq!(std::fs::read_dir(root.path())?.count(), 0, "the check created nothing");

        std::fs::write(root.path().join("blocked"), b"a file")?;
        let blocked = AppDirs::under(&root.path().join("blocked"));
        let problems = blocked.unwritable();
        assert_eq!(problems.len(), 5, "every folder sits under a file: {problems:?}");
        assert!(problems[0].to_string().contains("blocked/data"), "{}", problems[0]);
        Ok(())
    }

    #[test]
    fn ensure_creates_the_folders() -> Result<(), Box<dyn std::error::Error>> {
        let root = tempfile::tempdir()?;
        let dirs = AppDirs::under(root.path());
        dirs.ensure()?;
        for path in dirs.all() {
            assert!(path.is_dir(), "{} was not created", path.display());
        }
        Ok(())
    }

    #[test]
    fn ensure_names_the_folder_it_could_not_create() -> Result<(), Box<dyn std::error::Error>> {
        let root = tempfile::tempdir()?;
        let blocker = root.path().join("file");
        std::fs::write(&blocker, b"not a folder")?;
        let Err(err) = AppDirs::under(&blocker).ensure() else {
            panic!("a folder under a regular file cannot be created");
        };
        assert_eq!(err.code(), "platform.create_dir");
        assert!(err.to_string().contains("file/data"), "{err}");
        assert!(err.to_string().contains("a file is in the way"), "{err}");
        Ok(())
    }
}
