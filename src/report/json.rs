//! One JSON document, streamed: `tool`, `scan`, then `files` one at a time as the writer gets
//! them, then `errors` and `summary` last. Memory does not grow with the number of files, only
//! with the (capped) list of errors.

use super::wire::JsonFile;
use super::{FileReport, Reporter, ScanInfo, Summary, SCHEMA_VERSION};
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
            options: &'a crate::outcome::options::ScanOptions,
            rule_sets: &'a [crate::outcome::RuleSetInfo],
            load_problems: &'a [String],
        }
        // The version first, so that a reader can choose its parser before the rest.
        write!(
            self.out,
            "{{\"schema_version\":\"{SCHEMA_VERSION}\",\"tool\":"
        )?;
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
        if !r.worth_listing(self.all) {
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
