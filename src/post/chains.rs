//! Cross-file judgement: after the walk, the facts files gave (what each starts, configures,
//! installs or downloads, `analyze::facts`) are resolved to the other files of this scan and
//! become links; a file that starts a miner gains `miner` evidence, a miner started from a
//! persistence place gains `persistence`, and the class model re-judges them. Each file of a
//! chain that holds a flagged file lists its `links`; the summary lists the `chains`.
//!
//! Memory: only the reports a link can still change are held until the end of the walk:
//! flagged files, files with facts, and files an earlier fact names (`MAX_HELD` in all, then
//! the rest streams). Everything else streams as before. Resolution opens nothing: a name
//! resolves only to a held report of this scan, relative names against the naming file's
//! directory, absolute ones also through the image's links (`ImageRoot::resolve`, never
//! leaving `--root`), bare program names against the PATH directories.

mod graph;

use crate::outcome::{FileReport, Summary};
use crate::post::{Disposition, Stage};
use crate::scan::image::ImageRoot;
use std::collections::HashSet;
use std::sync::Arc;

/// Reports held until the end of the walk, at most.
pub const MAX_HELD: usize = 50_000;
/// Names remembered so that a clean file they name is held when it comes.
const MAX_PENDING: usize = 200_000;

/// The directories a bare program name is looked for in, in the PATH's order.
const PATH_DIRS: &[&str] = &[
    "/usr/local/sbin",
    "/usr/local/bin",
    "/usr/sbin",
    "/usr/bin",
    "/sbin",
    "/bin",
];

pub struct Chains {
    root: Option<Arc<ImageRoot>>,
    held: usize,
    /// The keys of the places held facts name.
    pending: HashSet<String>,
}

impl Chains {
    pub fn new(root: Option<Arc<ImageRoot>>) -> Chains {
        Chains {
            root,
            held: 0,
            pending: HashSet::new(),
        }
    }

    fn remember_names(&mut self, r: &FileReport) {
        for f in &r.triage.facts {
            for key in graph::candidates(&f.name, self.root.as_deref()) {
                if self.pending.len() >= MAX_PENDING {
                    return;
                }
                self.pending.insert(key);
            }
        }
    }
}

impl Stage for Chains {
    fn file(&mut self, r: &mut FileReport) -> Disposition {
        if self.held >= MAX_HELD {
            return Disposition::Pass;
        }
        let has_facts = !r.triage.facts.is_empty();
        let named = || !self.pending.is_empty() && self.pending.contains(&graph::key(&r.path));
        if !(r.flagged() || has_facts || named()) {
            return Disposition::Pass;
        }
        if has_facts {
            self.remember_names(r);
        }
        self.held += 1;
        Disposition::Hold
    }

    fn finish(&mut self, held: &mut [FileReport], summary: &mut Summary) {
        self.pending = HashSet::new();
        let chains = graph::judge(held, self.root.as_deref());
        if !chains.is_empty() {
            summary.triage.get_or_insert_default().chains = chains;
        }
    }
}
