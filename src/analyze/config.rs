//! Miner configuration and launch commands. Miner configs are JSON or the relaxed JSON miners
//! accept (comments, trailing commas, xmr-stak's brace-less fragments); this analyzer parses
//! them tolerantly (`relaxed`) and looks for pool entries wherever they sit in the document: an
//! object with a pool URL and a user, in a `pools` array or at the top. The judgement is on the
//! values, not the key names that databases, caches, proxies and CI configs share with miners:
//! a stratum URL, a known pool, a checksum-valid wallet as the user, or a pool port together
//! with keys only miners have. The same facts given as command-line options, in any text, are a
//! miner launch (`cmdline`). Wallets alone (a donation line) are information.
//!
//! Rules: `miner_config` (miner), `miner_settings` (miner: a config made of miner-only keys
//! without a pool), `miner_command_line` (miner), `wallet_address` (info).

pub(crate) mod cmdline;
mod endpoint;
mod flat;
mod normalise;
pub(crate) mod relaxed;

use super::{Analyzer, AnalyzerError, AnalyzerWorker};
use crate::analyze::id::AnalyzerId;
use crate::judge::finding::{Class, Evidence, Finding};
use crate::knowledge::indicators::{pool_fact, xmrig_algorithm_name, Indicators, ALGORITHMS};
use crate::knowledge::wallet;
use crate::scan::context::FileContext;
use crate::scan::kind::FileKind;
use endpoint::{parse_endpoint, Endpoint};
use regex::Regex;
use serde_json::Value;
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::sync::LazyLock;

use cmdline::launches_in_line;
pub(crate) use cmdline::{option_value, program_index, split_commands};

pub struct ConfigAnalyzer;

const ID: AnalyzerId = AnalyzerId::Config;
/// Text above this is not parsed as JSON (miner configs are a few kilobytes).
const MAX_JSON: usize = 4 << 20;
/// Lines longer than this (minified code, data) are not command lines.
const MAX_LINE: usize = 8192;
const MAX_POOL_FINDINGS: usize = 8;
const MAX_WALLET_FINDINGS: usize = 4;

impl Analyzer for ConfigAnalyzer {
    fn id(&self) -> AnalyzerId {
        ID
    }
    fn reads_text_only(&self) -> bool {
        true
    }
    /// The words of `flat::GATE_WORDS`: the shared walk tells whether a text may hold a config
    /// in another syntax.
    fn needles(&self) -> Vec<&'static str> {
        flat::GATE_WORDS.to_vec()
    }
    fn worker(&self) -> Box<dyn AnalyzerWorker + '_> {
        Box::new(ConfigWorker)
    }
}

struct ConfigWorker;

impl AnalyzerWorker for ConfigWorker {
    fn applies(&self, kind: FileKind) -> bool {
        // Rule sets too: their quoted lines are skipped, what they say outside them is judged.
        kind.is_text()
    }

    fn analyze(&mut self, ctx: &FileContext, out: &mut Vec<Finding>) -> Result<(), AnalyzerError> {
        let Some(text) = decoded_text(ctx) else {
            return Ok(());
        };
        let mut users = BTreeSet::new();
        // Command lines and settings quoted (a rule's string, a list's entry, a document's
        // example) are not launches nor configs.
        let quoted = |line: usize| ctx.quoted_line(line).is_some();
        // Where the walk searched this text, it already looked for the flat gate's words.
        let flat_gate = walked_as_is(ctx, &text)
            .then(|| ctx.own_needles(ID).map(|hits| !hits.is_empty()))
            .flatten();
        if text.len() <= MAX_JSON {
            let json = looks_like_json(ctx.kind, &text)
                .then(|| relaxed::parse(&text))
                .flatten();
            let doc = json.or_else(|| {
                reads_flat(ctx.kind)
                    .then(|| flat::read(&text, &quoted, flat_gate))
                    .flatten()
            });
            if let Some(doc) = doc {
                judge_document(&doc, ctx.indicators, out, &mut users);
            }
        }
        scan_command_lines(&text, ctx.indicators, None, &quoted, out, &mut users);
        report_wallets(&text, &users, out);
        Ok(())
    }
}

