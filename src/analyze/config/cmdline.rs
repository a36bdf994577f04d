//! Miner launch commands in any text: a command line is split into commands and tokens (quotes
//! respected, quoted argument lists re-split), the program is found behind wrappers (`nohup`,
//! `sudo`, `start /b`, `ExecStart=`, cron schedule fields...), and the pool, user and algorithm
//! options of the common miners (xmrig, cpuminer, ccminer, xmr-stak, Claymore, PhoenixMiner,
//! T-Rex, lolMiner, gminer, SRBMiner, ethminer) are read. The judgement is on the values: a
//! stratum URL, a known pool, a wallet as user, or a miner program with mining options. A
//! database client's `-u root -p` or ssh's `-o Option=x` carries none of these.

use super::endpoint::{parse_endpoint, Endpoint};
use crate::knowledge::indicators::{
    miner_name_entry, xmrig_algorithm_name, Indicators, ALGORITHMS, MINER_NAMES, MINER_OPTIONS,
};
use crate::knowledge::wallet::{self, Wallet};
use aho_corasick::AhoCorasick;
use std::sync::LazyLock;

/// What one command line says about mining.
#[derive(Clone, Debug)]
pub(crate) struct Launch {
    pub program: Option<String>,
    pub family: Option<String>,
    pub endpoint: Option<Endpoint>,
    pub known_pool: Option<String>,
    pub user: Option<String>,
    pub wallet: Option<Wallet>,
    pub algo: Option<String>,
    pub miner_options: Vec<String>,
    pub score: u8,
    /// Why it is a launch, in words.
    pub reason: String,
}

const URL_OPTS: &[&str] = &[
    "-o",
    "--url",
    "-url",
    "--pool",
    "-pool",
    "-epool",
    "-dpool",
    "-zpool",
    "-P",
    "--server",
    "-F",
    "--pool-address",
];
const USER_OPTS: &[&str] = &[
    "-u",
    "--user",
    "-user",
    "-wal",
    "-ewal",
    "-dwal",
    "-zwal",
    "--wallet",
    "-wallet",
    "--username",
    "--login",
    "-O",
    "--userpass",
];
const ALGO_OPTS: &[&str] = &["-a", "--algo", "--algorithm", "-algo", "-coin", "--coin"];
const CONFIG_OPTS: &[&str] = &["-c", "--config", "--poolconf", "--cpu", "--config-file"];

/// Tokens that run the next token; their own options are skipped.
const WRAPPERS: &[&str] = &[
    "nohup",
    "sudo",
    "exec",
    "setsid",
    "nice",
    "ionice",
    "time",
    "env",
    "start",
    "call",
    "cmd",
    "cmd.exe",
    "/c",
    "/k",
    "/b",
    "/min",
    "/low",
    "/belownormal",
    "\"\"",
    "timeout",
    "taskset",
    "cpulimit",
    "screen",
    "root",
    "&",
    "start-process",
    "saps",
    "-filepath",
    "-nonewwindow",
];
/// Wrapper options that take a value (`nice -n 19`, `screen -dmS name`, `taskset -c 0`).
const WRAPPER_VALUE_OPTS: &[&str] = &[
    "-n",
    "-c",
    "-dms",
    "-s",
    "-p",
    "-u",
    "-g",
    "-l",
    "-windowstyle",
    "-t",
];

/// Program names that launch any path given to them (so a `.exe` token anywhere is the program).
const LAUNCHERS: &[&str] = &[
    "start",
    "start-process",
    "saps",
    "cmd",
    "cmd.exe",
    "&",
    "invoke-item",
    "nohup",
];

/// A Windows Script Host call that runs its string argument: `WScript.Shell`'s `.Run` and
/// `.Exec`, `Shell.Application`'s `.ShellExecute`, as the tokenizer leaves them (`sh.Run`,
/// `CreateObject(WScript.Shell).Run`, JScript's `sh.Run(xmrig.exe` with its argument).
fn is_shell_run(token: &str) -> bool {
    let lower = token.to_ascii_lowercase();
    lower.split('(').any(|part| {
        [".run", ".exec", ".shellexecute"]
            .iter()
            .any(|m| part.trim_end().ends_with(m))
    })
}

