//! Managing a miner program: the scripts a mining kit ships beside its miner to stop, restart,
//! watch or uninstall it (`taskkill /im xmrig.exe`, `systemctl stop` of the miner's unit,
//! `pgrep -x xmrig || ./xmrig`, deleting the Run value or the scheduled task it was started
//! by). Such a script names the miner program as the object of a process, service, task or
//! file command; that makes it miner material (`manages_miner`, class `miner`) whether it
//! starts the miner or kills it.
//!
//! An administrator's clean-up of an infection reads the same, so the finding alone makes a
//! file suspicious and never more: `judge::verdict` does not combine it with behaviours into
//! malicious (a clean-up that kills the miner also deletes its cron job). Only mining
//! programs count, by their program names (`knowledge::indicators::MINER_NAMES`); the
//! binaries of documented campaigns (`kdevtmpfsi`, `kworkerds`...) are what remediation
//! guides kill, not what a kit manages, and generic words among them (`sysupdate`) name
//! ordinary programs too.

use crate::knowledge::indicators::{miner_name_entry, MINER_NAMES};
use regex::Regex;
use std::sync::LazyLock;

/// Campaign binaries and generic words in `MINER_NAMES` that a management command naming
/// them does not make miner material.
const NOT_PROGRAMS: &[&str] = &[
    "kdevtmpfsi",
    "kinsing",
    "kworkerds",
    "watchbog",
    "sysupdate",
    "networkservice",
    "ddgs",
    "dbused",
    "excavator",
];

/// Commands that act on a process, service, task, autostart value or file by name, each with
/// the name (or names) they act on as the first capture group.
static COMMANDS: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        // Processes, Windows.
        r#"(?i)\b(?:taskkill|tskill)(?:\.exe)?\b.*?/im\s+("[^"]+"|\S+)"#,
        r#"(?i)\btasklist\b.*?(?:imagename\s+eq\s+|\|\s*findstr?\s+(?:/\w+\s+)*)("[^"]+"|\S+)"#,
        r#"(?i)\b(?:Stop-Process|spps|Get-Process|gps|Wait-Process)\b\s+(?:-\w+\s+)*?(?:-(?:Name|ProcessName)\s+)?((?:["']?[\w.*-]+["']?\s*,\s*)*["']?[\w.*-]+["']?)"#,
        // Processes, Unix.
        r#"(?i)\b(?:pkill|killall|pgrep|pidof)\b\s+(?:-\S+\s+)*("[^"]+"|'[^']+'|\S+)"#,
        // Services.
        r#"(?i)\bsystemctl\s+(?:--\S+\s+)*(?:stop|start|restart|disable|enable|kill|reload|mask|status)\s+(?:--\S+\s+)*("[^"]+"|\S+)"#,
        r#"(?i)\bservice\s+(\S+)\s+(?:stop|start|restart)\b"#,
        r#"(?i)\b(?:sc|net)(?:\.exe)?\s+(?:stop|start|delete)\s+("[^"]+"|\S+)"#,
        r#"(?i)\b(?:Stop|Start|Restart)-Service\s+(?:-Name\s+)?("[^"]+"|'[^']+'|\S+)"#,
        r#"(?i)\bsupervisorctl\s+(?:stop|start|restart)\s+(\S+)"#,
        // Scheduled tasks and autostart values.
        r#"(?i)\bschtasks(?:\.exe)?\s+/(?:delete|end|run|change)\s+(?:/\w+\s+)*?/tn\s+("[^"]+"|\S+)"#,
        r#"(?i)\b(?:Unregister|Disable|Stop)-ScheduledTask\b.*?-TaskName\s+("[^"]+"|'[^']+'|\S+)"#,
        r#"(?i)\breg(?:\.exe)?\s+delete\s+.*\\Run(?:Once)?"?\s+/v\s+("[^"]+"|\S+)"#,
        r#"(?i)\bRemove-ItemProperty\b.*\\Run(?:Once)?\b.*?-Name\s+("[^"]+"|'[^']+'|\S+)"#,
        r#"(?i)\bcrontab\s+-l\b.*\bgrep\s+-v\s+("[^"]+"|'[^']+'|[^\s|]+)"#,
        // Files: the program itself deleted.
        r#"(?i)\brm\s+(?:-\w+\s+)*([^;&|>]+)"#,
        r#"(?i)\b(?:del|erase)\s+(?:/\w\s+)*([^&|>]+)"#,
    ]
    .iter()
    .map(|p| Regex::new(p).expect("static regex"))
    .collect()
});

