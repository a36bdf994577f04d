//! A sweep of rival miners: the first thing a cryptojacking dropper does on a host it takes over
//! (Kinsing, WatchBog, 8220 and their kin all carry one) is to clear the machine of the miners
//! that came before it, with several techniques at once: killing them by name, by command
//! line, by the pool ports they talk to or by the CPU they use; blocking their pools; purging
//! their cron jobs, SSH keys and WMI subscriptions; undoing their process hiding.
//!
//! An incident responder's clean-up does some of this too: it kills the named processes of one
//! infection, removes their cron job, empties `/etc/ld.so.preload`; an egress policy blocks the
//! stratum ports. What a clean-up does not do is hunt for miners it cannot name: by the pool
//! ports a process talks to, by `stratum` on its command line, by its CPU use; or block the
//! pools, purge SSH keys or remove WMI subscriptions wholesale. So a sweep is two of those
//! hunting techniques, or three techniques of which one hunts, or six or more miner names
//! killed: `rival_miner_sweep`, strong enough for the verdict to call the file suspicious on its
//! own (`judge::verdict`), and malicious beside any other behaviour. Anything less stays
//! `kill_rival_miners` at its usual weight, which alone leaves a file clean. The counts only
//! grow as text is added: adding lines never removes a finding. A text without a kill verb
//! (the script analyzer's gate) is not looked at: a sweep kills.

use regex::Regex;
use std::collections::BTreeSet;
use std::sync::LazyLock;

/// Hunting techniques that make a sweep alone; techniques (one hunting) that make one; distinct
/// miner names killed that make one alone.
pub(super) const SWEEP_HUNTING: usize = 2;
pub(super) const SWEEP_TECHNIQUES: usize = 3;
pub(super) const SWEEP_NAMES: usize = 6;

/// The score of a sweep: above `judge::verdict::STRONG_RIVAL_KILL`, so alone it is suspicious.
pub(super) const SWEEP_SCORE: u8 = 65;
const _: () = assert!(SWEEP_SCORE >= crate::judge::verdict::STRONG_RIVAL_KILL);

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Technique {
    KillByName,
    KillByCommandLine,
    KillByPort,
    KillByCpu,
    BlockPools,
    PurgeCron,
    PurgeSshKeys,
    UndoHiding,
    RemoveWindowsPersistence,
}

impl Technique {
    /// Whether it goes after miners nobody named (see the module comment).
    fn hunts(self) -> bool {
        !matches!(
            self,
            Technique::KillByName | Technique::PurgeCron | Technique::UndoHiding
        )
    }

    pub(super) fn as_str(self) -> &'static str {
        match self {
            Technique::KillByName => "kills miners by name",
            Technique::KillByCommandLine => "kills processes by their mining command line",
            Technique::KillByPort => "kills processes talking to pool ports",
            Technique::KillByCpu => "kills processes by CPU use",
            Technique::BlockPools => "blocks mining pools",
            Technique::PurgeCron => "purges other cron jobs",
            Technique::PurgeSshKeys => "purges other SSH keys",
            Technique::UndoHiding => "undoes other process hiding",
            Technique::RemoveWindowsPersistence => {
                "removes other scheduled tasks or WMI subscriptions"
            }
        }
    }
}

/// Ports that mining pools listen on (stratum), as droppers list them to find rivals.
const POOL_PORT: &str = r"(?:3333|3334|4444|5555|6666|7777|14433|14444|45560|45700)";

