//! Facts from command lines, wherever a system keeps them: shell scripts, cron lines, systemd
//! and `.desktop` `Exec` lines, Task XML, `.reg` Run keys. One command line gives the program
//! it runs (behind `nohup`, `exec`, `sudo`...; the script an interpreter runs), the config its
//! `-c`/`--config` names and where `curl -o`/`wget -O` write.

use super::Facts;
use crate::analyze::config::{option_value, program_index, split_commands};
use crate::outcome::triage::Relation;
use regex::Regex;
use std::collections::HashMap;
use std::sync::LazyLock;

/// Lines longer than this are data, not commands.
const MAX_LINE: usize = 4096;
/// Variables remembered as naming the script's own directory.
const MAX_VARS: usize = 8;

/// Programs whose first operand is the script they run.
const INTERPRETERS: &[&str] = &[
    "sh",
    "bash",
    "dash",
    "zsh",
    "ksh",
    "ash",
    "busybox",
    "python",
    "python2",
    "python3",
    "node",
    "nodejs",
    "perl",
    "php",
    "ruby",
    "wscript",
    "cscript",
    "wscript.exe",
    "cscript.exe",
    "powershell",
    "powershell.exe",
    "pwsh",
    "source",
    ".",
];
const CONFIG_OPTIONS: &[&str] = &["-c", "--config", "--config-file", "-config"];

/// The forms a shell script names its own directory by.
static SELF_DIR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r#"\$\(\s*cd\s+"?\$\(\s*dirname\s+"?\$\{?(?:0|BASH_SOURCE(?:\[0\])?)\}?"?\s*\)"?\s*(?:&&|;)\s*pwd(?:\s+-P)?\s*\)"#,
        r#"|\$\(\s*dirname\s+"?\$\{?(?:0|BASH_SOURCE(?:\[0\])?)\}?"?\s*\)"#,
        r#"|`dirname\s+"?\$0"?`|\$\{0%/\*\}|%~dp0\\?"#,
    ))
    .expect("static regex")
});
static ASSIGN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"^\s*(?:export\s+|local\s+|readonly\s+|set\s+)?([A-Za-z_]\w*)=["']?([^"'\s;]+)["']?\s*$"#,
    )
    .expect("static regex")
});

/// A shell (or batch) script: every command line that names a path.
pub(super) fn shell(text: &str, bare: bool, facts: &mut Facts) {
    let mut vars: HashMap<String, String> = HashMap::new();
    for line in text.lines() {
        if facts.full() {
            return;
        }
        let t = line.trim_start();
        if t.starts_with('#') || t.starts_with("::") || t.len() > MAX_LINE {
            continue;
        }
        let mut line = SELF_DIR.replace_all(t, facts.dir.as_str()).into_owned();
        for (var, value) in &vars {
            for form in [format!("${{{var}}}"), format!("${var}")] {
                line = line.replace(&form, value);
            }
        }
        if let Some(c) = ASSIGN.captures(&line) {
            if c[2].starts_with(['/', '.']) && vars.len() < MAX_VARS {
                vars.insert(c[1].to_owned(), c[2].trim_end_matches('/').to_owned());
            }
            continue;
        }
        if bare || line.contains(['/', '\\']) {
            command_line(&line, bare, facts, 0);
        }
    }
}

/// One command line: the program each of its commands runs, the configs and downloads.
pub(super) fn command_line(line: &str, bare: bool, facts: &mut Facts, depth: u8) {
    for tokens in split_commands(line) {
        let Some(at) = program_index(&tokens) else {
            continue;
        };
        let program = tokens[at].as_str();
        let base = program
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or(program)
            .to_ascii_lowercase();
        let args = &tokens[at + 1..];
        if INTERPRETERS.contains(&base.as_str()) {
            interpreted(args, facts, depth);
            continue;
        }
        facts.push(Relation::Starts, program, bare);
        let download = match base.as_str() {
            "curl" => option_value(args, &["-o", "--output"]),
            "wget" => option_value(args, &["-O", "--output-document"]),
            _ => None,
        };
        if let Some(to) = download {
            facts.push_file(Relation::Downloads, to);
        } else if let Some(config) = option_value(args, CONFIG_OPTIONS) {
            if config.contains(['.', '/', '\\']) {
                facts.push_file(Relation::Configures, config);
            }
        }
    }
}

/// After an interpreter: `sh -c "..."` is a command line of its own, otherwise the first
/// operand is the script it runs.
fn interpreted(args: &[String], facts: &mut Facts, depth: u8) {
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        if a == "-c" || a.eq_ignore_ascii_case("-command") {
            if let Some(cmd) = args.get(i + 1).filter(|_| depth == 0) {
                command_line(cmd, false, facts, depth + 1);
            }
            return;
        }
        if a.eq_ignore_ascii_case("-file") || a == "-m" {
            i += 1;
            if a == "-m" {
                return; // a module name, not a file
            }
            continue;
        }
        if a.starts_with('-') || a.starts_with("//") {
            i += 1;
            continue;
        }
        facts.push_file(Relation::Starts, a);
        return;
    }
}

