//! The compact form of a report that cross-file judgement holds only in case a link changes
//! it: a clean file with facts (a launcher, a cron file, a package manifest), by far the most
//! common thing held. Held whole, such a report costs well over a kilobyte; here it is one
//! byte string (its path and facts first, so that linking can read them without the rest)
//! that rebuilds exactly the report it was made from. Only reports whose every other field is
//! empty are made compact; anything else is held whole.

use crate::judge::finding::Finding;
use crate::judge::verdict::Verdict;
use crate::outcome::triage::{Fact, Relation};
use crate::outcome::{FileMeta, FileReport};
use crate::scan::digests::{Digests, StreamedDigests};
use crate::scan::kind::FileKind;

const RELATIONS: [Relation; 8] = [
    Relation::Starts,
    Relation::StartedBy,
    Relation::Configures,
    Relation::ConfiguredBy,
    Relation::Installs,
    Relation::InstalledBy,
    Relation::Downloads,
    Relation::DownloadedBy,
];

/// A clean report, encoded.
pub(super) struct Compact {
    seq: u64,
    kind: FileKind,
    bytes: Box<[u8]>,
}

/// Whether the compact form keeps everything `r` has: a clean report with no problems,
/// members, suppressed findings listed, process or other name.
pub(super) fn fits(r: &FileReport) -> bool {
    !r.flagged()
        && r.path_bytes.is_none()
        && r.errors.is_empty()
        && r.skipped.is_none()
        && !r.header_only
        && !r.not_scanned
        && r.members.is_empty()
        && r.suppressed.is_empty()
        && r.process.is_none()
        && r.same_as.is_none()
        && r.triage.links.is_empty()
}

impl Compact {
    /// The compact form of `r`, if it keeps everything `r` has.
    pub fn make(r: &FileReport) -> Option<Compact> {
        if !fits(r) {
            return None;
        }
        let mut w = Vec::with_capacity(96 + r.path.len());
        put_str(&mut w, &r.path);
        put_u64(&mut w, r.triage.facts.len() as u64);
        for f in &r.triage.facts {
            let rel = RELATIONS.iter().position(|x| *x == f.relation).unwrap_or(0);
            w.push(rel as u8);
            put_str(&mut w, &f.name);
        }
        put_u64(&mut w, r.size);
        put_u64(&mut w, r.suppressed_count);
        w.push(u8::from(r.keep_for_names) | u8::from(r.triage.cached) << 1);
        put_meta(&mut w, r.meta.as_ref());
        put_opt(&mut w, r.triage.persistence.as_deref());
        put_opt(&mut w, r.triage.owner.as_deref());
        put_u64(&mut w, r.triage.starts.len() as u64);
        for s in &r.triage.starts {
            put_str(&mut w, s);
        }
        for d in [&r.digests.md5, &r.digests.sha1, &r.digests.sha256] {
            put_opt(&mut w, d.as_deref());
        }
        put_raw_digests(&mut w, r.digests_if_flagged.as_deref());
        // Rare in a clean file (information findings, a verdict with reasons): as JSON.
        let json = |ok: bool, v: serde_json::Result<String>| v.ok().filter(|_| ok);
        put_opt(
            &mut w,
            json(
                r.verdict != Verdict::clean(),
                serde_json::to_string(&r.verdict),
            )
            .as_deref(),
        );
        put_opt(
            &mut w,
            json(!r.findings.is_empty(), serde_json::to_string(&r.findings)).as_deref(),
        );
        Some(Compact {
            seq: r.seq,
            kind: r.kind,
            bytes: w.into_boxed_slice(),
        })
    }

    /// The path and the facts, as linking needs them.
    pub fn path_and_facts(&self) -> (String, Vec<Fact>) {
        let mut r = Reader::new(&self.bytes);
        let path = r.str();
        let facts = r.facts();
        (path, facts)
    }

