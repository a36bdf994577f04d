//! What a responder or an admin wants beyond each file's verdict: where a file sits (a
//! persistence place), who owns it and when it changed, whether its result came from the
//! cache; and, across the whole scan, which wallets, pools and IOCs were seen in which files and
//! which persistence file starts which flagged program. The per-file part is filled by the
//! worker (`annotate`, it has the bytes); the cross-file part is the step after the walk, done
//! by `TriageReporter` at the writer, which wraps the chosen reporter, remembers only flagged
//! files and the paths persistence files name (both capped), and adds its findings to the
//! summary. It also feeds the cache and syslog, which see every result in walk order.

use crate::judge::finding::Class;
use crate::outcome::FileMeta;
use crate::outcome::{FileReport, ScanInfo, Summary};
use crate::post::cache::Cache;
use crate::post::persistence;
use crate::post::syslog::Syslog;
use crate::report::Reporter;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io;
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// Distinct values kept per indicator kind in the summary.
const MAX_VALUES: usize = 1000;
/// Files listed per value (the rest are counted).
const MAX_FILES_PER_VALUE: usize = 50;
/// Persistence references remembered until the end of the scan.
const MAX_REFERENCES: usize = 100_000;
/// Flagged files remembered for linking.
const MAX_FLAGGED: usize = 1_000_000;

/// Per-file triage facts, shown in JSON, NDJSON and CSV.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FileTriage {
    /// The persistence place the file is in (`cron`, `systemd_unit`, `scheduled_task`...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub persistence: Option<String>,
    /// Absolute paths a persistence file names (keys: Windows ones lower-cased).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub starts: Vec<String>,
    /// The owner's user name (from the image's /etc/passwd under --root).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// The result was taken from the cache: the file was not read.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub cached: bool,
}

