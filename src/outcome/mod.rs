//! What a scan produced, as plain data at the bottom of the crate: one `FileReport` per target
//! (with its findings, verdict, problems and the facts the worker recorded), the `ScanInfo`
//! written before the first file and the `Summary` written last. Nothing here knows how it is
//! filled (scan/, judge/, post/) or printed (report/): those depend on it, never the reverse.

pub mod options;
pub mod problems;
pub mod triage;

use crate::judge::finding::Finding;
use crate::judge::verdict::{Level, Verdict};
use crate::outcome::problems::{FileError, Incomplete, SkipReason};
use crate::scan::digests::Digests;
use crate::scan::kind::FileKind;
use serde::Serialize;
use std::collections::BTreeMap;

/// The report for one target.
#[derive(Clone, Debug)]
pub struct FileReport {
    pub seq: u64,
    /// The path, lossily UTF-8.
    pub path: String,
    /// The exact path bytes, base64, when the path is not UTF-8.
    pub path_bytes: Option<String>,
    pub size: u64,
    pub kind: FileKind,
    pub digests: Digests,
    pub verdict: Verdict,
    pub findings: Vec<Finding>,
    pub errors: Vec<FileError>,
    pub skipped: Option<SkipReason>,
    /// Only a header was read (the file is above the size limit).
    pub header_only: bool,
    pub meta: Option<FileMeta>,
    /// Never read because the scan was interrupted first: dropped by the writer.
    pub not_scanned: bool,
    /// Persistence place, owner, cache hit (`triage`).
    pub triage: crate::outcome::triage::FileTriage,
    /// For an archive: its members that were flagged, had problems or hold such members.
    pub members: Vec<FileReport>,
    /// Findings a baseline suppressed (kept only with --show-suppressed or SARIF output).
    pub suppressed: Vec<Suppressed>,
    /// How many findings a baseline suppressed here, members included.
    pub suppressed_count: u64,
    /// `--processes`: the processes running this executable.
    pub process: Option<crate::scan::processes::ProcessInfo>,
    /// Another name of a file met earlier in the walk (its walk number): not read again, the
    /// writer gives it that name's result.
    pub same_as: Option<u64>,
    /// The first name of a file that may have others: the writer keeps its result for them.
    pub keep_for_names: bool,
    /// The digests a flagged file shows, made while its bytes were at hand for a clean file
    /// that names others (it has facts), in case a link raises it after the walk
    /// (`post::chains`); never shown as such.
    pub digests_if_flagged: Option<Box<crate::scan::digests::StreamedDigests>>,
}

impl FileReport {
    pub fn new(seq: u64, path: String, path_bytes: Option<String>) -> FileReport {
        FileReport {
            seq,
            path,
            path_bytes,
            size: 0,
            kind: FileKind::Empty,
            digests: Digests::default(),
            verdict: Verdict::clean(),
            findings: Vec::new(),
            errors: Vec::new(),
            skipped: None,
            header_only: false,
            meta: None,
            not_scanned: false,
            triage: Default::default(),
            members: Vec::new(),
            suppressed: Vec::new(),
            suppressed_count: 0,
            process: None,
            same_as: None,
            keep_for_names: false,
            digests_if_flagged: None,
        }
    }

    pub fn flagged(&self) -> bool {
        self.verdict.level != Level::Clean
    }

    /// The finding a one-line summary names: the first that counts (information never heads
    /// a report while something else was found).
    pub fn headline(&self) -> Option<&Finding> {
        self.findings.iter().find(|f| !f.is_info())
    }

    /// Whether a report is listed: flagged files, files with problems, archives with listed
    /// members and files linked to a flagged one; every file with `--all`. Routine skips (a large file's header found nothing,
    /// our own files) are only counted.
    pub fn worth_listing(&self, all: bool) -> bool {
        let notable_skip = !matches!(
            self.skipped,
            None | Some(SkipReason::TooLarge) | Some(SkipReason::Own)
        );
        all || self.flagged()
            || !self.errors.is_empty()
            || notable_skip
            || !self.members.is_empty()
            || !self.suppressed.is_empty()
            || !self.triage.links.is_empty()
    }