    /// The report it was made from.
    pub fn rebuild(&self) -> FileReport {
        let mut r = Reader::new(&self.bytes);
        let mut out = FileReport::new(self.seq, r.str(), None);
        out.kind = self.kind;
        out.triage.facts = r.facts();
        out.size = r.u64();
        out.suppressed_count = r.u64();
        let flags = r.byte();
        out.keep_for_names = flags & 1 != 0;
        out.triage.cached = flags & 2 != 0;
        out.meta = r.meta();
        out.triage.persistence = r.opt();
        out.triage.owner = r.opt();
        out.triage.starts = (0..r.u64()).map(|_| r.str()).collect();
        out.digests = Digests {
            md5: r.opt(),
            sha1: r.opt(),
            sha256: r.opt(),
        };
        out.digests_if_flagged = r.raw_digests().map(Box::new);
        if let Some(v) = r.opt().and_then(|j| serde_json::from_str(&j).ok()) {
            out.verdict = v;
        }
        if let Some(f) = r
            .opt()
            .and_then(|j| serde_json::from_str::<Vec<Finding>>(&j).ok())
        {
            out.findings = f;
        }
        out
    }
}

fn put_u64(w: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        w.push(v as u8 | 0x80);
        v >>= 7;
    }
    w.push(v as u8);
}

fn put_i64(w: &mut Vec<u8>, v: i64) {
    put_u64(w, ((v << 1) ^ (v >> 63)) as u64);
}

fn put_str(w: &mut Vec<u8>, s: &str) {
    put_u64(w, s.len() as u64);
    w.extend_from_slice(s.as_bytes());
}

fn put_opt(w: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => {
            w.push(1);
            put_str(w, s);
        }
        None => w.push(0),
    }
}

/// A presence byte, then each digest whole (absent ones as zeros).
fn put_raw_digests(w: &mut Vec<u8>, d: Option<&StreamedDigests>) {
    let Some(d) = d else {
        w.push(0);
        return;
    };
    w.push(
        1 | u8::from(d.md5.is_some()) << 1
            | u8::from(d.sha1.is_some()) << 2
            | u8::from(d.sha256.is_some()) << 3,
    );
    w.extend_from_slice(&d.md5.unwrap_or_default());
    w.extend_from_slice(&d.sha1.unwrap_or_default());
    w.extend_from_slice(&d.sha256.unwrap_or_default());
}

fn put_meta(w: &mut Vec<u8>, m: Option<&FileMeta>) {
    let Some(m) = m else {
        w.push(0);
        return;
    };
    w.push(if m.btime.is_some() { 2 } else { 1 });
    for v in [m.dev, m.ino, m.mode.into(), m.uid.into(), m.gid.into()] {
        put_u64(w, v);
    }
    for v in [m.mtime, m.ctime, m.atime, m.mtime_nsec, m.ctime_nsec] {
        put_i64(w, v);
    }
    if let Some(b) = m.btime {
        put_i64(w, b);
    }
}