/// What a launcher's argument token names, without the call it is glued to (`sh.Run(x.exe`)
/// or the comma after it (`.ShellExecute "x.exe", "-o ..."`).
fn call_argument(token: &str) -> &str {
    token
        .rsplit('(')
        .next()
        .unwrap_or(token)
        .trim_end_matches([',', ')'])
}

fn lower_basename(token: &str) -> String {
    let base = token
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(token)
        .to_ascii_lowercase();
    base.strip_suffix(".exe").map(str::to_owned).unwrap_or(base)
}

/// The miner family of a program token, if it is a known miner: its name, or a build of it
/// (`ccminer-x64`, `xmrig-6.21.0`, `SRBMiner-MULTI_2`) when the name is no ordinary word.
pub(crate) fn miner_family(token: &str) -> Option<&'static str> {
    let base = lower_basename(token);
    miner_name_entry(&base)
        .filter(|&(name, _)| name == base || !ambiguous_name(name))
        .map(|(_, family)| family)
}

/// Names that are miners only in context (campaign binaries with ordinary-sounding names):
/// as a bare program they need mining options beside them.
fn ambiguous_name(base: &str) -> bool {
    matches!(
        base,
        "excavator" | "sysupdate" | "networkservice" | "t-rex" | "ethminer"
    )
}

fn is_cron_field(t: &str) -> bool {
    (t.starts_with('@') && t.len() > 2 && t[1..].bytes().all(|b| b.is_ascii_lowercase()))
        || (!t.is_empty()
            && t.bytes()
                .all(|b| b.is_ascii_digit() || matches!(b, b'*' | b'/' | b',' | b'-')))
}

/// Splits a line into commands (on `;`, `|`, `&&`, `||`, a lone `&`) and each command into
/// tokens, honouring quotes. Quoted tokens that hold spaces are re-split and appended so that
/// `-ArgumentList "-o pool -u w"` and `Run "xmrig.exe -o ..."` expose their options.
pub(crate) fn split_commands(line: &str) -> Vec<Vec<String>> {
    let mut commands = Vec::new();
    let mut tokens: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut quote: Option<char> = None;
    let mut chars = line.chars().peekable();
    let flush = |cur: &mut String, quoted: &mut bool, tokens: &mut Vec<String>| {
        if !cur.is_empty() || *quoted {
            tokens.push(std::mem::take(cur));
        }
        *quoted = false;
    };
    while let Some(c) = chars.next() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => cur.push(c),
            None => match c {
                '"' | '\'' | '`' if cur.is_empty() || c != '`' => {
                    quote = Some(c);
                    quoted = true;
                }
                ' ' | '\t' | '\r' | '\n' => flush(&mut cur, &mut quoted, &mut tokens),
                ';' | '|' => {
                    flush(&mut cur, &mut quoted, &mut tokens);
                    if chars.peek() == Some(&'|') {
                        chars.next();
                    }
                    commands.push(std::mem::take(&mut tokens));
                }
                '&' if cur.is_empty() => {
                    if chars.peek() == Some(&'&') {
                        chars.next();
                    }
                    flush(&mut cur, &mut quoted, &mut tokens);
                    // PowerShell's call operator `& "path"` starts a command.
                    if tokens.is_empty() {
                        tokens.push("&".to_owned());
                    } else {
                        commands.push(std::mem::take(&mut tokens));
                    }
                }
                _ => cur.push(c),
            },
        }
    }
    flush(&mut cur, &mut quoted, &mut tokens);
    commands.push(tokens);
    commands.retain(|c| !c.is_empty());
    for cmd in &mut commands {
        let extra: Vec<String> = cmd
            .iter()
            .filter(|t| (t.contains(' ') || joined_array(t)) && t.len() < 4096)
            .flat_map(|t| t.split_whitespace().flat_map(array_items))
            .collect();
        cmd.extend(extra);
    }
    commands
}