/// A crontab: each line without its schedule (five fields or `@reboot`) and, in the system
/// crontabs (/etc), its user field.
pub(super) fn cron(text: &str, system_path: &str, facts: &mut Facts) {
    let system = system_path.starts_with("/etc/");
    for line in text.lines() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') || t.len() > MAX_LINE || facts.full() {
            continue;
        }
        let fields: Vec<&str> = t.split_whitespace().collect();
        let schedule = if fields[0].starts_with('@') {
            1
        } else if fields.len() > 5 && fields[..5].iter().all(|f| is_cron_field(f)) {
            5
        } else {
            // A variable, or a script in cron.daily: read as shell.
            if t.contains('/') && !t.contains('=') {
                command_line(t, false, facts, 0);
            }
            continue;
        };
        let skip = schedule + usize::from(system);
        let Some(command) = nth_field_rest(t, skip) else {
            continue;
        };
        command_line(command, true, facts, 0);
    }
}

fn is_cron_field(t: &str) -> bool {
    !t.is_empty()
        && t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'*' | b'/' | b',' | b'-'))
        && (t.bytes().any(|b| b.is_ascii_digit() || b == b'*') || t.len() == 3)
}

/// The text after the first `n` whitespace-separated fields.
fn nth_field_rest(t: &str, n: usize) -> Option<&str> {
    let mut rest = t.trim_start();
    for _ in 0..n {
        let end = rest.find(char::is_whitespace)?;
        rest = rest[end..].trim_start();
    }
    (!rest.is_empty()).then_some(rest)
}

/// systemd units and `.desktop` entries: `ExecStart=`, `ExecStartPre=`... and `Exec=`.
pub(super) fn exec_lines(text: &str, facts: &mut Facts) {
    for line in text.lines() {
        let t = line.trim();
        let Some((key, value)) = t.split_once('=') else {
            continue;
        };
        if !(key.starts_with("ExecStart") || key == "Exec" || key == "ExecReload") {
            continue;
        }
        let value = value.trim_start_matches(['-', '@', '+', '!', ':']);
        if value.len() <= MAX_LINE {
            command_line(value, true, facts, 0);
        }
    }
}

static TASK_COMMAND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?is)<Command>\s*([^<]+?)\s*</Command>(?:\s*<Arguments>\s*([^<]*?)\s*</Arguments>)?",
    )
    .expect("static regex")
});

/// A Windows scheduled task: each `<Exec>` action's command and arguments.
pub(super) fn task_xml(text: &str, facts: &mut Facts) {
    for c in TASK_COMMAND.captures_iter(text).take(super::MAX_FACTS) {
        let program = windows_env(&xml_unescape(&c[1]));
        let args = c.get(2).map_or(String::new(), |a| xml_unescape(a.as_str()));
        let quoted = if program.contains(' ') && !program.starts_with('"') {
            format!("\"{program}\"")
        } else {
            program
        };
        command_line(&format!("{quoted} {}", windows_env(&args)), true, facts, 0);
    }
}

fn xml_unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The machine-wide environment variables a Windows command line names places by.
fn windows_env(s: &str) -> String {
    let mut out = s.to_owned();
    for (var, value) in [
        ("%ProgramData%", "C:\\ProgramData"),
        ("%ALLUSERSPROFILE%", "C:\\ProgramData"),
        ("%SystemRoot%", "C:\\Windows"),
        ("%windir%", "C:\\Windows"),
        ("%ProgramFiles%", "C:\\Program Files"),
        ("%SystemDrive%", "C:"),
    ] {
        while let Some(i) = out.to_ascii_lowercase().find(&var.to_ascii_lowercase()) {
            out.replace_range(i..i + var.len(), value);
        }
    }
    out
}

/// A registry export: the values of Run, RunOnce and Winlogon keys.
pub(super) fn reg_run_keys(text: &str, facts: &mut Facts) {
    let mut in_run = false;
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with('[') {
            let k = t.to_ascii_lowercase();
            in_run = k.ends_with("\\run]")
                || k.ends_with("\\runonce]")
                || k.ends_with("\\winlogon]")
                || k.ends_with("\\runservices]");
            continue;
        }
        if !in_run || t.len() > MAX_LINE {
            continue;
        }
        let Some((_, value)) = t.split_once("\"=\"") else {
            continue;
        };
        let value = value.strip_suffix('"').unwrap_or(value);
        let value = value.replace("\\\\", "\\").replace("\\\"", "\"");
        command_line(&windows_env(&value), true, facts, 0);
    }
}

/// /etc/ld.so.preload: each line a library loaded into every program.
pub(super) fn preload(text: &str, facts: &mut Facts) {
    for t in text.split_whitespace().filter(|t| t.starts_with('/')) {
        facts.push(Relation::Starts, t, false);
    }
}