/// The text both text analyzers judge: the whole file decoded, however long (padding a
/// script must not put it out of reach; `--max-size` bounds what is read), with its
/// interpreter's escapes and concatenations undone (`normalise`, same line numbers). `None`
/// for header-only views and binary data.
pub(crate) fn decoded_text<'a>(ctx: &'a FileContext) -> Option<Cow<'a, str>> {
    if ctx.truncated {
        return None;
    }
    ctx.text().map(|t| normalise::normalised(ctx.kind, t))
}

/// Whether the shared walk searched `text` itself: `text` is the context's text unchanged (not
/// rewritten by `normalise`: the very same slice) and that is the file's bytes as read
/// (`text_is_bytes`). Only then do the walk's needle hits say what the text holds.
pub(crate) fn walked_as_is(ctx: &FileContext, text: &str) -> bool {
    ctx.text().is_some_and(|t| std::ptr::eq(t, text)) && ctx.text_is_bytes()
}

/// The kinds whose key-value lines may be a miner config in another syntax (`flat`): plain
/// text (INI, TOML, YAML, env files; a TOML file that starts with `[[pools]]` sniffs as JSON
/// and fails to parse as such) and the scripts that set a kit's variables.
fn reads_flat(kind: FileKind) -> bool {
    matches!(
        kind,
        FileKind::Text
            | FileKind::Json
            | FileKind::Batch
            | FileKind::Shell
            | FileKind::PowerShell
            | FileKind::VbScript
    )
}