/// Fills the per-file facts that need the path or the bytes (called by the worker).
pub fn annotate(
    root: Option<&crate::scan::image::ImageRoot>,
    system_path: &str,
    bytes: &[u8],
    meta: Option<&FileMeta>,
    out: &mut FileTriage,
) {
    if let Some(place) = persistence::place(system_path) {
        out.persistence = Some(place.to_owned());
        let windows = root.is_some_and(|r| r.is_windows()) || system_path.starts_with("C:\\");
        out.starts = persistence::references(bytes, windows);
    }
    if let Some(meta) = meta {
        out.owner = crate::scan::users::owner_name(root, meta.uid);
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
}

impl<'a> JsonTriage<'a> {
    pub fn of(t: &'a FileTriage) -> JsonTriage<'a> {
        JsonTriage {
            persistence: t.persistence.as_deref(),
            starts: &t.starts,
            cached: t.cached,
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
pub fn time(secs: i64, nsec: i64) -> String {
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

/// A persistence file that starts a flagged program.
#[derive(Clone, Debug, Serialize)]
pub struct PersistenceLink {
    pub persistence: String,
    pub place: String,
    pub starts: String,
    pub verdict: String,
}

/// Files in which one indicator value was seen.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Seen {
    pub files: Vec<String>,
    #[serde(skip_serializing_if = "is_zero")]
    pub more_files: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct CacheStats {
    pub hits: u64,
    pub stored: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rebuilt: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub write_error: Option<String>,
}

/// The cross-file part of the summary.
#[derive(Clone, Debug, Default, Serialize)]
pub struct TriageSummary {
    /// Wallet addresses, pool hosts and IOCs, each with the files where they appear.
    pub indicators: BTreeMap<String, BTreeMap<String, Seen>>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub indicators_truncated: bool,
    pub persistence_links: Vec<PersistenceLink>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache: Option<CacheStats>,
}

/// Wraps the chosen reporter: the step after the walk.
pub struct TriageReporter {
    inner: Box<dyn Reporter>,
    cache: Option<Arc<Cache>>,
    syslog: Option<Syslog>,
    summary: TriageSummary,
    /// Flagged files by `path_key`, with their verdict.
    flagged: HashMap<String, &'static str>,
    /// (persistence file, place, named path key)
    references: Vec<(String, String, String)>,
    seen_refs: HashSet<(String, String)>,
}

impl TriageReporter {
    pub fn new(
        inner: Box<dyn Reporter>,
        cache: Option<Arc<Cache>>,
        syslog: Option<Syslog>,
    ) -> TriageReporter {
        TriageReporter {
            inner,
            cache,
            syslog,
            summary: TriageSummary::default(),
            flagged: HashMap::new(),
            references: Vec::new(),
            seen_refs: HashSet::new(),
        }
    }

    fn collect_indicators(&mut self, r: &FileReport) {
        for f in &r.findings {
            let (kind, value) = match f.fact.as_deref().and_then(|k| k.split_once(':')) {
                Some(("pool", rest)) => ("pool", rest.split(':').next().unwrap_or(rest)),
                Some(("wallet", w)) => ("wallet", w),
                Some((k, v)) if f.class == Class::Ioc => (k, v),
                _ if f.class == Class::Ioc => ("ioc", f.rule.as_str()),
                _ => continue,
            };
            let kind = match kind {
                "pool" | "wallet" => kind.to_owned(),
                other => format!("ioc_{other}").replace("ioc_ioc", "ioc"),
            };
            let values = self.summary.indicators.entry(kind).or_default();
            if !values.contains_key(value) && values.len() >= MAX_VALUES {
                self.summary.indicators_truncated = true;
                continue;
            }
            let seen = values.entry(value.to_owned()).or_default();
            if seen.files.last() == Some(&r.path) {
                continue;
            }
            if seen.files.len() < MAX_FILES_PER_VALUE {
                seen.files.push(r.path.clone());
            } else {
                seen.more_files += 1;
            }
        }
    }
}

impl Reporter for TriageReporter {
    fn begin(&mut self, scan: &ScanInfo) -> io::Result<()> {
        self.inner.begin(scan)
    }

    fn file(&mut self, r: &FileReport) -> io::Result<()> {
        if let Some(c) = &self.cache {
            c.store(r);
        }
        if r.flagged() {
            if self.flagged.len() < MAX_FLAGGED {
                // Persistence files name absolute paths: compare with the absolute form.
                let key = if r.path.starts_with('/') || r.path.starts_with("C:\\") {
                    persistence::path_key(&r.path)
                } else {
                    crate::scan::target::absolute(std::path::Path::new(&r.path))
                        .to_string_lossy()
                        .into_owned()
                };
                self.flagged.insert(key, r.verdict.level.as_str());
                // A flagged process links to the persistence files that name its executable.
                if let Some(p) = r.process.as_ref().filter(|p| p.exe.starts_with('/')) {
                    let key = persistence::path_key(&p.exe);
                    self.flagged.entry(key).or_insert(r.verdict.level.as_str());
                }
            }
            self.collect_indicators(r);
            if let Some(s) = &self.syslog {
                s.file(r);
            }
        }
        if let Some(place) = &r.triage.persistence {
            for target in &r.triage.starts {
                if self.references.len() < MAX_REFERENCES
                    && self.seen_refs.insert((r.path.clone(), target.clone()))
                {
                    self.references
                        .push((r.path.clone(), place.clone(), target.clone()));
                }
            }
        }
        self.inner.file(r)
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        let mut links = Vec::new();
        for (file, place, target) in &self.references {
            if let Some(verdict) = self.flagged.get(target) {
                links.push(PersistenceLink {
                    persistence: file.clone(),
                    place: place.clone(),
                    starts: target.clone(),
                    verdict: (*verdict).to_owned(),
                });
            }
        }
        self.summary.persistence_links = links;
        if let Some(c) = &self.cache {
            c.finish();
            self.summary.cache = Some(CacheStats {
                hits: c.hits.load(Ordering::Relaxed),
                stored: c.stored.load(Ordering::Relaxed),
                rebuilt: c.rebuilt.clone(),
                write_error: c.write_error.lock().unwrap().clone(),
            });
        }
        let mut s = summary.clone();
        s.triage = Some(self.summary.clone());
        if let Some(sys) = &self.syslog {
            sys.summary(&s);
        }
        self.inner.finish(&s)
    }
}

/// The triage part of the text summary.
pub fn write_text(out: &mut dyn io::Write, t: &TriageSummary) -> io::Result<()> {
    use crate::report::escape_for_terminal as esc;
    for (kind, values) in &t.indicators {
        writeln!(out, "Seen {kind}s:")?;
        for (value, seen) in values {
            let more = if seen.more_files > 0 {
                format!(" and {} more", seen.more_files)
            } else {
                String::new()
            };
            let files: Vec<String> = seen.files.iter().map(|f| esc(f)).collect();
            writeln!(out, "  {} in {}{more}", esc(value), files.join(", "))?;
        }
    }
    for l in &t.persistence_links {
        writeln!(
            out,
            "Persistence: {} ({}) starts {} ({})",
            esc(&l.persistence),
            l.place,
            esc(&l.starts),
            l.verdict
        )?;
    }
    if let Some(c) = &t.cache {
        writeln!(out, "Cache: {} hits, {} results stored.", c.hits, c.stored)?;
        if let Some(why) = &c.rebuilt {
            writeln!(out, "Cache rebuilt: {why}.")?;
        }
        if let Some(e) = &c.write_error {
            writeln!(out, "Cache not written: {}", esc(e))?;
        }
    }
    Ok(())
}
