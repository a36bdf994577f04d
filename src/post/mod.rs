//! What happens around the writer, after each file is judged: the result cache, syslog, the
//! indicators seen across files and the links from persistence files to the programs they
//! start. Each is a `Stage` the writer drives: it sees every report in walk order before it is
//! written, may amend it, and may hold it back until the end of the walk (a judgement that
//! needs files not yet seen); after the walk each stage adds its part to the summary.

pub mod cache;
pub mod links;
pub mod persistence;
pub mod seen;
pub mod syslog;
pub mod triage;

use crate::outcome::{FileReport, Summary};
use std::sync::Arc;

/// What a stage does with a report it has seen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Disposition {
    /// On to the next stage, and written.
    Pass,
    /// Kept by this stage until `finish`: neither the later stages nor the output see it yet.
    Hold,
}

/// One step between the workers and the reporter, called only from the writer thread.
pub trait Stage {
    /// Sees one report, in walk order; may amend it.
    fn file(&mut self, report: &mut FileReport) -> Disposition;
    /// After the walk (the summary's totals closed): the reports this stage held, in walk
    /// order, which it may amend before they go on through the later stages; and the summary,
    /// which it may add to.
    fn finish(&mut self, held: &mut [FileReport], summary: &mut Summary);
}

/// The stages of a scan, in order, and what each holds.
pub struct Stages {
    stages: Vec<Box<dyn Stage>>,
    held: Vec<Vec<FileReport>>,
}

impl Stages {
    pub fn new(stages: Vec<Box<dyn Stage>>) -> Stages {
        let held = stages.iter().map(|_| Vec::new()).collect();
        Stages { stages, held }
    }

    /// The stages of a command-line scan: the cross-file summary (seen indicators,
    /// persistence links), then `--cache` and `--syslog`, which record results as they leave.
    pub fn for_scan(cache: Option<Arc<cache::Cache>>, syslog: bool) -> Stages {
        let mut stages: Vec<Box<dyn Stage>> = vec![
            Box::new(seen::SeenIndicators::default()),
            Box::new(links::PersistenceLinks::default()),
        ];
        if let Some(c) = cache {
            stages.push(Box::new(cache::CacheStage(c)));
        }
        if syslog {
            stages.push(Box::new(syslog::Syslog::open()));
        }
        Stages::new(stages)
    }

    /// Runs a report through the stages: it comes back when it may be written now.
    pub fn file(&mut self, report: FileReport) -> Option<FileReport> {
        self.pass(0, report)
    }

    fn pass(&mut self, from: usize, mut report: FileReport) -> Option<FileReport> {
        for i in from..self.stages.len() {
            if self.stages[i].file(&mut report) == Disposition::Hold {
                self.held[i].push(report);
                return None;
            }
        }
        Some(report)
    }

    /// After the walk: each stage's `finish` in order, the reports it held then going on
    /// through the later stages. Returns the reports released, in walk order, already counted
    /// in `summary` (before the later stages' `finish`, so that those see them counted).
    pub fn finish(&mut self, summary: &mut Summary) -> Vec<FileReport> {
        let mut released = Vec::new();
        for i in 0..self.stages.len() {
            let mut held = std::mem::take(&mut self.held[i]);
            self.stages[i].finish(&mut held, summary);
            for report in held {
                if let Some(r) = self.pass(i + 1, report) {
                    summary.account(&r);
                    released.push(r);
                }
            }
        }
        released.sort_by_key(|r| r.seq);
        released
    }
}
