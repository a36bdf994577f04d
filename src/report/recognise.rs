//! Our own reports, met again in a later scan (last night's NDJSON log, a CI job's JSON): full
//! of the strings they quote, never a miner, and left out rather than flagged. A file passes
//! for one only as a whole: every record must parse under the report's own shape with no field
//! the writers do not write (JSON and NDJSON through the `deny_unknown_fields` mirrors below),
//! or every line must be a line the text writer writes, in its order. A first line proves
//! nothing: a script or a miner config cannot be a whole report, so imitating a report's
//! beginning hides nothing. The files this run writes are skipped by identity instead (see
//! `Engine::add_own_file`).
//!
//! The mirrors follow the writers (`json::JsonFile`, `ndjson`, `text`) and accept the fields
//! older versions wrote, so that old reports stay quiet; `tests` writes a report with every
//! field in every format and checks that it is recognised, so the two cannot drift apart.

// The mirrors' fields exist to be parsed, never read.
#![allow(dead_code)]

use crate::judge::finding::{Class, Evidence};
use crate::judge::verdict::Level;
use crate::outcome::triage::Relation;
use regex::Regex;
use serde::de::{DeserializeOwned, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;
use std::marker::PhantomData;
use std::sync::LazyLock;

/// Whether `bytes` is, as a whole, a report written by minerscan. `executable`: the file has an
/// execute permission bit, which our reports never have.
pub fn is_minerscan_report(bytes: &[u8], executable: bool) -> bool {
    if executable {
        return false;
    }
    // Since schema 1.0 the version comes first; older reports began with the tool.
    if bytes.starts_with(br#"{"schema_version":""#)
        || bytes.starts_with(br#"{"tool":{"name":"minerscan""#)
    {
        return serde_json::from_slice::<JsonDocument>(bytes).is_ok();
    }
    if bytes.starts_with(br#"{"@timestamp":""#) {
        return is_ndjson_report(bytes);
    }
    if TEXT_STARTS.iter().any(|s| bytes.starts_with(s)) {
        return std::str::from_utf8(bytes).is_ok_and(is_text_report);
    }
    false
}

/// A sequence checked element by element and dropped: a large report costs one record of
/// memory, not the whole list.
struct Each<T>(PhantomData<T>);

impl<'de, T: DeserializeOwned> Deserialize<'de> for Each<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: DeserializeOwned> Visitor<'de> for V<T> {
            type Value = Each<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<T>()?.is_some() {}
                Ok(Each(PhantomData))
            }
        }
        d.deserialize_seq(V(PhantomData))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonDocument {
    #[serde(default)]
    schema_version: Option<IgnoredString>,
    tool: Tool,
    scan: Scan,
    files: Each<File>,
    errors: Each<ListedError>,
    summary: Summary,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Tool {
    #[serde(deserialize_with = "minerscan")]
    name: (),
    version: IgnoredString,
    signature_pack: IgnoredString,
}

fn minerscan<'de, D: Deserializer<'de>>(d: D) -> Result<(), D::Error> {
    let name = String::deserialize(d)?;
    if name == "minerscan" {
        Ok(())
    } else {
        Err(serde::de::Error::custom("not minerscan"))
    }
}

/// A string whose value does not matter (only that it is one).
type IgnoredString = Box<str>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Scan {
    roots: Vec<IgnoredString>,
    started: IgnoredString,
    options: Options,
    rule_sets: Vec<RuleSet>,
    load_problems: Vec<IgnoredString>,
}

/// `scan.options` as `config::build_scan` fills it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Options {
    max_size: u64,
    follow: bool,
    one_file_system: bool,
    exclude: Vec<IgnoredString>,
    threads: u64,
    timeout: u64,
    builtin_rules: bool,
    #[serde(default)]
    processes: Option<bool>,
    #[serde(default)]
    root: Option<IgnoredString>,
    #[serde(default)]
    root_os: Option<IgnoredString>,
    ioc_lists: Vec<IocList>,
    archive_depth: u32,
    #[serde(default)]
    baseline: Option<IgnoredString>,
    #[serde(default)]
    baseline_sha256: Option<IgnoredString>,
    fail_on: IgnoredString,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IocList {
    origin: IgnoredString,
    #[serde(default)]
    sha256: Option<IgnoredString>,
    builtin: bool,
    hashes: u64,
    network: u64,
    paths: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSet {
    origin: IgnoredString,
    sha256: IgnoredString,
    builtin: bool,
}

/// `json::JsonFile`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    /// Written on the NDJSON file line's `minerscan` object (schema 1.0 and later).
    #[serde(default)]
    schema_version: Option<IgnoredString>,
    path: IgnoredString,
    #[serde(default)]
    path_bytes: Option<IgnoredString>,
    size: u64,
    kind: IgnoredString,
    verdict: Level,
    score: u8,
    family: Option<IgnoredString>,
    category: Option<IgnoredString>,
    #[serde(default)]
    md5: Option<IgnoredString>,
    #[serde(default)]
    sha1: Option<IgnoredString>,
    #[serde(default)]
    sha256: Option<IgnoredString>,
    reasons: Vec<IgnoredString>,
    findings: Vec<Finding>,
    #[serde(default)]
    errors: Vec<FileError>,
    #[serde(default)]
    incomplete: Vec<IgnoredString>,
    #[serde(default)]
    skipped: Option<IgnoredString>,
    #[serde(default)]
    header_only: bool,
    #[serde(default)]
    meta: Option<Meta>,
    #[serde(default)]
    persistence: Option<IgnoredString>,
    #[serde(default)]
    starts: Vec<IgnoredString>,
    #[serde(default)]
    cached: bool,
    /// Schema 1.2 and later.
    #[serde(default)]
    links: Vec<Link>,
    #[serde(default)]
    members: Vec<File>,
    #[serde(default)]
    suppressed: Vec<Suppressed>,
    #[serde(default)]
    process: Option<Process>,
}

/// `finding::Finding` as serialized.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Finding {
    analyzer: IgnoredString,
    rule: IgnoredString,
    class: Class,
    score: u8,
    description: IgnoredString,
    #[serde(default)]
    family: Option<IgnoredString>,
    evidence: Vec<Evidence>,
    #[serde(default)]
    evidence_omitted: u64,
    #[serde(default)]
    tags: Vec<IgnoredString>,
    #[serde(default)]
    also_reported_by: Vec<IgnoredString>,
}

/// `baseline::Suppressed`: a finding and the reason.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Suppressed {
    analyzer: IgnoredString,
    rule: IgnoredString,
    class: Class,
    score: u8,
    description: IgnoredString,
    #[serde(default)]
    family: Option<IgnoredString>,
    evidence: Vec<Evidence>,
    #[serde(default)]
    evidence_omitted: u64,
    #[serde(default)]
    tags: Vec<IgnoredString>,
    #[serde(default)]
    also_reported_by: Vec<IgnoredString>,
    reason: IgnoredString,
}