static JSON_KEY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?m)^\s*["'][A-Za-z_][\w\-]*["']\s*:"#).expect("static regex"));

fn looks_like_json(kind: FileKind, text: &str) -> bool {
    if kind == FileKind::Json {
        return true;
    }
    if !matches!(kind, FileKind::Text | FileKind::JavaScript) {
        return false;
    }
    let head = &text[..floor_boundary(text, 8192)];
    JSON_KEY.is_match(head)
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Key names normalised: lower case, `_` as `-`.
fn norm(key: &str) -> String {
    key.to_ascii_lowercase().replace('_', "-")
}

const URL_KEYS: &[&str] = &[
    "url",
    "pool",
    "pool-address",
    "pooladdress",
    "pool-url",
    "stratum",
    "server",
    "host",
    "address",
];
const USER_KEYS: &[&str] = &[
    "user",
    "username",
    "login",
    "wallet",
    "wallet-address",
    "wal",
    "address",
    "account",
];
const ALGO_KEYS: &[&str] = &["algo", "algorithm", "coin", "currency"];
/// Keys that only miner configs have.
const MINER_KEYS: &[&str] = &[
    "donate-level",
    "donate-over-proxy",
    "randomx",
    "rig-id",
    "nicehash",
    "use-nicehash",
    "pool-list",
    "pool-weight",
    "pool-password",
    "tls-fingerprint",
    "cpu-threads-conf",
    "gpu-threads-conf",
    "self-select",
    "wallet-address",
    "pool-address",
    "max-threads-hint",
    "huge-pages-jit",
    "h-print-time",
    "giveup-limit",
    "aes-override",
    "use-slow-memory",
    "tls-secure-algo",
    "astrobwt",
    "argon2",
    "cn-lite",
    "cn-heavy",
    "cn-pico",
    "kawpow",
];
/// Keys miners share with other software: counted only beside a pool entry.
const COMMON_MINER_KEYS: &[&str] = &[
    "cpu",
    "opencl",
    "cuda",
    "background",
    "tls",
    "keepalive",
    "threads",
    "intensity",
    "api-bind",
    "pools",
];
/// Coins as configs name them.
const COINS: &[&str] = &[
    "monero",
    "xmr",
    "eth",
    "etc",
    "rvn",
    "ravencoin",
    "zec",
    "zcash",
    "ltc",
    "litecoin",
    "btc",
    "bitcoin",
    "erg",
    "kaspa",
    "kas",
    "flux",
    "beam",
    "grin",
    "aeon",
    "wownero",
    "wow",
    "haven",
    "xhv",
    "doge",
    "dogecoin",
];

fn mining_algo_value(v: &str) -> bool {
    let v = v.to_ascii_lowercase();
    ALGORITHMS.contains(&v.as_str()) || COINS.contains(&v.as_str())
}

/// Document-wide facts: miner-only keys and mining algorithm values anywhere in it.
#[derive(Default)]
struct DocFacts {
    miner_keys: BTreeSet<String>,
    common_keys: BTreeSet<String>,
    algo: Option<(String, String)>,
    /// The family of the program a `miner` key names (flight sheets, kit settings).
    named_miner: Option<&'static str>,
}

fn collect_facts(v: &Value, depth: usize, facts: &mut DocFacts) {
    if depth > 32 {
        return;
    }
    match v {
        Value::Object(map) => {
            for (k, val) in map {
                let n = norm(k);
                if MINER_KEYS.contains(&n.as_str()) {
                    facts.miner_keys.insert(n.clone());
                } else if COMMON_MINER_KEYS.contains(&n.as_str()) {
                    facts.common_keys.insert(n.clone());
                }
                if n == "miner" && facts.named_miner.is_none() {
                    facts.named_miner = val.as_str().and_then(cmdline::miner_family);
                }
                if ALGO_KEYS.contains(&n.as_str()) {
                    if let Some(s) = val.as_str().filter(|s| mining_algo_value(s)) {
                        facts.algo.get_or_insert((k.clone(), s.to_owned()));
                    }
                }
                collect_facts(val, depth + 1, facts);
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|i| collect_facts(i, depth + 1, facts)),
        _ => {}
    }
}

/// A candidate pool entry: an object with a URL-like string.
struct PoolEntry<'a> {
    url_key: &'a str,
    url: &'a str,
    endpoint: Endpoint,
    user: Option<(&'a str, &'a str)>,
    algo: Option<(&'a str, &'a str)>,
}

fn collect_entries<'a>(v: &'a Value, depth: usize, out: &mut Vec<PoolEntry<'a>>) {
    if depth > 32 || out.len() > 256 {
        return;
    }
    match v {
        Value::Object(map) => {
            let find = |keys: &[&str]| {
                map.iter()
                    .find(|(k, val)| keys.contains(&norm(k).as_str()) && val.is_string())
                    .map(|(k, val)| (k.as_str(), val.as_str().unwrap_or_default()))
            };
            if let Some((url_key, url)) = map
                .iter()
                .filter(|(k, _)| URL_KEYS.contains(&norm(k).as_str()))
                .filter_map(|(k, val)| Some((k.as_str(), val.as_str()?)))
                .find(|(_, s)| parse_endpoint(s).is_some())
            {
                let mut endpoint = parse_endpoint(url).expect("checked above");
                if endpoint.port.is_none() {
                    // gminer and others give the port apart.
                    endpoint.port = map
                        .get("port")
                        .and_then(|p| p.as_u64().or_else(|| p.as_str()?.parse().ok()))
                        .and_then(|p| u16::try_from(p).ok());
                }
                let user = map
                    .iter()
                    .filter(|(k, _)| k.as_str() != url_key && USER_KEYS.contains(&norm(k).as_str()))
                    .find_map(|(k, val)| Some((k.as_str(), val.as_str()?)));
                out.push(PoolEntry {
                    url_key,
                    url,
                    endpoint,
                    user,
                    algo: find(ALGO_KEYS),
                });
            }
            for val in map.values() {
                collect_entries(val, depth + 1, out);
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|i| collect_entries(i, depth + 1, out)),
        _ => {}
    }
}

fn family_of(facts: &DocFacts) -> Option<&'static str> {
    let has = |k: &str| facts.miner_keys.contains(k) || facts.common_keys.contains(k);
    if has("pool-list")
        || has("wallet-address")
        || has("cpu-threads-conf")
        || has("h-print-time")
        || has("use-slow-memory")
        || has("use-nicehash")
    {
        Some("xmr-stak")
    } else if has("donate-level")
        || has("randomx")
        || has("donate-over-proxy")
        || has("max-threads-hint")
    {
        Some("xmrig")
    } else {
        None
    }
}

/// The program a config is for: its miner-only keys, a `miner` key naming it, or XMRig's
/// way of naming its algorithm (`rx/0`).
fn doc_family(facts: &DocFacts) -> Option<&'static str> {
    let xmrig_algo = facts
        .algo
        .as_ref()
        .is_some_and(|(_, v)| xmrig_algorithm_name(v));
    family_of(facts)
        .or(facts.named_miner)
        .or(xmrig_algo.then_some("xmrig"))
}