/// Reads what `Compact::make` wrote (our own bytes: past the end it reads zeros).
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes, at: 0 }
    }

    fn byte(&mut self) -> u8 {
        let b = self.bytes.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        b
    }

    fn u64(&mut self) -> u64 {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte();
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                break;
            }
        }
        v
    }

    fn i64(&mut self) -> i64 {
        let v = self.u64();
        ((v >> 1) as i64) ^ -((v & 1) as i64)
    }

    fn str(&mut self) -> String {
        let n = self.u64() as usize;
        let end = self.at.saturating_add(n).min(self.bytes.len());
        let s = String::from_utf8_lossy(&self.bytes[self.at.min(end)..end]).into_owned();
        self.at = end;
        s
    }

    fn array<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        for b in &mut out {
            *b = self.byte();
        }
        out
    }

    fn raw_digests(&mut self) -> Option<StreamedDigests> {
        let tag = self.byte();
        if tag & 1 == 0 {
            return None;
        }
        let (md5, sha1, sha256) = (self.array(), self.array(), self.array());
        Some(StreamedDigests {
            md5: (tag & 2 != 0).then_some(md5),
            sha1: (tag & 4 != 0).then_some(sha1),
            sha256: (tag & 8 != 0).then_some(sha256),
        })
    }

    fn opt(&mut self) -> Option<String> {
        (self.byte() == 1).then(|| self.str())
    }

    fn facts(&mut self) -> Vec<Fact> {
        (0..self.u64())
            .map(|_| {
                let relation = RELATIONS[usize::from(self.byte()) % RELATIONS.len()];
                Fact {
                    relation,
                    name: self.str(),
                }
            })
            .collect()
    }

    fn meta(&mut self) -> Option<FileMeta> {
        let tag = self.byte();
        if tag == 0 {
            return None;
        }
        let mut m = FileMeta {
            dev: self.u64(),
            ino: self.u64(),
            mode: self.u64() as u32,
            uid: self.u64() as u32,
            gid: self.u64() as u32,
            ..FileMeta::default()
        };
        m.mtime = self.i64();
        m.ctime = self.i64();
        m.atime = self.i64();
        m.mtime_nsec = self.i64();
        m.ctime_nsec = self.i64();
        m.btime = (tag == 2).then(|| self.i64());
        Some(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::id::AnalyzerId;
    use crate::judge::finding::Class;

    fn launcher() -> FileReport {
        let mut r = FileReport::new(7, "/opt/app/run.sh".to_owned(), None);
        r.size = 1234;
        r.kind = FileKind::Shell;
        r.suppressed_count = 2;
        r.keep_for_names = true;
        r.meta = Some(FileMeta {
            dev: 2049,
            ino: 1 << 40,
            mode: 0o100755,
            uid: 0,
            gid: 1000,
            mtime: 1_700_000_000,
            ctime: -5,
            atime: 0,
            mtime_nsec: 999_999_999,
            ctime_nsec: 1,
            btime: Some(1_600_000_000),
        });
        r.triage.persistence = Some("cron".to_owned());
        r.triage.owner = Some("root".to_owned());
        r.triage.starts = vec!["/opt/app/bin/helper".to_owned()];
        r.triage.facts = vec![
            Fact {
                relation: Relation::Starts,
                name: "/opt/app/bin/helper".to_owned(),
            },
            Fact {
                relation: Relation::Configures,
                name: "/opt/app/settings.json".to_owned(),
            },
        ];
        r.digests.sha256 = Some("ab".repeat(32));
        r.digests_if_flagged = Some(Box::new(StreamedDigests::all_of(b"#!/bin/sh\n")));
        r
    }

    fn same(a: &FileReport, b: &FileReport) {
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
    }

    #[test]
    fn a_clean_report_is_rebuilt_exactly() {
        let r = launcher();
        let c = Compact::make(&r).expect("made compact");
        same(&c.rebuild(), &r);
        assert_eq!(c.path_and_facts(), (r.path.clone(), r.triage.facts.clone()));
        let mut bare = FileReport::new(0, "x".to_owned(), None);
        bare.triage.facts = r.triage.facts.clone();
        bare.digests_if_flagged = Some(Box::new(StreamedDigests {
            sha1: Some([7; 20]),
            ..Default::default()
        }));
        let c = Compact::make(&bare).expect("made compact");
        same(&c.rebuild(), &bare);
    }

    #[test]
    fn information_findings_and_a_verdict_with_reasons_survive() {
        let mut r = launcher();
        r.findings.push(Finding::new(
            AnalyzerId::Links,
            "x",
            Class::Info,
            0,
            "note".to_owned(),
        ));
        r.verdict.reasons.push("why".to_owned());
        let c = Compact::make(&r).expect("made compact");
        same(&c.rebuild(), &r);
    }

    #[test]
    fn what_the_form_does_not_keep_stays_whole() {
        let mut r = launcher();
        r.verdict.level = crate::judge::verdict::Level::Suspicious;
        assert!(Compact::make(&r).is_none());
        let mut r = launcher();
        r.same_as = Some(1);
        assert!(Compact::make(&r).is_none());
    }
}