/// The mining program names, found without regard to ASCII case: a line that holds none
/// manages no miner, and a text that holds none costs this one pass.
static PROGRAMS: LazyLock<aho_corasick::AhoCorasick> = LazyLock::new(|| {
    aho_corasick::AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(program_names())
        .expect("static names")
});

/// The names of mining programs a management command may act on (the gate's needles too).
pub(super) fn program_names() -> impl Iterator<Item = &'static str> {
    MINER_NAMES
        .iter()
        .map(|&(name, _)| name)
        .filter(|name| !NOT_PROGRAMS.contains(name))
}

/// Whether a text names a mining program anywhere (the gate of `managed_miner`).
pub(super) fn names_a_program(text: &str) -> bool {
    PROGRAMS.is_match(text)
}

/// The family of the mining program a line's management command acts on, if it names one.
pub(super) fn managed_miner(line: &str) -> Option<&'static str> {
    if !PROGRAMS.is_match(line) {
        return None;
    }
    COMMANDS.iter().find_map(|re| {
        re.captures_iter(line)
            .filter_map(|c| c.get(1))
            .find_map(|object| object.as_str().split(is_separator).find_map(program_family))
    })
}

/// What separates the names a command acts on: spaces, quotes, list commas, path separators.
fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '"' | '\'' | ',' | '/' | '\\' | '*')
}

/// The family of a mining program named by `word`: its name or a build of it
/// (`knowledge::indicators::miner_name_entry`), with an executable, unit or script suffix.
fn program_family(word: &str) -> Option<&'static str> {
    let word = word.to_ascii_lowercase();
    let word = [".exe", ".service", ".sh", ".bat", ".cmd", ".timer"]
        .iter()
        .find_map(|s| word.strip_suffix(s))
        .unwrap_or(&word);
    miner_name_entry(word)
        .filter(|(name, _)| !NOT_PROGRAMS.contains(name))
        .map(|(_, family)| family)
}

#[cfg(test)]
mod tests {
    use super::managed_miner;

    #[test]
    fn commands_that_act_on_a_miner_program_name_it() {
        for (line, family) in [
            ("taskkill /f /im xmrig.exe >nul 2>&1", "xmrig"),
            ("taskkill /F /IM \"t-rex.exe\"", "t-rex"),
            ("tasklist /fi \"imagename eq PhoenixMiner.exe\" | find \"PID\"", "phoenixminer"),
            ("Stop-Process -Name xmrig -Force", "xmrig"),
            ("if (-not (Get-Process -Name \"PhoenixMiner\" -EA 0)) {", "phoenixminer"),
            ("pkill -f \"xmrig --config\" || true", "xmrig"),
            ("killall -9 xmrig-notls", "xmrig"),
            ("if ! pgrep -x nbminer >/dev/null; then", "nbminer"),
            ("systemctl disable --now lolminer.service", "lolminer"),
            ("service xmr-stak restart", "xmr-stak"),
            ("sc stop \"gminer\"", "gminer"),
            ("schtasks /delete /tn \"XMRig Miner\" /f", "xmrig"),
            ("Unregister-ScheduledTask -TaskName 'SRBMiner-MULTI' -Confirm:$false", "srbminer"),
            ("reg delete \"HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\" /v ccminer /f", "ccminer"),
            ("crontab -l | grep -v cpuminer | crontab -", "cpuminer"),
            ("rm -f /etc/systemd/system/nbminer.service /usr/local/bin/nbminer", "nbminer"),
            ("del /f /q \"%APPDATA%\\svc\\xmrig.exe\"", "xmrig"),
        ] {
            assert_eq!(managed_miner(line), Some(family), "{line}");
        }
    }

    #[test]
    fn commands_on_other_programs_and_mere_mentions_name_none() {
        for line in [
            "taskkill /f /im ReportViewer.exe >nul 2>&1",
            "systemctl stop node_exporter",
            "pkill -f \"celery worker\" || true",
            "Stop-Process -Name chrome -Force",
            "schtasks /delete /tn \"AcmeSync Updater\" /f",
            "rm -f /tmp/minerdev.log",
            "systemctl stop minerva.service",
            "echo xmrig stopped",
            "git clone https://github.com/xmrig/xmrig && cd xmrig",
            // The binaries of campaigns are what clean-up guides kill, not what a kit manages.
            "pkill -9 kdevtmpfsi; pkill -9 kinsing",
            "killall sysupdate networkservice",
        ] {
            assert_eq!(managed_miner(line), None, "{line}");
        }
    }
}
