//! One JSON document, streamed: `tool`, `scan`, then `files` one at a time as the writer gets
//! them, then `errors` and `summary` last. Memory does not grow with the number of files, only
//! with the (capped) list of errors.

use super::{worth_listing, FileReport, Reporter, ScanInfo, Summary};
use serde::Serialize;
use std::io::{self, Write};

/// Errors listed at the end of the document; more are counted in the summary only.
const MAX_ERRORS_LISTED: usize = 10_000;

pub struct JsonReporter<W: Write> {
    out: W,
    all: bool,
    first: bool,
    errors: Vec<serde_json::Value>,
}

impl<W: Write> JsonReporter<W> {
    pub fn new(out: W, all: bool) -> JsonReporter<W> {
        JsonReporter {
            out,
            all,
            first: true,
            errors: Vec::new(),
        }
    }
}

/// The file object shape shared by the JSON and NDJSON writers.
#[derive(Serialize)]
pub struct JsonFile<'a> {
    pub path: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path_bytes: Option<&'a str>,
    pub size: u64,
    pub kind: &'a str,
    pub verdict: &'a str,
    pub score: u8,
    pub family: Option<&'a str>,
    pub category: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub md5: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha1: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<&'a str>,
    pub reasons: &'a [String],
    pub findings: &'a [crate::judge::finding::Finding],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub errors: &'a [crate::outcome::problems::FileError],
    /// Why the file (or a member) was not fully judged; absent when it was.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub incomplete: Vec<crate::outcome::problems::Incomplete>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<&'static str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub header_only: bool,
    /// Timestamps, owner and mode.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta: Option<crate::post::triage::JsonMeta>,
    #[serde(flatten)]
    pub triage: crate::post::triage::JsonTriage<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<JsonFile<'a>>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub suppressed: &'a [crate::judge::baseline::Suppressed],
    /// `--processes`: pids, executable path, command line, deleted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub process: Option<&'a crate::scan::processes::ProcessInfo>,
}

impl<'a> JsonFile<'a> {
    pub fn of(r: &'a FileReport) -> JsonFile<'a> {
        JsonFile {
            path: &r.path,
            path_bytes: r.path_bytes.as_deref(),
            size: r.size,
            kind: r.kind.as_str(),
            verdict: r.verdict.level.as_str(),
            score: r.verdict.score,
            family: r.verdict.family.as_deref(),
            category: r.verdict.category.as_deref(),
            md5: r.digests.md5.as_deref(),
            sha1: r.digests.sha1.as_deref(),
            sha256: r.digests.sha256.as_deref(),
            reasons: &r.verdict.reasons,
            findings: &r.findings,
            errors: &r.errors,
            incomplete: r.incomplete(),
            skipped: r.skipped.map(|s| s.as_str()),
            header_only: r.header_only,
            meta: crate::post::triage::JsonMeta::of(r),
            triage: crate::post::triage::JsonTriage::of(&r.triage),
            members: r.members.iter().map(JsonFile::of).collect(),
            suppressed: &r.suppressed,
            process: r.process.as_ref(),
        }
    }
}

/// Keeps the kind of an I/O error (a closed pipe must stay `BrokenPipe`).
fn to_io(e: serde_json::Error) -> io::Error {
    io::Error::from(e)
}

impl<W: Write> Reporter for JsonReporter<W> {
    fn begin(&mut self, scan: &ScanInfo) -> io::Result<()> {
        #[derive(Serialize)]
        struct Scan<'a> {
            roots: &'a [String],
            started: &'a str,
            options: &'a std::collections::BTreeMap<String, serde_json::Value>,
            rule_sets: &'a [crate::outcome::RuleSetInfo],
            load_problems: &'a [String],
        }
        self.out.write_all(b"{\"tool\":")?;
        serde_json::to_writer(&mut self.out, &scan.tool).map_err(to_io)?;
        self.out.write_all(b",\"scan\":")?;
        let s = Scan {
            roots: &scan.roots,
            started: &scan.started,
            options: &scan.options,
            rule_sets: &scan.rule_sets,
            load_problems: &scan.load_problems,
        };
        serde_json::to_writer(&mut self.out, &s).map_err(to_io)?;
        self.out.write_all(b",\"files\":[")
    }

    fn file(&mut self, r: &FileReport) -> io::Result<()> {
        for e in &r.errors {
            if self.errors.len() < MAX_ERRORS_LISTED {
                self.errors
                    .push(serde_json::json!({"path": r.path, "error": e.to_string()}));
            }
        }
        if !worth_listing(r, self.all) {
            return Ok(());
        }
        if !self.first {
            self.out.write_all(b",")?;
        }
        self.first = false;
        self.out.write_all(b"\n")?;
        serde_json::to_writer(&mut self.out, &JsonFile::of(r)).map_err(to_io)
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        self.out.write_all(b"\n],\"errors\":")?;
        serde_json::to_writer(&mut self.out, &self.errors).map_err(to_io)?;
        self.out.write_all(b",\"summary\":")?;
        serde_json::to_writer(&mut self.out, summary).map_err(to_io)?;
        self.out.write_all(b"}\n")?;
        self.out.flush()
    }
}
