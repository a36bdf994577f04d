//! The scan engine: one walker thread numbers targets and feeds a bounded channel; one worker
//! per thread opens, reads once and analyzes each file with its own analyzer workers (so each
//! has its own yara-x Scanner); the calling thread is the single writer (`writer`), which
//! restores walk order and drives the post stages and the reporter. Memory is bounded by the channel sizes
//! and the per-worker read buffer, whatever the size of the tree.

use crate::analyze::{Analyzer, AnalyzerWorker};
use crate::judge::baseline::Baseline;
use crate::judge::finding::Finding;
use crate::judge::verdict::{self, Level};
use crate::knowledge::indicators::{Indicators, Pattern};
use crate::outcome::problems::{FileError, SkipReason};
use crate::outcome::{FileReport, ScanInfo, Summary};
use crate::post::Stages;
use crate::report::Reporter;
use crate::scan::containers::archive::ArchiveLimits;
use crate::scan::containers::inside;
use crate::scan::context::FileContext;
use crate::scan::digests::{DigestSet, StreamedDigests, StreamingHasher};
use crate::scan::input::{self, OpenOutcome};
use crate::scan::target::Target;
use crate::scan::walk::{Names, SkipCounters, WalkItem, WalkOptions, Walker};
use crate::scan::writer::{Progress, Window, Writer};
use base64::Engine as _;
use std::collections::HashSet;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Instant, SystemTime};

/// Walk items (and reports) handed between threads at a time...
const BATCH: usize = 32;
/// How many reports, per worker thread, may wait in the writer's reorder buffer behind one
/// slow file before the workers wait for it (at least `MIN_WINDOW` in all).
const WINDOW_PER_THREAD: u64 = 8 * BATCH as u64;
const MIN_WINDOW: u64 = 1024;
/// ...unless their files hold this much: a batch is one worker's, so batches of large files
/// would leave the other workers idle at the end of a scan.
const BATCH_BYTES: u64 = 1 << 20;

/// Limits and switches that change how files are read.
#[derive(Clone, Debug)]
pub struct EngineOptions {
    /// Files above this are not analyzed whole: their header is sniffed and, when hash IOCs
    /// are loaded, they are hashed by streaming.
    pub max_size: u64,
    pub follow: bool,
    pub threads: usize,
    /// Digests that some analyzer needs for every file (hash IOC lists).
    pub digests_needed: DigestSet,
    /// `--root DIR`: paths are reported, judged and opened as inside that machine.
    pub root: Option<std::sync::Arc<crate::scan::image::ImageRoot>>,
    /// How deep archives are opened, and the limits against bombs.
    pub archive: ArchiveLimits,
    /// Known, accepted findings to suppress.
    pub baseline: Option<Arc<Baseline>>,
    /// Keep the suppressed findings in the reports (`--show-suppressed`, SARIF), not only count them.
    pub keep_suppressed: bool,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            max_size: 128 << 20,
            follow: false,
            threads: 1,
            digests_needed: DigestSet::default(),
            root: None,
            archive: ArchiveLimits::default(),
            baseline: None,
            keep_suppressed: false,
        }
    }
}

/// What to scan.
#[derive(Clone, Debug, Default)]
pub struct ScanPlan {
    pub roots: Vec<PathBuf>,
    pub walk: WalkOptions,
    /// `--processes`: also the executables of running processes, after the roots.
    pub processes: bool,
}

pub struct Engine {
    analyzers: Vec<Box<dyn Analyzer>>,
    /// The facts, the user's network indicators and the analyzers' needles in one matcher.
    indicators: Indicators,
    options: EngineOptions,
    /// (device, inode) of files minerscan must never scan: its own executable, its outputs.
    own_files: HashSet<(u64, u64)>,
    /// `--cache`: results of unchanged files from earlier scans.
    cache: Option<std::sync::Arc<crate::post::cache::Cache>>,
}

