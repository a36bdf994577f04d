//! The shapes the JSON and NDJSON writers put on the wire: the file object, a finding as shown
//! (without the fields that only the verdict's merge uses), a suppressed finding. They borrow
//! from the report and add nothing; `recognise` mirrors them, so the two change together, and
//! CHANGELOG.md records every change to them.

use crate::judge::finding::Finding;
use crate::outcome::{FileReport, Suppressed};
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

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
    pub findings: Vec<WireFinding<'a>>,
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
    pub suppressed: Vec<WireSuppressed<'a>>,
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
            findings: r.findings.iter().map(WireFinding).collect(),
            errors: &r.errors,
            incomplete: r.incomplete(),
            skipped: r.skipped.map(|s| s.as_str()),
            header_only: r.header_only,
            meta: crate::post::triage::JsonMeta::of(r),
            triage: crate::post::triage::JsonTriage::of(&r.triage),
            members: r.members.iter().map(JsonFile::of).collect(),
            suppressed: r.suppressed.iter().map(WireSuppressed).collect(),
            process: r.process.as_ref(),
        }
    }
}

/// A finding as shown: who, which rule, its class and score, what it means and why, and which
/// other findings it absorbed. `fact` and `when_miner` are the verdict's business, not shown.
pub struct WireFinding<'a>(pub &'a Finding);

impl Serialize for WireFinding<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        write_finding(&mut map, self.0)?;
        map.end()
    }
}

fn write_finding<M: SerializeMap>(map: &mut M, f: &Finding) -> Result<(), M::Error> {
    map.serialize_entry("analyzer", &f.analyzer)?;
    map.serialize_entry("rule", &f.rule)?;
    map.serialize_entry("class", &f.class)?;
    map.serialize_entry("score", &f.score)?;
    map.serialize_entry("description", &f.description)?;
    if let Some(family) = &f.family {
        map.serialize_entry("family", family)?;
    }
    map.serialize_entry("evidence", &f.evidence)?;
    if f.evidence_omitted != 0 {
        map.serialize_entry("evidence_omitted", &f.evidence_omitted)?;
    }
    if !f.tags.is_empty() {
        map.serialize_entry("tags", &f.tags)?;
    }
    if !f.also_reported_by.is_empty() {
        map.serialize_entry("also_reported_by", &f.also_reported_by)?;
    }
    Ok(())
}

/// A finding a baseline suppressed: the finding as shown, and the baseline's reason.
pub struct WireSuppressed<'a>(pub &'a Suppressed);

impl Serialize for WireSuppressed<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        write_finding(&mut map, &self.0.finding)?;
        map.serialize_entry("reason", &self.0.reason)?;
        map.end()
    }
}