fn judge_document(
    doc: &Value,
    ind: &Indicators,
    out: &mut Vec<Finding>,
    users: &mut BTreeSet<String>,
) {
    let mut facts = DocFacts::default();
    collect_facts(doc, 0, &mut facts);
    let mut entries = Vec::new();
    collect_entries(doc, 0, &mut entries);
    let family = doc_family(&facts);
    let mut facts_seen = BTreeSet::new();
    let mut reported = 0;
    for e in &entries {
        let wallet = e.user.and_then(|(_, u)| wallet::from_user(u));
        let known = ind.pool_for_host(&e.endpoint.host);
        let algo = e
            .algo
            .filter(|(_, v)| mining_algo_value(v))
            .or(facts.algo.as_ref().map(|(k, v)| (k.as_str(), v.as_str())));
        let miner_keys = facts.miner_keys.len();
        // A wallet beside a web URL is a payment or donation setting, not a pool's user.
        let web = matches!(e.endpoint.scheme.as_deref(), Some("http" | "https"));
        let (score, why) = if e.endpoint.stratum {
            (70, "a stratum pool URL".to_owned())
        } else if let Some(pool) = known {
            (65, format!("the known mining pool {pool}"))
        } else if let Some(w) = wallet.as_ref().filter(|_| !web) {
            (65, format!("a {} as the pool user", w.describe()))
        } else if e.endpoint.pool_port() && (miner_keys >= 1 || algo.is_some()) {
            (55, "a pool port with miner-only settings".to_owned())
        } else if e.endpoint.port.is_some() && !web && miner_keys >= 2 {
            (50, "a pool endpoint with miner-only settings".to_owned())
        } else {
            continue;
        };
        let fact = pool_fact(&e.endpoint.host, e.endpoint.port);
        if !facts_seen.insert(fact.clone()) || reported >= MAX_POOL_FINDINGS {
            continue;
        }
        reported += 1;
        let mut f = Finding::new(
            ID,
            "miner_config",
            Class::Miner,
            score,
            format!(
                "miner configuration: pool {} with {why}",
                e.endpoint.display()
            ),
        )
        .fact(fact)
        .with_evidence(Evidence::config(e.url_key, e.url));
        if let Some((k, u)) = e.user {
            users.insert(u.to_owned());
            match &wallet {
                Some(w) => {
                    users.insert(w.address.clone());
                    f.push_evidence(Evidence::config(k, format!("{u} ({})", w.describe())));
                }
                None => f.push_evidence(Evidence::config(k, u)),
            }
        }
        if let Some((k, v)) = algo {
            f.push_evidence(Evidence::config(k, v));
        }
        for k in facts.miner_keys.iter().take(3) {
            f.push_evidence(Evidence::text(format!("miner-only key {k}")));
        }
        if let Some(fam) = family {
            f = f.family(fam);
        }
        out.push(f);
    }
    // A miner's settings file without its pools (xmr-stak's config.txt, an xmrig config whose
    // pools are given on the command line).
    if reported == 0 && facts.miner_keys.len() >= 3 {
        let mut f = Finding::new(
            ID,
            "miner_settings",
            Class::Miner,
            45,
            format!(
                "miner settings ({} miner-only keys)",
                facts.miner_keys.len()
            ),
        )
        .fact("miner-settings");
        for k in &facts.miner_keys {
            f.push_evidence(Evidence::text(format!("miner-only key {k}")));
        }
        if let Some(fam) = family {
            f = f.family(fam);
        }
        out.push(f);
    }
}

/// Where command lines come from, for the evidence: the file itself, or a decoded layer found
/// at a line of the file.
#[derive(Clone, Copy)]
pub(crate) struct DecodedAt {
    pub line: usize,
}

