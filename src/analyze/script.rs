//! Behaviour heuristics for scripts and the text formats that run commands: shell, PowerShell,
//! batch, VBScript, JScript/JavaScript, Python, Perl, crontab files and lines, systemd units,
//! Windows Task Scheduler XML (UTF-16LE decoded) and HTML pages. Each indicator group is a
//! finding with the lines that matched, and each group maps to one class, so that the verdict
//! decides by combination: `pkill` or `curl | sh` alone in an admin script is one class at
//! most; killing rival miners beside a miner launch is malicious.
//!
//! Groups and classes:
//! - rival_kill: `kill_rival_miners`, `kill_security_agents`; `rival_miner_sweep` (three or
//!   more techniques against rival miners, or six or more miner names killed: see `sweep`),
//!   which the verdict counts as suspicious on its own
//! - persistence: `cron_persistence`, `scheduled_task`, `systemd_persistence`, `rc_local`,
//!   `shell_profile`, `ssh_authorized_keys`, `ld_preload`, `run_key`, `wmi_persistence`,
//!   `startup_folder`; `autostart_entry` (the file itself is a cron/systemd/task entry) counts
//!   only beside miner evidence
//! - download_exec: `pipe_to_shell`, `download_chmod_exec`, `powershell_download_exec`,
//!   `certutil_download`, `bitsadmin_download`, `python_download_exec`, `mshta_remote`,
//!   `vbs_download_exec`
//! - evasion: `chattr_immutable`, `disable_selinux`, `disable_firewall`, `disable_defender`,
//!   `disable_security_agents`, `clear_history`, `clear_logs`, `hidden_attributes`,
//!   `base64_to_shell`, `powershell_encoded`, `encoded_payload`, `long_encoded_blob`; beside
//!   miner evidence only: `chattr_unlock`, `hidden_window`, `background_flag`,
//!   `conditional_mining`
//! - miner: `manages_miner` (stops, starts, watches or removes a mining program: a kit's own
//!   scripts; alone at most suspicious, see `manage`), `msr_tuning` (writes the MSRs that RandomX miners tune), `web_miner_start`,
//!   `decoded_pool_endpoint`; info: `hugepages_tuning` (databases and DPDK reserve huge pages too)
//! - injection: `web_miner_library`, `web_miner_injection`
//!
//! One layer of base64 or hex (at least `MIN_B64` characters, decoded up to `MAX_DECODED`
//! bytes) is decoded, and decoded text is scanned with the same heuristics, the shared indicator matcher
//! and the config analyzer's launch-command reader. What a file quotes (`quoting`: a
//! document's examples, a rule set's literals, a list's entries) gets `info` only; its other
//! lines are judged like any script, so that no wrapping hides a command.

use super::config::{decoded_text, scan_command_lines, walked_as_is, DecodedAt};
use super::gate;
use super::{Analyzer, AnalyzerError, AnalyzerWorker};
use crate::analyze::id::AnalyzerId;
use crate::judge::finding::{Class, Evidence, Finding};
use crate::judge::verdict::MANAGES_MINER;
use crate::knowledge::indicators::{
    pool_fact, stratum_urls, IndicatorKind, Indicators, SECURITY_AGENTS,
};
use crate::scan::context::FileContext;
use crate::scan::kind::utf16le_text;
use crate::scan::kind::FileKind;
use crate::scan::quoting::Quoting;
use base64::Engine as _;
use regex::{Regex, RegexSet, RegexSetBuilder};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;
use sweep::Sweep;

pub struct ScriptAnalyzer;

const ID: AnalyzerId = AnalyzerId::Script;
/// Lines longer than this are data (minified code, blobs), not commands.
const MAX_LINE: usize = 4096;
/// Shortest base64 run that is decoded, and the most decoded from one run and one file.
const MIN_B64: usize = 40;
const MAX_DECODED: usize = 256 << 10;
const MAX_BLOBS: usize = 16;
/// A base64 run this long in a script is an obfuscated payload whatever it decodes to.
const LONG_BLOB: usize = 2048;

impl Analyzer for ScriptAnalyzer {
    fn id(&self) -> AnalyzerId {
        ID
    }
    fn reads_text_only(&self) -> bool {
        true
    }
    fn needles(&self) -> Vec<&'static str> {
        GATES
            .as_ref()
            .map(|g| g.needles.iter().map(String::as_str).collect())
            .unwrap_or_default()
    }
    fn worker(&self) -> Box<dyn AnalyzerWorker + '_> {
        Box::new(ScriptWorker)
    }
}

struct ScriptWorker;

impl AnalyzerWorker for ScriptWorker {
    fn applies(&self, kind: FileKind) -> bool {
        // Every text: a kind (JSON, a rule set) never hides a file's commands.
        kind.is_text()
    }

    fn analyze(&mut self, ctx: &FileContext, out: &mut Vec<Finding>) -> Result<(), AnalyzerError> {
        let Some(text) = decoded_text(ctx) else {
            return Ok(());
        };
        // Quoting is worked out only when a line has something to say (`ctx.quotes` is lazy).
        let is_quoted = |line: usize| ctx.quoted_line(line).is_some();
        let (mut live, mut quoted) = (Acc::default(), Acc::default());
        let (mut decoded_live, mut decoded_quoted) = (Vec::new(), Vec::new());
        {
            let mut sink = Sink {
                live: &mut live,
                quoted: &mut quoted,
                is_quoted: &is_quoted,
            };
            // The shared pass found the gates' needles in the bytes; they are the text's only
            // where the walk searched this very text.
            let hits = GATES
                .as_ref()
                .filter(|_| walked_as_is(ctx, &text))
                .map(|g| g.hit_needles(&ctx.needle_hits(ID)));
            scan_lines(&text, ctx.indicators, None, hits.as_deref(), &mut sink);
            if matches!(ctx.kind, FileKind::Html | FileKind::JavaScript) || text.contains("<script")
            {
                web_miner(&text, ctx.kind, &mut sink);
            }
            autostart_entry(ctx, &text, &mut sink);
            decode_layer(
                &text,
                ctx,
                &mut sink,
                &mut decoded_live,
                &mut decoded_quoted,
            );
        }
        let live: Vec<Finding> = live.findings.into_values().chain(decoded_live).collect();
        // Only asked when something was quoted: working out a document's quotes reads it all.
        let what = if quoted.findings.is_empty() && decoded_quoted.is_empty() {
            None
        } else {
            ctx.quotes().map(|q| q.what)
        };
        for mut f in quoted.findings.into_values().chain(decoded_quoted) {
            // The same heuristic on a line outside the quotes already counts.
            if live.iter().any(|l| l.rule == f.rule) {
                continue;
            }
            let note = match what {
                // A document's examples show commands; what it says it does (a web miner in
                // its page, miner evidence) still counts.
                Some(Quoting::Document) => {
                    if !f.class.is_behaviour()
                        || f.rule == "web_miner_library"
                        || f.rule == "web_miner_injection"
                    {
                        out.push(f);
                        continue;
                    }
                    " (in documentation)"
                }
                Some(Quoting::Rules) => " (quoted in a rule set)",
                Some(Quoting::List) | None => " (in a list)",
            };
            f.description.push_str(note);
            f.class = Class::Info;
            f.when_miner = None;
            out.push(f);
        }
        out.extend(live);
        Ok(())
    }
}

