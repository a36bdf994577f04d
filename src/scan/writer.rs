//! The writer: the one thread that sees reports in walk order. It restores that order from
//! the workers' batches with a reorder buffer, hands each report to the post stages and, when
//! they pass it, counts it in the one `Summary` and writes it; after the walk it closes the
//! totals, lets the stages finish (and release what they held), and writes the summary. The
//! summary it writes is the one it returns, from which the exit code is computed.
//!
//! The reorder buffer is bounded by back-pressure: a worker does not start a file more than
//! the window's width ahead of the next report the writer waits for (`Window`), so one slow
//! file holds at most that many finished reports, never the rest of the tree.

use crate::judge::verdict::Level;
use crate::outcome::problems::SkipReason;
use crate::outcome::{FileReport, Summary};
use crate::post::Stages;
use crate::report::Reporter;
use std::collections::BTreeMap;
use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant, SystemTime};

/// How far ahead of the writer the workers may go: a worker waits before starting the file
/// numbered `seq` while `seq >= next + width`, where `next` is the next report the writer
/// waits for. Every report in the reorder buffer was started inside the window, so the buffer
/// never holds more than `width` reports.
pub(crate) struct Window {
    width: u64,
    next: Mutex<u64>,
    moved: Condvar,
}

impl Window {
    pub fn new(width: u64) -> Window {
        Window {
            width: width.max(1),
            next: Mutex::new(0),
            moved: Condvar::new(),
        }
    }

    /// Whether the file numbered `seq` may be started now.
    pub fn admits(&self, seq: u64) -> bool {
        seq < *self.next.lock().unwrap_or_else(|e| e.into_inner()) + self.width
    }

    /// Waits until the file numbered `seq` may be started, or the scan stops. A worker must
    /// first hand over the reports it holds: the writer may be waiting for one of them.
    pub fn wait(&self, seq: u64, stop: &AtomicBool) {
        let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
        while seq >= *next + self.width && !stop.load(Ordering::Relaxed) {
            // A timeout, so that an interruption (which does not notify) is seen soon.
            next = match self.moved.wait_timeout(next, Duration::from_millis(50)) {
                Ok((n, _)) => n,
                Err(e) => e.into_inner().0,
            };
        }
    }

    /// The writer now waits for `next`.
    fn advance(&self, next: u64) {
        *self.next.lock().unwrap_or_else(|e| e.into_inner()) = next;
        self.moved.notify_all();
    }
}

/// Reports that arrived before the one the writer waits for, by walk number.
#[derive(Default)]
struct Reorder {
    pending: BTreeMap<u64, FileReport>,
    next: u64,
    /// The most reports ever held at once (for tests and the bound's check).
    peak: usize,
}

impl Reorder {
    fn insert(&mut self, report: FileReport) {
        self.pending.insert(report.seq, report);
        self.peak = self.peak.max(self.pending.len());
    }

