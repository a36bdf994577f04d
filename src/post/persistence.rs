//! Persistence places: the files a system reads to start programs by itself (crontabs, systemd
//! units, init scripts, shell profiles, authorized_keys, ld.so.preload, Windows scheduled tasks
//! and Startup folders). A file in such a place is marked in the report, and the absolute
//! paths it names are kept so that the writer can link it to a flagged program it starts.
//! Paths are judged as the scanned machine sees them (`Target.system_path`), Windows ones
//! without regard to case.

use regex::bytes::Regex;
use std::sync::LazyLock;

/// The place of a package manifest whose install hooks start something (`package.json`
/// `preinstall`, `install`, `postinstall`, `prepare`): known by its contents, not its path.
pub const INSTALL_HOOK: &str = "install_hook";

/// Paths kept per persistence file.
pub const MAX_REFERENCES: usize = 64;

/// The persistence place a path is in, if any.
pub fn place(system_path: &str) -> Option<&'static str> {
    let windows = is_windows_path(system_path);
    let n = normalize(system_path, windows);
    let n = n.as_str();
    let name = n.rsplit('/').next().unwrap_or(n);
    if windows {
        if n.starts_with("/windows/system32/tasks/") || n.starts_with("/windows/tasks/") {
            return Some("scheduled_task");
        }
        if n.contains("/start menu/programs/startup/") {
            return Some("startup_folder");
        }
        return None;
    }
    let under = |dir: &str| n.starts_with(dir) && n.len() > dir.len();
    if n == "/etc/crontab"
        || n == "/etc/anacrontab"
        || [
            "/etc/cron.d/",
            "/etc/cron.hourly/",
            "/etc/cron.daily/",
            "/etc/cron.weekly/",
        ]
        .iter()
        .any(|d| under(d))
        || under("/etc/cron.monthly/")
        || under("/var/spool/cron/")
    {
        return Some("cron");
    }
    if [
        "/etc/systemd/system/",
        "/etc/systemd/user/",
        "/lib/systemd/system/",
        "/usr/lib/systemd/system/",
        "/run/systemd/system/",
    ]
    .iter()
    .any(|d| under(d))
        || n.contains("/.config/systemd/user/")
    {
        return Some("systemd_unit");
    }
    if n == "/etc/rc.local"
        || n == "/etc/rc.d/rc.local"
        || under("/etc/init.d/")
        || (n.starts_with("/etc/rc") && n.contains(".d/"))
    {
        return Some("init_script");
    }
    if n == "/etc/ld.so.preload" {
        return Some("ld_preload");
    }
    if n.contains("/.ssh/") && (name == "authorized_keys" || name == "authorized_keys2") {
        return Some("authorized_keys");
    }
    if n == "/etc/profile"
        || n == "/etc/bash.bashrc"
        || n == "/etc/bashrc"
        || n == "/etc/zshrc"
        || n == "/etc/environment"
        || under("/etc/profile.d/")
        || (n.matches('/').count() >= 2
            && [
                ".bashrc",
                ".bash_profile",
                ".bash_login",
                ".bash_logout",
                ".profile",
                ".zshrc",
                ".zprofile",
            ]
            .contains(&name))
    {
        return Some("shell_profile");
    }
    if under("/etc/xdg/autostart/") || n.contains("/.config/autostart/") {
        return Some("autostart");
    }
    None
}

fn is_windows_path(p: &str) -> bool {
    let b = p.as_bytes();
    b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'\\'
}

/// Lower-cased with `/` separators and no drive for Windows; as is otherwise.
fn normalize(p: &str, windows: bool) -> String {
    if windows {
        p[2..].replace('\\', "/").to_ascii_lowercase()
    } else {
        p.to_owned()
    }
}

/// The key two paths of one machine are compared by (Windows: without regard to case).
pub fn path_key(p: &str) -> String {
    if is_windows_path(p) {
        format!("c:{}", normalize(p, true))
    } else {
        p.to_owned()
    }
}

static UNIX_PATH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?:^|[\s"'=;:|&(`])(/[A-Za-z0-9._+@%~,-]+(?:/[A-Za-z0-9._+@%~,-]+)*)"#)
        .expect("static regex")
});
static WINDOWS_PATH: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?i)\b([a-z]:\\[^\s"'<>|*?\r\n\x00]+)"#).expect("static regex"));
/// UTF-16LE text as in .lnk files and some Task XML: every other byte zero.
static WINDOWS_PATH_UTF16: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i-u)((?:[a-z]\x00):\x00\\\x00(?:[^\x00"<>|*?\r\n]\x00)+)"#)
        .expect("static regex")
});

/// The absolute paths a persistence file names, as keys (`path_key`), capped.
pub fn references(bytes: &[u8], windows: bool) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |s: String| {
        let k = path_key(&s);
        if out.len() < MAX_REFERENCES && !out.contains(&k) {
            out.push(k);
        }
    };
    if windows {
        for c in WINDOWS_PATH.captures_iter(bytes) {
            push(
                String::from_utf8_lossy(&c[1])
                    .trim_end_matches(['.', ','])
                    .to_owned(),
            );
        }
        for c in WINDOWS_PATH_UTF16.captures_iter(bytes) {
            let s: String = c[1].iter().step_by(2).map(|b| *b as char).collect();
            push(s);
        }
    } else {
        for c in UNIX_PATH.captures_iter(bytes) {
            let p = String::from_utf8_lossy(&c[1]).into_owned();
            // Device nodes and the bare root say nothing about what runs.
            if p.len() > 1 && !p.starts_with("/dev/null") {
                push(p);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places() {
        for (p, want) in [
            ("/etc/cron.d/x", Some("cron")),
            ("/var/spool/cron/crontabs/root", Some("cron")),
            ("/etc/systemd/system/x.service", Some("systemd_unit")),
            ("/home/a/.config/systemd/user/x.service", Some("systemd_unit")),
            ("/etc/rc.local", Some("init_script")),
            ("/etc/rc3.d/S01x", Some("init_script")),
            ("/root/.bashrc", Some("shell_profile")),
            ("/root/.ssh/authorized_keys", Some("authorized_keys")),
            ("/etc/ld.so.preload", Some("ld_preload")),
            ("C:\\Windows\\System32\\Tasks\\Updater", Some("scheduled_task")),
            (
                "C:\\Users\\bob\\AppData\\Roaming\\Microsoft\\Windows\\Start Menu\\Programs\\Startup\\a.bat",
                Some("startup_folder"),
            ),
            ("/etc/passwd", None),
            ("/usr/bin/cron", None),
        ] {
            assert_eq!(place(p), want, "{p}");
        }
    }

    #[test]
    fn references_found() {
        let r = references(b"*/5 * * * * root /opt/.x/run.sh >/dev/null 2>&1\n", false);
        assert_eq!(r, vec!["/opt/.x/run.sh"]);
        let r = references(
            b"<Command>C:\\ProgramData\\Miner\\XMRig.exe</Command>",
            true,
        );
        assert_eq!(r, vec!["c:/programdata/miner/xmrig.exe"]);
        assert_eq!(
            path_key("C:\\ProgramData\\Miner\\xmrig.EXE"),
            "c:/programdata/miner/xmrig.exe"
        );
    }
}
