//! One JSON object per line: one per listed file, nested in Elastic Common Schema fields where
//! ECS has them (so that a SIEM can ingest it as is), minerscan's own fields under `minerscan`,
//! then one summary object.

use super::wire::JsonFile;
use super::{FileReport, Reporter, ScanInfo, Summary, SCHEMA_VERSION};
use serde_json::json;
use std::io::{self, Write};

pub struct NdjsonReporter<W: Write> {
    out: W,
    all: bool,
    ruleset: String,
}

impl<W: Write> NdjsonReporter<W> {
    pub fn new(out: W, all: bool) -> NdjsonReporter<W> {
        NdjsonReporter {
            out,
            all,
            ruleset: String::new(),
        }
    }

    fn line(&mut self, value: &serde_json::Value) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, value).map_err(io::Error::from)?;
        self.out.write_all(b"\n")
    }
}

fn now() -> String {
    humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string()
}

impl<W: Write> Reporter for NdjsonReporter<W> {
    fn begin(&mut self, scan: &ScanInfo) -> io::Result<()> {
        self.ruleset = format!("minerscan-signatures {}", scan.tool.signature_pack);
        Ok(())
    }

    fn file(&mut self, r: &FileReport) -> io::Result<()> {
        if !r.worth_listing(self.all) {
            return Ok(());
        }
        let name = r.path.rsplit('/').next().unwrap_or(&r.path);
        let top = r.headline().or(r.findings.first());
        let (kind, outcome) = if r.flagged() {
            ("alert", "success")
        } else if r.incomplete().is_empty() {
            ("event", "success")
        } else {
            ("event", "failure")
        };
        let mut doc = json!({
            "@timestamp": now(),
            "event": {
                "kind": kind,
                "category": ["malware", "file"],
                "type": ["info"],
                "outcome": outcome,
                "module": "minerscan",
                "dataset": "minerscan.file",
                "risk_score": r.verdict.score,
            },
            "file": {
                "path": r.path,
                "name": name,
                "size": r.size,
            },
            "minerscan": JsonFile::of(r),
        });
        doc["minerscan"]["schema_version"] = json!(SCHEMA_VERSION);
        let mut hash = serde_json::Map::new();
        for (k, v) in [
            ("md5", &r.digests.md5),
            ("sha1", &r.digests.sha1),
            ("sha256", &r.digests.sha256),
        ] {
            if let Some(v) = v {
                hash.insert(k.to_owned(), json!(v));
            }
        }
        crate::report::wire::ecs_file_fields(r, &mut doc["file"]);
        if let Some(p) = &r.process {
            // ECS process fields: the first process running this executable.
            doc["process"] = json!({
                "pid": p.pids.first(),
                "executable": p.exe,
                "command_line": p.cmdline,
            });
        }
        if !hash.is_empty() {
            doc["file"]["hash"] = serde_json::Value::Object(hash);
        }
        if let Some(f) = top.filter(|_| r.flagged()) {
            doc["rule"] =
                json!({"name": f.rule, "description": f.description, "ruleset": self.ruleset});
            doc["threat"] = json!({
                "framework": "MITRE ATT&CK",
                "technique": {"id": ["T1496"], "name": ["Resource Hijacking"]},
            });
        }
        if let Some(e) = r.errors.first() {
            doc["error"] = json!({"message": e.to_string()});
        }
        self.line(&doc)
    }

    fn finish(&mut self, s: &Summary) -> io::Result<()> {
        let doc = json!({
            "@timestamp": now(),
            "event": {"kind": "metric", "module": "minerscan", "dataset": "minerscan.summary"},
            "minerscan": {"schema_version": SCHEMA_VERSION, "summary": s},
        });
        self.line(&doc)?;
        self.out.flush()
    }
}