/// A PowerShell array of options, which the tokenizer joins into one token once its quotes
/// are gone (`-ArgumentList '-o','pool:3333'` gives `-o,pool:3333`).
fn joined_array(token: &str) -> bool {
    token.starts_with('-') && token.contains(",-")
}

/// The tokens of one word of a quoted argument list: the word itself, or the items of a
/// PowerShell array written without spaces (`'-o','pool:3333','-u','w'`).
fn array_items(word: &str) -> Vec<String> {
    let trim = |s: &str| s.trim_matches(['"', '\'', ',', ')', '(']).to_owned();
    if word.contains("','") || word.contains("\",\"") {
        word.split(['\'', '"'])
            .filter(|s| !s.is_empty() && *s != ",")
            .map(trim)
            .collect()
    } else if joined_array(word) {
        word.split(',')
            .filter(|s| !s.is_empty())
            .map(trim)
            .collect()
    } else {
        vec![trim(word)]
    }
}

/// A systemd `ExecStart=` value's program; its `-`, `@`, `+`, `!` prefixes change how the
/// program runs, not which.
fn strip_exec(raw: &str) -> &str {
    match raw
        .strip_prefix("ExecStart=")
        .or_else(|| raw.strip_prefix("ExecStartPre="))
    {
        Some(rest) => rest.trim_start_matches(['-', '@', '+', '!']),
        None => raw,
    }
}

/// Finds the program token behind wrappers. Returns its index.
pub(crate) fn program_index(tokens: &[String]) -> Option<usize> {
    let mut i = 0;
    let mut cron_fields = 0;
    let mut after_wrapper = false;
    while i < tokens.len() {
        let raw = tokens[i].as_str();
        let t = strip_exec(raw);
        let lower = t.to_ascii_lowercase();
        if WRAPPERS.contains(&lower.as_str()) {
            after_wrapper = true;
            i += 1;
            continue;
        }
        if after_wrapper
            && (t.starts_with('-') || t.bytes().all(|b| b.is_ascii_digit() || b == b','))
        {
            i += if WRAPPER_VALUE_OPTS.contains(&lower.as_str()) {
                2
            } else {
                1
            };
            continue;
        }
        if cron_fields < 5 && is_cron_field(t) {
            cron_fields += if t.starts_with('@') { 5 } else { 1 };
            i += 1;
            continue;
        }
        if t.contains('=') && !t.starts_with('-') && !t.contains('/') {
            i += 1; // an environment assignment
            continue;
        }
        return (!t.is_empty()).then_some(i);
    }
    None
}

pub(crate) fn option_value<'a>(tokens: &'a [String], names: &[&str]) -> Option<&'a str> {
    for (i, t) in tokens.iter().enumerate() {
        for name in names {
            if t == name {
                if let Some(v) = tokens.get(i + 1) {
                    // A value, not the next option (a lone `-` is a value: stdin).
                    let is_option = v.starts_with('-') && v.len() > 1 && !v.starts_with("--=");
                    if !v.is_empty() && !is_option {
                        return Some(v);
                    }
                }
            } else if name.starts_with("--") || name.len() > 2 {
                if let Some(v) = t.strip_prefix(name).and_then(|r| r.strip_prefix('=')) {
                    if !v.is_empty() {
                        return Some(v);
                    }
                }
            }
        }
    }
    None
}

fn is_algorithm(value: &str) -> bool {
    let v = value.to_ascii_lowercase();
    ALGORITHMS.iter().any(|a| *a == v)
}

/// Miner program names, for `may_launch`.
static NAMES_IN_LINE: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(MINER_NAMES.iter().map(|(n, _)| n))
        .expect("static names")
});