    /// Why this file (or one of its archive members) was not fully judged, sorted and without
    /// repeats; empty when it was. Derived from the problems: one source of truth.
    pub fn incomplete(&self) -> Vec<Incomplete> {
        let mut out = Vec::new();
        self.collect_incomplete(&mut out);
        out.sort();
        out.dedup();
        out
    }

    fn collect_incomplete(&self, out: &mut Vec<Incomplete>) {
        out.extend(self.errors.iter().map(FileError::incomplete));
        for m in &self.members {
            m.collect_incomplete(out);
        }
    }

    /// Whether any analyzer judged the file (it was read, whole or by its header).
    pub fn was_read(&self) -> bool {
        (self.skipped.is_none() || self.header_only) && !self.errors.iter().any(FileError::unread)
    }
}

/// A loaded rule source, for the report header.
#[derive(Clone, Debug, Serialize)]
pub struct RuleSetInfo {
    pub origin: String,
    pub sha256: String,
    pub builtin: bool,
}

/// What the report says about the scan before the first file.
#[derive(Clone, Debug, Serialize)]
pub struct ScanInfo {
    pub tool: ToolInfo,
    pub roots: Vec<String>,
    pub started: String,
    pub options: crate::outcome::options::ScanOptions,
    pub rule_sets: Vec<RuleSetInfo>,
    /// Problems found while loading rules and lists (`file:line: message`).
    pub load_problems: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ToolInfo {
    pub name: &'static str,
    pub version: &'static str,
    pub signature_pack: &'static str,
}

impl ToolInfo {
    pub fn current() -> ToolInfo {
        ToolInfo {
            name: "minerscan",
            version: env!("CARGO_PKG_VERSION"),
            signature_pack: crate::knowledge::signatures::PACK_VERSION,
        }
    }
}

/// The totals, written last.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Summary {
    pub started: String,
    pub finished: String,
    pub files_scanned: u64,
    pub bytes_scanned: u64,
    pub skipped: BTreeMap<String, u64>,
    /// Files with a reported problem (their own or an archive member's).
    pub errors: u64,
    /// Files not fully judged (see `FileReport::incomplete`).
    pub incomplete: u64,
    /// No file was left incomplete and the scan was not interrupted.
    pub complete: bool,
    pub interrupted: bool,
    pub verdicts: BTreeMap<String, u64>,
    /// Findings suppressed by the baseline.
    pub suppressed: u64,
    pub elapsed_ms: u64,
    /// Indicators seen across files, persistence links, cache hits (`triage`).
    #[serde(flatten)]
    pub triage: Option<crate::outcome::triage::TriageSummary>,
}

impl Summary {
    /// Counts one written report (not a member: an archive counts as one file).
    pub fn account(&mut self, r: &FileReport) {
        self.suppressed += r.suppressed_count;
        let incomplete = r.incomplete();
        if !incomplete.is_empty() {
            self.incomplete += 1;
            self.errors += 1;
            // Reports released after the totals were closed (held by a post stage) keep
            // `complete` true to its definition.
            self.complete = false;
        }
        // A file read only in part still has the verdict of what ran.
        if r.was_read() {
            self.files_scanned += 1;
            if r.same_as.is_none() {
                self.bytes_scanned += r.size;
            }
            *self
                .verdicts
                .entry(r.verdict.level.as_str().to_owned())
                .or_insert(0) += 1;
        }
    }
}

/// What the filesystem says about a file, from one fstat of the open handle.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct FileMeta {
    pub dev: u64,
    pub ino: u64,
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    /// Seconds since the epoch.
    pub mtime: i64,
    pub ctime: i64,
    pub atime: i64,
    /// Nanoseconds within `mtime` and `ctime`: the cache compares them too.
    pub mtime_nsec: i64,
    pub ctime_nsec: i64,
    /// Birth time (statx), where the filesystem records it.
    pub btime: Option<i64>,
}

/// A finding the baseline suppressed, and why.
#[derive(Clone, Debug)]
pub struct Suppressed {
    pub finding: Finding,
    pub reason: String,
}