/// `error::FileError`.
#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
enum FileError {
    PermissionDenied,
    Vanished,
    Io {
        message: IgnoredString,
    },
    Walk {
        message: IgnoredString,
    },
    Analyzer {
        analyzer: IgnoredString,
        message: IgnoredString,
    },
    Timeout {
        analyzer: IgnoredString,
    },
    Archive {
        problem: ArchiveProblem,
        message: IgnoredString,
    },
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum ArchiveProblem {
    Corrupt,
    Encrypted,
    TooManyMembers,
    TotalBytes,
    CompressionRatio,
    OversizedHeader,
    UnpackFailed,
}

/// `triage::JsonMeta`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Meta {
    mode: IgnoredString,
    uid: u32,
    gid: u32,
    #[serde(default)]
    owner: Option<IgnoredString>,
    mtime: IgnoredString,
    ctime: IgnoredString,
    atime: IgnoredString,
    #[serde(default)]
    btime: Option<IgnoredString>,
    device: u64,
    inode: u64,
}

/// `process::ProcessInfo`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Process {
    pids: Vec<u32>,
    exe: IgnoredString,
    cmdline: IgnoredString,
    deleted: bool,
    #[serde(default)]
    replaced: bool,
}

/// An entry of the JSON report's `errors` list.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListedError {
    path: IgnoredString,
    error: IgnoredString,
}