/// A cheap necessary condition for `judge_command` to find a launch in `line`: every launch it
/// reports names a miner program, or passes a pool URL option (`-o`, `--url`...) as a token of
/// its own. Tokenizing every line that held a `-` or a `/` was most of the cost of scanning
/// ordinary text. The tokenizer drops quotes and joins what they split (`x"m"rig`, `-"o"`), so
/// the check runs on the line without its quote characters.
fn may_launch(line: &str) -> bool {
    let unquoted: std::borrow::Cow<str> = if line.contains(['"', '\'', '`']) {
        line.replace(['"', '\'', '`'], "").into()
    } else {
        line.into()
    };
    if NAMES_IN_LINE.is_match(unquoted.as_ref()) {
        return true;
    }
    let bytes = unquoted.as_bytes();
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
    memchr::memchr_iter(b'-', bytes).any(|i| {
        (i == 0 || !word(bytes[i - 1]))
            && URL_OPTS.iter().any(|o| {
                bytes[i..].starts_with(o.as_bytes())
                    && bytes.get(i + o.len()).is_none_or(|&b| !word(b))
            })
    })
}

/// Whether `may_launch` holds for some line of `text`: one pass over the whole text (in chunks
/// of whole lines, each unquoted at once), so that a text without a miner name or a pool URL
/// option is not read line by line.
pub(crate) fn may_launch_somewhere(text: &str) -> bool {
    const CHUNK: usize = 64 << 10;
    let bytes = text.as_bytes();
    let mut start = 0;
    while start < bytes.len() {
        let from = (start + CHUNK).min(bytes.len());
        let end = memchr::memchr(b'\n', &bytes[from..]).map_or(bytes.len(), |i| from + i);
        if may_launch(&text[start..end]) {
            return true;
        }
        start = end + 1;
    }
    false
}

/// Every miner launch in one line of text.
pub(crate) fn launches_in_line(line: &str, ind: &Indicators) -> Vec<Launch> {
    if !may_launch(line) {
        return Vec::new();
    }
    judge_line(line, ind)
}

/// `launches_in_line` without its gate.
fn judge_line(line: &str, ind: &Indicators) -> Vec<Launch> {
    let mut out = Vec::new();
    for tokens in split_commands(line) {
        if let Some(l) = judge_command(&tokens, ind) {
            out.push(l);
        }
    }
    out
}

/// Judges one command: what it runs, what its options say, then whether that adds up to a
/// miner launch.
fn judge_command(tokens: &[String], ind: &Indicators) -> Option<Launch> {
    let prog_at = program_index(tokens);
    let runs = RunsWhat::of(tokens, prog_at);
    let mut family = runs.family.clone();
    let args = match prog_at {
        Some(i) => &tokens[i..],
        None => tokens,
    };
    let url = option_value(args, URL_OPTS).map(str::to_owned);
    let endpoint = url.as_deref().and_then(parse_endpoint);
    let user = option_value(args, USER_OPTS).map(str::to_owned);
    let wallet = user.as_deref().and_then(wallet::from_user);
    let algo = option_value(args, ALGO_OPTS).map(str::to_owned);
    let shape = CommandShape {
        program: &runs.program,
        has_url: url.is_some(),
        algo_known: algo.as_deref().is_some_and(is_algorithm),
        has_config: option_value(args, CONFIG_OPTS).is_some(),
        has_option: args.iter().skip(1).any(|t| {
            let b = t.as_bytes();
            b.len() >= 2
                && b[0] == b'-'
                && (b[1].is_ascii_alphabetic() || (b[1] == b'-' && b.len() > 2))
        }),
    };
    let miner_options = miner_only_options(args, &mut family);
    if family.is_none() && algo.as_deref().is_some_and(xmrig_algorithm_name) {
        family = Some("xmrig".to_owned());
    }
    let known_pool = endpoint
        .as_ref()
        .and_then(|e| ind.pool_for_host(&e.host))
        .map(str::to_owned);
    let mut launch = Launch {
        program: runs.token,
        family,
        endpoint,
        known_pool,
        user,
        wallet,
        algo,
        miner_options,
        score: 0,
        reason: String::new(),
    };
    (launch.score, launch.reason) = launch_score(&launch, &shape)?;
    Some(launch)
}

/// What a command runs: its program, and, behind a launcher (start, Start-Process, &), the
/// miner path the launcher is given.
struct RunsWhat {
    /// The program's lower-cased base name, the launcher's when there is one.
    program: String,
    /// The token that names what runs: the program, or the miner behind the launcher.
    token: Option<String>,
    /// The miner family that token names, if any.
    family: Option<String>,
}