impl Engine {
    /// The baseline, and whether suppressed findings are kept: for the judgement after the
    /// walk (`post::chains`), which applies it as the workers do.
    pub fn baseline(&self) -> Option<(Arc<Baseline>, bool)> {
        let o = &self.options;
        o.baseline.clone().map(|b| (b, o.keep_suppressed))
    }

    /// An engine running `analyzers`, with the shared matcher built from the facts,
    /// `user_network` (IOC lists' domains and addresses) and the analyzers' needles.
    pub fn new(
        analyzers: Vec<Box<dyn Analyzer>>,
        user_network: Vec<Pattern>,
        options: EngineOptions,
    ) -> Engine {
        let indicators = crate::analyze::shared_matcher(&analyzers, user_network);
        let mut own_files = HashSet::new();
        if let Ok(md) = std::fs::metadata("/proc/self/exe") {
            use std::os::unix::fs::MetadataExt;
            own_files.insert((md.dev(), md.ino()));
        }
        Engine {
            analyzers,
            indicators,
            options,
            own_files,
            cache: None,
        }
    }

    /// Takes unchanged files' results from `cache` instead of reading them (`--cache`).
    pub fn set_cache(&mut self, cache: std::sync::Arc<crate::post::cache::Cache>) {
        self.cache = Some(cache);
    }

    /// Never scan this file (an output of this run).
    pub fn add_own_file(&mut self, dev: u64, ino: u64) {
        self.own_files.insert((dev, ino));
    }

    /// Scans one buffer as if it were a file named `name`: the library face for tests,
    /// benches and fuzzing.
    pub fn scan_bytes(&self, name: &str, bytes: &[u8]) -> FileReport {
        let target = Target::for_bytes(name);
        let mut worker = Worker::new(self);
        let ctx = FileContext::new(&target, &self.indicators, bytes, bytes.len() as u64, false);
        let mut report = FileReport::new(0, name.to_owned(), None);
        worker.analyze(&ctx, &mut report);
        report
    }

    /// Scans the plan: a walker thread feeds the workers, and this thread is the writer, which
    /// hands every report, in walk order, to the post `stages` and `reporter`. Returns the
    /// summary written.
    pub fn run(
        &self,
        plan: &ScanPlan,
        info: &ScanInfo,
        reporter: &mut dyn Reporter,
        stages: Stages,
        progress: Option<&dyn Progress>,
        stop: &AtomicBool,
    ) -> io::Result<Summary> {
        let started = (Instant::now(), SystemTime::now());
        reporter.begin(info)?;
        let counters = SkipCounters::default();
        let threads = self.options.threads.max(1);
        // Items and reports travel in batches: handing over tiny files one at a time cost more
        // in thread wake-ups than scanning them (perf, 20,000 small scripts).
        let (work_tx, work_rx) = crossbeam_channel::bounded::<Vec<WalkItem>>(threads * 4);
        let (done_tx, done_rx) = crossbeam_channel::bounded::<Vec<FileReport>>(threads * 4);
        let mut writer = Writer::new(reporter, stages, progress);
        let window = Window::new((threads as u64 * WINDOW_PER_THREAD).max(MIN_WINDOW));
        std::thread::scope(|scope| {
            let counters = &counters;
            let window = &window;
            scope.spawn(move || feed(plan, counters, stop, threads, work_tx));
            for i in 0..threads {
                let rx = work_rx.clone();
                let tx = done_tx.clone();
                std::thread::Builder::new()
                    .name(format!("minerscan-worker-{i}"))
                    .spawn_scoped(scope, move || self.work(rx, tx, counters, window, stop))
                    .expect("spawn worker thread");
            }
            drop(work_rx);
            drop(done_tx);
            writer.reorder(done_rx, window, stop);
        });
        writer.finish(counters.snapshot(), stop.load(Ordering::Relaxed), started)
    }