/// Where a line's findings go: quoted lines (`quoting`) to `quoted`, the others to `live`.
struct Sink<'a> {
    live: &'a mut Acc,
    quoted: &'a mut Acc,
    is_quoted: &'a dyn Fn(usize) -> bool,
}

impl Sink<'_> {
    /// The findings of 1-based line `line`.
    fn at(&mut self, line: usize) -> &mut Acc {
        if (self.is_quoted)(line) {
            self.quoted
        } else {
            self.live
        }
    }

    /// The findings of a fact drawn from several lines: live if any of them is.
    fn at_any(&mut self, lines: &[usize]) -> &mut Acc {
        if lines.iter().all(|&l| (self.is_quoted)(l)) {
            self.quoted
        } else {
            self.live
        }
    }
}

/// The findings of one file, one per rule, collecting the lines that matched.
#[derive(Default)]
struct Acc {
    findings: BTreeMap<&'static str, Finding>,
}

impl Acc {
    fn add(&mut self, rule: &Rule, evidence: Evidence) {
        self.add_with(
            rule.rule,
            rule.class,
            rule.when_miner,
            rule.score,
            rule.desc,
            evidence,
        );
    }

    fn add_with(
        &mut self,
        rule: &'static str,
        class: Class,
        when_miner: bool,
        score: u8,
        desc: &str,
        evidence: Evidence,
    ) {
        let f = self.findings.entry(rule).or_insert_with(|| {
            let f = Finding::new(ID, rule, class, score, desc);
            if when_miner {
                f.when_miner(class)
            } else {
                f
            }
        });
        f.push_evidence(evidence);
    }

    fn has_behaviour(&self) -> bool {
        self.findings
            .values()
            .any(|f| f.class != Class::Info || f.when_miner.is_some())
    }
}

/// One line heuristic.
struct Rule {
    rule: &'static str,
    class: Class,
    /// `info` alone, `class` beside miner evidence.
    when_miner: bool,
    score: u8,
    desc: &'static str,
    pattern: &'static str,
    /// A line that also matches this is not the behaviour (`crontab -l | grep -v x | crontab -`
    /// removes a job; `echo 'export PATH=..' >> ~/.bashrc` sets up a shell).
    unless: &'static str,
}

const fn rule(
    rule: &'static str,
    class: Class,
    score: u8,
    desc: &'static str,
    pattern: &'static str,
) -> Rule {
    Rule {
        rule,
        class,
        when_miner: false,
        score,
        desc,
        pattern,
        unless: "",
    }
}

const fn rule_unless(
    rule: &'static str,
    class: Class,
    score: u8,
    desc: &'static str,
    pattern: &'static str,
    unless: &'static str,
) -> Rule {
    Rule {
        rule,
        class,
        when_miner: false,
        score,
        desc,
        pattern,
        unless,
    }
}

const fn ctx_rule(
    rule: &'static str,
    class: Class,
    score: u8,
    desc: &'static str,
    pattern: &'static str,
) -> Rule {
    Rule {
        rule,
        class,
        when_miner: true,
        score,
        desc,
        pattern,
        unless: "",
    }
}

use Class::{DownloadExec, Evasion, Info, Miner, Persistence};

