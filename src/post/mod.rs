//! What happens around the writer, after each file is judged: the result cache, syslog, the
//! indicators seen across files and the links from persistence files to the programs they
//! start. Each is a `Stage` the writer drives: it sees every report in walk order before it is
//! written, may amend it, and may hold it back until the end of the walk (a judgement that
//! needs files not yet seen); after the walk each stage adds its part to the summary.

pub mod cache;
pub mod chains;
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
    /// Takes a report `file` held: the stage keeps it, in whatever form it likes, until the
    /// walk ends. Only a stage that holds is ever given one.
    fn hold(&mut self, report: FileReport) {
        drop(report);
        unreachable!("a stage that never holds was given a report to hold");
    }
    /// After the walk (the summary's totals closed): amends what it held and adds its part
    /// to the summary.
    fn finish(&mut self, summary: &mut Summary);
    /// Then the reports it held, amended, in walk order, made one at a time (so that what a
    /// stage kept in a compact form is never all whole at once). They go on through the later
    /// stages.
    fn release(&mut self) -> Box<dyn Iterator<Item = FileReport> + '_> {
        Box::new(std::iter::empty())
    }
}

/// The stages of a scan, in order.
pub struct Stages {
    stages: Vec<Box<dyn Stage>>,
}

impl Stages {
    pub fn new(stages: Vec<Box<dyn Stage>>) -> Stages {
        Stages { stages }
    }

    /// The stages of a command-line scan: the seen indicators; `--cache`, which records each
    /// file's own result (before any cross-file evidence, which the next scan finds again from
    /// the cached facts); the cross-file judgement (chains), which holds what a link can still
    /// change; the persistence links, which see the final verdicts; then `--syslog`.
    pub fn for_scan(
        cache: Option<Arc<cache::Cache>>,
        syslog: bool,
        root: Option<Arc<crate::scan::image::ImageRoot>>,
        baseline: Option<chains::Accepted>,
        roots: &[std::path::PathBuf],
    ) -> Stages {
        let mut stages: Vec<Box<dyn Stage>> = vec![Box::new(seen::SeenIndicators::default())];
        if let Some(c) = cache {
            stages.push(Box::new(cache::CacheStage(c)));
        }
        stages.push(Box::new(chains::Chains::new(root, baseline, roots)));
        stages.push(Box::new(links::PersistenceLinks::default()));
        if syslog {
            stages.push(Box::new(syslog::Syslog::open()));
        }
        Stages::new(stages)
    }

    /// Runs a report through the stages: it comes back when it may be written now.
    pub fn file(&mut self, report: FileReport) -> Option<FileReport> {
        pass(&mut self.stages, report)
    }

    /// After the walk: each stage's `finish` in order, the reports it held then going on
    /// through the later stages and, when they pass, counted in `summary` (before the later
    /// stages' `finish`, so that those see them counted) and handed to `emit`. A stage's
    /// reports come out in walk order, those of an earlier stage first.
    pub fn finish(&mut self, summary: &mut Summary, emit: &mut dyn FnMut(FileReport)) {
        for i in 0..self.stages.len() {
            self.stages[i].finish(summary);
            let (done, later) = self.stages.split_at_mut(i + 1);
            for report in done[i].release() {
                if let Some(r) = pass(later, report) {
                    summary.account(&r);
                    emit(r);
                }
            }
        }
    }
}

/// Runs a report through `stages`: it comes back unless one of them holds it.
fn pass(stages: &mut [Box<dyn Stage>], mut report: FileReport) -> Option<FileReport> {
    for stage in stages {
        if stage.file(&mut report) == Disposition::Hold {
            stage.hold(report);
            return None;
        }
    }
    Some(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::judge::verdict::Level;

    /// Holds flagged reports and, at the end, clears their verdict: a stand-in for a
    /// cross-file judgement that needs the whole walk.
    #[derive(Default)]
    struct HoldFlagged(Vec<FileReport>);

    impl Stage for HoldFlagged {
        fn file(&mut self, report: &mut FileReport) -> Disposition {
            if report.flagged() {
                Disposition::Hold
            } else {
                Disposition::Pass
            }
        }

        fn hold(&mut self, report: FileReport) {
            self.0.push(report);
        }

        fn finish(&mut self, _summary: &mut Summary) {
            for r in &mut self.0 {
                r.verdict.level = Level::Clean;
            }
        }

        fn release(&mut self) -> Box<dyn Iterator<Item = FileReport> + '_> {
            Box::new(self.0.drain(..))
        }
    }

    /// Records the order in which reports reach it, and how many were counted at its finish.
    #[derive(Default)]
    struct Record(std::rc::Rc<std::cell::RefCell<(Vec<u64>, u64)>>);

    impl Stage for Record {
        fn file(&mut self, report: &mut FileReport) -> Disposition {
            self.0.borrow_mut().0.push(report.seq);
            Disposition::Pass
        }

        fn finish(&mut self, summary: &mut Summary) {
            self.0.borrow_mut().1 = summary.files_scanned;
        }
    }

    fn report(seq: u64, level: Level) -> FileReport {
        let mut r = FileReport::new(seq, format!("f{seq}"), None);
        r.verdict.level = level;
        r
    }

    #[test]
    fn held_reports_are_amended_then_go_on_through_later_stages_in_walk_order() {
        let record = Record::default();
        let seen = record.0.clone();
        let mut stages = Stages::new(vec![Box::new(HoldFlagged::default()), Box::new(record)]);
        let mut summary = Summary::default();
        let mut written = Vec::new();
        for (seq, level) in [
            (0, Level::Malicious),
            (1, Level::Clean),
            (2, Level::Suspicious),
        ] {
            if let Some(r) = stages.file(report(seq, level)) {
                summary.account(&r);
                written.push(r.seq);
            }
        }
        assert_eq!(written, [1], "flagged reports are held");
        let mut released = Vec::new();
        stages.finish(&mut summary, &mut |r| released.push(r));
        let seqs: Vec<u64> = released.iter().map(|r| r.seq).collect();
        assert_eq!(seqs, [0, 2]);
        assert!(released.iter().all(|r| r.verdict.level == Level::Clean));
        // The later stage saw the held reports after the release, before its own finish,
        // and they were counted by then, with their amended verdict.
        assert_eq!(seen.borrow().0, [1, 0, 2]);
        assert_eq!(seen.borrow().1, 3);
        assert_eq!(summary.verdicts.get("clean"), Some(&3));
    }
}
