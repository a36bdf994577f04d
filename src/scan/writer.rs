//! The writer: the one thread that sees reports in walk order. It restores that order from
//! the workers' batches with a reorder buffer, hands each report to the post stages and, when
//! they pass it, counts it in the one `Summary` and writes it; after the walk it closes the
//! totals, lets the stages finish (and release what they held), and writes the summary. The
//! summary it writes is the one it returns, from which the exit code is computed.

use crate::judge::verdict::Level;
use crate::outcome::problems::SkipReason;
use crate::outcome::{FileReport, Summary};
use crate::post::Stages;
use crate::report::Reporter;
use std::collections::BTreeMap;
use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Instant, SystemTime};

/// Progress callbacks from the writer thread.
pub trait Progress {
    fn file_done(&self, report: &FileReport, bytes: u64);
}

pub(crate) struct Writer<'r> {
    reporter: &'r mut dyn Reporter,
    stages: Stages,
    progress: Option<&'r dyn Progress>,
    summary: Summary,
    /// The output failed (a closed pipe): nothing more is written, and the run fails.
    write_error: Option<io::Error>,
}

impl<'r> Writer<'r> {
    pub fn new(
        reporter: &'r mut dyn Reporter,
        stages: Stages,
        progress: Option<&'r dyn Progress>,
    ) -> Writer<'r> {
        Writer {
            reporter,
            stages,
            progress,
            summary: Summary::default(),
            write_error: None,
        }
    }

    /// Takes the workers' batches until they are done, each report in walk order.
    pub fn reorder(
        &mut self,
        done: crossbeam_channel::Receiver<Vec<FileReport>>,
        stop: &AtomicBool,
    ) {
        let mut pending: BTreeMap<u64, FileReport> = BTreeMap::new();
        let mut next = 0u64;
        for report in done.iter().flatten() {
            pending.insert(report.seq, report);
            while let Some(r) = pending.remove(&next) {
                next += 1;
                self.take(r, stop);
            }
        }
        // After an interruption, what arrived out of order is still reported.
        for (_, r) in std::mem::take(&mut pending) {
            self.take(r, stop);
        }
    }

    /// One report, in walk order: through the stages, then counted and written.
    fn take(&mut self, report: FileReport, stop: &AtomicBool) {
        if report.not_scanned {
            return;
        }
        if let Some(p) = self.progress {
            p.file_done(&report, report.size);
        }
        let Some(report) = self.stages.file(report) else {
            return;
        };
        self.summary.account(&report);
        if self.write_error.is_none() {
            if let Err(e) = self.reporter.file(&report) {
                // The output is gone (a closed pipe): stop the scan.
                self.write_error = Some(e);
                stop.store(true, Ordering::Relaxed);
            }
        }
    }

    /// After the walk: closes the totals, lets the stages finish, writes what they held and
    /// the summary, and returns that summary.
    pub fn finish(
        mut self,
        skipped: Vec<(SkipReason, u64)>,
        interrupted: bool,
        started: (Instant, SystemTime),
    ) -> io::Result<Summary> {
        if let Some(e) = self.write_error {
            return Err(e);
        }
        let summary = &mut self.summary;
        for (reason, n) in skipped {
            summary.skipped.insert(reason.as_str().to_owned(), n);
        }
        for level in [Level::Clean, Level::Suspicious, Level::Malicious] {
            summary
                .verdicts
                .entry(level.as_str().to_owned())
                .or_insert(0);
        }
        summary.interrupted = interrupted;
        summary.complete = summary.incomplete == 0 && !summary.interrupted;
        summary.started = humantime::format_rfc3339_seconds(started.1).to_string();
        summary.finished = humantime::format_rfc3339_seconds(SystemTime::now()).to_string();
        summary.elapsed_ms = started.0.elapsed().as_millis() as u64;
        for r in self.stages.finish(&mut self.summary) {
            self.reporter.file(&r)?;
        }
        self.reporter.finish(&self.summary)?;
        Ok(self.summary)
    }
}