static RULES: &[Rule] = &[
    // Persistence.
    rule_unless(
        "cron_persistence",
        Persistence,
        40,
        "installs a cron job",
        r"(?i)crontab\s+-l\b.*\|\s*crontab\b|\|\s*crontab\s+(?:-u\s+\S+\s+)?-\s*$|\bcrontab\s+(?:-u\s+\S+\s+)?[^-\s|;&]\S*\s*(?:$|[;&])|(?:>>?|\btee\s+(?:-a\s+)?|\b(?:cp|mv|install)\s+(?:-\S+\s+)*\S+\s+)\s*/(?:var/spool/cron|etc/cron\.(?:d|hourly|daily|weekly|monthly)|etc/crontab)\b",
        r"\bgrep\s+-v\b|\bsed\s+.*/d\b|\bcrontab\s+-r\b",
    ),
    rule_unless(
        "shell_profile",
        Persistence,
        35,
        "appends a command to a shell start-up file",
        r"(?:>>|\btee\s+-a\s+)\s*(?:~|\$HOME|\$\{HOME\}|/root|/home/[^/\s]+)/\.(?:bashrc|bash_profile|bash_login|profile|zshrc)\b|(?:>>|\btee\s+-a\s+)\s*/etc/(?:profile|bash\.bashrc|profile\.d/\S+)",
        r"\bexport\s|\bPATH=|\balias\s|\bsource\s|\.\s+\x22?\$HOME|\bcomplete\s|\beval\s|\bulimit\b|\bumask\b|\bfpath\b",
    ),
    rule(
        "scheduled_task",
        Persistence,
        40,
        "creates a scheduled task",
        r"(?i)\bschtasks(?:\.exe)?\s+/create\b|\bRegister-ScheduledTask\b|\bNew-ScheduledTaskAction\b",
    ),
    // Writing a unit file is how droppers persist; enabling a packaged service (`systemctl
    // enable nginx`) is everyday administration and counts only beside miner evidence.
    rule(
        "systemd_persistence",
        Persistence,
        35,
        "installs a service unit",
        r"(?i)(?:>>?|\btee\s+(?:-a\s+)?|\b(?:cp|mv|install)\s+(?:-\S+\s+)*\S+\s+)\s*/(?:etc|lib|usr/lib)/systemd/system/\S+\.(?:service|timer)\b",
    ),
    ctx_rule(
        "service_enable",
        Persistence,
        30,
        "enables a service at boot",
        r"(?i)\bsystemctl\s+(?:--\S+\s+)*enable\b|\bupdate-rc\.d\s+\S+\s+(?:defaults|enable)\b|\bchkconfig\s+(?:--add\s+\S+|\S+\s+on)\b",
    ),
    rule(
        "rc_local",
        Persistence,
        40,
        "adds a command to a boot script",
        r"(?:>>?|\btee\s+(?:-a\s+)?)\s*/etc/(?:rc\.d/)?rc\.local\b|\b(?:cp|mv)\s+\S+\s+/etc/init\.d/\S+|(?:>>?|\btee\s+(?:-a\s+)?)\s*/etc/init\.d/\S+",
    ),
    rule(
        "ssh_authorized_keys",
        Persistence,
        40,
        "adds an SSH key for access",
        r"(?:>>?|\btee\s+(?:-a\s+)?)\s*\S*authorized_keys2?\b",
    ),
    rule(
        "ld_preload",
        Persistence,
        55,
        "writes /etc/ld.so.preload",
        r"(?:>>?|\btee\s+(?:-a\s+)?)\s*/etc/ld\.so\.preload\b|\b(?:cp|mv)\s+\S+\s+/etc/ld\.so\.preload\b",
    ),
    rule(
        "run_key",
        Persistence,
        45,
        "adds a Run registry key",
        r"(?i)\breg(?:\.exe)?\s+add\s+\S*\\CurrentVersion\\Run(?:Once)?\b|\b(?:Set|New)-ItemProperty\b.*\\CurrentVersion\\Run(?:Once)?\b|\bRegWrite\b.*\\CurrentVersion\\Run(?:Once)?\\",
    ),
    rule(
        "wmi_persistence",
        Persistence,
        50,
        "creates a WMI event subscription",
        r"(?i)\b__EventFilter\b|\bCommandLineEventConsumer\b|\bActiveScriptEventConsumer\b",
    ),
    rule(
        "startup_folder",
        Persistence,
        40,
        "writes to the Startup folder",
        r"(?i)\\Start Menu\\Programs\\Startup\\|\bshell:startup\b|\[Environment\]::GetFolderPath\(\s*['\x22]?Startup",
    ),
    // Download and execute.
    rule(
        "pipe_to_shell",
        DownloadExec,
        40,
        "pipes a download into an interpreter",
        r"(?i)\b(?:curl|wget|fetch)\b[^|;&]*\|\s*(?:sudo\s+)?(?:-\S+\s+)*(?:/(?:usr/)?bin/)?(?:ba|da|z|k)?sh\b|\b(?:ba|z)?sh\s+(?:-c\s+)?[\x22']?\$\(\s*(?:curl|wget)\b|\b(?:ba|z)?sh\s+<\(\s*(?:curl|wget)\b|\b(?:curl|wget)\b[^|;&]*\|\s*(?:sudo\s+)?(?:python[23]?|perl|php|ruby)\b",
    ),
    rule(
        "powershell_download_exec",
        DownloadExec,
        50,
        "runs a downloaded PowerShell script",
        r"(?i)\b(?:iex|invoke-expression)\b.*\b(?:downloadstring|downloaddata|invoke-webrequest|iwr|irm|invoke-restmethod|net\.webclient)\b|\b(?:downloadstring|invoke-webrequest|iwr|irm|invoke-restmethod)\b.*\|\s*(?:iex|invoke-expression)\b|\bdownloadfile\s*\(.*\).*\b(?:start-process|invoke-item|start)\b",
    ),
    rule(
        "certutil_download",
        DownloadExec,
        50,
        "downloads with certutil",
        r"(?i)\bcertutil(?:\.exe)?\b.*-urlcache\b",
    ),
    rule(
        "bitsadmin_download",
        DownloadExec,
        45,
        "downloads with BITS",
        r"(?i)\bbitsadmin(?:\.exe)?\b.*/transfer\b|\bStart-BitsTransfer\b.*https?://",
    ),
    rule(
        "python_download_exec",
        DownloadExec,
        45,
        "downloads and runs code from a one-liner",
        r"(?i)\bpython[23]?(?:\.exe)?\s+-c\s+.*\b(?:urllib|urlopen|requests\.get)\b|\bexec\s*\(\s*(?:urllib|requests|__import__\(\s*['\x22]urllib)|\bperl\s+-e\s+.*\b(?:LWP::|IO::Socket)",
    ),
    rule(
        "mshta_remote",
        DownloadExec,
        50,
        "runs remote script with mshta or regsvr32",
        r"(?i)\bmshta(?:\.exe)?\s+[\x22']?(?:https?|vbscript|javascript):|\bregsvr32\b.*/i:https?://",
    ),
    // Evasion.
    rule(
        "chattr_immutable",
        Evasion,
        35,
        "makes files immutable (chattr +i)",
        r"\bchattr\s+(?:-\w+\s+)*\+[a-zA-Z]*i",
    ),
    ctx_rule(
        "chattr_unlock",
        Evasion,
        25,
        "removes the immutable flag (chattr -i)",
        r"\bchattr\s+(?:-R\s+)?-[a-zA-Z]*i\b",
    ),
    rule(
        "disable_selinux",
        Evasion,
        35,
        "disables SELinux",
        r"(?i)\bsetenforce\s+0\b|SELINUX=disabled",
    ),
    rule(
        "disable_firewall",
        Evasion,
        35,
        "disables the firewall",
        r"(?i)\bufw\s+disable\b|\bsystemctl\s+(?:stop|disable|mask)\s+(?:firewalld|ufw|iptables)\b|\bservice\s+(?:iptables|firewalld)\s+stop\b|\bnetsh\s+(?:adv)?firewall\s+set\b.*\b(?:state\s+off|opmode\s+disable)",
    ),
    rule(
        "disable_defender",
        Evasion,
        50,
        "weakens Microsoft Defender",
        r"(?i)\bSet-MpPreference\b.*-Disable\w+|\bAdd-MpPreference\b.*-Exclusion\w+|\bDisableAntiSpyware\b|\bDisableRealtimeMonitoring\b",
    ),
    rule(
        "clear_history",
        Evasion,
        35,
        "clears shell history",
        r"(?i)\bhistory\s+-c\b|\bunset\s+HISTFILE\b|\bHISTFILE=/dev/null|\bHISTSIZE=0\b|\brm\s+(?:-\w+\s+)*\S*\.bash_history\b|>\s*\S*\.bash_history\b",
    ),
    rule(
        "clear_logs",
        Evasion,
        40,
        "clears system logs",
        r"(?i)(?:^|[;&|]\s*|\becho\s*|cat\s+/dev/null\s*|truncate\s+-s\s*0\s+)>?\s*/var/log/(?:wtmp|btmp|lastlog|secure|auth\.log|messages|syslog)\b|\brm\s+-\w*\s+/var/log/(?:wtmp|btmp|lastlog|secure|auth\.log|messages|syslog)\b|\bwevtutil(?:\.exe)?\s+(?:cl|clear-log)\b|\bClear-EventLog\b",
    ),
    ctx_rule(
        "hidden_window",
        Evasion,
        25,
        "runs in a hidden window",
        r"(?i)\b(?:powershell|pwsh)(?:\.exe)?\b.*\s-w(?:in\w*)?\s+(?:h|hidden|1)\b|-WindowStyle\s+Hidden\b|\.Run\b.*,\s*0\s*(?:,\s*(?:true|false))?\s*\)?\s*;?\s*$|\bstart\s+(?:\x22[^\x22]*\x22\s+)?/b\b|\bCreateNoWindow\s*=\s*\$?true\b|<Hidden>\s*true\s*</Hidden>",
    ),
    // xmrig's and cpuminer's own way to hide: detached from the console, no window.
    ctx_rule(
        "background_flag",
        Evasion,
        25,
        "starts a program detached in the background (--background)",
        r"(?i)(?:^|[\s\x22',])--background\b",
    ),
    rule(
        "hidden_attributes",
        Evasion,
        35,
        "hides files with attributes",
        r"(?i)\battrib(?:\.exe)?\s+.*\+h\b|\.Attributes\s*=.*\bHidden\b",
    ),
    rule(
        "base64_to_shell",
        Evasion,
        45,
        "decodes base64 into an interpreter",
        r"(?i)\bbase64\s+(?:-d|--decode|-D)\b[^|]*\|\s*(?:sudo\s+)?(?:ba|da|z|k)?sh\b|\bbase64\s+(?:-d|--decode)\s*\)?\s*\|\s*(?:ba|z)?sh\b|\beval\s*[(\x22]?\s*\$\(\s*echo\s+\S+\s*\|\s*base64\s+(?:-d|--decode)|\bexec\s*\(\s*(?:base64\.b64decode|__import__\(\s*['\x22]base64)|\beval\s*\(\s*(?:base64_decode|gzinflate\s*\(\s*base64_decode|decode_base64)|FromBase64String\s*\(.*\b(?:iex|invoke-expression)\b|\b(?:iex|invoke-expression)\b.*FromBase64String",
    ),
    // Miner tuning.
    rule(
        "msr_tuning",
        Miner,
        45,
        "writes the CPU registers that RandomX miners tune",
        r"(?i)\bwrmsr\b.*\b0x(?:1a4|c0011020|c0011021|c0011022|c001102b)\b",
    ),
    rule(
        "hugepages_tuning",
        Info,
        10,
        "reserves huge pages or loads the msr module",
        r"\bvm\.nr_hugepages\b|/proc/sys/vm/nr_hugepages\b|\bmodprobe\s+msr\b",
    ),
    // Conditional mining: who is logged on, what time it is.
    ctx_rule(
        "conditional_mining",
        Evasion,
        40,
        "runs only for some users or hours",
        r"(?i)\bDomain Admins\b|\bEnterprise Admins\b|\bIsInRole\b.*Administrator|\bwhoami\s+/groups\b|\bGet-ADGroupMember\b|\(Get-Date\)\.(?:Hour|DayOfWeek)\b|\[DateTime\]::Now\.(?:Hour|DayOfWeek)\b|\bdate\s+\+%?[HkIu]\b",
    ),
];

