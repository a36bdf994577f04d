//! Listed indicators of compromise: a file whose hash is on a loaded list, whose bytes name a
//! listed network indicator (through the shared indicator matcher's hits), or whose path
//! matches a listed path pattern. Only the digest types the lists hold are computed, each once
//! per file (`FileContext` caches them); a hash match is malicious whatever else is said.

use super::{Analyzer, AnalyzerError, AnalyzerWorker};
use crate::analyze::id::AnalyzerId;
use crate::judge::finding::{Class, Evidence, Finding};
use crate::knowledge::indicators::IndicatorKind;
use crate::knowledge::ioc_lists::IocDb;
use crate::scan::context::FileContext;
use crate::scan::digests::hex;
use crate::scan::kind::FileKind;
use std::collections::BTreeMap;
use std::sync::Arc;

const ID: AnalyzerId = AnalyzerId::Ioc;
/// A path indicator at or above this score is malicious on its own; below it, it is context
/// that counts only beside miner evidence.
pub const PATH_IOC_STRONG: u8 = 70;

pub struct IocAnalyzer {
    db: Arc<IocDb>,
}

impl IocAnalyzer {
    pub fn new(db: Arc<IocDb>) -> IocAnalyzer {
        IocAnalyzer { db }
    }
}

impl Analyzer for IocAnalyzer {
    fn id(&self) -> AnalyzerId {
        ID
    }
    fn worker(&self) -> Box<dyn AnalyzerWorker + '_> {
        Box::new(IocWorker { db: &self.db })
    }
}

struct IocWorker<'a> {
    db: &'a IocDb,
}

impl AnalyzerWorker for IocWorker<'_> {
    fn applies(&self, kind: FileKind) -> bool {
        kind != FileKind::Empty || !self.db.paths.is_empty()
    }

    fn analyze(&mut self, ctx: &FileContext, out: &mut Vec<Finding>) -> Result<(), AnalyzerError> {
        hash_matches(self.db, ctx, out);
        if !self.db.network.is_empty() {
            network_matches(ctx, out);
        }
        for p in self.db.match_path(&ctx.target.system_path) {
            let mut f = Finding::new(ID, "path", Class::Ioc, p.score, p.description.clone())
                .fact(format!("ioc-path:{}", p.regex.as_str()))
                .with_evidence(Evidence::path(&ctx.target.system_path));
            if p.score < PATH_IOC_STRONG {
                f = f.when_miner(Class::Hiding);
            }
            out.push(f);
        }
        Ok(())
    }
}

fn hash_matches(db: &IocDb, ctx: &FileContext, out: &mut Vec<Finding>) {
    if ctx.kind == FileKind::Empty {
        return;
    }
    let mut found = |algorithm: &str, digest: &[u8], description: &str| {
        out.push(
            Finding::new(
                ID,
                algorithm,
                Class::Ioc,
                100,
                format!("{algorithm} is on a hash list: {description}"),
            )
            .fact(format!("ioc-hash:{algorithm}"))
            .with_evidence(Evidence::Hash {
                algorithm: algorithm.to_owned(),
                value: hex(digest),
            })
            .with_evidence(Evidence::text(description)),
        );
    };
    if !db.sha256.is_empty() {
        if let Some(d) = ctx.sha256() {
            if let Some(desc) = db.lookup_sha256(&d) {
                found("sha256", &d, desc);
            }
        }
    }
    if !db.sha1.is_empty() {
        if let Some(d) = ctx.sha1() {
            if let Some(desc) = db.lookup_sha1(&d) {
                found("sha1", &d, desc);
            }
        }
    }
    if !db.md5.is_empty() {
        if let Some(d) = ctx.md5() {
            if let Some(desc) = db.lookup_md5(&d) {
                found("md5", &d, desc);
            }
        }
    }
}

/// The user's network indicators among the shared matcher's hits: one finding per indicator.
fn network_matches(ctx: &FileContext, out: &mut Vec<Finding>) {
    if matches!(ctx.kind, FileKind::Gzip | FileKind::Xz | FileKind::Bzip2) {
        return;
    }
    // Each indicator once, where it first appears outside quoted data if it does.
    let mut seen: BTreeMap<&str, (usize, &str, bool)> = BTreeMap::new();
    for hit in ctx.indicator_hits() {
        let p = ctx.indicators.pattern(hit);
        if p.kind == IndicatorKind::UserNetwork {
            let live = !ctx.fact_quoted_at(hit.start);
            let e = seen.entry(p.text.as_str()).or_insert((
                hit.start,
                p.description.as_deref().unwrap_or("listed"),
                live,
            ));
            if live && !e.2 {
                (e.0, e.2) = (hit.start, true);
            }
        }
    }
    for (indicator, (offset, description, live)) in seen {
        // Rule sets and blocklists quote indicators as data: shown, never a verdict there.
        let class = if live { Class::Ioc } else { Class::Info };
        out.push(
            Finding::new(
                ID,
                "network",
                class,
                90,
                format!("names listed network indicator {indicator}: {description}"),
            )
            .fact(format!("ioc-network:{indicator}"))
            .with_evidence(Evidence::bytes(offset as u64, indicator.as_bytes()))
            .with_evidence(Evidence::text(description)),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::knowledge::indicators::Indicators;
    use crate::scan::target::Target;

    fn run(db: IocDb, path: &str, bytes: &[u8]) -> Vec<Finding> {
        let indicators = Indicators::new(db.network.clone(), Vec::new());
        let target = Target::for_bytes(path);
        let ctx = FileContext::new(&target, &indicators, bytes, bytes.len() as u64, false);
        let mut out = Vec::new();
        IocWorker { db: &db }.analyze(&ctx, &mut out).unwrap();
        out
    }

    #[test]
    fn hash_network_and_path_hits() {
        let mut db = IocDb::default();
        // sha256("abc")
        db.load(
            "l.txt",
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad;test miner\npool.evil.example;evil pool\n/tmp/kdevtmpfsi$;90\n",
            false,
        );
        db.finish();
        let out = run(db, "/tmp/kdevtmpfsi", b"abc");
        assert_eq!(out.len(), 2, "{out:?}");
        assert!(out
            .iter()
            .any(|f| f.rule == "sha256" && f.description.contains("test miner")));
        assert!(out
            .iter()
            .any(|f| f.rule == "path" && f.class == Class::Ioc));

        let mut db = IocDb::default();
        db.load("l.txt", "pool.evil.example;evil pool\n", false);
        db.finish();
        let out = run(db, "x", b"connect pool.evil.example:80 now");
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].class, Class::Ioc);
        assert!(out[0].description.contains("evil pool"));
        let mut db = IocDb::default();
        db.load("l.txt", "pool.evil.example\n", false);
        db.finish();
        assert!(run(db, "x", b"notpool.evil.example").is_empty());
    }
}
