//! The links between the held reports: facts resolved to files, miner evidence carried back
//! from a miner to what starts it, persistence carried forward from a persistence place to the
//! miner, the re-judgement, each file's `links`, and the chains from first file to miner.

use super::PATH_DIRS;
use crate::analyze::facts::{is_windows_path, lexical};
use crate::analyze::id::AnalyzerId;
use crate::judge::finding::{Class, Evidence, Finding};
use crate::judge::verdict::{self, Level};
use crate::outcome::triage::{Chain, ChainFile, Fact, Link, Relation};
use crate::outcome::FileReport;
use crate::post::persistence::path_key;
use crate::scan::digests::StreamedDigests;
use crate::scan::image::ImageRoot;
use std::collections::{BTreeSet, HashMap, VecDeque};

/// Links listed per file.
const MAX_LINKS: usize = 64;
/// Chains in the summary, files in one chain, and steps spent finding them.
const MAX_CHAINS: usize = 1000;
const MAX_CHAIN_LEN: usize = 16;
const MAX_STEPS: usize = 100_000;
/// Files one persistence place is followed through.
const MAX_REACH: usize = 1000;

/// The key a report's path is found by: absolute and clean, Windows ones lower-cased.
pub(super) fn key(path: &str) -> String {
    if is_windows_path(path) {
        return path_key(path);
    }
    if path.starts_with('/') {
        return lexical(path);
    }
    let abs = crate::scan::target::absolute(std::path::Path::new(path));
    lexical(&abs.to_string_lossy())
}

/// The keys a fact's name may resolve to, in order of preference: the name itself, then
/// through the image's links (inside `--root`, or the host's without one); a bare name in
/// each PATH directory.
pub(super) fn candidates(name: &str, root: Option<&ImageRoot>) -> Vec<String> {
    if is_windows_path(name) {
        return vec![path_key(name)];
    }
    if name.starts_with('/') {
        let mut out = vec![name.to_owned()];
        let real = match root {
            Some(r) => r.resolve(name, true).ok(),
            None => std::fs::canonicalize(name)
                .ok()
                .map(|p| p.to_string_lossy().into_owned()),
        };
        if let Some(real) = real.filter(|r| r != name) {
            out.push(real);
        }
        return out;
    }
    PATH_DIRS.iter().map(|d| format!("{d}/{name}")).collect()
}

/// A link from one held report to another: `from` does `relation` to `to`.
type Edge = (usize, usize, Relation);

/// Resolves the facts of the held reports to each other: the links the files name, and the
/// links from a miner to the config beside it that it reads by default (`beside`), which are
/// listed on both ends but carry no evidence and make no chain.
fn edges(held: &[FileReport], root: Option<&ImageRoot>) -> (BTreeSet<Edge>, BTreeSet<Edge>) {
    let mut index: HashMap<String, usize> = HashMap::with_capacity(held.len());
    for (i, r) in held.iter().enumerate() {
        index.entry(key(&r.path)).or_insert(i);
    }
    let resolve = |name: &str| {
        candidates(name, root)
            .into_iter()
            .find_map(|k| index.get(&k).copied())
    };
    let (mut named, mut beside) = (BTreeSet::new(), BTreeSet::new());
    for (i, r) in held.iter().enumerate() {
        for f in &r.triage.facts {
            if let Some(j) = resolve(&f.name).filter(|&j| j != i) {
                named.insert((i, j, f.relation));
            }
        }
        for f in implied(r) {
            if let Some(j) = resolve(&f.name).filter(|&j| j != i) {
                beside.insert((i, j, f.relation));
            }
        }
    }
    beside.retain(|e| !named.contains(e));
    (named, beside)
}

/// The configs miners of a family read from their own directory when no `-c` names one.
const DEFAULT_CONFIGS: &[(&str, &str)] = &[("xmrig", "config.json")];