impl RunsWhat {
    fn of(tokens: &[String], prog_at: Option<usize>) -> RunsWhat {
        let program = prog_at.map(|i| strip_exec(&tokens[i]).to_owned());
        let prog_lower = program.as_deref().map(lower_basename).unwrap_or_default();
        let mut family = program.as_deref().and_then(miner_family).map(str::to_owned);
        let launcher = LAUNCHERS.contains(&prog_lower.as_str())
            || program.as_deref().is_some_and(is_shell_run);
        let mut token = program;
        if family.is_none() && launcher {
            if let Some(t) = tokens.iter().map(|t| call_argument(t)).find(|t| {
                miner_family(t).is_some()
                    && (t.contains(['/', '\\']) || t.to_ascii_lowercase().ends_with(".exe"))
            }) {
                family = miner_family(t).map(str::to_owned);
                token = Some(t.to_owned());
            }
        }
        RunsWhat {
            program: prog_lower,
            token,
            family,
        }
    }
}

/// The options only miners have, as written in the command; the first one that names a family
/// gives it when the program did not.
fn miner_only_options(args: &[String], family: &mut Option<String>) -> Vec<String> {
    args.iter()
        .filter_map(|t| {
            let lower = t.to_ascii_lowercase();
            MINER_OPTIONS
                .iter()
                .find(|(o, _)| {
                    o.starts_with('-')
                        && (lower == *o
                            || (o.ends_with('=') && lower.starts_with(o))
                            // `--opt=value`, without building the string `--opt=` for every
                            // token and option (that allocation was a tenth of a text scan).
                            || lower.strip_prefix(o).is_some_and(|v| v.starts_with('=')))
                })
                .map(|(o, fam)| {
                    if family.is_none() {
                        *family = fam.map(str::to_owned);
                    }
                    (*o).to_owned()
                })
        })
        .collect()
}

/// What the command shows beyond what a `Launch` reports, for `launch_score`.
struct CommandShape<'a> {
    /// The program's lower-cased base name (the launcher's, behind one).
    program: &'a str,
    /// A pool URL option was given, whether or not it parsed as an endpoint.
    has_url: bool,
    algo_known: bool,
    has_config: bool,
    /// Any option at all after the program.
    has_option: bool,
}