/// Each rule's regex and its `unless`. A line is tried only against the rules the text can
/// match (`checks_in`), one regex each: a set of them all ran its slowest matcher on every line
/// with a non-ASCII character (the rules' Unicode word boundaries).
static RULE_REGEXES: LazyLock<Vec<(Regex, Option<Regex>)>> = LazyLock::new(|| {
    RULES
        .iter()
        .map(|r| {
            let unless =
                (!r.unless.is_empty()).then(|| Regex::new(r.unless).expect("static regex"));
            (Regex::new(r.pattern).expect("static regex"), unless)
        })
        .collect()
});

static KILL_VERB: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:pkill|killall|kill|taskkill|tskill|Stop-Process|spps)\b|\bwmic\b.*\bprocess\b.*\b(?:delete|terminate)\b|\|\s*xargs\s+(?:-\S+\s+)*kill\b")
        .expect("static regex")
});
/// Words that name mining processes without naming one program.
static MINERISH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)miner|\bxmr|stratum|monero|cryptonight|\bminerd\b|:(?:3333|4444|5555|7777|9999|14444|14433|45560|45700)\b|\$3\s*>\s*\d")
        .expect("static regex")
});
static AGENT_STOP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bsystemctl\s+(?:stop|disable|mask)\b|\bservice\s+\S+\s+stop\b|\buninstall|\brm\s+-\w*r\w*\s|\bchkconfig\b.*\boff\b|\b(?:sc|net)(?:\.exe)?\s+(?:stop|delete|config)\b|\bupdate-rc\.d\b.*\bremove\b")
        .expect("static regex")
});
/// The published uninstall paths of cloud monitoring agents.
static AGENT_UNINSTALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)/usr/local/qcloud/\S*(?:uninstall|stop)|/usr/local/aegis\b|aegis_uninstall|quartz_uninstall|/usr/local/cloudmonitor/\S*(?:stop|uninstall)|/usr/local/bin/aliyun-service\b")
        .expect("static regex")
});
static DOWNLOAD_TO_FILE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:curl|wget)\b.*\s(?:-o|-O|--output|--output-document)[\s=]*\S|\b(?:curl|wget)\b[^|]*\s>\s*\S|\b(?:tftp|scp)\b.*\s/(?:tmp|var/tmp|dev/shm)/")
        .expect("static regex")
});
static CHMOD_X: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\bchmod\s+(?:-\w+\s+)*(?:[ugoa]*\+x|0?[0-7]?[1357][0-7]{2})\b")
        .expect("static regex")
});
static PS_ENCODED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:powershell|pwsh)(?:\.exe)?\b.*?\s[-/]e(?:c|n|nc|nco|ncod|ncode|ncoded|ncodedc\w*)?\s+['\x22]?([A-Za-z0-9+/]{16,}={0,2})")
        .expect("static regex")
});
/// What `PS_ENCODED` needs before anything else.
static POWERSHELL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)powershell|pwsh").expect("static regex"));
static B64_RUN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[A-Za-z0-9+/]{40,}={0,2}").expect("static regex"));
static CRON_LINE: LazyLock<Regex> = LazyLock::new(|| {
    // Five schedule fields (numbers of one or two digits, `*`, ranges, steps and lists; day
    // names in the last): a list of years or version numbers is no schedule.
    Regex::new(r"^\s*(?:@(?:reboot|hourly|daily|weekly|monthly|yearly|annually|midnight)|(?:(?:\*|\d{1,2})(?:[-/,](?:\*|\d{1,2}))*\s+){4}(?:(?:\*|\d{1,2})(?:[-/,](?:\*|\d{1,2}))*|[A-Za-z]{3}(?:[-,][A-Za-z]{3})*))\s+\S")
        .expect("static regex")
});

/// Which line heuristics can match anywhere in a text: the rule patterns and the four line
/// regexes of `scan_lines`, in multi-line mode, searched once over the whole text. A pattern
/// that matches a line matches the whole text in this mode (`.` stops at line ends, `^` and `$`
/// match at them, CRLF included), so lines are searched only for what the text can hold: five
/// regex searches a line were most of the cost of scanning ordinary text.
///
/// The gate drops the patterns' word boundaries: a Unicode `\b` sends the regex engine to its
/// slowest matcher over a whole text with any non-ASCII byte, and a pattern without one of its
/// assertions matches wherever the pattern does.
static LINE_GATE: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSetBuilder::new(line_gate_patterns())
        .multi_line(true)
        .crlf(true)
        .dfa_size_limit(32 << 20)
        .build()
        .expect("static regexes")
});

fn line_gate_patterns() -> Vec<String> {
    let gated = gated_line_regexes().map(Regex::as_str);
    RULES
        .iter()
        .map(|r| r.pattern)
        .chain(gated)
        .map(without_word_boundaries)
        .collect()
}