/// Whether a file's name is one a miner reads by default (such a file is held: a miner
/// beside it may come later in the walk).
pub(super) fn is_default_config_name(path: &str) -> bool {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    DEFAULT_CONFIGS
        .iter()
        .any(|(_, c)| name.eq_ignore_ascii_case(c))
}

/// What a flagged miner program names without saying so: the config beside it that its
/// family reads by default.
pub(super) fn implied(r: &FileReport) -> Vec<Fact> {
    // The miner program itself: a flagged script of the family starts one, it reads nothing.
    let program = is_miner(r) && r.kind.is_executable_format();
    let Some(family) = r.verdict.family.as_deref().filter(|_| program) else {
        return Vec::new();
    };
    let k = key(&r.path);
    let Some(dir) = k.rfind('/').map(|i| &k[..i]) else {
        return Vec::new();
    };
    (DEFAULT_CONFIGS.iter())
        .filter(|(f, _)| family.eq_ignore_ascii_case(f))
        .map(|(_, config)| Fact {
            relation: Relation::Configures,
            name: format!("{dir}/{config}"),
        })
        .collect()
}

/// A flagged file whose own findings say miner (or a listed indicator).
pub(super) fn is_miner(r: &FileReport) -> bool {
    r.flagged()
        && r.findings
            .iter()
            .any(|f| matches!(f.class, Class::Miner | Class::Ioc))
}

/// What one file gains from its links.
#[derive(Default)]
struct Gain {
    /// (relation, the file it names, the miner behind it)
    miner: Vec<(Relation, usize, usize)>,
    /// Persistence files that start this miner.
    persisted_by: Vec<usize>,
}

/// Judges the held reports together: adds the cross-file evidence (less what the baseline
/// accepts), re-judges, lists links. Returns the chains.
pub(super) fn judge(
    held: &mut [FileReport],
    root: Option<&ImageRoot>,
    baseline: Option<&Accepted>,
) -> Vec<Chain> {
    let (edges, beside) = edges(held, root);
    if edges.is_empty() && beside.is_empty() {
        return Vec::new();
    }
    let n = held.len();
    let mut into: Vec<Vec<(usize, Relation)>> = vec![Vec::new(); n];
    let mut out_of: Vec<Vec<(usize, Relation)>> = vec![Vec::new(); n];
    for &(s, d, rel) in &edges {
        into[d].push((s, rel));
        out_of[s].push((d, rel));
    }
    let origins: Vec<bool> = held.iter().map(is_miner).collect();
    let mut gains: Vec<Gain> = (0..n).map(|_| Gain::default()).collect();
    carry_back(&origins, &into, &mut gains);
    carry_forward(held, &origins, &out_of, &mut gains);
    let added: Vec<Vec<Finding>> = gains.iter().map(|g| findings(held, g)).collect();
    for (r, mut new) in held.iter_mut().zip(added) {
        if let Some(b) = baseline {
            b.apply(r, &mut new);
        }
        if !new.is_empty() {
            r.findings.extend(new);
            rejudge(r);
        }
    }
    list_links(held, &edges.union(&beside).copied().collect());
    chains(held, &origins, &into)
}

/// The baseline, applied to the findings links add as the worker applies it to a file's own.
pub struct Accepted {
    pub baseline: std::sync::Arc<crate::judge::baseline::Baseline>,
    /// `--show-suppressed` (or SARIF): the suppressed findings are kept in the report.
    pub keep: bool,
}

impl Accepted {
    fn apply(&self, r: &mut FileReport, new: &mut Vec<Finding>) {
        let sha256 = || {
            let d = r.digests_if_flagged.as_deref();
            d.and_then(|d| d.sha256).or_else(|| {
                let hex = r.digests.sha256.as_deref()?;
                StreamedDigests::from_hex(&crate::scan::digests::Digests {
                    sha256: Some(hex.to_owned()),
                    ..Default::default()
                })
                .sha256
            })
        };
        let suppressed = self.baseline.apply(&r.path, sha256, new);
        r.suppressed_count += suppressed.len() as u64;
        if self.keep {
            r.suppressed.extend(suppressed);
        }
    }
}

