//! What a file starts, configures, installs or downloads: the facts that cross-file judgement
//! (`post::chains`) links after the walk. Read from the bytes the worker already holds, by the
//! kind of file and the place it sits in: command lines in shell scripts, cron lines, systemd
//! `Exec*=`, `.desktop` `Exec=`, Windows Task XML `<Command>`, `.reg` Run keys, `package.json`
//! install hooks and `bin`, node `child_process` and Python `subprocess`/`os.system` calls; and
//! the config file a command line names (`-c`, `--config`). Names are made absolute against the
//! file's own directory where the file says so (`./x`, `$(dirname "$0")/x`, `__dirname`); a
//! bare program name is kept only where a system runs it by name (persistence entries, package
//! hooks). Bounded: at most `MAX_FACTS` per file, each name at most `MAX_NAME` bytes.

mod code;
mod commands;
#[cfg(test)]
mod tests;

use crate::outcome::triage::{Fact, Relation};
use crate::scan::kind::FileKind;

/// Facts kept per file.
pub const MAX_FACTS: usize = 32;
/// Longest name kept.
const MAX_NAME: usize = 400;
/// Text above this is not read for facts (launchers are small).
const MAX_TEXT: usize = 1 << 20;

/// Where a file is and what it is, as the facts need it.
pub(crate) struct About<'a> {
    /// The path as the scanned machine sees it.
    pub system_path: &'a str,
    pub kind: FileKind,
    /// The persistence place (`post::persistence::place`), if any.
    pub persistence: Option<&'a str>,
}

/// The facts a file gives, collected with their bounds.
pub(crate) struct Facts {
    /// The file's directory as the machine sees it.
    dir: String,
    windows: bool,
    out: Vec<Fact>,
}

impl Facts {
    fn new(system_path: &str) -> Facts {
        let windows = is_windows_path(system_path);
        let sep = if windows { '\\' } else { '/' };
        let dir = match system_path.rfind(sep) {
            Some(0) => sep.to_string(),
            Some(i) => system_path[..i].to_owned(),
            None => String::new(),
        };
        Facts {
            dir,
            windows,
            out: Vec::new(),
        }
    }

    fn full(&self) -> bool {
        self.out.len() >= MAX_FACTS
    }

    /// Records a file named relative to the working directory (a config, a download target,
    /// a script given to an interpreter): a plain name is one in the file's directory.
    fn push_file(&mut self, relation: Relation, raw: &str) {
        let raw = raw.trim().trim_matches(['"', '\'']);
        if raw.contains(['/', '\\']) || raw.starts_with('.') {
            self.push(relation, raw, false);
        } else {
            self.push(relation, &format!("./{raw}"), false);
        }
    }

    /// Records that the file does `relation` to `raw` (as written), if it names a place.
    fn push(&mut self, relation: Relation, raw: &str, bare: bool) {
        if self.full() {
            return;
        }
        let Some(name) = normalize(&self.dir, raw, self.windows, bare) else {
            return;
        };
        let fact = Fact { relation, name };
        if !self.out.contains(&fact) {
            self.out.push(fact);
        }
    }
}

/// The facts of one file, from its bytes (empty for most files).
pub(crate) fn extract(about: &About, bytes: &[u8]) -> Vec<Fact> {
    let name = file_name(about.system_path).to_ascii_lowercase();
    let mode = Mode::of(about, &name);
    if mode == Mode::None || bytes.len() > MAX_TEXT {
        return Vec::new();
    }
    let text = match crate::scan::kind::utf16le_text(bytes) {
        Some(t) => std::borrow::Cow::Owned(t),
        None => String::from_utf8_lossy(bytes),
    };
    let mut facts = Facts::new(about.system_path);
    match mode {
        Mode::Cron => commands::cron(&text, about.system_path, &mut facts),
        Mode::Exec => commands::exec_lines(&text, &mut facts),
        Mode::Task => commands::task_xml(&text, &mut facts),
        Mode::Reg => commands::reg_run_keys(&text, &mut facts),
        Mode::Preload => commands::preload(&text, &mut facts),
        Mode::Shell { bare } => commands::shell(&text, bare, &mut facts),
        Mode::Package => code::package_json(&text, &mut facts),
        Mode::Node => code::node(&text, &mut facts),
        Mode::Python => code::python(&text, &mut facts),
        Mode::None => {}
    }
    facts.out
}