/// `pattern` with its `\b` assertions removed (escaped backslashes left alone).
fn without_word_boundaries(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('b') => {}
            Some(next) => {
                out.push(c);
                out.push(next);
            }
            None => out.push(c),
        }
    }
    out
}
/// The four line regexes the gate holds after the rules, in its order.
/// The gates of `scan_lines`' checks, decided by the script analyzer's needles: literals
/// that every line heuristic, kill, download, agent, management and VBScript check needs
/// (`gate::gate`, worked out from the patterns), found for it by the shared pass. A text that
/// satisfies no check's gate is not read line by line at all.
struct Gates {
    needles: Vec<String>,
    /// Per check, numbered as `LINE_GATE` numbers them (the rules, then download, kill,
    /// uninstall, stop): alternatives of conjunctions of clauses of needle indices.
    checks: Vec<Vec<Vec<Vec<usize>>>>,
    /// Needles naming a mining program (`manage`), and the VBScript downloader's.
    programs: Vec<usize>,
    vbs: usize,
}

/// Which checks of `scan_lines` a text can satisfy.
struct Candidates {
    checks: Vec<bool>,
    manages: bool,
    vbs: bool,
}

impl Gates {
    fn build() -> Option<Gates> {
        let mut gates: Vec<Vec<gate::Conj>> = Vec::new();
        let patterns = RULES
            .iter()
            .map(|r| r.pattern)
            .chain([&DOWNLOAD_TO_FILE, &KILL_VERB, &AGENT_UNINSTALL].map(|r| r.as_str()));
        for p in patterns {
            gates.push(gate::gate(p, MIN_NEEDLE)?);
        }
        // Stopping a service counts only where the line names a security agent
        // (`names_agent`): the agents' names gate it, not the stop commands.
        let agents = SECURITY_AGENTS
            .iter()
            .map(|n| n.to_ascii_lowercase())
            .collect();
        gates.push(vec![vec![agents]]);
        let programs: Vec<String> = manage::program_names()
            .map(str::to_ascii_lowercase)
            .collect();
        let mut needles: Vec<String> = gates
            .iter()
            .flat_map(|g| gate::literals(g).map(str::to_owned))
            .chain(programs.iter().cloned())
            .chain([VBS_STREAM.to_owned()])
            .collect();
        needles.sort();
        needles.dedup();
        let printable = |n: &String| {
            n.len() >= MIN_NEEDLE && n.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
        };
        if !needles.iter().all(printable) {
            return None;
        }
        let index = |l: &str| {
            needles
                .binary_search_by(|n| n.as_str().cmp(l))
                .expect("listed")
        };
        let checks = gates
            .iter()
            .map(|g| {
                g.iter()
                    .map(|conj| {
                        conj.iter()
                            .map(|cl| cl.iter().map(|l| index(l)).collect())
                            .collect()
                    })
                    .collect()
            })
            .collect();
        Some(Gates {
            programs: programs.iter().map(|p| index(p)).collect(),
            vbs: index(VBS_STREAM),
            checks,
            needles,
        })
    }

    /// Which needles the shared pass found.
    fn hit_needles(&self, hits: &[crate::knowledge::indicators::NeedleHit]) -> Vec<bool> {
        let mut hit = vec![false; self.needles.len()];
        for h in hits {
            hit[h.needle] = true;
        }
        hit
    }

    fn candidates(&self, hit: &[bool]) -> Candidates {
        let met = |conj: &Vec<Vec<usize>>| conj.iter().all(|cl| cl.iter().any(|&n| hit[n]));
        Candidates {
            checks: self
                .checks
                .iter()
                .map(|alts| alts.iter().any(met))
                .collect(),
            manages: self.programs.iter().any(|&n| hit[n]),
            vbs: hit[self.vbs],
        }
    }
}

static GATES: LazyLock<Option<Gates>> = LazyLock::new(Gates::build);

/// Each check of `LINE_GATE` on its own, to confirm a candidate over the whole text: a single
/// regex finds its literal with a vectorised search, where the set runs a slow automaton.
static CHECK_GATES: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    line_gate_patterns()
        .iter()
        .map(|p| {
            regex::RegexBuilder::new(p)
                .multi_line(true)
                .crlf(true)
                .build()
                .expect("static regex")
        })
        .collect()
});

/// Shortest needle: PowerShell's aliases (`iex`, `iwr`) are three letters.
const MIN_NEEDLE: usize = 3;
const VBS_STREAM: &str = "adodb.stream";

fn gated_line_regexes() -> [&'static Regex; 4] {
    [&DOWNLOAD_TO_FILE, &KILL_VERB, &AGENT_UNINSTALL, &AGENT_STOP].map(|r| &**r)
}

fn is_comment(line: &str) -> bool {
    let t = line.trim_start();
    (t.starts_with('#') && !t.starts_with("#!"))
        || t.starts_with("//")
        || t.starts_with("::")
        || t.starts_with('\'')
        || t.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("rem "))
}

/// Which checks of `scan_lines` can match somewhere in `text`: by the gates' `needles` where
/// they are known (each candidate then confirmed over the whole text on its own), else by
/// `LINE_GATE`.
fn checks_in(text: &str, needles: Option<&[bool]>) -> Candidates {
    match GATES.as_ref().zip(needles) {
        Some((gates, hit)) => {
            let mut can = gates.candidates(hit);
            for (check, re) in can.checks.iter_mut().zip(CHECK_GATES.iter()) {
                *check = *check && re.is_match(text);
            }
            can
        }
        None => {
            let set = LINE_GATE.matches(text);
            Candidates {
                checks: (0..set.len()).map(|i| set.matched(i)).collect(),
                manages: manage::names_a_program(text),
                vbs: true,
            }
        }
    }
}

