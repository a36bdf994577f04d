//! Cross-file judgement: after the walk, the facts files gave (what each starts, configures,
//! installs or downloads, `analyze::facts`) are resolved to the other files of this scan and
//! become links; a file that starts a miner gains `miner` evidence, a miner started from a
//! persistence place gains `persistence`, and the class model re-judges them. Each file of a
//! chain that holds a flagged file lists its `links`; the summary lists the `chains`.
//!
//! Memory: only the reports a link can still change are held until the end of the walk:
//! flagged files, files with facts, and files an earlier fact names; everything else streams
//! as before. A clean one is held in a compact form (`compact`: its path and facts first, then
//! the rest of its report, a few hundred bytes) that rebuilds the very same report; only the
//! files a resolved link touches are made whole again, and judged together (`graph`), and the
//! rest are rebuilt one at a time as they are released, so output is what holding them whole
//! gave. Whole reports are bounded by `MAX_HELD`, compact ones by `MAX_COMPACT`, the names
//! remembered by `MAX_PENDING` (as 64-bit hashes: a collision only holds a clean file that
//! would have streamed). Resolution opens nothing: a name
//! resolves only to a held report of this scan, relative names against the naming file's
//! directory, absolute ones also through the image's links (`ImageRoot::resolve`, never
//! leaving `--root`), bare program names against the PATH directories.

mod compact;
mod graph;
mod walked;

use crate::outcome::{FileReport, Summary};
use crate::post::{Disposition, Stage};
use crate::scan::image::ImageRoot;
use compact::Compact;
use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// Whole reports (flagged files, and what cannot be made compact) held, at most.
pub const MAX_HELD: usize = 50_000;
/// Compact reports held, at most (a few hundred bytes each).
pub const MAX_COMPACT: usize = 1_000_000;
/// Names remembered so that a clean file they name is held when it comes.
const MAX_PENDING: usize = 1_000_000;

/// The directories a bare program name is looked for in, in the PATH's order.
const PATH_DIRS: &[&str] = &[
    "/usr/local/sbin",
    "/usr/local/bin",
    "/usr/sbin",
    "/usr/bin",
    "/sbin",
    "/bin",
];

/// A held report.
enum Node {
    Whole(Box<FileReport>),
    Compact(Compact),
    /// Taken out to be judged, and put back.
    Taken,
}

impl Node {
    fn path(&self) -> String {
        match self {
            Node::Whole(r) => r.path.clone(),
            Node::Compact(c) => c.path_and_facts().0,
            Node::Taken => String::new(),
        }
    }

    fn take(&mut self) -> FileReport {
        match std::mem::replace(self, Node::Taken) {
            Node::Whole(r) => *r,
            Node::Compact(c) => c.rebuild(),
            Node::Taken => FileReport::new(0, String::new(), None),
        }
    }
}

pub use graph::Accepted;

pub struct Chains {
    root: Option<Arc<ImageRoot>>,
    baseline: Option<Accepted>,
    /// What is held, in walk order.
    nodes: Vec<Node>,
    whole: usize,
    compact: usize,
    /// The hashes of the keys of the places held facts name.
    pending: HashSet<u64>,
    /// The hashes of the keys of the reports held.
    held_keys: HashSet<u64>,
    walked: walked::Walked,
}

/// The hash a key is remembered by.
fn hash(key: &str) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    key.hash(&mut h);
    h.finish()
}

impl Chains {
    /// `roots`: the scan's roots, in the order walked.
    pub fn new(
        root: Option<Arc<ImageRoot>>,
        baseline: Option<Accepted>,
        roots: &[std::path::PathBuf],
    ) -> Chains {
        Chains {
            walked: walked::Walked::new(roots, root.as_deref()),
            root,
            baseline,
            held_keys: HashSet::new(),
            nodes: Vec::new(),
            whole: 0,
            compact: 0,
            pending: HashSet::new(),
        }
    }

    fn remember_names(&mut self, r: &FileReport) {
        for f in &r.triage.facts {
            for key in graph::candidates(&f.name, self.root.as_deref()) {
                if self.pending.len() >= MAX_PENDING {
                    return;
                }
                self.pending.insert(hash(&key));
            }
        }
    }