    /// One worker thread: takes batches of walk items, hands back batches of reports.
    fn work(
        &self,
        rx: crossbeam_channel::Receiver<Vec<WalkItem>>,
        tx: crossbeam_channel::Sender<Vec<FileReport>>,
        counters: &SkipCounters,
        window: &Window,
        stop: &AtomicBool,
    ) {
        let mut worker = Worker::new(self);
        let mut done = Vec::with_capacity(BATCH);
        // Reports go out when a batch is full, and before waiting for work.
        loop {
            let items = match rx.try_recv() {
                Ok(items) => items,
                Err(crossbeam_channel::TryRecvError::Empty) => {
                    if !done.is_empty() && tx.send(std::mem::take(&mut done)).is_err() {
                        return;
                    }
                    match rx.recv() {
                        Ok(items) => items,
                        Err(_) => break,
                    }
                }
                Err(crossbeam_channel::TryRecvError::Disconnected) => break,
            };
            for item in items {
                if !window.admits(item.seq()) {
                    // Too far ahead of the writer: hand over what we hold (it may be waiting
                    // for one of these), then wait for it to move on.
                    if !done.is_empty() && tx.send(std::mem::take(&mut done)).is_err() {
                        return;
                    }
                    window.wait(item.seq(), stop);
                }
                done.push(worker.handle(item, counters, stop));
                if done.len() >= BATCH && tx.send(std::mem::take(&mut done)).is_err() {
                    return;
                }
            }
        }
        if !done.is_empty() {
            let _ = tx.send(done);
        }
    }
}

/// The walker thread: walks the roots (then the processes) and sends the items in batches.
fn feed(
    plan: &ScanPlan,
    counters: &SkipCounters,
    stop: &AtomicBool,
    threads: usize,
    work_tx: crossbeam_channel::Sender<Vec<WalkItem>>,
) {
    let mut walker = Walker::new(plan.walk.clone(), counters, stop);
    let mut batch = Vec::with_capacity(BATCH);
    let mut batch_bytes = 0u64;
    // A batch goes out when it holds BATCH items or BATCH_BYTES (sizes as the walker saw
    // them), or at once while workers may be waiting for work (fewer batches queued
    // than workers).
    let mut emit = |item: WalkItem| {
        batch_bytes += match &item {
            WalkItem::File { size, .. } => *size,
            WalkItem::Process { .. } => BATCH_BYTES,
            WalkItem::Skipped { .. } | WalkItem::Error { .. } => 0,
        };
        batch.push(item);
        if batch.len() < BATCH && batch_bytes < BATCH_BYTES && work_tx.len() >= threads {
            return true;
        }
        batch_bytes = 0;
        let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
        work_tx.send(full).is_ok()
    };
    let mut go_on = true;
    for root in &plan.roots {
        go_on = walker.walk_root(root, &mut emit);
        if !go_on {
            break;
        }
    }
    if go_on && plan.processes {
        walker.walk_processes(&mut emit);
    }
    if !batch.is_empty() {
        let _ = work_tx.send(batch);
    }
}

/// Splits a path into its lossy display form and, when not UTF-8, its exact bytes in base64.
fn display_path(path: &std::path::Path) -> (String, Option<String>) {
    match path.to_str() {
        Some(s) => (s.to_owned(), None),
        None => (
            path.to_string_lossy().into_owned(),
            Some(base64::engine::general_purpose::STANDARD.encode(path.as_os_str().as_bytes())),
        ),
    }
}

/// One worker thread's state: its analyzer workers and its reused read buffer.
struct Worker<'e> {
    engine: &'e Engine,
    analyzers: Vec<Box<dyn AnalyzerWorker + 'e>>,
    buf: Vec<u8>,
}