/// Runs the line heuristics over `text`. `decoded` marks text decoded from a blob at a line.
/// `needles`, where given, are the gates' needles found in `text` (see `Gates`).
fn scan_lines(
    text: &str,
    ind: &Indicators,
    decoded: Option<DecodedAt>,
    needles: Option<&[bool]>,
    sink: &mut Sink,
) {
    let regexes = &*RULE_REGEXES;
    let can = checks_in(text, needles);
    let rules: Vec<usize> = (0..RULES.len()).filter(|&i| can.checks[i]).collect();
    let [download, kill, uninstall, stop]: [bool; 4] =
        std::array::from_fn(|i| can.checks[RULES.len() + i]);
    let evidence = |n: usize, line: &str| match decoded {
        Some(d) => Evidence::line(d.line, &format!("decoded: {}", line.trim())),
        None => Evidence::line(n + 1, line),
    };
    // Lines are visited one at a time, never collected: a script of millions of short lines
    // costs no memory per line. The few rules that look back keep what they need: the last
    // download line, and the lines a kill command may be fed by.
    let mut download_at: Option<(usize, &str)> = None;
    let mut recent = Recent::default();
    let mut sweep = Sweep::default();
    // A sweep kills: without a kill verb in the text there is none to look for.
    let sweep_gate = kill.then(|| sweep::Gate::new(text));
    let manages = can.manages;
    let lines = !rules.is_empty() || download || kill || uninstall || stop || manages;
    for (n, line) in text.lines().enumerate().take_while(|_| lines) {
        recent.push(n, line);
        if line.len() > MAX_LINE || line.trim().is_empty() || is_comment(line) {
            continue;
        }
        if let Some(gate) = &sweep_gate {
            sweep.line(gate, n, line);
        }
        for &i in &rules {
            let (re, unless) = &regexes[i];
            if re.is_match(line) && !unless.as_ref().is_some_and(|u| u.is_match(line)) {
                sink.at(n + 1).add(&RULES[i], evidence(n, line));
            }
        }
        // Download, then make executable within a few lines.
        if download && DOWNLOAD_TO_FILE.is_match(line) {
            download_at = Some((n, line));
        }
        if let Some(download) = download_at.filter(|&(d, _)| n - d <= 5) {
            if CHMOD_X.is_match(line) {
                download_then_chmod(download, (n, line), sink, &evidence);
            }
        }
        if kill && KILL_VERB.is_match(line) {
            let names = kill_rivals(recent.lines(), ind, sink.at(n + 1), &evidence);
            if let Some(names) = names {
                sweep.killed(n, names.into_iter());
            }
        }
        if let Some(family) = manages.then(|| manage::managed_miner(line)).flatten() {
            manages_miner(family, sink.at(n + 1), evidence(n, line));
        }
        if (uninstall && AGENT_UNINSTALL.is_match(line))
            || (stop && AGENT_STOP.is_match(line) && names_agent(line, ind))
        {
            sink.at(n + 1).add_with(
                "disable_security_agents",
                Evasion,
                false,
                50,
                "stops or removes cloud security agents",
                evidence(n, line),
            );
        }
    }
    rival_sweep(&sweep, sink, &evidence, text);
    if can.vbs {
        vbs_downloader(text, sink, &evidence);
    }
}

/// VBScript/JScript downloader: an HTTP object, a stream saved to disk, and a shell run.
/// A lowered copy (one text's size) searched with memchr's SIMD finders: faster here than
/// case-insensitive automata over the text.
fn vbs_downloader(text: &str, sink: &mut Sink, evidence: &dyn Fn(usize, &str) -> Evidence) {
    let lower = text.to_ascii_lowercase();
    if !((lower.contains("xmlhttp") || lower.contains("winhttprequest"))
        && lower.contains(VBS_STREAM)
        && (lower.contains(".run") || lower.contains(".exec") || lower.contains("shellexecute")))
    {
        return;
    }
    for (n, line) in text.lines().enumerate() {
        let l = line.to_ascii_lowercase();
        if line.len() <= MAX_LINE
            && (l.contains("xmlhttp") || l.contains("winhttprequest") || l.contains("savetofile"))
        {
            sink.at(n + 1).add_with(
                "vbs_download_exec",
                DownloadExec,
                false,
                50,
                "downloads a file with an HTTP object and runs it",
                evidence(n, line),
            );
        }
    }
}

/// `download_chmod_exec`: a download at `download`, made executable at `chmod`.
fn download_then_chmod(
    (d, download_line): (usize, &str),
    (n, line): (usize, &str),
    sink: &mut Sink,
    evidence: &dyn Fn(usize, &str) -> Evidence,
) {
    let acc = sink.at_any(&[d + 1, n + 1]);
    acc.add_with(
        "download_chmod_exec",
        DownloadExec,
        false,
        40,
        "downloads a file and makes it executable",
        evidence(d, download_line),
    );
    acc.add_with(
        "download_chmod_exec",
        DownloadExec,
        false,
        40,
        "",
        evidence(n, line),
    );
}

/// `rival_miner_sweep` when the live lines make one (`sweep`), with the line of each technique.
fn rival_sweep(
    sweep: &Sweep,
    sink: &mut Sink,
    evidence: &dyn Fn(usize, &str) -> Evidence,
    text: &str,
) {
    let Some(techniques) = sweep.verdict(|n| !(sink.is_quoted)(n + 1)) else {
        return;
    };
    let names: Vec<&str> = techniques.iter().map(|(t, _)| t.as_str()).collect();
    let desc = format!(
        "sweeps the host of rival miners: {} ({} miner names killed)",
        names.join("; "),
        sweep.names()
    );
    let lines: Vec<usize> = techniques.iter().map(|&(_, n)| n + 1).collect();
    let acc = sink.at_any(&lines);
    for &(_, n) in &techniques {
        let line = text.lines().nth(n).unwrap_or("");
        acc.add_with(
            "rival_miner_sweep",
            Class::RivalKill,
            false,
            sweep::SWEEP_SCORE,
            &desc,
            evidence(n, line),
        );
    }
}

/// `manages_miner`: a command that stops, starts, watches or removes a mining program
/// (`manage`). Miner material that alone makes a file suspicious, never more (see
/// `judge::verdict::MANAGES_MINER`).
fn manages_miner(family: &'static str, acc: &mut Acc, evidence: Evidence) {
    acc.add_with(
        MANAGES_MINER,
        Miner,
        false,
        45,
        "manages a mining program (stops, starts, watches or removes it)",
        evidence,
    );
    if let Some(f) = acc.findings.get_mut(MANAGES_MINER) {
        if f.family.is_none() {
            f.family = Some(family.to_owned());
        }
    }
}

/// How many lines above a kill command may feed it (a list or a loop header).
const KILL_LOOKBACK: usize = 3;

/// The current line and the `KILL_LOOKBACK` lines above it, with their numbers.
#[derive(Default)]
struct Recent<'t> {
    lines: std::collections::VecDeque<(usize, &'t str)>,
}

impl<'t> Recent<'t> {
    fn push(&mut self, n: usize, line: &'t str) {
        if self.lines.len() > KILL_LOOKBACK {
            self.lines.pop_front();
        }
        self.lines.push_back((n, line));
    }

    /// Oldest first; the current line last.
    fn lines(&self) -> impl Iterator<Item = (usize, &'t str)> + '_ {
        self.lines.iter().copied()
    }
}

fn names_agent(line: &str, ind: &Indicators) -> bool {
    ind.find(line.as_bytes(), 16)
        .iter()
        .any(|h| ind.pattern(h).kind == IndicatorKind::SecurityAgent)
}

/// A kill command against miners or security agents, named on the line or in the loop or list
/// just above it (`for p in xmrig minerd; do pkill $p; done`).
/// Returns the miner names the kill aimed at when it aimed at miners.
fn kill_rivals<'t>(
    window: impl Iterator<Item = (usize, &'t str)>,
    ind: &Indicators,
    acc: &mut Acc,
    evidence: &dyn Fn(usize, &str) -> Evidence,
) -> Option<Vec<&'t str>> {
    let mut miner = false;
    let mut agent = false;
    let mut names = Vec::new();
    let window: Vec<(usize, &str)> = window.collect();
    let &(n, line) = window.last()?;
    for &(i, l) in &window {
        if l.len() > MAX_LINE || is_comment(l) {
            continue;
        }
        // Lines above count only when they feed the kill: a list or loop header.
        let feeding = i == n || {
            let t = l.trim_start();
            t.starts_with("for ")
                || t.starts_with("foreach")
                || t.contains("=(")
                || t.contains("= @(")
                || t.contains("=@(")
                || t.starts_with("$")
                || t.starts_with("set ")
        };
        if !feeding {
            continue;
        }
        for h in ind.find(l.as_bytes(), 64) {
            match ind.pattern(&h).kind {
                IndicatorKind::MinerName => {
                    miner = true;
                    names.push(&l[h.start..h.end]);
                }
                IndicatorKind::PoolHost | IndicatorKind::StratumScheme => miner = true,
                IndicatorKind::SecurityAgent => agent = true,
                _ => {}
            }
        }
        if MINERISH.is_match(l) {
            miner = true;
        }
    }
    if miner {
        acc.add_with(
            "kill_rival_miners",
            Class::RivalKill,
            false,
            50,
            "kills rival miners",
            evidence(n, line),
        );
    }
    if agent {
        acc.add_with(
            "kill_security_agents",
            Class::RivalKill,
            false,
            50,
            "kills security agents",
            evidence(n, line),
        );
    }
    miner.then_some(names)
}

