//! The shapes the JSON and NDJSON writers put on the wire: the file object, a finding as shown
//! (without the fields that only the verdict's merge uses), a suppressed finding. They borrow
//! from the report and add nothing; `recognise` mirrors them, so the two change together, and
//! CHANGELOG.md records every change to them.

use crate::judge::finding::Finding;
use crate::outcome::triage::FileTriage;
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
    pub meta: Option<JsonMeta>,
    #[serde(flatten)]
    pub triage: JsonTriage<'a>,
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
            meta: JsonMeta::of(r),
            triage: JsonTriage::of(&r.triage),
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

/// The per-file triage fields as shown in JSON (the owner is shown in `meta`).
#[derive(Serialize)]
pub struct JsonTriage<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub persistence: Option<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub starts: &'a [String],
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub cached: bool,
    /// The files this one is linked to in a chain that holds a flagged file (schema 1.2).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub links: &'a [crate::outcome::triage::Link],
}

impl<'a> JsonTriage<'a> {
    pub fn of(t: &'a FileTriage) -> JsonTriage<'a> {
        JsonTriage {
            persistence: t.persistence.as_deref(),
            starts: &t.starts,
            cached: t.cached,
            links: &t.links,
        }
    }
}

/// A file's timestamps, owner and mode as shown in JSON.
#[derive(Serialize)]
pub struct JsonMeta {
    pub mode: String,
    pub uid: u32,
    pub gid: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    pub mtime: String,
    pub ctime: String,
    pub atime: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub btime: Option<String>,
    pub device: u64,
    pub inode: u64,
}

impl JsonMeta {
    pub fn of(r: &FileReport) -> Option<JsonMeta> {
        let m = r.meta.as_ref()?;
        Some(JsonMeta {
            mode: format!("{:o}", m.mode & 0o7777),
            uid: m.uid,
            gid: m.gid,
            owner: r.triage.owner.clone(),
            mtime: time(m.mtime, m.mtime_nsec),
            ctime: time(m.ctime, m.ctime_nsec),
            atime: time(m.atime, 0),
            btime: m.btime.map(|t| time(t, 0)),
            device: m.dev,
            inode: m.ino,
        })
    }
}

/// RFC 3339 in UTC (seconds, or nanoseconds when known); the raw number before 1970.
fn time(secs: i64, nsec: i64) -> String {
    if secs < 0 {
        return secs.to_string();
    }
    let t = std::time::UNIX_EPOCH
        + std::time::Duration::new(secs as u64, nsec.clamp(0, 999_999_999) as u32);
    if nsec > 0 {
        humantime::format_rfc3339_nanos(t).to_string()
    } else {
        humantime::format_rfc3339_seconds(t).to_string()
    }
}

/// ECS `file.*` fields for NDJSON.
pub fn ecs_file_fields(r: &FileReport, file: &mut serde_json::Value) {
    let Some(m) = JsonMeta::of(r) else { return };
    let Some(obj) = file.as_object_mut() else {
        return;
    };
    obj.insert("mtime".into(), m.mtime.into());
    obj.insert("ctime".into(), m.ctime.into());
    obj.insert("accessed".into(), m.atime.into());
    if let Some(b) = m.btime {
        obj.insert("created".into(), b.into());
    }
    obj.insert("mode".into(), m.mode.into());
    obj.insert("uid".into(), m.uid.to_string().into());
    obj.insert("gid".into(), m.gid.to_string().into());
    if let Some(o) = m.owner {
        obj.insert("owner".into(), o.into());
    }
    obj.insert("inode".into(), m.inode.to_string().into());
    obj.insert("device".into(), m.device.to_string().into());
}