/// Whether a file is a package manifest whose install hooks start something: npm runs them by
/// itself on install (its only `starts` facts come from those hooks; `bin` gives `installs`).
pub(crate) fn starts_on_install(system_path: &str, facts: &[Fact]) -> bool {
    file_name(system_path).eq_ignore_ascii_case("package.json")
        && facts.iter().any(|f| f.relation == Relation::Starts)
}

/// How a file's text is read for facts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    None,
    Cron,
    /// Lines `Exec*=` (systemd units, `.desktop` entries).
    Exec,
    Task,
    Reg,
    Preload,
    /// Command lines; `bare`: program names without a path count (the system runs them).
    Shell {
        bare: bool,
    },
    Package,
    Node,
    Python,
}

impl Mode {
    fn of(about: &About, name: &str) -> Mode {
        match about.persistence {
            Some("cron") => return Mode::Cron,
            Some("systemd_unit") | Some("autostart") => return Mode::Exec,
            Some("scheduled_task") => return Mode::Task,
            Some("ld_preload") => return Mode::Preload,
            Some("init_script") | Some("shell_profile") | Some("startup_folder") => {
                return Mode::Shell { bare: true }
            }
            _ => {}
        }
        if name == "package.json" {
            return Mode::Package;
        }
        if name.ends_with(".reg") {
            return Mode::Reg;
        }
        if name.ends_with(".desktop") || name.ends_with(".service") {
            return Mode::Exec;
        }
        match about.kind {
            FileKind::Shell | FileKind::Batch | FileKind::PowerShell => Mode::Shell { bare: false },
            FileKind::JavaScript => Mode::Node,
            FileKind::Python => Mode::Python,
            _ => Mode::None,
        }
    }
}

fn file_name(p: &str) -> &str {
    p.rsplit(['/', '\\']).next().unwrap_or(p)
}

pub(crate) fn is_windows_path(p: &str) -> bool {
    let b = p.as_bytes();
    b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && (b[2] == b'\\' || b[2] == b'/')
}

/// A name as written, made a place: absolute paths cleaned, relative ones joined to `dir`,
/// bare names kept when `bare`. None for what names no file (variables left, globs, devices,
/// options).
fn normalize(dir: &str, raw: &str, windows: bool, bare: bool) -> Option<String> {
    let raw = raw.trim().trim_matches(['"', '\'']);
    if raw.is_empty()
        || raw.len() > MAX_NAME
        || raw.starts_with('-')
        || raw.contains(['$', '`', '*', '?', '%', '<', '>', '|', '\n', '\0', '{', '}'])
    {
        return None;
    }
    if is_windows_path(raw) {
        return Some(clean(&raw[..2], &raw[3..].replace('/', "\\"), '\\'));
    }
    if raw.starts_with('/') {
        let c = clean("", raw, '/');
        return (!c.starts_with("/dev/") && !c.starts_with("/proc/") && c != "/").then_some(c);
    }
    if raw.contains(['/', '\\']) || raw.starts_with('.') {
        if dir.is_empty() {
            return None;
        }
        let sep = if windows { '\\' } else { '/' };
        let rel = if windows {
            raw.replace('/', "\\")
        } else {
            raw.to_owned()
        };
        let (prefix, rest) = if windows && is_windows_path(dir) {
            (&dir[..2], format!("{}\\{rel}", &dir[3..]))
        } else {
            ("", format!("{dir}{sep}{rel}"))
        };
        return Some(clean(prefix, &rest, sep));
    }
    let plain = raw
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'+'));
    (bare && plain).then(|| raw.to_owned())
}

/// A `/` path with `.` and `..` resolved lexically.
pub(crate) fn lexical(path: &str) -> String {
    clean("", path, '/')
}

/// `prefix` + `path` with `.` and `..` resolved lexically (never above the root).
fn clean(prefix: &str, path: &str, sep: char) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for c in path.split(sep) {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            _ => parts.push(c),
        }
    }
    let mut out = String::from(prefix);
    for p in &parts {
        out.push(sep);
        out.push_str(p);
    }
    if parts.is_empty() {
        out.push(sep);
    }
    out
}
