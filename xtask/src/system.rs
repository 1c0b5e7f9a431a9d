//! Which system this is, and the system packages Showdesk needs on it.

use std::process::Command;

/// Debian packages: build (GStreamer, WebKitGTK for Tauri), run (the servers the rehearsal stack and
/// the tests start on loopback), and test (Xvfb, D-Bus, a notification server, the kernel keyring,
/// WebKit's WebDriver, Chromium for the UI screens).
pub const DEBIAN_PACKAGES: &[&str] = &[
    // build
    "build-essential",
    "pkg-config",
    "libssl-dev",
    "libgstreamer1.0-dev",
    "libgstreamer-plugins-base1.0-dev",
    "libgstreamer-plugins-bad1.0-dev",
    "libwebkit2gtk-4.1-dev",
    "libsoup-3.0-dev",
    "libayatana-appindicator3-dev",
    "librsvg2-dev",
    // media
    "gstreamer1.0-plugins-base",
    "gstreamer1.0-plugins-good",
    "gstreamer1.0-plugins-bad",
    "gstreamer1.0-plugins-ugly",
    "gstreamer1.0-libav",
    "gstreamer1.0-tools",
    "ffmpeg",
    // local services
    "nginx",
    "libnginx-mod-rtmp",
    "srt-tools",
    "dovecot-imapd",
    "postgresql",
    "postgresql-client",
    "python3",
    "python3-venv",
    // desktop test harness
    "xvfb",
    "xauth",
    "dbus",
    "dbus-x11",
    "dunst",
    "keyutils",
    "webkit2gtk-driver",
    "chromium",
    "imagemagick",
    // the report's PDF rendered to pages in its tests
    "poppler-utils",
];

/// Node.js the UI toolchain (Vite 8) needs.
pub const NODE_MIN: (u32, u32) = (20, 19);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum System {
    /// Debian, Ubuntu and their derivatives: we install with apt-get.
    Debian,
    /// Anything else: we print what to install.
    Other,
}

pub fn detect() -> System {
    if !cfg!(target_os = "linux") {
        return System::Other;
    }
    let release = std::fs::read_to_string("/etc/os-release").unwrap_or_default();
    let field = |name: &str| {
        release
            .lines()
            .find_map(|line| line.strip_prefix(name).and_then(|rest| rest.strip_prefix('=')))
            .map(|value| value.trim_matches('"').to_ascii_lowercase())
            .unwrap_or_default()
    };
    let (id, like) = (field("ID"), field("ID_LIKE"));
    let debian_family = |value: &str| value.split_whitespace().any(|v| v == "debian" || v == "ubuntu");
    if (debian_family(&id) || debian_family(&like)) && crate::proc::on_path("apt-get") {
        System::Debian
    } else {
        System::Other
    }
}

/// What to install by hand where we cannot install ourselves.
pub fn manual_instructions() -> String {
    let os = std::env::consts::OS;
    let mut text = format!(
        "This machine ({os}) is not one `cargo xtask` can install for: it installs with apt-get on Debian and \
         Ubuntu. Install these yourself, then run the command again:\n\n"
    );
    match os {
        "macos" => text.push_str(
            "  brew install gstreamer nginx ffmpeg srt dovecot postgresql@15 python@3.11 node@20 imagemagick\n\
             \x20 (nginx needs the RTMP module: brew tap denji/nginx && brew install nginx-full --with-rtmp-module)\n\
             \x20 The desktop test tier (Xvfb, WebKitWebDriver) exists on Linux only: run it in a Debian VM or container.\n",
        ),
        "windows" => text.push_str(
            "  Use WSL 2 with Debian 12 or Ubuntu 24.04 and run the command inside it; native Windows can build the\n\
             \x20 app (GStreamer MSVC runtime + development installers from gstreamer.freedesktop.org, WebView2) but\n\
             \x20 not run the local services the tests need.\n",
        ),
        _ => {
            text.push_str("  Fedora: sudo dnf install gstreamer1-devel gstreamer1-plugins-base-devel gstreamer1-plugins-bad-free-devel \\\n");
            text.push_str("    gstreamer1-plugins-good gstreamer1-plugins-ugly-free gstreamer1-libav webkit2gtk4.1-devel libsoup3-devel \\\n");
            text.push_str("    libappindicator-gtk3-devel librsvg2-devel openssl-devel nginx nginx-mod-rtmp srt dovecot postgresql-server \\\n");
            text.push_str("    xorg-x11-server-Xvfb dbus-daemon dunst keyutils webkit2gtk4.1 chromium ImageMagick ffmpeg python3\n");
            text.push_str("  Arch: sudo pacman -S gstreamer gst-plugins-base gst-plugins-good gst-plugins-bad gst-plugins-ugly gst-libav \\\n");
            text.push_str("    webkit2gtk-4.1 libsoup3 libappindicator-gtk3 librsvg openssl nginx srt dovecot postgresql xorg-server-xvfb \\\n");
            text.push_str("    dbus dunst keyutils chromium imagemagick ffmpeg python  (and nginx-mod-rtmp from the AUR)\n");
            text.push_str("  Other distributions: the equivalents of these Debian packages:\n");
            for chunk in DEBIAN_PACKAGES.chunks(6) {
                text.push_str(&format!("    {}\n", chunk.join(" ")));
            }
            text.push_str(&format!("  and Node.js {}.{}+ with npm, Python 3.11+ with venv, a Rust toolchain with cargo-nextest.\n", NODE_MIN.0, NODE_MIN.1));
        }
    }
    text
}

/// The Debian packages from `wanted` that are not installed.
pub fn missing_debian_packages(wanted: &[&str]) -> Vec<String> {
    let output = Command::new("dpkg-query").arg("-W").arg("-f=${Package} ${db:Status-Status}\\n").args(wanted).output();
    let installed: Vec<String> = match output {
        Ok(output) => String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|line| {
                line.strip_suffix(" installed").map(|name| name.split(':').next().unwrap_or(name).to_owned())
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    wanted.iter().filter(|name| !installed.iter().any(|have| have == *name)).map(|name| (*name).to_owned()).collect()
}

/// Node's version as (major, minor), if node runs.
pub fn node_version() -> Option<(u32, u32)> {
    let text = crate::proc::output(Command::new("node").arg("--version")).ok()?;
    let mut parts = text.trim().trim_start_matches('v').split('.');
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

/// Whether we run as root (then apt-get needs no sudo).
pub fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|meta| meta.uid() == 0)
}
