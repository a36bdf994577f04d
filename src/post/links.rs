//! Persistence links: which persistence file (a cron entry, a unit, a scheduled task) starts
//! which flagged program, found across the whole scan. Remembers only flagged files and the
//! paths persistence files name (both capped) until the end of the walk.

use crate::outcome::triage::PersistenceLink;
use crate::outcome::{FileReport, Summary};
use crate::post::persistence;
use crate::post::{Disposition, Stage};
use std::collections::{HashMap, HashSet};

/// Persistence references remembered until the end of the scan.
const MAX_REFERENCES: usize = 100_000;
/// Flagged files remembered for linking.
const MAX_FLAGGED: usize = 1_000_000;

#[derive(Default)]
pub struct PersistenceLinks {
    /// Flagged files by `path_key`, with their verdict.
    flagged: HashMap<String, &'static str>,
    /// (persistence file, place, named path key)
    references: Vec<(String, String, String)>,
    seen_refs: HashSet<(String, String)>,
}

impl PersistenceLinks {
    fn remember_flagged(&mut self, r: &FileReport) {
        if self.flagged.len() >= MAX_FLAGGED {
            return;
        }
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
}

impl Stage for PersistenceLinks {
    fn file(&mut self, r: &mut FileReport) -> Disposition {
        if r.flagged() {
            self.remember_flagged(r);
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
        Disposition::Pass
    }

    fn finish(&mut self, summary: &mut Summary) {
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
        summary.triage.get_or_insert_default().persistence_links = links;
    }
}