    /// The next report in walk order, if it has arrived.
    fn pop(&mut self) -> Option<FileReport> {
        let r = self.pending.remove(&self.next)?;
        self.next += 1;
        Some(r)
    }
}

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
    /// Results of files that may have other names, by walk number of their first name, as the
    /// workers made them (before the stages), at most `REMEMBERED_NAMES`, oldest dropped first
    /// (as the walker forgets them).
    first_names: BTreeMap<u64, FileReport>,
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
            first_names: BTreeMap::new(),
        }
    }

    /// Takes the workers' batches until they are done, each report in walk order, moving the
    /// workers' window on as reports are written.
    pub fn reorder(
        &mut self,
        done: crossbeam_channel::Receiver<Vec<FileReport>>,
        window: &Window,
        stop: &AtomicBool,
    ) {
        let mut buffer = Reorder::default();
        for batch in done.iter() {
            let before = buffer.next;
            for report in batch {
                buffer.insert(report);
            }
            while let Some(r) = buffer.pop() {
                self.take(r, stop);
            }
            if buffer.next != before {
                window.advance(buffer.next);
            }
        }
        // After an interruption, what arrived out of order is still reported.
        for (_, r) in std::mem::take(&mut buffer.pending) {
            self.take(r, stop);
        }
    }

    /// One report, in walk order: through the stages, then counted and written.
    fn take(&mut self, report: FileReport, stop: &AtomicBool) {
        if report.not_scanned {
            return;
        }
        let Some(report) = self.names(report) else {
            return;
        };
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

    /// A file's other names: the first name's result under this name (`None` if that result
    /// was never made, the scan having stopped first). A first name's result is kept for them.
    fn names(&mut self, report: FileReport) -> Option<FileReport> {
        if let Some(first) = report.same_as {
            let mut again = self.first_names.get(&first)?.clone();
            again.seq = report.seq;
            again.path = report.path;
            again.path_bytes = report.path_bytes;
            again.same_as = Some(first);
            again.keep_for_names = false;
            return Some(again);
        }
        if report.keep_for_names {
            if self.first_names.len() >= crate::scan::walk::REMEMBERED_NAMES {
                self.first_names.pop_first();
            }
            self.first_names.insert(report.seq, report.clone());
        }
        Some(report)
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
        let (reporter, mut failed) = (&mut self.reporter, None);
        self.stages.finish(&mut self.summary, &mut |r| {
            if failed.is_none() {
                failed = reporter.file(&r).err();
            }
        });
        if let Some(e) = failed {
            return Err(e);
        }
        self.reporter.finish(&self.summary)?;
        Ok(self.summary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three workers honouring the window, the first file slow: the buffer never holds more
    /// than the window's width, and every report comes out in walk order.
    #[test]
    fn the_reorder_buffer_is_bounded_by_the_window() {
        const FILES: u64 = 5000;
        const WIDTH: u64 = 64;
        let window = Window::new(WIDTH);
        let stop = AtomicBool::new(false);
        let (work_tx, work_rx) = crossbeam_channel::unbounded::<u64>();
        let (done_tx, done_rx) = crossbeam_channel::bounded::<FileReport>(16);
        for seq in 0..FILES {
            work_tx.send(seq).unwrap();
        }
        drop(work_tx);
        let mut order = Vec::new();
        let mut buffer = Reorder::default();
        std::thread::scope(|s| {
            for _ in 0..3 {
                let (rx, tx, window, stop) = (work_rx.clone(), done_tx.clone(), &window, &stop);
                s.spawn(move || {
                    for seq in rx.iter() {
                        window.wait(seq, stop);
                        if seq == 0 {
                            std::thread::sleep(Duration::from_millis(300));
                        }
                        tx.send(FileReport::new(seq, String::new(), None)).unwrap();
                    }
                });
            }
            drop(done_tx);
            for report in done_rx.iter() {
                buffer.insert(report);
                while let Some(r) = buffer.pop() {
                    order.push(r.seq);
                }
                window.advance(buffer.next);
            }
        });
        assert_eq!(order, (0..FILES).collect::<Vec<_>>());
        assert!(
            buffer.peak as u64 <= WIDTH,
            "{} reports held behind the slow one",
            buffer.peak
        );
    }

    #[test]
    fn a_worker_waits_outside_the_window_until_the_writer_moves_on() {
        let window = Window::new(8);
        let stop = AtomicBool::new(false);
        assert!(window.admits(7));
        assert!(!window.admits(8));
        let started = std::sync::atomic::AtomicBool::new(false);
        std::thread::scope(|s| {
            s.spawn(|| {
                window.wait(20, &stop);
                started.store(true, Ordering::SeqCst);
            });
            std::thread::sleep(Duration::from_millis(150));
            assert!(!started.load(Ordering::SeqCst), "started 20 files ahead");
            window.advance(13);
        });
        assert!(started.load(Ordering::SeqCst));
    }
}