/// Miner evidence, from each miner back along what starts, configures, installs or
/// downloads it, to what starts that (breadth first: each file once, so cycles end).
fn carry_back(origins: &[bool], into: &[Vec<(usize, Relation)>], gains: &mut [Gain]) {
    let mut behind: Vec<Option<usize>> = (0..origins.len())
        .map(|i| origins[i].then_some(i))
        .collect();
    let mut queue: VecDeque<usize> = (0..origins.len()).filter(|&i| origins[i]).collect();
    while let Some(d) = queue.pop_front() {
        let Some(miner) = behind[d] else { continue };
        for &(s, rel) in &into[d] {
            gains[s].miner.push((rel, d, miner));
            if behind[s].is_none() {
                behind[s] = Some(miner);
                queue.push_back(s);
            }
        }
    }
}

/// Persistence, from each persistence place forward along what it starts to the miners.
fn carry_forward(
    held: &[FileReport],
    origins: &[bool],
    out_of: &[Vec<(usize, Relation)>],
    gains: &mut [Gain],
) {
    for (p, r) in held.iter().enumerate() {
        if r.triage.persistence.is_none() || out_of[p].is_empty() {
            continue;
        }
        let mut seen = vec![p];
        let mut queue = VecDeque::from([p]);
        while let Some(at) = queue.pop_front() {
            for &(d, rel) in &out_of[at] {
                if rel != Relation::Starts || seen.contains(&d) || seen.len() >= MAX_REACH {
                    continue;
                }
                seen.push(d);
                queue.push_back(d);
                if origins[d] {
                    gains[d].persisted_by.push(p);
                }
            }
        }
    }
}

/// The findings a file's gain makes: one per relation to a miner, one for persistence.
fn findings(held: &[FileReport], g: &Gain) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    for (rel, rule, verb) in [
        (Relation::Starts, "starts_miner", "starts"),
        (Relation::Configures, "configures_miner", "configures"),
        (Relation::Installs, "installs_miner", "installs"),
        (Relation::Downloads, "downloads_miner", "downloads"),
    ] {
        let hits: Vec<&(Relation, usize, usize)> =
            g.miner.iter().filter(|(r, ..)| *r == rel).collect();
        let Some(first) = hits.first() else { continue };
        let mut f = Finding::new(
            AnalyzerId::Links,
            rule,
            Class::Miner,
            60,
            match first.1 == first.2 {
                true => format!("{verb} a miner: {}", held[first.2].path),
                false => format!(
                    "{verb} a miner: {} (through {})",
                    held[first.2].path, held[first.1].path
                ),
            },
        );
        for &&(_, to, miner) in &hits {
            f.push_evidence(Evidence::path(&held[to].path));
            if miner != to {
                f.push_evidence(Evidence::text(format!("miner: {}", held[miner].path)));
            }
        }
        if let Some(family) = hits.iter().find_map(|h| held[h.2].verdict.family.clone()) {
            f = f.family(family);
        }
        out.push(f);
    }
    if let Some(&p) = g.persisted_by.first() {
        let place = held[p]
            .triage
            .persistence
            .as_deref()
            .unwrap_or("persistence");
        let mut f = Finding::new(
            AnalyzerId::Links,
            "started_from_persistence",
            Class::Persistence,
            50,
            format!(
                "started from a persistence place: {} ({place})",
                held[p].path
            ),
        );
        for &p in &g.persisted_by {
            f.push_evidence(Evidence::path(&held[p].path));
        }
        out.push(f);
    }
    out
}