/// The line tests, in `Test` order.
static TESTS: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    let patterns = [
        // Kill
        r"(?i)\b(?:pkill|killall|kill|taskkill|Stop-Process|delete|terminate)\b".to_owned(),
        // MiningArgument
        r"(?i)stratum|donate-level|cryptonight|randomx|nicehash|--algo\b".to_owned(),
        // PortProbe
        format!(r"(?i)(?:\bnetstat\b|\bss\s+-|\blsof\s+-i|Get-NetTCPConnection|RemotePort).*\b{POOL_PORT}\b"),
        // CpuSort
        r"(?i)pcpu|%cpu|\$3\s*>\s*\d|\bCPU\s*-gt\s*\d".to_owned(),
        // PortBlock: a firewall rule naming a pool port and dropping it, in either order.
        format!(r"(?i)(?:iptables|ip6tables|netsh|\bufw\b|New-NetFirewallRule).*(?:--dport|remoteport|\bport)\D{{0,3}}(?:\d+,)*{POOL_PORT}\b.*(?:DROP|REJECT|block|deny)|(?:iptables|ip6tables|netsh|\bufw\b|New-NetFirewallRule).*(?:DROP|REJECT|block|deny).*(?:--dport|remoteport|\bport)\D{{0,3}}(?:\d+,)*{POOL_PORT}\b"),
        // HostsSinkhole
        r"(?:0\.0\.0\.0|127\.0\.0\.1)\b.*>>?\s*/etc/hosts".to_owned(),
        // CronPurge
        r"(?i)\bcrontab\s+(?:-u\s+\S+\s+)?-r\b|\bcrontab\b.*-l\b.*\|\s*(?:sed|grep\s+-v|awk)\b.*\|\s*crontab\b|\bsed\s+-i\b.*(?:/var/spool/cron|/etc/cron|rc\.local|\$f\b)".to_owned(),
        // SshKeyPurge
        r"\bsed\s+-i\b.*authorized_keys|>\s*\S*authorized_keys\s*$".to_owned(),
        // UndoHiding
        r"(?i)(?:\brm\b|:\s*>|\becho\s*>|chattr\s+-\w*i).*(?:/etc/ld\.so\.preload|libprocesshider)|\bumount\b.*\s/proc\b".to_owned(),
        // WmiPurge
        r"(?i)root\\subscription.*Remove-WmiObject|__EventFilter.*Remove-WmiObject|Remove-WmiObject.*__EventFilter|wmic\b.*subscription.*delete".to_owned(),
        // TaskDelete
        r#"(?i)\bschtasks(?:\.exe)?\s+/delete\s+/tn\s+"?([^"/]+?)"?\s+/f"#.to_owned(),
    ];
    // ASCII word boundaries: a Unicode `\b` keeps a regex from running as a DFA on text that
    // is not ASCII.
    patterns
        .iter()
        .map(|p| Regex::new(&p.replace(r"\b", r"(?-u:\b)")).expect("static regex"))
        .collect()
});

/// Words each test needs (lowercase; found case-insensitively): one pass of them over the
/// whole text tells which tests can match any line, so that most texts (which hunt nothing)
/// cost that one pass and no regex per line.
const NEEDS: [&[&str]; TEST_COUNT] = [
    &["kill", "stop-process", "delete", "terminate"],
    &[
        "stratum",
        "donate-level",
        "cryptonight",
        "randomx",
        "nicehash",
        "--algo",
    ],
    &[
        "netstat",
        "ss",
        "lsof",
        "get-nettcpconnection",
        "remoteport",
    ],
    &["pcpu", "%cpu", "$3", "cpu"],
    &["iptables", "netsh", "ufw", "new-netfirewallrule"],
    &["/etc/hosts"],
    &["crontab", "sed -i", "sed\t-i"],
    &["authorized_keys"],
    &["ld.so.preload", "libprocesshider", "umount"],
    &["remove-wmiobject", "wmic"],
    &["schtasks"],
];

const TEST_COUNT: usize = 11;

static NEEDED: LazyLock<(aho_corasick::AhoCorasick, Vec<usize>)> = LazyLock::new(|| {
    let mut words = Vec::new();
    let mut test_of = Vec::new();
    for (t, needs) in NEEDS.iter().enumerate() {
        for w in *needs {
            words.push(*w);
            test_of.push(t);
        }
    }
    let ac = aho_corasick::AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(words)
        .expect("static words");
    (ac, test_of)
});

#[derive(Clone, Copy)]
enum Test {
    Kill,
    MiningArgument,
    PortProbe,
    CpuSort,
    PortBlock,
    HostsSinkhole,
    CronPurge,
    SshKeyPurge,
    UndoHiding,
    WmiPurge,
    TaskDelete,
}

/// Which tests can match some line of a text.
pub(super) struct Gate([bool; TEST_COUNT]);

impl Gate {
    pub(super) fn new(text: &str) -> Gate {
        let (ac, test_of) = &*NEEDED;
        let mut can = [false; TEST_COUNT];
        // Non-overlapping: the words of different tests do not overlap one another in a way
        // that could hide a test's word behind another's.
        for m in ac.find_iter(text) {
            can[test_of[m.pattern().as_usize()]] = true;
        }
        Gate(can)
    }

    /// Whether any hunting technique can show in the text: without one, only the number of
    /// names killed can make a sweep, and the lines need not be looked at here.
    pub(super) fn can_hunt(&self) -> bool {
        let c = |t: Test| self.0[t as usize];
        (c(Test::Kill) && (c(Test::MiningArgument) || c(Test::PortProbe) || c(Test::CpuSort)))
            || c(Test::PortBlock)
            || c(Test::HostsSinkhole)
            || c(Test::SshKeyPurge)
            || c(Test::WmiPurge)
            || c(Test::TaskDelete)
    }