    /// Whether no fact of `r` can resolve to a file held now or later: then no link can
    /// change `r` through its own facts, and a clean `r` that nothing held names streams at
    /// once (`walked`), like a file with no facts.
    fn settled(&self, r: &FileReport) -> bool {
        // Past the cap, held keys are no longer all known.
        if self.held_keys.len() >= MAX_PENDING {
            return false;
        }
        let here = graph::key(&r.path);
        r.triage.facts.iter().all(|f| {
            graph::candidates(&f.name, self.root.as_deref())
                .iter()
                .all(|k| !self.held_keys.contains(&hash(k)) && self.walked.settled(k, &here))
        })
    }

    /// Which held reports a resolved link touches (either end), resolving every fact as
    /// `graph` does, against every held report, without making compact ones whole.
    fn touched(&self) -> Vec<usize> {
        let root = self.root.as_deref();
        let mut index: Vec<(u64, usize)> = (self.nodes.iter().enumerate())
            .map(|(i, n)| (hash(&graph::key(&n.path())), i))
            .collect();
        index.sort_unstable();
        // The first held report (in walk order) with this key, as `graph` resolves.
        let find = |k: &str| {
            let h = hash(k);
            let from = index.partition_point(|e| e.0 < h);
            index[from..]
                .iter()
                .take_while(|e| e.0 == h)
                .map(|e| e.1)
                .find(|&i| graph::key(&self.nodes[i].path()) == k)
        };
        let mut touched = vec![false; self.nodes.len()];
        for (i, n) in self.nodes.iter().enumerate() {
            let facts = match n {
                Node::Whole(r) => [&r.triage.facts[..], &graph::implied(r)].concat(),
                Node::Compact(c) => c.path_and_facts().1,
                Node::Taken => continue,
            };
            for f in facts.iter() {
                let found = graph::candidates(&f.name, root)
                    .into_iter()
                    .find_map(|k| find(&k));
                if let Some(j) = found.filter(|&j| j != i) {
                    touched[i] = true;
                    touched[j] = true;
                }
            }
        }
        (0..touched.len()).filter(|&i| touched[i]).collect()
    }
}

impl Stage for Chains {
    fn file(&mut self, r: &mut FileReport) -> Disposition {
        let full = match compact::fits(r) {
            true => self.compact >= MAX_COMPACT,
            false => self.whole >= MAX_HELD,
        };
        if full {
            return Disposition::Pass;
        }
        let has_facts = !r.triage.facts.is_empty();
        let named =
            || !self.pending.is_empty() && self.pending.contains(&hash(&graph::key(&r.path)));
        let config = || graph::is_default_config_name(&r.path);
        if !(r.flagged() || has_facts || named() || config()) {
            return Disposition::Pass;
        }
        if !r.flagged() && compact::fits(r) && !named() && !config() && self.settled(r) {
            return Disposition::Pass;
        }
        if has_facts {
            self.remember_names(r);
        }
        Disposition::Hold
    }

    fn hold(&mut self, report: FileReport) {
        if self.held_keys.len() < MAX_PENDING {
            self.held_keys.insert(hash(&graph::key(&report.path)));
        }
        match Compact::make(&report) {
            Some(c) => {
                self.compact += 1;
                self.nodes.push(Node::Compact(c));
            }
            None => {
                self.whole += 1;
                self.nodes.push(Node::Whole(Box::new(report)));
            }
        }
    }

    fn finish(&mut self, summary: &mut Summary) {
        self.pending = HashSet::new();
        let at = self.touched();
        if at.is_empty() {
            return;
        }
        let mut linked: Vec<FileReport> = at.iter().map(|&i| self.nodes[i].take()).collect();
        let chains = graph::judge(&mut linked, self.root.as_deref(), self.baseline.as_ref());
        for (i, r) in at.into_iter().zip(linked) {
            self.nodes[i] = Node::Whole(Box::new(r));
        }
        if !chains.is_empty() {
            summary.triage.get_or_insert_default().chains = chains;
        }
    }

    fn release(&mut self) -> Box<dyn Iterator<Item = FileReport> + '_> {
        Box::new(
            std::mem::take(&mut self.nodes)
                .into_iter()
                .map(|mut n| n.take()),
        )
    }
}