/// Judges a file again with its new findings; an archive keeps its members' verdict unless
/// its own is now higher.
fn rejudge(r: &mut FileReport) {
    verdict::prepare(&mut r.findings);
    let mut new = verdict::judge(&r.findings, r.kind);
    // A module or manifest whose only miner evidence is what it starts launches a miner: it
    // is neither a web miner nor a miner config.
    let launches_only = r
        .findings
        .iter()
        .filter(|f| f.class == Class::Miner)
        .all(|f| f.analyzer == AnalyzerId::Links);
    if launches_only
        && matches!(
            new.category.as_deref(),
            Some("web-miner") | Some("miner-config")
        )
    {
        new.category = Some("miner-launcher".to_owned());
    }
    if r.members.is_empty() || new.level > r.verdict.level {
        r.verdict = new;
    }
    // Raised: the digests a flagged file shows, made while it was scanned.
    if let Some(d) = r.digests_if_flagged.as_deref().filter(|_| r.flagged()) {
        r.digests.fill_from(&d.to_hex());
    }
}

/// Each link of a chain that holds a flagged file, on both of its ends.
fn list_links(held: &mut [FileReport], edges: &BTreeSet<Edge>) {
    let verdict = |r: &FileReport| r.verdict.level.as_str().to_owned();
    let mut links: Vec<Vec<Link>> = vec![Vec::new(); held.len()];
    for &(s, d, rel) in edges {
        if !(held[s].flagged() || held[d].flagged()) {
            continue;
        }
        links[s].push(Link {
            relation: rel,
            path: held[d].path.clone(),
            verdict: verdict(&held[d]),
        });
        links[d].push(Link {
            relation: rel.inverse(),
            path: held[s].path.clone(),
            verdict: verdict(&held[s]),
        });
    }
    for (r, mut l) in held.iter_mut().zip(links) {
        l.sort();
        l.dedup();
        l.truncate(MAX_LINKS);
        r.triage.links = l;
    }
}

/// Every path from a first file (nothing starts it) to a miner, ordered first file to miner.
fn chains(held: &[FileReport], origins: &[bool], into: &[Vec<(usize, Relation)>]) -> Vec<Chain> {
    let mut found: Vec<Vec<(usize, Option<Relation>)>> = Vec::new();
    let mut steps = 0;
    for m in (0..held.len()).filter(|&m| origins[m] && !into[m].is_empty()) {
        let mut back = vec![(m, None)];
        walk_back(into, &mut back, &mut found, &mut steps);
    }
    let mut out: Vec<Chain> = found
        .into_iter()
        .map(|mut path| {
            path.reverse();
            let level = path
                .iter()
                .map(|(i, _)| held[*i].verdict.level)
                .max()
                .unwrap_or(Level::Clean);
            Chain {
                verdict: level.as_str().to_owned(),
                files: path
                    .into_iter()
                    .map(|(i, relation)| ChainFile {
                        path: held[i].path.clone(),
                        relation,
                    })
                    .collect(),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        let paths = |c: &Chain| c.files.iter().map(|f| f.path.clone()).collect::<Vec<_>>();
        paths(a).cmp(&paths(b))
    });
    out.dedup();
    out
}

/// Extends `back` (miner first) by each file that leads to its last one; a file with none
/// (or only files already on the path: a cycle) ends a chain.
fn walk_back(
    into: &[Vec<(usize, Relation)>],
    back: &mut Vec<(usize, Option<Relation>)>,
    found: &mut Vec<Vec<(usize, Option<Relation>)>>,
    steps: &mut usize,
) {
    *steps += 1;
    let (at, _) = back[back.len() - 1];
    let preds: Vec<(usize, Relation)> = into[at]
        .iter()
        .copied()
        .filter(|(p, _)| !back.iter().any(|(b, _)| b == p))
        .collect();
    if preds.is_empty() || back.len() >= MAX_CHAIN_LEN || *steps > MAX_STEPS {
        if back.len() >= 2 && found.len() < MAX_CHAINS {
            found.push(back.clone());
        }
        return;
    }
    for (p, rel) in preds {
        let last = back.len() - 1;
        back[last].1 = Some(rel);
        back.push((p, None));
        walk_back(into, back, found, steps);
        back.pop();
        back[last].1 = None;
    }
}