impl<'e> Worker<'e> {
    fn new(engine: &'e Engine) -> Worker<'e> {
        Worker {
            engine,
            analyzers: engine.analyzers.iter().map(|a| a.worker()).collect(),
            buf: Vec::new(),
        }
    }

    /// The reported path: as on disk, or as the scanned machine saw it under `--root`.
    fn shown(&self, path: &std::path::Path) -> (String, Option<String>) {
        match &self.engine.options.root {
            Some(img) => match img.image_path(path) {
                Some(p) => (img.shown(&p), None),
                None => display_path(path),
            },
            None => display_path(path),
        }
    }

    fn handle(&mut self, item: WalkItem, counters: &SkipCounters, stop: &AtomicBool) -> FileReport {
        match item {
            WalkItem::File {
                seq,
                path,
                names: Names::Again(first),
                ..
            } => {
                // Another name of a file read under its first name: the writer fills it in.
                let (p, pb) = self.shown(&path);
                let mut r = FileReport::new(seq, p, pb);
                r.same_as = Some(first);
                r.not_scanned = stop.load(Ordering::Relaxed);
                r
            }
            WalkItem::File {
                seq,
                path,
                explicit,
                names,
                ..
            } => {
                if stop.load(Ordering::Relaxed) {
                    // Interrupted: keep the sequence moving, report nothing for this file.
                    let (p, pb) = self.shown(&path);
                    let mut r = FileReport::new(seq, p, pb);
                    r.not_scanned = true;
                    return r;
                }
                let mut report = self.scan_file(seq, path, explicit, counters);
                report.keep_for_names = names == Names::First;
                input::trim(&mut self.buf);
                report
            }
            WalkItem::Process { seq, process } => {
                if stop.load(Ordering::Relaxed) {
                    let mut r = FileReport::new(seq, String::new(), None);
                    r.not_scanned = true;
                    return r;
                }
                let report = self.scan_process(seq, process, counters);
                input::trim(&mut self.buf);
                report
            }
            WalkItem::Skipped { seq, path, reason } => {
                let (p, pb) = self.shown(&path);
                let mut r = FileReport::new(seq, p, pb);
                r.skipped = Some(reason);
                r
            }
            WalkItem::Error { seq, path, error } => {
                let (p, pb) = self.shown(&path);
                let mut r = FileReport::new(seq, p, pb);
                r.errors.push(error);
                r
            }
        }
    }

    fn scan_file(
        &mut self,
        seq: u64,
        path: PathBuf,
        explicit: bool,
        counters: &SkipCounters,
    ) -> FileReport {
        let (shown, bytes) = self.shown(&path);
        let mut report = FileReport::new(seq, shown, bytes);
        let opts = &self.engine.options;
        let follow = opts.follow || explicit;
        let opened = match opts
            .root
            .as_ref()
            .and_then(|r| Some((r, r.image_path(&path)?)))
        {
            Some((img, in_image)) => input::checked(img.open_file(&in_image, follow), follow),
            None => input::open(&path, follow),
        };
        let opened = match opened {
            Ok(OpenOutcome::Opened(o)) => o,
            Ok(OpenOutcome::Skipped(reason)) => {
                counters.add(reason);
                report.skipped = Some(reason);
                return report;
            }
            Err(e) => {
                report.errors.push(e);
                return report;
            }
        };
        let mut target = Target::disk(seq, path, explicit);
        if opts.root.is_some() {
            target.system_path = report.path.clone();
        }
        self.scan_opened(opened, target, report, counters)
    }

    /// `--processes`: one executable, opened through `/proc/PID/exe` of the first of its
    /// processes still running it, reported under that name with the processes' details.
    fn scan_process(
        &mut self,
        seq: u64,
        process: crate::scan::processes::ProcessInfo,
        counters: &SkipCounters,
    ) -> FileReport {
        let mut first_error = None;
        let mut opened = None;
        let links: Vec<PathBuf> = process.exe_links().collect();
        for link in links {
            // The magic link must be followed; fstat then checks what it led to.
            match input::open(&link, true) {
                Ok(OpenOutcome::Opened(o)) if (o.meta.dev, o.meta.ino) == process.key => {
                    opened = Some((link, o));
                    break;
                }
                // The pid now runs something else (exec, or a reused pid): it is gone for us.
                Ok(OpenOutcome::Opened(_)) => {
                    first_error.get_or_insert((link, FileError::Vanished));
                }
                Ok(OpenOutcome::Skipped(reason)) => {
                    let (p, pb) = display_path(&link);
                    let mut r = FileReport::new(seq, p, pb);
                    counters.add(reason);
                    r.skipped = Some(reason);
                    r.process = Some(process);
                    return r;
                }
                Err(e) => {
                    first_error.get_or_insert((link, e));
                }
            }
        }
        let Some((link, opened)) = opened else {
            let (link, error) = first_error.unwrap_or_else(|| {
                (
                    crate::scan::processes::exe_link(process.pids[0]),
                    FileError::Vanished,
                )
            });
            let (p, pb) = display_path(&link);
            let mut r = FileReport::new(seq, p, pb);
            r.errors.push(error);
            r.process = Some(process);
            return r;
        };
        let (p, pb) = display_path(&link);
        let mut report = FileReport::new(seq, p, pb);
        let mut target = Target::disk(seq, link, true);
        // Locations (a temporary directory, a name like a kernel thread) are judged on the
        // executable's own path.
        target.system_path = process.exe.clone();
        report.findings.extend(process.findings());
        report.process = Some(process);
        self.scan_opened(opened, target, report, counters)
    }

    /// Reads an opened file once and analyzes it (shared by files and processes).
    fn scan_opened(
        &mut self,
        mut opened: input::Opened,
        target: Target,
        mut report: FileReport,
        counters: &SkipCounters,
    ) -> FileReport {
        let opts = &self.engine.options;
        report.size = opened.size;
        if self
            .engine
            .own_files
            .contains(&(opened.meta.dev, opened.meta.ino))
        {
            counters.add(SkipReason::Own);
            report.skipped = Some(SkipReason::Own);
            return report;
        }
        // A process's result depends on the process too (a deleted executable): never cached.
        if let Some(cache) = self
            .engine
            .cache
            .as_ref()
            .filter(|_| report.process.is_none())
        {
            if cache.lookup(&mut report, &opened.meta, opened.size) {
                if report.header_only {
                    counters.add(SkipReason::TooLarge);
                }
                report.meta = Some(opened.meta);
                return report;
            }
        }
        let cap = if opened.size > opts.max_size {
            crate::scan::kind::SNIFF_LEN
        } else {
            opts.max_size as usize
        };
        let read = match input::read_bounded(&mut opened.file, &mut self.buf, cap, opened.size) {
            Ok(r) => r,
            Err(e) => {
                report.errors.push(FileError::from_io(&e));
                return report;
            }
        };
        if read.over_cap {
            // Too large (or grew past the limit while read): a header-only view, with the
            // whole file hashed by streaming when hash IOCs need it.
            counters.add(SkipReason::TooLarge);
            report.skipped = Some(SkipReason::TooLarge);
            report.header_only = true;
            let mut hasher = opts
                .digests_needed
                .any()
                .then(|| StreamingHasher::new(opts.digests_needed));
            match input::header_and_hash(&mut opened.file, &mut self.buf, hasher.as_mut()) {
                Ok(total) => report.size = report.size.max(total),
                Err(e) => {
                    report.errors.push(FileError::from_io(&e));
                    return report;
                }
            }
            let buf = std::mem::take(&mut self.buf);
            let mut ctx =
                FileContext::new(&target, &self.engine.indicators, &buf, report.size, true)
                    .with_meta(opened.meta.clone());
            if let Some(h) = hasher {
                ctx = ctx.with_streamed_digests(h.finish());
            }
            self.analyze(&ctx, &mut report);
            self.buf = buf;
        } else {
            report.size = read.len as u64;
            let buf = std::mem::take(&mut self.buf);
            let ctx = FileContext::new(&target, &self.engine.indicators, &buf, report.size, false)
                .with_meta(opened.meta.clone());
            self.analyze(&ctx, &mut report);
            self.buf = buf;
        }
        if report.skipped == Some(SkipReason::Own) {
            counters.add(SkipReason::Own);
        }
        report.meta = Some(opened.meta);
        crate::post::triage::annotate(
            opts.root.as_deref(),
            &target.system_path,
            &self.buf,
            report.kind,
            report.meta.as_ref(),
            &mut report.triage,
        );
        // A link may raise a clean file that names others: it then shows the digests a
        // flagged file shows, made now rather than by reading it again.
        if !report.flagged() && !report.header_only && !report.triage.facts.is_empty() {
            let bytes = &self.buf[..(report.size as usize).min(self.buf.len())];
            report.digests_if_flagged = Some(Box::new(StreamedDigests::all_of(bytes)));
        }
        report
    }

    /// Runs every applicable analyzer on one file, each behind a panic guard, then judges.
    fn analyze(&mut self, ctx: &FileContext, report: &mut FileReport) {
        report.kind = ctx.kind;
        // One of our reports met again, as a whole (never by its first line).
        let executable = ctx.meta.as_ref().is_some_and(|m| m.mode & 0o111 != 0);
        if !ctx.truncated && crate::report::recognise::is_minerscan_report(ctx.bytes, executable) {
            report.skipped = Some(SkipReason::Own);
            return;
        }
        // Facts known before reading (a process's deleted executable) are judged with the rest.
        let mut findings: Vec<Finding> = std::mem::take(&mut report.findings);
        for (i, worker) in self.analyzers.iter_mut().enumerate() {
            if !worker.applies(ctx.kind) {
                continue;
            }
            let outcome = catch_unwind(AssertUnwindSafe(|| worker.analyze(ctx, &mut findings)));
            match outcome {
                Ok(Ok(())) => {}
                Ok(Err(e)) if e.timed_out => report.errors.push(FileError::Timeout {
                    analyzer: e.analyzer,
                }),
                Ok(Err(e)) => report.errors.push(FileError::Analyzer {
                    analyzer: e.analyzer,
                    message: e.message,
                }),
                Err(panic) => {
                    let message = panic
                        .downcast_ref::<&str>()
                        .map(|s| (*s).to_owned())
                        .or_else(|| panic.downcast_ref::<String>().cloned())
                        .unwrap_or_else(|| "panicked".to_owned());
                    report.errors.push(FileError::Analyzer {
                        analyzer: self.engine.analyzers[i].id(),
                        message: format!("panicked: {message}"),
                    });
                    // Its state may be broken: start that analyzer afresh.
                    *worker = self.engine.analyzers[i].worker();
                }
            }
        }
        verdict::prepare(&mut findings);
        if let Some(b) = &self.engine.options.baseline {
            let suppressed = b.apply(&report.path, || ctx.sha256(), &mut findings);
            report.suppressed_count += suppressed.len() as u64;
            if self.engine.options.keep_suppressed {
                report.suppressed = suppressed;
            }
        }
        report.verdict = verdict::judge(&findings, ctx.kind);
        report.digests = ctx.report_digests(report.verdict.level != Level::Clean);
        report.findings = findings;
        if inside::may_hold(ctx) {
            self.scan_members(ctx, report);
        }
    }

    /// Opens what is inside a file (archive members, a packed program) in memory and analyzes
    /// each as if it were a file (recursively, to the archive depth); the file takes the highest
    /// verdict of its members.
    fn scan_members(&mut self, ctx: &FileContext, report: &mut FileReport) {
        let engine = self.engine;
        let opts = inside::Inside {
            limits: &engine.options.archive,
            max_size: engine.options.max_size,
            indicators: &engine.indicators,
            baseline: engine.options.baseline.as_deref(),
            keep_suppressed: engine.options.keep_suppressed,
        };
        inside::scan(&opts, ctx, report, &mut |mctx, r| self.analyze(mctx, r));
    }
}