    fn is_match(&self, t: Test, line: &str) -> bool {
        self.0[t as usize] && TESTS[t as usize].is_match(line)
    }

    fn captures<'l>(&self, t: Test, line: &'l str) -> Option<regex::Captures<'l>> {
        if self.0[t as usize] {
            TESTS[t as usize].captures(line)
        } else {
            None
        }
    }
}

/// What a script's live lines have shown so far.
#[derive(Default)]
pub(super) struct Sweep {
    /// Each technique with the first line (0-based) that showed it.
    techniques: Vec<(Technique, usize)>,
    /// Miner names named by kill commands (lowercased), with the kill's line.
    names: Vec<(String, usize)>,
    /// Lines where a probe of pool ports was seen (a kill may follow it).
    port_probe: Option<usize>,
    /// Scheduled tasks deleted, by name: three or more is removing somebody's.
    tasks: BTreeSet<String>,
}

impl Sweep {
    fn saw(&mut self, t: Technique, line: usize) {
        if !self.techniques.iter().any(|(seen, _)| *seen == t) {
            self.techniques.push((t, line));
        }
    }

    /// A kill command at `line` aimed at miners, with the miner names it (or its feeding lines)
    /// named.
    pub(super) fn killed<'a>(&mut self, line: usize, names: impl Iterator<Item = &'a str>) {
        self.saw(Technique::KillByName, line);
        for n in names {
            let n = n.to_ascii_lowercase();
            let n = n.trim_end_matches(".exe");
            if !self.names.iter().any(|(seen, _)| seen == n) {
                self.names.push((n.to_owned(), line));
            }
        }
    }

    /// Looks at one line (0-based `n`); `gate` was built from the whole text.
    pub(super) fn line(&mut self, text_gate: &Gate, n: usize, line: &str) {
        if !text_gate.can_hunt() {
            return;
        }
        // The same words, on this line only: most lines have none, and cost no regex.
        let gate = &Gate::new(line);
        if !gate.0.iter().any(|&c| c) {
            return;
        }
        let kill = gate.is_match(Test::Kill, line);
        if kill && gate.is_match(Test::MiningArgument, line) {
            self.saw(Technique::KillByCommandLine, n);
        }
        if gate.is_match(Test::PortProbe, line) {
            self.port_probe = Some(n);
        }
        if kill && self.port_probe.is_some_and(|p| n - p <= 2) {
            self.saw(Technique::KillByPort, n);
        }
        if kill && gate.is_match(Test::CpuSort, line) {
            self.saw(Technique::KillByCpu, n);
        }
        if gate.is_match(Test::PortBlock, line) || gate.is_match(Test::HostsSinkhole, line) {
            self.saw(Technique::BlockPools, n);
        }
        if gate.is_match(Test::CronPurge, line) {
            self.saw(Technique::PurgeCron, n);
        }
        if gate.is_match(Test::SshKeyPurge, line) {
            self.saw(Technique::PurgeSshKeys, n);
        }
        if gate.is_match(Test::UndoHiding, line) {
            self.saw(Technique::UndoHiding, n);
        }
        if gate.is_match(Test::WmiPurge, line) {
            self.saw(Technique::RemoveWindowsPersistence, n);
        }
        if let Some(c) = gate.captures(Test::TaskDelete, line) {
            self.tasks.insert(c[1].trim().to_ascii_lowercase());
            if self.tasks.len() >= 3 {
                self.saw(Technique::RemoveWindowsPersistence, n);
            }
        }
    }

    /// The techniques and lines when the lines `live` accepts (those not quoted by a document,
    /// a rule set or a list) make a sweep, in the order they were seen.
    pub(super) fn verdict(&self, live: impl Fn(usize) -> bool) -> Option<Vec<(Technique, usize)>> {
        if self.techniques.is_empty() {
            return None;
        }
        let techniques: Vec<(Technique, usize)> = self
            .techniques
            .iter()
            .copied()
            .filter(|&(_, n)| live(n))
            .collect();
        let by_name = techniques.iter().any(|(t, _)| *t == Technique::KillByName);
        let names = self.names.iter().filter(|&&(_, n)| live(n)).count();
        let hunting = techniques.iter().filter(|(t, _)| t.hunts()).count();
        let sweep = hunting >= SWEEP_HUNTING
            || (hunting >= 1 && techniques.len() >= SWEEP_TECHNIQUES)
            || (by_name && names >= SWEEP_NAMES);
        sweep.then_some(techniques)
    }

    /// Distinct miner names killed, on any line.
    pub(super) fn names(&self) -> usize {
        self.names.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sweep(text: &str) -> Sweep {
        let mut s = Sweep::default();
        let gate = Gate::new(text);
        for (n, l) in text.lines().enumerate() {
            s.line(&gate, n, l);
        }
        s
    }

    fn has(s: &Sweep, t: Technique) -> bool {
        s.techniques.iter().any(|(seen, _)| *seen == t)
    }

    #[test]
    fn each_technique_and_its_near_miss() {
        use Technique::*;
        for (line, t, yes) in [
            ("pkill -f stratum+tcp", KillByCommandLine, true),
            ("pkill -f gunicorn", KillByCommandLine, false),
            // A name is not a mining argument: `pkill -f xmrig` is killing by name.
            ("pkill -f xmrig", KillByCommandLine, false),
            ("netstat -anp | grep ':3333\\|:5555' | awk '{print $7}' | xargs kill -9", KillByPort, true),
            ("netstat -anp | grep ':8080' | awk '{print $7}' | xargs kill -9", KillByPort, false),
            ("ps aux --sort=-pcpu | awk 'NR>1 && $3>60 {print $2}' | xargs -r kill -9", KillByCpu, true),
            ("ps aux --sort=-pcpu | head", KillByCpu, false),
            ("iptables -A OUTPUT -p tcp --dport 3333 -j DROP", BlockPools, true),
            ("iptables -A INPUT -p tcp --dport 22 -j ACCEPT", BlockPools, false),
            ("echo \"0.0.0.0 $h\" >> /etc/hosts", BlockPools, true),
            ("echo \"10.0.0.5 db\" >> /etc/hosts", BlockPools, false),
            ("crontab -r 2>/dev/null", PurgeCron, true),
            ("crontab -l | sed '/xmr/d' | crontab -", PurgeCron, true),
            ("crontab -l > /tmp/backup", PurgeCron, false),
            ("sed -i '/mdrfckr/d' /root/.ssh/authorized_keys", PurgeSshKeys, true),
            ("cat ~/.ssh/authorized_keys", PurgeSshKeys, false),
            ("chattr -i /etc/ld.so.preload; rm -f /etc/ld.so.preload", UndoHiding, true),
            ("cat /etc/ld.so.preload", UndoHiding, false),
            ("Get-WmiObject -Namespace root\\subscription -Class __EventFilter | Remove-WmiObject", RemoveWindowsPersistence, true),
            ("Get-WmiObject -Namespace root\\subscription -Class __EventFilter", RemoveWindowsPersistence, false),
        ] {
            // A hunting line after it, so that the text can hunt and its lines are looked at;
            // the technique must be seen on the first line.
            let text = format!("{line}\nwmic /namespace:\\\\root\\subscription path __EventFilter delete");
            let s = sweep(&text);
            let first = s.techniques.iter().any(|&(seen, n)| seen == t && n == 0);
            assert_eq!(first, yes, "{line}");
        }
        // Removing one's own task is not removing somebody's; three are.
        let one = "schtasks /delete /tn \"Updater\" /f";
        assert!(!has(&sweep(one), RemoveWindowsPersistence));
        let three = "schtasks /delete /tn \"Mysa\" /f\nschtasks /delete /tn \"Mysa1\" /f\nschtasks /delete /tn \"ok\" /f";
        assert!(has(&sweep(three), RemoveWindowsPersistence));
    }

    #[test]
    fn a_sweep_needs_three_techniques_or_six_names() {
        let all = |_| true;
        let two = "pkill -f stratum\ncrontab -r\n";
        assert!(sweep(two).verdict(all).is_none());
        let three =
            "pkill -f stratum\ncrontab -r\niptables -A OUTPUT -p tcp --dport 3333 -j DROP\n";
        assert_eq!(sweep(three).verdict(all).unwrap().len(), 3);
        // A technique on a quoted line (a document's example) does not count.
        assert!(sweep(three).verdict(|n| n != 2).is_none());
        let mut five = Sweep::default();
        five.killed(
            0,
            ["xmrig", "minerd", "cpuminer", "xmr-stak", "kinsing"].into_iter(),
        );
        assert!(five.verdict(all).is_none());
        five.killed(1, ["XMRig.exe", "kdevtmpfsi", "xmrig"].into_iter());
        assert_eq!(five.names(), 6);
        assert!(five.verdict(all).is_some());
    }
}