static WEB_LIB: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)<script[^>]*\bsrc\s*=\s*["']?[^"'\s>]*(?:coinhive|coin-hive|authedmine|crypto-?loot|coinimp|webminepool|jsecoin|minero\.cc|deepminer|coinhave|coin-have|cryptonight\.wasm|minr\.pw|ppoi\.org|monerominer|webmine\.(?:cz|pro))[^"'\s>]*|\.src\s*=\s*["'][^"']*(?:coinhive|coin-hive|authedmine|crypto-?loot|coinimp|webminepool|deepminer|coinhave)[^"']*\.js"#)
        .expect("static regex")
});
static WEB_START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)new\s+(?:CoinHive|CoinImp|CRLT|CryptoLoot|Client|deepMiner|WMP|Miner|CH)\s*\.\s*(?:Anonymous|User|Token|Init)\s*\(\s*["'][A-Za-z0-9_\-]{8,}["']"#)
        .expect("static regex")
});
static WEB_RUN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\.start\s*\(").expect("static regex"));

/// Browser miners: a miner library loaded or injected into a page; a miner object built with a
/// site key and started.
fn web_miner(text: &str, kind: FileKind, sink: &mut Sink) {
    let line_of = |offset: usize| text[..offset].bytes().filter(|&b| b == b'\n').count() + 1;
    let snippet = |m: regex::Match| text[m.start()..m.end()].to_owned();
    for m in WEB_LIB.find_iter(text).take(8) {
        sink.at(line_of(m.start())).add_with(
            "web_miner_library",
            Class::Injection,
            false,
            60,
            "loads a browser miner library into the page",
            Evidence::line(line_of(m.start()), &snippet(m)),
        );
    }
    if let Some(m) = WEB_START.find(text) {
        if WEB_RUN.is_match(text) {
            let at = line_of(m.start());
            let ev = Evidence::line(at, &snippet(m));
            let acc = sink.at(at);
            acc.add_with(
                "web_miner_start",
                Class::Miner,
                false,
                65,
                "starts a browser miner with a site key",
                ev.clone(),
            );
            if matches!(kind, FileKind::Html | FileKind::JavaScript) || text.contains("<script") {
                acc.add_with(
                    "web_miner_injection",
                    Class::Injection,
                    false,
                    55,
                    "runs a miner in visitors' browsers",
                    ev,
                );
            }
        }
    }
}

/// The file itself runs at boot or on a schedule (a crontab, a systemd unit, a scheduled task,
/// a boot or login script): persistence when it launches a miner.
fn autostart_entry(ctx: &FileContext, text: &str, sink: &mut Sink) {
    let path = ctx
        .target
        .system_path
        .replace('\\', "/")
        .to_ascii_lowercase();
    let name = ctx.target.file_name().to_ascii_lowercase();
    let by_path = path.contains("/cron.")
        || path.contains("/cron/")
        || path.contains("/crontabs/")
        || name == "crontab"
        || name.ends_with(".service")
        || name.ends_with(".timer")
        || path.contains("/systemd/")
        || path.contains("/rc.local")
        || path.contains("/init.d/")
        || path.contains("/autostart/")
        || path.contains("/windows/system32/tasks/");
    let task_xml = text.contains("<Task") && text.contains("<Exec>");
    let unit = text.contains("[Service]") && text.contains("ExecStart=");
    // Where the file is, or what it is as a whole, is never quoted: line 0 is always live.
    let mut ev = None;
    if by_path || task_xml || unit {
        ev = Some((0, Evidence::path(&ctx.target.system_path)));
    }
    // The first schedule line, preferably one outside the quotes.
    for (n, line) in text.lines().enumerate().take(100_000) {
        if line.len() <= MAX_LINE && !is_comment(line) && CRON_LINE.is_match(line) {
            let quoted = (sink.is_quoted)(n + 1);
            if ev.is_none() || (!quoted && ev.as_ref().is_some_and(|(l, _)| *l != 0)) {
                ev = Some((n + 1, Evidence::line(n + 1, line)));
            }
            if !quoted {
                break;
            }
        }
    }
    if let Some((line, ev)) = ev {
        let acc = if line == 0 {
            &mut *sink.live
        } else {
            sink.at(line)
        };
        acc.add_with(
            "autostart_entry",
            Persistence,
            true,
            40,
            "a boot, schedule or service entry",
            ev,
        );
    }
}

/// Decodes one layer of base64 and scans the decoded text.
fn decode_layer(
    text: &str,
    ctx: &FileContext,
    sink: &mut Sink,
    live: &mut Vec<Finding>,
    quoted: &mut Vec<Finding>,
) {
    // Every blob is a run of base64 or follows a PowerShell command: without either, no line
    // needs reading.
    if !has_b64_run(text.as_bytes(), MIN_B64) && !POWERSHELL.is_match(text) {
        return;
    }
    let ind = ctx.indicators;
    // Blobs decoded on quoted and on live lines, each up to `MAX_BLOBS`: quoted blobs cannot
    // use up the budget of the live ones.
    let mut budget = [0usize; 2];
    let mut long_blob_reported = false;
    let scripted = ctx.kind.is_script() && ctx.kind != FileKind::JavaScript;
    for (n, line) in text.lines().enumerate() {
        if budget.iter().all(|&b| b >= MAX_BLOBS) {
            break;
        }
        if line.len() < MIN_B64 {
            continue;
        }
        // PowerShell -EncodedCommand: UTF-16LE base64.
        let ps = PS_ENCODED
            .captures(line)
            .and_then(|c| c.get(1))
            .map(|m| m.as_str());
        if ps.is_none() && !B64_RUN.is_match(line) {
            continue;
        }
        let q = usize::from((sink.is_quoted)(n + 1));
        if budget[q] >= MAX_BLOBS {
            continue;
        }
        let blobs = &mut budget[q];
        let (acc, out) = if q == 1 {
            (&mut *sink.quoted, &mut *quoted)
        } else {
            (&mut *sink.live, &mut *live)
        };
        if let Some(payload) = ps {
            acc.add_with(
                "powershell_encoded",
                Evasion,
                false,
                50,
                "runs a PowerShell -EncodedCommand",
                Evidence::line(n + 1, line),
            );
            if let Some(decoded) =
                b64_decode(payload).and_then(|b| utf16le_text(&b).or_else(|| printable_utf8(&b)))
            {
                *blobs += 1;
                scan_decoded(&decoded, n + 1, ind, acc, out);
            }
        }
        for m in B64_RUN.find_iter(line) {
            if *blobs >= MAX_BLOBS {
                break;
            }
            if ps.is_some_and(|p| m.as_str().starts_with(p)) {
                continue;
            }
            let run = m.as_str();
            // Hex-encoded text (`bytes.fromhex`, `Buffer.from(x, 'hex')`), which the base64
            // alphabet holds too; digests and keys do not decode to text.
            if let Some(decoded) = hex_text(run) {
                *blobs += 1;
                scan_decoded(&decoded, n + 1, ind, acc, out);
                continue;
            }
            // Paths and identifiers are not base64: require both cases and a digit or + /.
            let b = run.as_bytes();
            if !(b.iter().any(u8::is_ascii_lowercase)
                && b.iter().any(u8::is_ascii_uppercase)
                && b.iter().any(|c| c.is_ascii_digit()))
            {
                continue;
            }
            if run.len() >= LONG_BLOB && scripted && !long_blob_reported {
                long_blob_reported = true;
                long_blob(acc, n, run);
            }
            let Some(bytes) = b64_decode(run) else {
                continue;
            };
            let Some(decoded) = printable_utf8(&bytes).or_else(|| utf16le_text(&bytes)) else {
                continue;
            };
            *blobs += 1;
            scan_decoded(&decoded, n + 1, ind, acc, out);
        }
    }
}

/// Whether `bytes` hold a run of at least `min` characters of the base64 alphabet (`B64_RUN`
/// without its padding), in one pass.
fn has_b64_run(bytes: &[u8], min: usize) -> bool {
    let mut run = 0;
    for &b in bytes {
        if b.is_ascii_alphanumeric() || b == b'+' || b == b'/' {
            run += 1;
            if run >= min {
                return true;
            }
        } else {
            run = 0;
        }
    }
    false
}

/// `long_encoded_blob`: a base64 run of `LONG_BLOB` characters or more at line `n` (0-based).
fn long_blob(acc: &mut Acc, n: usize, run: &str) {
    acc.add_with(
        "long_encoded_blob",
        Evasion,
        false,
        25,
        "carries a long encoded blob",
        Evidence::line(
            n + 1,
            &format!("{}… ({} characters)", &run[..48], run.len()),
        ),
    );
}

fn b64_decode(s: &str) -> Option<Vec<u8>> {
    let s = &s[..s.len().min(MAX_DECODED * 4 / 3) & !3];
    let eng = base64::engine::general_purpose::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    );
    eng.decode(s.trim_end_matches('=')).ok()
}