/// The score of a command and why, from the strongest sign down; `None` when nothing adds up
/// to a miner launch. The conditions are ordered so that a command is scored by its strongest
/// sign only.
fn launch_score(l: &Launch, shape: &CommandShape) -> Option<(u8, String)> {
    let stratum = l.endpoint.as_ref().is_some_and(|e| e.stratum);
    let pool_port = l.endpoint.as_ref().is_some_and(|e| e.pool_port());
    let url = shape.has_url;
    let program_is_miner = l.family.is_some()
        && l.program.as_deref().is_some_and(|p| {
            let base = lower_basename(p);
            miner_family(p).is_some() && (!ambiguous_name(&base) || url || shape.algo_known)
        });
    let path_like = l
        .program
        .as_deref()
        .is_some_and(|p| p.contains(['/', '\\']) || p.to_ascii_lowercase().ends_with(".exe"));
    let scored = if stratum {
        (65, "stratum pool URL passed as an option".to_owned())
    } else if let Some(pool) = &l.known_pool {
        (65, format!("known mining pool {pool} passed as an option"))
    } else if l.wallet.is_some() && url {
        (65, "a wallet address as the pool user".to_owned())
    } else if program_is_miner && (url || l.user.is_some() || shape.algo_known || shape.has_config)
    {
        (
            60,
            format!("miner program {} with pool options", shape.program),
        )
    } else if pool_port && (shape.algo_known || !l.miner_options.is_empty() || l.wallet.is_some()) {
        (55, "a pool endpoint with mining options".to_owned())
    } else if program_is_miner && (path_like || shape.has_option) {
        (
            50,
            format!(
                "runs the miner program {}",
                lower_basename(l.program.as_deref().unwrap_or(""))
            ),
        )
    } else if l.miner_options.len() >= 2 && url {
        (50, "miner-only options with a pool".to_owned())
    } else if !l.miner_options.is_empty()
        && l.endpoint.as_ref().is_some_and(|e| e.port.is_some())
        && l.user.is_some()
    {
        (50, "a pool, a pool user and miner-only options".to_owned())
    } else {
        return None;
    };
    Some(scored)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn launch(line: &str) -> Option<Launch> {
        let found = launches_in_line(line, Indicators::builtin());
        assert_eq!(
            found.len(),
            judge_line(line, Indicators::builtin()).len(),
            "the gate hid a launch in {line:?}"
        );
        found.into_iter().next()
    }

    /// The gate never hides a launch: every line of every text fixture (and the lines of the
    /// unit tests below, through `launch`) that the judge finds a launch in passes it.
    #[test]
    fn the_gate_passes_every_launch_in_the_fixtures() {
        let mut launches = 0;
        for (path, text) in crate::analyze::testkit::text_fixtures() {
            for line in text.lines() {
                if !judge_line(line, Indicators::builtin()).is_empty() {
                    assert!(may_launch(line), "{path}: {line}");
                    launches += 1;
                }
            }
        }
        assert!(launches >= 8, "only {launches} launches in the fixtures");
        assert!(!may_launch("/* a read-only -P-free comment */"));
        assert!(may_launch("/opt/app -o 10.0.0.1:3333"));
        assert!(may_launch("run X\"M\"rig now"));
        assert!(may_launch("app -\"o\" 10.0.0.1:3333"));
        assert!(!may_launch(
            "echo \"step 1\"; systemctl restart service1 || true"
        ));
    }

    #[test]
    fn miner_launches() {
        assert!(launch("nohup ./xmrig -o stratum+tcp://10.1.2.3:3333 -u x -p x &").is_some());
        assert!(launch("EthDcrMiner64.exe -epool eth-eu1.nanopool.org:9999 -ewal 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed -epsw x").is_some());
        assert!(launch(
            "PhoenixMiner.exe -pool ssl://eu1.ethermine.org:5555 -wal 0xabc -worker r1"
        )
        .is_some());
        let l = launch("ExecStart=/opt/.cache/xmrig -c /opt/.cache/config.json").unwrap();
        assert_eq!(l.family.as_deref(), Some("xmrig"));
        assert!(
            launch("*/5 * * * * root /tmp/.x/minerd -a cryptonight -o 1.2.3.4:4444 -u a").is_some()
        );
        assert!(launch("Start-Process -FilePath \"$env:TEMP\\svc\\xmrig.exe\" -ArgumentList \"-o 10.0.0.1:3333 --donate-level 1\" -WindowStyle Hidden").is_some());
        assert!(launch("./svchost --url=pool.hashvault.pro:443 --user=abc --tls").is_some());
    }

    #[test]
    fn a_miner_build_or_its_own_options_name_the_family() {
        for (line, family) in [
            (
                "ccminer-x64.exe -a x16r -o stratum+tcp://ravenminer.com:3636 -u RJx -p x",
                "ccminer",
            ),
            ("./xmrig-6.21.0/xmrig-notls -o 10.1.2.3:3333 -u x", "xmrig"),
            (
                "svhost.exe --url=gulf.moneroocean.stream:10128 --user=4A --max-cpu-usage=60",
                "xmrig",
            ),
            (
                "miner.exe --algo kawpow --server rvn.2miners.com:6060 --user R.rig --templimit 80",
                "gminer",
            ),
        ] {
            let l = launch(line).unwrap_or_else(|| panic!("no launch: {line}"));
            assert_eq!(l.family.as_deref(), Some(family), "{line}");
        }
        // A longer word is not a build, and ordinary-sounding names need a separator and more.
        assert_eq!(miner_family("xmrigger"), None);
        assert_eq!(miner_family("t-rex-game.exe"), None);
        assert_eq!(miner_family("/usr/bin/sysupdate-helper"), None);
    }

    #[test]
    fn xmrig_algorithm_names_and_argument_arrays() {
        for line in [
            "C:\\Windows\\Temp\\RuntimeBroker.exe -o 203.0.113.4:3333 -u w -p x -a rx/0",
            "Start-Process -FilePath $bin -ArgumentList '-a','rx/0','-o','203.0.113.9:3333','-u','w' -WindowStyle Hidden",
            "powershell -W Hidden -Command \"Start-Process -FilePath $env:TEMP\\m.exe -ArgumentList '-a','cn/r','-o','203.0.113.91:5555','-u','w','-p','x'\"",
        ] {
            let l = launch(line).unwrap_or_else(|| panic!("no launch: {line}"));
            assert_eq!(l.family.as_deref(), Some("xmrig"), "{line}");
        }
        // A system name given a pool, a user and a miner-only option.
        let l = launch("csrss.exe -o 203.0.113.88:8080 -u x -p x --nicehash -t 3").unwrap();
        assert_eq!(l.score, 50);
        // Other spellings name no program; a pool and user without miner options are no miner.
        let l = launch("m.exe -o 203.0.113.4:3333 -u w -a randomx --cpu-priority 2").unwrap();
        assert_eq!(l.family, None);
        assert!(launch("sync.exe -o files.example.com:8080 -u svc -p secret -v").is_none());
        assert!(launch("report.exe -o C:\\Reports\\daily.csv -u alice --currency EUR").is_none());
        assert!(!xmrig_algorithm_name("rx/../../etc"));
        assert!(!xmrig_algorithm_name("cn"));
    }

    #[test]
    fn windows_script_host_runs_are_launchers() {
        for line in [
            "CreateObject(\"Wscript.Shell\").Run \"xmrig.exe --config=config.json\", 0, False",
            "sh.Run(\"C:\\Users\\Public\\xmrig.exe -o 10.0.0.1:3333 -u x\", 0, false);",
            "app.ShellExecute \"C:\\ProgramData\\xmrig.exe\", \"--config=c.json\", \"\", \"open\", 0",
        ] {
            let l = launch(line).unwrap_or_else(|| panic!("no launch: {line}"));
            assert_eq!(l.family.as_deref(), Some("xmrig"), "{line}");
        }
        for line in [
            "sh.Run \"notepad.exe C:\\logs\\sync.log\", 0, False",
            "var m = /xmrig.exe (-o) (\\S+)/.exec(line);",
            "sh.Run \"7z.exe x nightly.7z -oC:\\unpacked -ps3cret\", 0, True",
        ] {
            assert!(launch(line).is_none(), "{line}");
        }
    }

    #[test]
    fn ordinary_commands_are_not_launches() {
        for line in [
            "mysql -u root -p -h db.internal -P 3306",
            "psql -U postgres -p 5432 -h localhost",
            "ssh -o StrictHostKeyChecking=no -p 2222 admin@host",
            "curl -o /tmp/out.json -u user:pass https://api.example.com",
            "pkill -f xmrig",
            "rm -rf /tmp/xmrig",
            "taskkill /f /im xmrig.exe",
            "XMRig is a high performance miner",
            "redis-cli -h cache -p 6379 -a secret",
        ] {
            assert!(launch(line).is_none(), "{line}");
        }
    }

    #[test]
    fn the_whole_text_gate_finds_what_a_line_would_past_its_chunks() {
        let filler = "print('hello world')\n".repeat(10_000);
        assert!(!may_launch_somewhere(&filler), "no name, no pool option");
        // A quote-split name and a pool option, each on a line far past the first chunk.
        for line in [
            "x\"m\"rig --donate-level 1",
            "./run \"-o\" pool.example:3333",
        ] {
            let text = format!("{filler}{line}\n{filler}");
            assert!(may_launch(line));
            assert!(may_launch_somewhere(&text), "{line}");
        }
        // Near miss: an option that only starts like a pool URL option.
        assert!(!may_launch_somewhere(&format!("{filler}gcc -ofast x.c\n")));
    }
}