/// `report::Summary` with `triage::TriageSummary` flattened into it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Summary {
    started: IgnoredString,
    finished: IgnoredString,
    files_scanned: u64,
    bytes_scanned: u64,
    skipped: BTreeMap<IgnoredString, u64>,
    errors: u64,
    #[serde(default)]
    incomplete: u64,
    complete: bool,
    interrupted: bool,
    verdicts: BTreeMap<IgnoredString, u64>,
    suppressed: u64,
    elapsed_ms: u64,
    #[serde(default)]
    indicators: BTreeMap<IgnoredString, BTreeMap<IgnoredString, Seen>>,
    #[serde(default)]
    indicators_truncated: bool,
    #[serde(default)]
    persistence_links: Vec<PersistenceLink>,
    /// Schema 1.2 and later.
    #[serde(default)]
    chains: Vec<Chain>,
    #[serde(default)]
    cache: Option<CacheStats>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Link {
    relation: Relation,
    path: IgnoredString,
    verdict: Level,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Chain {
    verdict: Level,
    files: Vec<ChainFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChainFile {
    path: IgnoredString,
    relation: Option<Relation>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Seen {
    files: Vec<IgnoredString>,
    #[serde(default)]
    more_files: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PersistenceLink {
    persistence: IgnoredString,
    place: IgnoredString,
    starts: IgnoredString,
    verdict: Level,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CacheStats {
    hits: u64,
    stored: u64,
    #[serde(default)]
    rebuilt: Option<IgnoredString>,
    #[serde(default)]
    write_error: Option<IgnoredString>,
}

/// One NDJSON file line (`ndjson::NdjsonReporter::file`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NdjsonFile {
    #[serde(rename = "@timestamp")]
    timestamp: IgnoredString,
    event: NdjsonEvent,
    file: EcsFile,
    minerscan: File,
    #[serde(default)]
    process: Option<EcsProcess>,
    #[serde(default)]
    rule: Option<EcsRule>,
    #[serde(default)]
    threat: Option<EcsThreat>,
    #[serde(default)]
    error: Option<EcsError>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NdjsonEvent {
    kind: IgnoredString,
    category: Vec<IgnoredString>,
    #[serde(rename = "type")]
    kind_of: Vec<IgnoredString>,
    outcome: IgnoredString,
    #[serde(deserialize_with = "minerscan")]
    module: (),
    dataset: IgnoredString,
    risk_score: u8,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EcsFile {
    path: IgnoredString,
    name: IgnoredString,
    size: u64,
    #[serde(default)]
    mtime: Option<IgnoredString>,
    #[serde(default)]
    ctime: Option<IgnoredString>,
    #[serde(default)]
    accessed: Option<IgnoredString>,
    #[serde(default)]
    created: Option<IgnoredString>,
    #[serde(default)]
    mode: Option<IgnoredString>,
    #[serde(default)]
    uid: Option<IgnoredString>,
    #[serde(default)]
    gid: Option<IgnoredString>,
    #[serde(default)]
    owner: Option<IgnoredString>,
    #[serde(default)]
    inode: Option<IgnoredString>,
    #[serde(default)]
    device: Option<IgnoredString>,
    #[serde(default)]
    hash: Option<EcsHash>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EcsHash {
    #[serde(default)]
    md5: Option<IgnoredString>,
    #[serde(default)]
    sha1: Option<IgnoredString>,
    #[serde(default)]
    sha256: Option<IgnoredString>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EcsProcess {
    pid: Option<u32>,
    executable: IgnoredString,
    command_line: IgnoredString,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EcsRule {
    name: IgnoredString,
    description: IgnoredString,
    ruleset: IgnoredString,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EcsThreat {
    framework: IgnoredString,
    technique: EcsTechnique,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EcsTechnique {
    id: Vec<IgnoredString>,
    name: Vec<IgnoredString>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EcsError {
    message: IgnoredString,
}

/// The NDJSON summary line.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NdjsonSummary {
    #[serde(rename = "@timestamp")]
    timestamp: IgnoredString,
    event: NdjsonMetric,
    minerscan: NdjsonSummaryBody,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NdjsonMetric {
    kind: IgnoredString,
    #[serde(deserialize_with = "minerscan")]
    module: (),
    dataset: IgnoredString,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NdjsonSummaryBody {
    #[serde(default)]
    schema_version: Option<IgnoredString>,
    summary: Summary,
}

/// Every line a file record, then one summary line last.
fn is_ndjson_report(bytes: &[u8]) -> bool {
    let Some(body) = bytes.strip_suffix(b"\n") else {
        return false;
    };
    let mut lines = body.split(|&b| b == b'\n').peekable();
    while let Some(line) = lines.next() {
        let ok = if lines.peek().is_some() {
            serde_json::from_slice::<NdjsonFile>(line).is_ok()
        } else {
            serde_json::from_slice::<NdjsonSummary>(line).is_ok()
        };
        if !ok {
            return false;
        }
    }
    true
}

/// How a text report can begin: a rule warning, a file entry, or the summary of a scan that
/// listed nothing.
const TEXT_STARTS: &[&[u8]] = &[
    b"warning: ",
    b"MALICIOUS ",
    b"SUSPICIOUS ",
    b"clean      ",
    b"incomplete ",
    b"skipped    ",
    b"\x1b[",
    b"\nScanned ",
];

/// The lines of `text::TextReporter`, each kind by its shape.
struct TextGrammar {
    header: Regex,
    skipped: Regex,
    finding: Regex,
    sha256: Regex,
    process: Regex,
    scanned: Regex,
    summary_line: Regex,
    seen: Regex,
    link: Regex,
}

static TEXT: LazyLock<TextGrammar> = LazyLock::new(|| {
    let re = |p: &str| Regex::new(p).expect("static regex");
    TextGrammar {
        header: re(
            r"^(?:\x1b\[[0-9;]*m)?(?:MALICIOUS |SUSPICIOUS|clean     |incomplete)(?:\x1b\[0m)? .+  \[(?:score \d{1,3}(?:, .+)?|not fully scanned: .+)\]$",
        ),
        skipped: re(
            r"^skipped    .+ \((?:special|symlink|symlink_loop|same_directory|too_large|excluded|virtual_fs|other_filesystem|own_file)\)$",
        ),
        finding: re(
            r"^    - \[(?:ioc|miner|hiding|persistence|rival_kill|injection|download_exec|evasion|info)\] [a-z_]+:.+ \(\d{1,3}\) .*$",
        ),
        sha256: re(r"^    sha256 [0-9a-f]{64}$"),
        process: re(r"^    process pid \d+(?:, \d+)*: .*$"),
        scanned: re(
            r"^Scanned \d+ files \(\d+(?:\.\d)? (?:B|KiB|MiB|GiB|TiB)\) in \d+\.\ds: \d+ malicious, \d+ suspicious, \d+ clean\.$",
        ),
        summary_line: re(concat!(
            r"^(?:Skipped: \d+ [a-z_]+(?:, \d+ [a-z_]+)*\.",
            r"|Suppressed by the baseline: \d+ findings\.",
            r"|Not fully scanned: \d+ files \(see above\)\.",
            r"|Errors: \d+ \(see above\)\.",
            r"|Persistence: .+ \(.+\) starts .+ \((?:suspicious|malicious)\)",
            r"|Chain \((?:suspicious|malicious)\): .+",
            r"|Cache: \d+ hits, \d+ results stored\.",
            r"|Cache rebuilt: .+\.",
            r"|Cache not written: .+",
            r"|Interrupted: the scan is incomplete\.",
            r"|Incomplete: some files could not be read\.",
            r"|Incomplete: the scan did not judge every file whole\.)$",
        )),
        seen: re(r"^Seen [a-z_]+s:$"),
        link: re(
            r"^    link: (?:starts|started_by|configures|configured_by|installs|installed_by|downloads|downloaded_by) .+ \((?:clean|suspicious|malicious)\)$",
        ),
    }
});

/// Whether every line of `text` is one the text writer writes, in its order: warnings, file
/// entries (a header, then its details), one blank line, the summary, and nothing after it.
fn is_text_report(text: &str) -> bool {
    #[derive(PartialEq)]
    enum At {
        Warnings,
        Entry,
        Finding,
        Blank,
        Summary,
        Seen,
    }
    let g = &*TEXT;
    let Some(body) = text.strip_suffix('\n') else {
        return false;
    };
    let mut at = At::Warnings;
    for line in body.split('\n') {
        let header = || g.header.is_match(line) || g.skipped.is_match(line);
        let detail = || {
            line.starts_with("    why: ")
                || line.starts_with("    error: ")
                || line.starts_with("    suppressed: ")
                || line.starts_with("    not fully scanned: ")
                || g.link.is_match(line)
                || line == "  member:"
                || g.sha256.is_match(line)
                || g.process.is_match(line)
        };
        at = match at {
            At::Warnings if line.starts_with("warning: ") => At::Warnings,
            At::Warnings | At::Entry | At::Finding if line.is_empty() => At::Blank,
            At::Warnings | At::Entry | At::Finding if header() => At::Entry,
            At::Entry | At::Finding if g.finding.is_match(line) => At::Finding,
            At::Entry | At::Finding if detail() => At::Entry,
            At::Finding if line.starts_with("        ") => At::Finding,
            At::Blank if g.scanned.is_match(line) => At::Summary,
            At::Summary | At::Seen if g.summary_line.is_match(line) => At::Summary,
            At::Summary | At::Seen if g.seen.is_match(line) => At::Seen,
            At::Seen if line.starts_with("  ") && line.contains(" in ") => At::Seen,
            _ => return false,
        };
    }
    matches!(at, At::Summary | At::Seen)
}

#[cfg(test)]
mod tests;