/// The text a run of hex digits (of even length, one case) encodes, if it is text.
fn hex_text(run: &str) -> Option<String> {
    let b = run.as_bytes();
    let one_case = !(b.iter().any(u8::is_ascii_lowercase) && b.iter().any(u8::is_ascii_uppercase));
    if b.len() < MIN_B64
        || !b.len().is_multiple_of(2)
        || !one_case
        || !b.iter().all(u8::is_ascii_hexdigit)
    {
        return None;
    }
    let bytes: Vec<u8> = b
        .chunks(2)
        .take(MAX_DECODED)
        .map(|p| {
            let digit = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
            (digit(p[0]) << 4) | digit(p[1])
        })
        .collect();
    printable_utf8(&bytes)
}

fn printable_utf8(b: &[u8]) -> Option<String> {
    let s = std::str::from_utf8(b).ok()?;
    let printable = s
        .chars()
        .filter(|c| !c.is_control() || c.is_whitespace())
        .count();
    (s.len() >= 8 && printable * 100 >= s.chars().count() * 95).then(|| s.to_owned())
}

/// Scans text decoded from a blob at line `at`: the line heuristics, the launch-command reader
/// and the shared indicator matcher. A blob that decodes to any of these is an obfuscated
/// payload.
fn scan_decoded(decoded: &str, at: usize, ind: &Indicators, acc: &mut Acc, out: &mut Vec<Finding>) {
    let d = DecodedAt { line: at };
    let before: BTreeSet<&'static str> = acc.findings.keys().copied().collect();
    let mut inner = Acc::default();
    let mut unused = Acc::default();
    scan_lines(
        decoded,
        ind,
        Some(d),
        None,
        &mut Sink {
            live: &mut inner,
            quoted: &mut unused,
            is_quoted: &|_| false,
        },
    );
    let mut found = Vec::new();
    let mut users = BTreeSet::new();
    scan_command_lines(decoded, ind, Some(d), &|_| false, &mut found, &mut users);
    for u in stratum_urls(decoded.as_bytes(), 16) {
        found.push(
            Finding::new(
                ID,
                "decoded_pool_endpoint",
                Class::Miner,
                60,
                format!("mining pool URL {} in base64-decoded text", u.url),
            )
            .fact(pool_fact(&u.host, u.port))
            .with_evidence(Evidence::line(at, &format!("decoded: {}", u.url))),
        );
    }
    for h in ind.find(decoded.as_bytes(), 64) {
        if ind.pattern(&h).kind != IndicatorKind::PoolHost {
            continue;
        }
        let host = &decoded[h.start..h.end];
        let rest = &decoded[h.end..];
        let port = rest.strip_prefix(':').and_then(|r| {
            r.split(|c: char| !c.is_ascii_digit())
                .next()?
                .parse::<u16>()
                .ok()
        });
        if port.is_some() {
            found.push(
                Finding::new(
                    ID,
                    "decoded_pool_endpoint",
                    Class::Miner,
                    55,
                    format!("mining pool endpoint {host} in base64-decoded text"),
                )
                .fact(pool_fact(host, port))
                .with_evidence(Evidence::line(
                    at,
                    &format!("decoded: {host}:{}", port.unwrap_or_default()),
                )),
            );
        }
    }
    let payload = inner.has_behaviour() || !found.is_empty();
    for (rule, f) in inner.findings {
        if before.contains(rule) {
            let target = acc.findings.get_mut(rule).expect("present");
            for e in f.evidence {
                target.push_evidence(e);
            }
        } else {
            acc.findings.insert(rule, f);
        }
    }
    out.extend(found);
    if payload {
        acc.add_with(
            "encoded_payload",
            Evasion,
            false,
            50,
            "hides commands in base64",
            Evidence::line(
                at,
                &format!(
                    "decoded: {}",
                    decoded.lines().find(|l| !l.trim().is_empty()).unwrap_or("")
                ),
            ),
        );
    }
}

mod manage;
mod sweep;
#[cfg(test)]
mod tests;