/// Reports every miner launch command in `text`. Wallets given as users are added to `users`.
pub(crate) fn scan_command_lines(
    text: &str,
    ind: &Indicators,
    decoded: Option<DecodedAt>,
    quoted: &dyn Fn(usize) -> bool,
    out: &mut Vec<Finding>,
    users: &mut BTreeSet<String>,
) {
    let mut seen = BTreeSet::new();
    let mut reported = 0;
    let tasks = task_commands(text);
    if tasks.is_empty() && !cmdline::may_launch_somewhere(text) {
        return;
    }
    let lines = text.lines().enumerate().map(|(n, l)| (n, Cow::Borrowed(l)));
    for (n, line) in lines.chain(tasks.into_iter().map(|(n, l)| (n, Cow::Owned(l)))) {
        let line = line.as_ref();
        if line.len() > MAX_LINE || reported >= MAX_POOL_FINDINGS {
            continue;
        }
        let launches = launches_in_line(line, ind);
        if launches.is_empty() || quoted(n + 1) {
            continue;
        }
        for l in launches {
            let fact = match &l.endpoint {
                Some(e) => pool_fact(&e.host, e.port),
                None => format!(
                    "miner-command:{}",
                    l.program
                        .as_deref()
                        .map(|p| p.to_ascii_lowercase())
                        .unwrap_or_default()
                ),
            };
            if !seen.insert(fact.clone()) {
                // The same pool launched again by a line that names the program (a command
                // built in a variable, then run) gives the family the first line lacked.
                if let Some(fam) = &l.family {
                    out.iter_mut()
                        .filter(|f| f.rule == "miner_command_line" && f.family.is_none())
                        .filter(|f| f.fact.as_deref() == Some(fact.as_str()))
                        .for_each(|f| f.family = Some(fam.clone()));
                }
                continue;
            }
            reported += 1;
            let (line_no, shown, where_) = match decoded {
                Some(d) => (
                    d.line,
                    format!("decoded: {}", line.trim()),
                    " (in base64-decoded text)",
                ),
                None => (n + 1, line.trim().to_owned(), ""),
            };
            let mut f = Finding::new(
                ID,
                "miner_command_line",
                Class::Miner,
                l.score,
                format!("miner launch command: {}{where_}", l.reason),
            )
            .fact(fact)
            .with_evidence(Evidence::line(line_no, &shown));
            if let Some(u) = &l.user {
                users.insert(u.clone());
            }
            if let Some(w) = &l.wallet {
                users.insert(w.address.clone());
                f.push_evidence(Evidence::config(
                    "user",
                    format!("{} ({})", w.address, w.describe()),
                ));
            }
            if let Some(p) = &l.known_pool {
                f.push_evidence(Evidence::text(format!("known public pool {p}")));
            }
            if let Some(a) = &l.algo {
                f.push_evidence(Evidence::config("algo", a));
            }
            if !l.miner_options.is_empty() {
                f.push_evidence(Evidence::text(format!(
                    "miner-only options {}",
                    l.miner_options.join(" ")
                )));
            }
            if let Some(fam) = &l.family {
                f = f.family(fam.clone());
            }
            out.push(f);
        }
    }
}

static TASK_EXEC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?is)<Command>\s*(.*?)\s*</Command>\s*(?:<Arguments>\s*(.*?)\s*</Arguments>)?")
        .expect("static regex")
});

/// A Task Scheduler action's command and arguments, which the XML keeps apart, as one command
/// line (with the line number of the command).
fn task_commands(text: &str) -> Vec<(usize, String)> {
    if !text.contains("<Command>") {
        return Vec::new();
    }
    let unescape = |s: &str| {
        s.replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    };
    TASK_EXEC
        .captures_iter(text)
        .take(16)
        .filter_map(|c| {
            let cmd = c.get(1)?;
            let args = c.get(2).map_or("", |a| a.as_str());
            let line = text[..cmd.start()].bytes().filter(|&b| b == b'\n').count();
            Some((
                line,
                format!("{} {}", unescape(cmd.as_str()), unescape(args)),
            ))
        })
        .collect()
}

/// Wallets not already reported as a pool user: information (donation lines, documentation).
fn report_wallets(text: &str, users: &BTreeSet<String>, out: &mut Vec<Finding>) {
    let mut seen = BTreeSet::new();
    for (offset, w) in wallet::find_in_text(text, 64) {
        if users.iter().any(|u| u.contains(&w.address)) || !seen.insert(w.address.clone()) {
            continue;
        }
        if seen.len() > MAX_WALLET_FINDINGS {
            break;
        }
        let line = text[..offset].bytes().filter(|&b| b == b'\n').count() + 1;
        out.push(
            Finding::new(
                ID,
                "wallet_address",
                Class::Info,
                10,
                format!("names a {}", w.describe()),
            )
            .fact(w.fact())
            .with_evidence(Evidence::line(line, &w.address)),
        );
    }
}

#[cfg(test)]
mod tests;
